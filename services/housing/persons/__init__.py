"""Following intake's person events: what housing holds about a person who is erased or
withdraws their consent to housing support."""
