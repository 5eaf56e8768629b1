"""Indicators: counts over the network's events, by Municipio, with small cells suppressed."""
