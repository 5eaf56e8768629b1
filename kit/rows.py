"""Rows without the ORM: the read path of a list, and bulk writes (`insert_many`).

A list page is read, audited and serialised on every request, and through the ORM its query
cost more CPU than the database took to answer it: the session's execution, SQLAlchemy's
result machinery and the entities it builds. `fetch` runs the same SQLAlchemy ``select`` and
answers each row as a `Record`, a ``dict`` of its columns that also reads as attributes
(``record.id``)::

    records = await fetch(session, select(Case).where(col(Case.status) == "open"))
    CasePublic.model_validate({**records[0], "review_overdue": False})

On PostgreSQL the statement is compiled once per shape (SQLAlchemy's cache key: the same
clauses with other values share it) and run through psycopg in the session's transaction
(`kit.db.driver_connection`), its values bound and read back through the columns' own types
(`kit.db.UtcDateTime` answers in UTC either way). Elsewhere it runs through SQLAlchemy Core.
A record is not an entity: nothing tracks it, so change state through the ORM as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import driver_connection, refuse_if_reading

_SHAPES = 512
"""Compiled statements kept per process (a list has a handful of shapes: which filters were
given, whose visibility rule); past it the cache starts again."""


class Record(dict[str, Any]):
    """One row: its columns by name, as a mapping and as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class _Shape:
    compiled: SQLCompiler
    binds: Sequence[BindParameter[Any]]  # in the cache key's order
    writers: Mapping[str, Callable[[Any], Any]]  # bind processors by parameter name
    names: tuple[str, ...]
    readers: tuple[Callable[[Any], Any] | None, ...]


_shapes: dict[Any, _Shape] = {}


async def fetch(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> list[Record]:
    """The rows `stmt` selects, in the session's transaction, each as a `Record` keyed by
    the selected columns' keys (an entity's ``select(Case)``: its columns)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        result = await connection.execute(stmt)
        return [Record(row._mapping) for row in result]
    key = stmt._generate_cache_key()
    if key is None:
        raise TypeError("fetch needs a statement SQLAlchemy can cache")
    shape = _shapes.get(key.key)
    if shape is None:
        shape = _compile(stmt, connection.dialect, key.bindparams)
        if len(_shapes) >= _SHAPES:
            _shapes.clear()
        _shapes[key.key] = shape
    values = {
        shape.compiled.bind_names[bind]: given.effective_value
        for bind, given in zip(shape.binds, key.bindparams, strict=True)
    }
    expanded = shape.compiled.construct_expanded_state(values)
    parameters = dict(expanded.parameters)
    # as SQLAlchemy's execution does: the columns' bind processors, then those of the values
    # an IN list expanded to
    for processors in (shape.writers, expanded.processors):
        for name, write in processors.items():
            if name in parameters:
                parameters[name] = write(parameters[name])
    driver = await driver_connection(connection)
    cursor = await driver.execute(expanded.statement, parameters)
    rows = await cursor.fetchall()
    return [Record(zip(shape.names, _read(row, shape.readers), strict=True)) for row in rows]


def _read(row: Sequence[Any], readers: Sequence[Callable[[Any], Any] | None]) -> list[Any]:
    return [v if read is None else read(v) for v, read in zip(row, readers, strict=True)]


def _compile(
    stmt: Select[*tuple[Any, ...]], dialect: Dialect, binds: Sequence[BindParameter[Any]]
) -> _Shape:
    compiled = stmt.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    columns = list(stmt.selected_columns)
    names = tuple(str(column.key) for column in columns)
    if None in (column.key for column in columns) or len(set(names)) != len(names):
        raise ValueError("fetch needs the selected columns' keys to be distinct: label them")
    readers = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    # (a tuple IN's processors come per element, from the expansion)
    writers = {name: w for name, w in compiled._bind_processors.items() if callable(w)}
    return _Shape(compiled=compiled, binds=binds, writers=writers, names=names, readers=readers)


async def insert_many(
    session: AsyncSession, into: Table | type[Any], rows: Sequence[Mapping[str, Any]]
) -> None:
    """`rows` into a table (or an entity's table), in the session's transaction: on
    PostgreSQL by ``COPY`` (ten thousand rows in a tenth of the time an ``INSERT`` per row
    takes), each value through its column's bind processor as SQLAlchemy would send it;
    elsewhere one Core ``INSERT``. Every row names the same columns."""
    if not rows:
        return
    refuse_if_reading(session.sync_session)
    table: Table = into if isinstance(into, Table) else into.__table__
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        await connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    writers = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    listed = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({listed}) FROM STDIN"
    driver = await driver_connection(connection)
    async with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            await copy.write_row(
                [
                    value if write is None or value is None else write(value)
                    for value, write in zip((row[n] for n in names), writers, strict=True)
                ]
            )
