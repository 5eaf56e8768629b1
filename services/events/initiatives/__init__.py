"""Initiatives: workshops, meetings, information sessions, campaigns and civic projects."""
