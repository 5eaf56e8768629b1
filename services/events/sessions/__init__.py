"""Sessions of an initiative: when (in their own time zone), where, how many seats."""
