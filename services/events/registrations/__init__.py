"""Registrations to a session, its waiting list and the offers of freed seats."""
