"""The duplicate review queue: pairs that may be the same person, until an operator decides."""
