"""Persons: the minimal registry and duplicate detection."""
