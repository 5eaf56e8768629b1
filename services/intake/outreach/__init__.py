"""Offline batch sync for mobile units: idempotent per-item upload, and the conflict queue."""
