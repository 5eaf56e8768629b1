"""Placements: a household in a unit from move-in to move-out, and the occupancy they make."""
