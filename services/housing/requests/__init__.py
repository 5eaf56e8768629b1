"""Housing requests: a household of a case waiting for a place."""
