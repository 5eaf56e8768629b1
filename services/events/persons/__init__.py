"""What the events service does when intake erases a person."""
