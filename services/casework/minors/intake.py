"""Reading a minor's birth date from intake, over REST, as casework's own service account.

An age band is not enough to open a transition plan on time, and a birth date must never
travel in an event: casework asks intake's one endpoint for it
(``GET /v1/intake/persons/{id}/birth-date``), which intake serves only to the realm role
``birth-date-reader`` that casework's Keycloak client ``lgnet-casework`` alone holds. Casework
calls intake on its internal URL, not through the gateway: it is a read between two services
of the platform, and the gateway's route table admits no system role (a partner or a person
reaching it through the gateway is refused by intake all the same).

The token comes from Keycloak's token endpoint (client credentials) and is kept until shortly
before it expires.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from services.casework.minors.schemas import IntakeBirthDateIn

TOKEN_MARGIN = 30.0
"""Seconds before its expiry a token is no longer used (clock skew, a slow request)."""


class IntakeUnavailable(Exception):
    """Intake or Keycloak did not answer as expected: try again later. The message is a code."""


class PersonUnknown(Exception):
    """Intake knows no person of that reference (404)."""


@dataclass(frozen=True)
class BirthDateClientConfig:
    intake_url: str
    token_url: str
    client_id: str
    client_secret: str
    timeout: float = 5.0


class BirthDateClient:
    """Intake's birth-date endpoint, with the service account's cached token."""

    def __init__(
        self, config: BirthDateClientConfig, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self._clock = clock
        self._token: tuple[str, float] | None = None

    def http(self) -> httpx.AsyncClient:
        """A client for one run of the job (closed by its caller)."""
        return httpx.AsyncClient(timeout=self.config.timeout)

    async def read(self, http: httpx.AsyncClient, person_ref: uuid.UUID) -> IntakeBirthDateIn:
        """The person's birth date as intake has it now."""
        url = f"{self.config.intake_url.rstrip('/')}/v1/intake/persons/{person_ref}/birth-date"
        for attempt in (1, 2):
            token = await self._bearer(http)
            try:
                response = await http.get(url, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as error:
                raise IntakeUnavailable("intake_unreachable") from error
            if response.status_code == 401 and attempt == 1:
                self._token = None  # revoked or rotated keys: one fresh token, once
                continue
            if response.status_code == 404:
                raise PersonUnknown(str(person_ref))
            if response.status_code != 200:
                raise IntakeUnavailable(f"intake_status_{response.status_code}")
            try:
                return IntakeBirthDateIn.model_validate_json(response.content)
            except ValidationError as error:
                raise IntakeUnavailable("intake_bad_answer") from error
        raise IntakeUnavailable("intake_refused_token")

    async def _bearer(self, http: httpx.AsyncClient) -> str:
        now = self._clock()
        if self._token is not None and now < self._token[1]:
            return self._token[0]
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        try:
            response = await http.post(self.config.token_url, data=form)
        except httpx.HTTPError as error:
            raise IntakeUnavailable("keycloak_unreachable") from error
        if response.status_code != 200:
            raise IntakeUnavailable(f"keycloak_status_{response.status_code}")
        body = response.json()
        token, lifetime = str(body["access_token"]), float(body.get("expires_in", 60))
        self._token = (token, now + max(lifetime - TOKEN_MARGIN, 0.0))
        return token
