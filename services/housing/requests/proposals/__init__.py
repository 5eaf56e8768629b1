"""Proposals: a place offered to a request, holding its beds until it is answered."""
