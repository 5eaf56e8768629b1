"""The public programme: published initiatives and sessions for anyone, and calendar feeds."""
