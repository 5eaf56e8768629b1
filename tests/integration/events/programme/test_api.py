"""The public programme through the events service's API, with no token at all: what a city
website shows (published initiatives' scheduled sessions and their free seats, never a draft, a
cancellation or a person), its filters and pages, its ETags and 304s, and its iCalendar feeds
parsed by the real ``icalendar`` library across both clock changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar, Timezone

from deploy.local.realm import Realm
from kit.testing.initiatives import create_initiative, publish_initiative, step_initiative
from kit.testing.registrations import PUBLIC_REGISTRANT
from kit.testing.resources import assert_problem
from kit.testing.sessions import schedule_session, sessions_of

pytestmark = pytest.mark.integration

PROGRAMME = "/v1/initiatives/programme"
CALENDAR = f"{PROGRAMME}/calendar.ics"
NOT_FOUND = "urn:lgnet:problem:not-found"
PERIOD = {"starts_on": "2027-01-01", "ends_on": "2027-06-30"}
DAY = "2027-02-10"

INITIATIVE_FIELDS = {
    "id",
    "title",
    "description",
    "translations",
    "kind",
    "audience",
    "topics",
    "organiser_organisation",
    "partner_organisations",
    "municipio",
    "neighbourhood",
    "starts_on",
    "ends_on",
}
SESSION_FIELDS = {
    "id",
    "starts_at",
    "ends_at",
    "zone",
    "venue",
    "capacity",
    "seats_free",
    "languages",
    "cultural_mediator",
    "interpreter",
}
VENUE_FIELDS = {"name", "address", "municipio", "accessible"}
TRANSLATION_FIELDS = {"title", "description"}
"""Every field the programme may show: anything else (an author, a status, registrations, a
version of a draft) is a leak."""
PERSON = {k: v for k, v in PUBLIC_REGISTRANT.items() if k != "registrant"}


async def _published(events: httpx.AsyncClient, realm: Realm, **changes: Any) -> str:
    return str((await publish_initiative(events, realm, **{**PERIOD, **changes}))["id"])


async def _draft(events: httpx.AsyncClient, realm: Realm, **changes: Any) -> str:
    created = await create_initiative(events, realm, **{**PERIOD, **changes})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _session(
    events: httpx.AsyncClient, realm: Realm, initiative_id: str, day: str = DAY, **changes: Any
) -> dict[str, Any]:
    changes.setdefault("starts_at", f"{day}T17:30:00")
    changes.setdefault("ends_at", f"{day}T19:30:00")
    response = await schedule_session(events, realm, initiative_id, **changes)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _cancel_session(events: httpx.AsyncClient, realm: Realm, made: dict[str, Any]) -> None:
    location = f"{sessions_of(made['initiative_id'])}/{made['id']}"
    headers = {**realm.headers("organizer.ponte"), "If-Match": f'"{made["version"]}"'}
    cancelled = await events.post(f"{location}/cancellation", headers=headers)
    assert cancelled.status_code == 200, cancelled.text


async def _register(
    events: httpx.AsyncClient, made: dict[str, Any], email: str = PERSON["email"]
) -> dict[str, Any]:
    """A member of the public registers in the session `made` (no token): their answer."""
    path = f"{PROGRAMME}/{made['initiative_id']}/sessions/{made['id']}/registrations"
    registered = await events.post(path, json={**PERSON, "email": email})
    assert registered.status_code == 201, registered.text
    body: dict[str, Any] = registered.json()
    return body


async def _cancel_registration(events: httpx.AsyncClient, registered: dict[str, Any]) -> None:
    token = {"token": registered["cancellation_token"]}
    cancelled = await events.post(f"{PROGRAMME}/registrations/cancellations", json=token)
    assert cancelled.status_code == 200, cancelled.text


async def _all(events: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every item of the programme with `params`, page after page (no token)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await events.get(PROGRAMME, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _walk(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _assert_only_public_fields(node: Any, allowed: set[str], path: str) -> None:
    assert isinstance(node, dict), path
    assert set(node) <= allowed, f"{path}: {sorted(set(node) - allowed)} are not public"


def _check_initiative(initiative: dict[str, Any], path: str) -> None:
    _assert_only_public_fields(initiative, INITIATIVE_FIELDS | {"sessions"}, path)
    for lang, translation in initiative["translations"].items():
        _assert_only_public_fields(translation, TRANSLATION_FIELDS, f"{path}.translations.{lang}")


def _check_session(session: dict[str, Any], path: str) -> None:
    _assert_only_public_fields(session, SESSION_FIELDS | {"initiative"}, path)
    _assert_only_public_fields(session["venue"], VENUE_FIELDS, f"{path}.venue")


async def test_anyone_reads_the_programme_soonest_first_in_local_time(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm, municipio=3, neighbourhood="Lambrate")
    later = await _session(events, realm, initiative_id, "2027-04-14")
    sooner = await _session(events, realm, initiative_id, "2027-02-03", interpreter=True)

    items = [item for item in await _all(events) if item["initiative"]["id"] == initiative_id]

    assert [item["id"] for item in items] == [sooner["id"], later["id"]]
    first = items[0]
    assert (first["starts_at"], first["ends_at"]) == (
        "2027-02-03T17:30:00+01:00",
        "2027-02-03T19:30:00+01:00",
    )
    assert items[1]["starts_at"] == "2027-04-14T17:30:00+02:00"  # summer time by then
    assert first["venue"] == sooner["venue"]
    assert (first["capacity"], first["languages"], first["zone"]) == (
        20,
        ["it", "ar"],
        "Europe/Rome",
    )
    assert (first["cultural_mediator"], first["interpreter"]) == (True, True)
    initiative = first["initiative"]
    assert initiative["title"] == "Laboratorio di italiano per famiglie"
    assert initiative["translations"]["en"]["title"] == "Italian workshop for families"
    assert (initiative["kind"], initiative["audience"]) == ("workshop", "both")
    assert initiative["topics"] == ["lingua-italiana", "famiglie"]
    assert (initiative["municipio"], initiative["neighbourhood"]) == (3, "Lambrate")
    assert initiative["organiser_organisation"]


async def test_no_draft_cancelled_or_personal_data_appears_in_any_field(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    shown = await _published(events, realm, partner_organisations=["aurora"])
    kept = await _session(events, realm, shown)
    dropped = await _session(events, realm, shown, "2027-02-11")
    await _cancel_session(events, realm, dropped)
    draft = await _draft(events, realm)
    draft_session = await _session(events, realm, draft)
    cancelled = await _published(events, realm)
    cancelled_session = await _session(events, realm, cancelled)
    ended = await step_initiative(events, realm, cancelled, "cancellation")
    assert ended.status_code == 200, ended.text
    written = await events.get(f"/v1/initiatives/{shown}", headers=realm.headers("organizer.ponte"))
    author = written.json()["created_by"]
    hidden = {draft, cancelled, dropped["id"], draft_session["id"], cancelled_session["id"]}
    registrant = await _register(events, kept)  # counted in its free seats, never shown
    personal = {PERSON["name"], PERSON["email"], PERSON["email"].lower()}
    personal.add(registrant["cancellation_token"])

    listed = await _all(events)
    one = (await events.get(f"{PROGRAMME}/{shown}")).json()

    for index, item in enumerate(listed):
        _check_session(item, f"$.items[{index}]")
        _check_initiative(item["initiative"], f"$.items[{index}].initiative")
    _check_initiative(one, "$")
    for index, session in enumerate(one["sessions"]):
        _check_session(session, f"$.sessions[{index}]")
    assert [session["id"] for session in one["sessions"]] == [kept["id"]]
    for document in (listed, one):
        for path, value in _walk(document):
            if not isinstance(value, str):
                continue
            assert value not in hidden, f"{path} shows a draft or a cancellation"
            assert value != author, f"{path} shows who wrote the initiative"
            assert value not in personal, f"{path} shows who registered"
    assert kept["id"] in {item["id"] for item in listed}
    assert one["sessions"][0]["seats_free"] == kept["capacity"] - 1


async def test_a_draft_a_cancelled_and_an_unknown_initiative_are_404_alike(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    draft = await _draft(events, realm)
    cancelled = await _published(events, realm)
    assert (await step_initiative(events, realm, cancelled, "cancellation")).status_code == 200
    unknown = "00000000-0000-4000-8000-000000000000"
    for initiative_id in (draft, cancelled, unknown):
        for path in (f"{PROGRAMME}/{initiative_id}", f"{PROGRAMME}/{initiative_id}/calendar.ics"):
            assert_problem(await events.get(path), 404, NOT_FOUND)
    assert_problem(await events.get(f"{PROGRAMME}/not-an-id"), 422)


async def test_a_completed_initiative_is_still_read_but_no_longer_listed(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm)
    made = await _session(events, realm, initiative_id)
    assert (await step_initiative(events, realm, initiative_id, "completion")).status_code == 200
    one = await events.get(f"{PROGRAMME}/{initiative_id}")
    assert one.status_code == 200, one.text
    assert [s["id"] for s in one.json()["sessions"]] == [made["id"]]
    assert made["id"] not in {item["id"] for item in await _all(events)}


async def test_the_programme_filters_by_municipio_kind_days_and_language(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    meeting = await _published(
        events, realm, kind="meeting", translations={"fr": {"title": "Rencontre"}}
    )
    workshop = await _published(events, realm, translations={})
    # 00:30 in Rome on 1 March is still 28 February in UTC
    at_midnight = await _session(
        events,
        realm,
        meeting,
        starts_at="2027-03-01T00:30:00",
        ends_at="2027-03-01T01:30:00",
        venue={"name": "Casa", "address": "Via Uno 1, Milano", "municipio": 9, "accessible": True},
    )
    in_tigrinya = await _session(events, realm, workshop, "2027-03-02", languages=["ti"])
    mine = {at_midnight["id"], in_tigrinya["id"]}

    async def ids(**params: Any) -> set[str]:
        return {item["id"] for item in await _all(events, **params)} & mine

    assert await ids() == mine
    assert await ids(municipio=9) == {at_midnight["id"]}
    assert await ids(kind="meeting") == {at_midnight["id"]}
    assert await ids(kind="workshop") == {in_tigrinya["id"]}
    assert await ids(**{"from": "2027-03-01", "to": "2027-03-01"}) == {at_midnight["id"]}
    assert await ids(**{"to": "2027-02-28"}) == set()
    assert await ids(**{"from": "2027-03-02"}) == {in_tigrinya["id"]}
    assert await ids(language="ti") == {in_tigrinya["id"]}  # held in it
    assert await ids(language="fr") == {at_midnight["id"]}  # the initiative's text in it
    assert await ids(language="it") == mine  # every initiative is written in Italian
    assert await ids(language="de") == set()


async def test_pages_follow_each_other_and_bad_queries_are_problems(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm)
    venue = {"name": "Centro", "address": "Via Tre 3, Milano", "municipio": 5, "accessible": True}
    made = [
        await _session(events, realm, initiative_id, f"2027-05-0{day}", venue=venue)
        for day in (3, 1, 2)
    ]
    paged = await _all(events, municipio=5, limit=1)
    assert [item["starts_at"][:10] for item in paged] == ["2027-05-01", "2027-05-02", "2027-05-03"]
    assert {item["id"] for item in paged} == {m["id"] for m in made}

    assert_problem(await events.get(PROGRAMME, params={"cursor": "forged"}), 400)
    assert_problem(await events.get(PROGRAMME, params={"stauts": "x"}), 400)
    range_problem = assert_problem(
        await events.get(PROGRAMME, params={"from": "2027-05-02", "to": "2027-05-01"}), 422
    )
    assert range_problem["type"] == "urn:lgnet:problem:invalid-date-range"
    for bad in ({"municipio": 10}, {"from": "tomorrow"}, {"language": "Italian"}, {"limit": 0}):
        assert_problem(await events.get(PROGRAMME, params=bad), 422)
    assert_problem(await events.get(CALENDAR, params={"municipio": 0}), 422)


async def test_etags_and_304_for_a_client_that_holds_the_answer(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm, municipio=6)
    venue = {"name": "Spazio", "address": "Via Sei 6, Milano", "municipio": 6, "accessible": True}
    made = await _session(events, realm, initiative_id, venue=venue)
    assert (await events.get(PROGRAMME, params={"municipio": 6})).json()["items"]
    for path, params in (
        (PROGRAMME, {"municipio": 6}),
        (f"{PROGRAMME}/{initiative_id}", {}),
        (CALENDAR, {"municipio": 6}),
        (f"{PROGRAMME}/{initiative_id}/calendar.ics", {}),
    ):
        first = await events.get(path, params=params)
        assert first.status_code == 200, first.text
        assert first.headers["Cache-Control"] == "public, max-age=60"
        etag = first.headers["ETag"]
        assert etag.startswith('"')  # strong: no W/
        assert (await events.get(path, params=params)).headers["ETag"] == etag  # stable
        head = await events.head(path, params=params)
        assert (head.status_code, head.headers["ETag"]) == (200, etag)
        for held in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = await events.get(path, params=params, headers={"If-None-Match": held})
            assert again.status_code == 304, (path, held)
            assert again.content == b""
            assert again.headers["ETag"] == etag
        stale = await events.get(path, params=params, headers={"If-None-Match": '"stale"'})
        assert stale.status_code == 200
        assert stale.content == first.content

    before = {
        path: (await events.get(path)).headers["ETag"]
        for path in (f"{PROGRAMME}/{initiative_id}", f"{PROGRAMME}/{initiative_id}/calendar.ics")
    }
    await _cancel_session(events, realm, made)
    for path, etag in before.items():
        changed = await events.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200, path
        assert changed.headers["ETag"] != etag


async def _seats_free(events: httpx.AsyncClient, made: dict[str, Any]) -> tuple[int, int]:
    """The session's free seats as the programme and its initiative's page show them."""
    municipio = made["venue"]["municipio"]
    [listed] = [
        item for item in await _all(events, municipio=municipio) if item["id"] == made["id"]
    ]
    one = (await events.get(f"{PROGRAMME}/{made['initiative_id']}")).json()
    [shown] = [session for session in one["sessions"] if session["id"] == made["id"]]
    return listed["seats_free"], shown["seats_free"]


async def test_a_sessions_free_seats_follow_its_registrations_at_once(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm)
    venue = {"name": "Sala", "address": "Via Otto 8, Milano", "municipio": 8, "accessible": True}
    made = await _session(events, realm, initiative_id, capacity=2, venue=venue)
    assert await _seats_free(events, made) == (2, 2)

    giulia = await _register(events, made)
    assert await _seats_free(events, made) == (1, 1)
    await _register(events, made, "marco@example.org")
    assert await _seats_free(events, made) == (0, 0)
    anna = await _register(events, made, "anna@example.org")
    assert anna["status"] == "waitlisted"
    assert await _seats_free(events, made) == (0, 0)
    await _cancel_registration(events, giulia)  # her seat is offered to Anna: still held
    assert await _seats_free(events, made) == (0, 0)
    await _cancel_registration(events, anna)  # the offer declined, nobody else in line
    assert await _seats_free(events, made) == (1, 1)


async def test_a_registration_or_its_cancellation_makes_the_pages_etag_stale_not_the_feeds(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm)
    venue = {"name": "Aula", "address": "Via Due 2, Milano", "municipio": 2, "accessible": True}
    made = await _session(events, realm, initiative_id, venue=venue)
    in_two: dict[str, Any] = {"municipio": 2}
    every: dict[str, Any] = {}
    pages = ((PROGRAMME, in_two), (f"{PROGRAMME}/{initiative_id}", every))
    feeds = ((CALENDAR, in_two), (f"{PROGRAMME}/{initiative_id}/calendar.ics", every))
    held: dict[str, str] = {}
    for path, params in (*pages, *feeds):
        etag = (await events.get(path, params=params)).headers["ETag"]
        again = await events.get(path, params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        held[path] = etag

    async def pages_show(seats_free: int) -> None:
        for path, params in pages:
            changed = await events.get(path, params=params, headers={"If-None-Match": held[path]})
            assert changed.status_code == 200, path
            assert changed.headers["ETag"] != held[path]
            held[path] = changed.headers["ETag"]
            body = changed.json()
            [shown] = [s for s in body.get("items", body.get("sessions")) if s["id"] == made["id"]]
            assert shown["seats_free"] == seats_free

    registered = await _register(events, made)
    await pages_show(made["capacity"] - 1)
    await _cancel_registration(events, registered)  # no new row: the same count, a new version
    await pages_show(made["capacity"])
    for path, params in feeds:  # they show no seats: the same bytes, still held
        same = await events.get(path, params=params, headers={"If-None-Match": held[path]})
        assert same.status_code == 304, path
        assert (await events.get(path, params=params)).headers["ETag"] == held[path]


def _events_of(feed: httpx.Response) -> dict[str, Any]:
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_an_initiatives_calendar_keeps_local_times_across_both_clock_changes(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _published(events, realm, starts_on="2026-10-01", ends_on="2027-04-30")
    october = await _session(
        events, realm, initiative_id, starts_at="2026-10-25T10:00:00", ends_at="2026-10-25T12:00:00"
    )
    march = await _session(
        events, realm, initiative_id, starts_at="2027-03-28T10:00:00", ends_at="2027-03-28T12:00:00"
    )
    feed = await events.get(f"{PROGRAMME}/{initiative_id}/calendar.ics")
    calendar = Calendar.from_ical(feed.content)
    [zone] = calendar.walk("VTIMEZONE")
    assert isinstance(zone, Timezone)
    assert zone["TZID"] == "Europe/Rome"
    # the feed's own zone rules, read by the library, agree with the zone database
    rules = zone.to_tz()
    rome = ZoneInfo("Europe/Rome")
    for moment in ("2026-10-25T00:30", "2026-10-25T03:30", "2027-03-28T01:30", "2027-03-28T03:30"):
        local = datetime.fromisoformat(moment)
        assert local.replace(tzinfo=rules).utcoffset() == local.replace(tzinfo=rome).utcoffset()
    found = _events_of(feed)
    assert set(found) == {f"{october['id']}@lgnet", f"{march['id']}@lgnet"}
    for made, offset in ((october, timedelta(hours=1)), (march, timedelta(hours=2))):
        event = found[f"{made['id']}@lgnet"]
        start: datetime = event["DTSTART"].dt
        end: datetime = event["DTEND"].dt
        assert event["DTSTART"].params["TZID"] == "Europe/Rome"
        assert str(start.tzinfo) == "Europe/Rome"
        assert (start.isoformat(), end.isoformat()) == (made["starts_at"], made["ends_at"])
        assert start.hour == 10
        assert start.utcoffset() == offset
        assert str(event["SUMMARY"]) == "Laboratorio di italiano per famiglie"
        assert str(event["LOCATION"]) == "Biblioteca di quartiere, Via Esempio 1, Milano"
        assert event["SEQUENCE"] == made["version"]
        assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)


async def test_the_city_and_municipio_feeds_hold_published_scheduled_sessions_only(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    shown = await _published(events, realm)
    in_four = await _session(
        events,
        realm,
        shown,
        venue={
            "name": "Cascina",
            "address": "Via Due 2, Milano",
            "municipio": 4,
            "accessible": False,
        },
    )
    in_seven = await _session(events, realm, shown, "2027-02-12")
    dropped = await _session(events, realm, shown, "2027-02-13")
    await _cancel_session(events, realm, dropped)
    draft = await _draft(events, realm)
    in_draft = await _session(events, realm, draft)

    city = _events_of(await events.get(CALENDAR))
    assert {f"{in_four['id']}@lgnet", f"{in_seven['id']}@lgnet"} <= set(city)
    assert f"{dropped['id']}@lgnet" not in city
    assert f"{in_draft['id']}@lgnet" not in city
    four = _events_of(await events.get(CALENDAR, params={"municipio": 4}))
    assert f"{in_four['id']}@lgnet" in four
    assert f"{in_seven['id']}@lgnet" not in four
    assert str(four[f"{in_four['id']}@lgnet"]["LOCATION"]) == "Cascina, Via Due 2, Milano"
