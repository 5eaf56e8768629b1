"""Check-in at a session (scans that may come late from an offline device) and feedback."""
