"""The column forms the kit's steps repeat, as Alembic's autogenerate writes them.

Frozen as the steps are: a released step calls them, so changing one changes that step's
tables; a new form is a new function.
"""

from typing import Any

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString

import kit.db


def string(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    """``VARCHAR(length)``: a SQLModel ``str`` field with ``max_length=length``."""
    return sa.Column(name, AutoString(length=length), nullable=nullable)


def utc(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A timezone-aware timestamp (`kit.db.UtcDateTime`)."""
    return sa.Column(name, kit.db.UtcDateTime(timezone=True), nullable=nullable)
