"""Matching: which vacancy takes which household, why, and the best assignment of all."""
