"""The case facts housing keeps from casework's events."""
