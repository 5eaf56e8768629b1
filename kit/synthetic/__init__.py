"""Synthetic, clearly fictional data for tests, the demo and the benchmarks. Never real people."""

from kit.synthetic.persons import PersonFactory, SyntheticPerson
from kit.synthetic.places import MUNICIPI, Place, random_place

__all__ = ["MUNICIPI", "PersonFactory", "Place", "SyntheticPerson", "random_place"]
