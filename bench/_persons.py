"""A person registry of N synthetic persons in a fresh intake database, loaded fast.

Shared by ``candidate_search`` and ``batch_sync``. The database is migrated to intake's head,
so the tables and indexes are production's. The load goes through COPY on a sync psycopg
connection: the secondary indexes of ``persons`` and ``person_blocking_keys`` (its primary key
included) are dropped first and rebuilt, from their own saved definitions, after the rows are
in; then ``VACUUM ANALYZE`` (what autovacuum does to a table that has settled), so the planner
has statistics and index-only scans have a visibility map. The rows are what
``service.register`` stores: ``blocking_keys(facts(person))`` for the keys.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from deploy.local import stack as stacks
from deploy.local.process import say
from kit.migrations import upgrade_to_head
from kit.synthetic import PersonFactory, SyntheticPerson
from services.intake.persons.matching import PersonFacts, blocking_keys

INTAKE_MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "intake" / "migrations"
ORGANISATION = "bench-org"
_TABLES = ("persons", "person_blocking_keys")
_CHUNK = 50_000  # persons generated, keyed and copied per step


@dataclass
class Registry:
    """The loaded store: the persons in insertion order, their ids and the load's timings."""

    url: str  # SQLAlchemy URL (psycopg driver)
    persons: list[SyntheticPerson]
    ids: list[uuid.UUID]
    key_rows: int
    seconds: dict[str, float]

    def facts(self, i: int) -> PersonFacts:
        return facts_of(self.persons[i], self.ids[i])


def facts_of(p: SyntheticPerson, person_id: uuid.UUID | None = None) -> PersonFacts:
    """What ``candidates.facts`` reads of the stored row this synthetic person becomes."""
    return PersonFacts(
        given_name=p.given_name,
        family_name=p.family_name,
        alternative_names=p.alternative_names,
        sex=p.sex,
        birth_date=p.birth_date,
        birth_date_estimated=p.birth_date_estimated,
        nationality=p.nationality,
        document_numbers=(p.document_number,) if p.document_number else (),
        ref=None if person_id is None else str(person_id),
    )


def _text(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    s = str(value)
    if any(c in s for c in "\\\t\n\r"):
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _person_line(p: SyntheticPerson, person_id: uuid.UUID, now: str) -> str:
    body = p.as_person_json()
    return "\t".join(
        (
            str(person_id),
            "1",
            "active",
            "\\N",
            _text(p.given_name),
            _text(p.family_name),
            _text(json.dumps(list(p.alternative_names))),
            _text(p.sex),
            _text(p.birth_date.isoformat() if p.birth_date else None),
            _text(p.birth_date_estimated),
            _text(p.nationality),
            _text(json.dumps(list(p.languages))),
            _text(json.dumps(body.get("documents", []))),
            _text(json.dumps(body.get("contacts", []))),
            ORGANISATION,
            "bench",
            now,
            now,
            "\\N",
            "\\N",
        )
    )


_PERSON_COLUMNS = (
    "id, version, status, merged_into, given_name, family_name, alternative_names, sex, "
    "birth_date, birth_date_estimated, nationality, languages, documents, contacts, "
    "registered_by_organisation, created_by, created_at, updated_at, erased_at, erased_age_band"
)


def _chunks(n: int) -> Iterator[tuple[int, int]]:
    for first in range(0, n, _CHUNK):
        yield first, min(n, first + _CHUNK)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _secondary(conn: object) -> tuple[list[str], list[str]]:
    """DDL to drop and to recreate the load-slowing indexes (and the keys table's primary key,
    which no foreign key references), taken from the database itself."""
    import psycopg

    assert isinstance(conn, psycopg.Connection)
    drop: list[str] = []
    create: list[str] = []
    rows = conn.execute(
        "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.conrelid = 'person_blocking_keys'::regclass "
        "AND c.contype = 'p'"
    ).fetchall()
    for name, table, definition in rows:
        drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        create.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(_TABLES),),
    ).fetchall()
    for name, definition in rows:
        drop.append(f'DROP INDEX "{name}"')
        create.append(definition)
    return drop, create


def schema_signature(url: str) -> list[tuple[str, str]]:
    """Every index of the two tables with its definition (to check the rebuild is exact)."""
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY indexname",
            (list(_TABLES),),
        ).fetchall()
    return [(str(a), str(b)) for a, b in rows]


def generate(n: int, seed: int) -> tuple[list[SyntheticPerson], list[uuid.UUID]]:
    factory = PersonFactory(seed)
    ids_rng = random.Random(seed ^ 0x5EED)
    persons = [factory.person() for _ in range(n)]
    ids = [uuid.UUID(int=ids_rng.getrandbits(128), version=4) for _ in range(n)]
    return persons, ids


async def create_registry(stack: stacks.Stack, n: int, seed: int, prefix: str) -> Registry:
    """A fresh intake database at head holding ``n`` synthetic persons and their keys."""
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"{prefix}_{uuid.uuid4().hex[:8]}")
    await upgrade_to_head(INTAKE_MIGRATIONS, url)
    seconds: dict[str, float] = {}
    began = perf_counter()
    persons, ids = generate(n, seed)
    seconds["generate"] = perf_counter() - began
    before = schema_signature(url)
    key_rows = load(url, persons, ids, seconds)
    if (after := schema_signature(url)) != before:
        raise RuntimeError(f"indexes differ after the load:\n{before}\n{after}")
    return Registry(url, persons, ids, key_rows, seconds)


def load(
    url: str,
    persons: Sequence[SyntheticPerson],
    ids: Sequence[uuid.UUID],
    seconds: dict[str, float],
) -> int:
    """COPY the persons and their blocking keys; rebuild the indexes; VACUUM ANALYZE."""
    import psycopg

    now = datetime.now(UTC).isoformat()
    key_rows = 0
    keys_s = copy_s = 0.0
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        drop, create = _secondary(conn)
        for ddl in drop:
            conn.execute(ddl)
        conn.commit()
        for first, last in _chunks(len(persons)):
            t = perf_counter()
            lines = [_person_line(persons[i], ids[i], now) for i in range(first, last)]
            key_lines: list[str] = []
            for i in range(first, last):
                pid = str(ids[i])
                born = persons[i].birth_date
                year = _text(born.year if born else None)
                key_lines.extend(
                    f"{_text(k)}\t{pid}\t{year}"
                    for k in blocking_keys(facts_of(persons[i], ids[i]))
                )
            key_rows += len(key_lines)
            t2 = perf_counter()
            keys_s += t2 - t
            with conn.cursor() as cur:
                with cur.copy(f"COPY persons ({_PERSON_COLUMNS}) FROM STDIN") as copy:
                    copy.write("\n".join(lines) + "\n")
                with cur.copy(
                    "COPY person_blocking_keys (key, person_id, birth_year) FROM STDIN"
                ) as copy:
                    for part in range(0, len(key_lines), 100_000):
                        copy.write("\n".join(key_lines[part : part + 100_000]) + "\n")
            conn.commit()
            copy_s += perf_counter() - t2
            say(f"    {last:,} persons, {key_rows:,} key rows")
        seconds["rows and keys (Python)"] = keys_s
        seconds["COPY"] = copy_s
        t = perf_counter()
        for ddl in create:
            conn.execute(ddl)
        conn.commit()
        seconds["index rebuild"] = perf_counter() - t
        t = perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE persons")
        conn.execute("VACUUM ANALYZE person_blocking_keys")
        seconds["VACUUM ANALYZE"] = perf_counter() - t
    return key_rows
