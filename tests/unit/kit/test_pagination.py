"""Walking the pages of a list visits every row once, in order; cursors cannot be forged."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Field, select

from kit.db import Database, SessionDep, UtcDateTime
from kit.pagination import (
    MAX_LIMIT,
    CursorCodec,
    InvalidCursor,
    Page,
    PageParams,
    PageParamsDep,
    paginate,
)
from kit.problems import install_problem_handlers
from kit.schemas import PublicModel
from kit.testing.apps import ClientFactory
from kit.testing.settings import install_test_settings
from kit.testing.tables import ScratchTable

CODEC = CursorCodec("test-secret")
T0 = datetime(2025, 1, 1, tzinfo=UTC)


class Referral(ScratchTable, table=True):
    __tablename__ = "referrals"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    municipio: int


class ReferralPublic(PublicModel):
    id: uuid.UUID
    created_at: datetime


@pytest.fixture
async def db(db: Database) -> Database:
    """The conftest's database with 23 referrals."""
    async with db.session() as session:
        for i in range(23):
            # Pairs share a timestamp: the id breaks the tie.
            session.add(Referral(created_at=T0 + timedelta(minutes=i // 2), municipio=i % 9 + 1))
    return db


async def walk(db: Database, limit: int, *, descending: bool = False) -> list[list[Referral]]:
    pages: list[list[Referral]] = []
    cursor = None
    while True:
        async with db.session() as session:
            page = await paginate(
                session,
                select(Referral),
                PageParams(limit=limit, cursor=cursor),
                order_by=(Referral.created_at, Referral.id),
                descending=descending,
                codec=CODEC,
            )
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 5, 7, 23, 200])
async def test_pages_cover_every_row_once_in_order(
    db: Database, limit: int, descending: bool
) -> None:
    pages = await walk(db, limit, descending=descending)
    rows = [row for page in pages for row in page]
    keys = [(r.created_at, r.id) for r in rows]
    assert len(rows) == 23
    assert len(set(keys)) == 23
    assert keys == sorted(keys, reverse=descending)
    assert all(len(page) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= limit


async def test_filters_apply_across_pages(db: Database) -> None:
    seen = []
    cursor = None
    while True:
        async with db.session() as session:
            page = await paginate(
                session,
                select(Referral).where(Referral.municipio == 3),
                PageParams(limit=1, cursor=cursor),
                order_by=(Referral.created_at, Referral.id),
                codec=CODEC,
            )
        seen += page.items
        if not (cursor := page.next_cursor):
            break
    assert len(seen) == 3
    assert {r.municipio for r in seen} == {3}


def test_tampered_or_foreign_cursors_are_refused() -> None:
    cursor = CODEC.encode("Referral.created_at,Referral.id:asc", [T0, uuid.uuid4()])
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in [flipped, "not-a-cursor", "", "%%%", cursor + "x"]:
        with pytest.raises(InvalidCursor):
            CODEC.decode("Referral.created_at,Referral.id:asc", bad)
    with pytest.raises(InvalidCursor):
        CODEC.decode("Referral.created_at,Referral.id:desc", cursor)
    with pytest.raises(InvalidCursor):
        CursorCodec("another-secret").decode("Referral.created_at,Referral.id:asc", cursor)


keyset_values = st.lists(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(),
        st.uuids(),
        st.dates(),
        st.datetimes(timezones=st.just(UTC)),
        st.decimals(allow_nan=False, allow_infinity=False),
    ),
    max_size=4,
)


@given(keyset_values)
def test_cursor_round_trip(values: list[Any]) -> None:
    decoded = CODEC.decode("x", CODEC.encode("x", values))
    assert decoded == values
    assert [type(v) for v in decoded] == [type(v) for v in values]


def test_page_map() -> None:
    page = Page[int](items=[1, 2], next_cursor="c").map(str)
    assert page == Page[str](items=["1", "2"], next_cursor="c")


def make_app(db: Database) -> FastAPI:
    app = FastAPI()
    app.state.database = db
    install_test_settings(app)
    install_problem_handlers(app)

    @app.get("/referrals", response_model=Page[ReferralPublic])
    async def list_referrals(session: SessionDep, page: PageParamsDep) -> Page[ReferralPublic]:
        result = await paginate(
            session, select(Referral), page, order_by=(Referral.created_at, Referral.id)
        )
        return result.map(ReferralPublic.model_validate)

    return app


async def test_http_list_follows_next_cursor(db: Database, client: ClientFactory) -> None:
    async with client(make_app(db)) as http:
        first = await http.get("/referrals", params={"limit": 20})
        second = await http.get(
            "/referrals", params={"limit": 20, "cursor": first.json()["next_cursor"]}
        )
        default = await http.get("/referrals")
        too_many = await http.get("/referrals", params={"limit": 201})
        zero = await http.get("/referrals", params={"limit": 0})
        forged = await http.get("/referrals", params={"cursor": "eyJvIjoiIn0"})
    assert len(first.json()["items"]) == 20
    assert len(second.json()["items"]) == 3
    assert second.json()["next_cursor"] is None
    assert first.json()["items"][0]["created_at"] == "2025-01-01T00:00:00Z"
    assert len(default.json()["items"]) == 23
    assert too_many.status_code == zero.status_code == 422
    assert forged.status_code == 400
    assert forged.json()["type"] == "urn:lgnet:problem:invalid-cursor"


def test_cursor_values_of_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        CODEC.encode("x", [object()])
    assert CODEC.decode("x", CODEC.encode("x", [date(2025, 1, 2), Decimal("1.50")])) == [
        date(2025, 1, 2),
        Decimal("1.50"),
    ]


async def test_page_params_made_by_hand_read_a_first_page_but_make_no_cursor(
    db: Database,
) -> None:
    async with db.session() as session:
        stmt = select(Referral)
        order = (Referral.created_at, Referral.id)
        whole = await paginate(session, stmt, PageParams(limit=MAX_LIMIT), order_by=order)
        assert whole.next_cursor is None
        with pytest.raises(RuntimeError, match="CursorCodec"):
            await paginate(session, stmt, PageParams(limit=1), order_by=order)
