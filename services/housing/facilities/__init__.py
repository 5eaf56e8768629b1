"""Facilities: shelters (rifugi), solidarity co-housing and autonomy apartments, with their beds."""
