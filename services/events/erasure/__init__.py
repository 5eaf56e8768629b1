"""Erasure of public registrants: on their request and after the retention period."""
