"""Retention: closed cases anonymised once their period ends."""
