"""Cases (presa in carico): a person taken in charge by a lead organisation after hand-over."""
