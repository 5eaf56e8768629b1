"""A small synthetic demo data set, loaded through the gateway on a stack's first start.

Everything is generated (kit.synthetic): persons with names of many origins (some met twice
and recorded differently), places in Milan's Municipi, fictional facilities and
initiatives. The marker file makes a second start skip it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import httpx

from deploy.local.process import say
from deploy.local.realm import DEMO_PASSWORD, DEMO_USERS, Realm
from deploy.local.stack import Stack
from kit.synthetic import PersonFactory, SyntheticPerson, random_place

DEMO_LOGINS: list[tuple[str, str]] = [
    (user, f"{', '.join(sorted(roles))} @ {org}") for user, (org, roles) in DEMO_USERS.items()
]
DEMO_LOGINS.append(("(every user)", f"password: {DEMO_PASSWORD}"))

_CHANNELS = ["mobile_unit", "one_stop_shop", "multidisciplinary_team", "partner", "hotline"]
_TARGETS = ["unaccompanied_minor", "vulnerable_family", "young_adult"]
_INDICATORS = ["homelessness", "no_documents", "no_income", "unaccompanied_minor", "violence"]
_NEEDS = ["shelter", "food", "health", "legal", "documents", "language", "education"]


def load_demo_data_once(stack: Stack, *, referrals: int = 24, seed: int = 2026) -> None:
    marker = stack.profile.state / "demo-data-loaded"
    if marker.exists() or not stack.service_urls:
        return
    say("▶ demo data (synthetic)")
    rng = random.Random(seed)
    realm = Realm(stack.keycloak_url)
    people = PersonFactory(seed)
    met: list[SyntheticPerson] = []
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as gateway:
        for i in range(referrals):
            # every fourth referral meets someone met before, recorded differently: the
            # duplicate review queue has pairs to look at
            person = people.variant(rng.choice(met)) if met and i % 4 == 3 else people.person()
            met.append(person)
            user = rng.choice(["intake.aurora", "intake.ponte"])
            headers = {"Authorization": f"Bearer {realm.cached_user_token(user)}"}
            place = random_place(rng)
            created = gateway.post(
                "/v1/intake/referrals",
                headers={**headers, "Idempotency-Key": f"demo-referral-{seed}-{i}"},
                json={
                    "channel": rng.choice(_CHANNELS),
                    "received_at": (
                        datetime.now(UTC) - timedelta(hours=rng.randint(1, 24 * 30))
                    ).isoformat(),
                    "place": {
                        "municipio": place.municipio,
                        "name": place.name,
                        "latitude": place.latitude,
                        "longitude": place.longitude,
                    },
                    "urgency": rng.choice(["immediate", "high", "normal", "normal"]),
                    "target_group": rng.choice(_TARGETS),
                    "needs": rng.sample(_NEEDS, k=rng.randint(1, 3)),
                    "persons": [{"person": person.as_person_json()}],
                },
            )
            created.raise_for_status()
            if rng.random() < 0.6:
                lead = "assoc-ponte" if user == "intake.aurora" else "coop-aurora"
                screened = gateway.post(
                    f"{created.headers['Location']}/screening",
                    headers={**headers, "If-Match": created.headers["ETag"]},
                    json={
                        "indicators": rng.sample(_INDICATORS, k=rng.randint(1, 3)),
                        "outcome": "take_in_charge",
                    },
                )
                screened.raise_for_status()
                gateway.post(
                    f"{created.headers['Location']}/handover",
                    headers={**headers, "If-Match": screened.headers["ETag"]},
                    json={"lead_organisation": lead},
                ).raise_for_status()
        _facilities(gateway, realm, rng)
        _initiatives(gateway, realm, rng)
    marker.write_text(datetime.now(UTC).isoformat())
    say(f"  ✔ demo data: {referrals} referrals, facilities and initiatives")


def _facilities(gateway: httpx.Client, realm: Realm, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {realm.cached_user_token('housing.ponte')}"}
    # name, kind, Municipio, target groups, sex policy, ages, units (label, beds, letting)
    facilities = [
        ("Rifugio Stella Polare", "shelter", 2, ["unaccompanied_minor"], "male", (14, 17),
         [("Camera 1", 4, "by_bed"), ("Camera 2", 4, "by_bed")]),
        ("Casa Ponte Corvetto", "co_housing", 4, ["young_adult"], "mixed", (18, 25),
         [("Stanza A", 2, "by_bed"), ("Stanza B", 2, "by_bed")]),
        ("Appartamento Giambellino", "autonomy_apartment", 6, ["vulnerable_family"], "family",
         (0, None), [("Appartamento", 4, "whole")]),
        ("Rifugio San Siro", "shelter", 7, ["vulnerable_family", "other"], "family", (0, None),
         [("Famiglie 1", 5, "whole"), ("Famiglie 2", 5, "whole")]),
    ]  # fmt: skip
    for i, (name, kind, municipio, groups, sex, (youngest, eldest), units) in enumerate(facilities):
        created = gateway.post(
            "/v1/housing/facilities",
            headers={**headers, "Idempotency-Key": f"demo-facility-{i}"},
            json={
                "name": name,
                "kind": kind,
                "municipio": municipio,
                "address": f"Via Esempio {i + 1}, Milano",
                "target_groups": groups,
                "sex_policy": sex,
                "min_age": youngest,
                "max_age": eldest,
                "accessible": rng.random() < 0.5,
                "max_stay_days": 180 if kind != "autonomy_apartment" else 365,
            },
        )
        created.raise_for_status()
        for j, (label, beds, letting) in enumerate(units):
            gateway.post(
                f"{created.headers['Location']}/units",
                headers={**headers, "Idempotency-Key": f"demo-facility-{i}-unit-{j}"},
                json={"label": label, "beds": beds, "letting": letting, "accessible": True},
            ).raise_for_status()


def _initiatives(gateway: httpx.Client, realm: Realm, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {realm.cached_user_token('organizer.ponte')}"}
    start = date.today() + timedelta(days=7)
    initiatives = [
        ("Laboratorio di cucina dal mondo", "workshop", 7, "San Siro"),
        ("Sportello informativo documenti", "information_session", 2, "via Padova"),
        ("Incontro di quartiere", "meeting", 4, "Corvetto"),
        ("Campagna: Quarto Oggiaro accoglie", "awareness_campaign", 8, "Quarto Oggiaro"),
    ]
    for i, (title, kind, municipio, neighbourhood) in enumerate(initiatives):
        starts = start + timedelta(days=rng.randint(0, 30))
        created = gateway.post(
            "/v1/initiatives",
            headers={**headers, "Idempotency-Key": f"demo-initiative-{i}"},
            json={
                "title": title,
                "kind": kind,
                "audience": rng.choice(["beneficiaries", "public", "both"]),
                "municipio": municipio,
                "neighbourhood": neighbourhood,
                "starts_on": starts.isoformat(),
                "ends_on": (starts + timedelta(days=rng.randint(0, 60))).isoformat(),
                "translations": {"en": {"title": f"{title} (in English)"}},
            },
        )
        created.raise_for_status()
        location = created.headers["Location"]
        day = starts.isoformat()
        gateway.post(
            f"{location}/sessions",
            headers={**headers, "Idempotency-Key": f"demo-initiative-{i}-session"},
            json={
                "starts_at": f"{day}T17:30:00",
                "ends_at": f"{day}T19:30:00",
                "venue": {
                    "name": f"Spazio di quartiere {neighbourhood}",
                    "address": f"Via Esempio {10 + i}, Milano",
                    "municipio": municipio,
                    "accessible": True,
                },
                "capacity": rng.choice([12, 20, 30]),
                "languages": ["it", rng.choice(["ar", "en", "fr", "ti"])],
                "cultural_mediator": rng.random() < 0.5,
            },
        ).raise_for_status()
        if created.status_code == 201 and created.headers.get("Idempotent-Replayed") != "true":
            gateway.post(
                f"{location}/publication", headers={**headers, "If-Match": created.headers["ETag"]}
            ).raise_for_status()
