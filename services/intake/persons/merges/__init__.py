"""Merging duplicate persons, and splitting a wrong merge."""
