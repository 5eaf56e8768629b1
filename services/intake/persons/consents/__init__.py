"""Consents and other legal bases for processing a person's data."""
