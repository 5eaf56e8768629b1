"""Principals for tests that call the kit's functions directly, without a token."""

from __future__ import annotations

import uuid

from kit.auth import Principal, Role


def principal(username: str, organisation: str, *roles: Role) -> Principal:
    """A web-client user of ``organisation`` holding ``roles``, with a fresh subject id."""
    return Principal(
        subject=str(uuid.uuid4()),
        username=username,
        client_id="lgnet-web",
        organisation=organisation,
        roles=frozenset(roles),
    )
