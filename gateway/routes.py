"""The route table: which public path goes to which service, and which realm roles may call it.

This is the gateway's coarse, route-level check. The services verify the token again and apply
their record-level rules (organisation, case team, confidentiality…): passing here never means
being allowed to see a record (docs/architecture.md §6).

A method is a *read* (GET, HEAD, OPTIONS) or a *write* (POST, PUT, PATCH, DELETE):

- ``/v1/intake`` → intake. Read and write: intake-operator, case-worker, case-supervisor,
  coordinator.
- ``/v1/intake/audit`` → intake's audit log. Read: auditor. Write: nobody.
- ``/v1/casework`` → casework. Read: case-worker, case-supervisor, coordinator, intake-operator.
  Write: case-worker, case-supervisor, coordinator.
- ``/v1/casework/directory`` → casework's service directory (Open Referral HSDS 3.0). Read: every
  realm role but auditor. Write: case-supervisor, coordinator.
- ``/v1/housing`` → housing. Read and write: housing-coordinator, case-worker, case-supervisor,
  coordinator.
- ``/v1/initiatives`` → events. Read: initiative-organizer, coordinator, case-worker,
  intake-operator, observatory-analyst.
  Write: initiative-organizer, coordinator, case-worker.
- ``/v1/observatory`` → observatory. Read: observatory-analyst, coordinator, platform-admin.
  Write: platform-admin.
- ``/v1/observatory/policies`` → observatory's versioned policies (the suppression threshold).
  Read: as the observatory. Write: coordinator.
- ``/v1/audit`` → audit (``LGNET_GATEWAY_UPSTREAM_AUDIT``; 404 while unset). Read: auditor.
  Write: nobody (the audit log is append-only, written by the services themselves).

Why, row by row:

- intake: operators capture referrals and persons; case workers and supervisors screen, hand over
  and follow referrals into casework; the Comune's coordinators see everything.
- casework: an intake operator reads a case (to see that a hand-over was taken in charge) but
  does not change it.
- casework's directory: what the network offers is public organisation data that every desk,
  worker, organiser and analyst looks up (any HSDS tool reads it); coordinators keep it, and
  each organisation's case supervisors keep their own organisation's entries.
- housing: case workers file housing requests for their cases; housing coordinators run matching,
  proposals and placements.
- initiatives: case workers and intake operators read the programme to point beneficiaries to
  it, analysts to follow the network's reach; organisers (and
  coordinators) run initiatives, sessions, registrations and attendance; case workers register
  their beneficiaries to sessions.
- observatory: aggregates only; platform admins may trigger its maintenance (e.g. a rebuild);
  the Comune's coordinators set the suppression threshold, as they set the other services'
  policies.
- audit: auditors read the audit logs (``/v1/audit``, and each service's own, such as
  ``/v1/intake/audit``), and nobody else — not even coordinators or platform
  admins, whose own reads of person data it records.

Matching is by whole path segments: ``/v1/intake`` and ``/v1/intake/…`` match, ``/v1/intakes``
does not. A path no rule matches is 404.

Anonymous paths (`ANONYMOUS`) are the exceptions: exactly these paths, with GET or HEAD (or the
method named), pass without a token (any other method on them, or any other path, needs one as
above), rate-limited per client IP address instead (`gateway.proxy`):

- ``/v1/initiatives/programme``, ``/v1/initiatives/programme/calendar.ics``,
  ``/v1/initiatives/programme/{initiative_id}`` and its ``/calendar.ics`` → events: the public
  programme of published initiatives and its iCalendar feeds, for a city website and anyone's
  calendar application. The events service shows nothing there that is not public.
- POST ``/v1/initiatives/programme/{initiative_id}/sessions/{session_id}/registrations``,
  POST ``/v1/initiatives/programme/registrations/cancellations`` and ``…/erasures`` → events: a
  member of the public registers (a name, one contact, consent), and cancels or erases their
  data with the token the registration answered.
- ``/v1/observatory/dashboard`` and its ``/dashboard.js``, ``/dashboard.css`` and ``/vega.js`` →
  observatory: the dashboard's page shell, which holds no data. A browser cannot send a token
  when it opens a page; the page signs its user in with Keycloak (code flow with PKCE) and asks
  for the charts with a token, under the ``/v1/observatory`` rule above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kit.auth import Role

__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_METHODS",
    "READ_METHODS",
    "ROUTES",
    "WRITE_METHODS",
    "AnonymousPath",
    "RouteRule",
    "match_anonymous",
    "match_route",
]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANONYMOUS_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class RouteRule:
    """Requests under ``prefix`` go to ``service``; ``read``/``write`` hold the roles admitted."""

    prefix: str
    service: str
    read: frozenset[str]
    write: frozenset[str]

    def matches(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def roles_for(self, method: str) -> frozenset[str]:
        """The roles that may call this route with ``method`` (none for an unknown method)."""
        if method in READ_METHODS:
            return self.read
        if method in WRITE_METHODS:
            return self.write
        return frozenset()

    def allows(self, method: str, roles: Iterable[str]) -> bool:
        return not self.roles_for(method).isdisjoint(roles)


def _roles(*roles: Role) -> frozenset[str]:
    return frozenset(str(role) for role in roles)


ROUTES: tuple[RouteRule, ...] = (
    RouteRule(
        prefix="/v1/intake",
        service="intake",
        read=_roles(Role.INTAKE_OPERATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR),
        write=_roles(
            Role.INTAKE_OPERATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR
        ),
    ),
    RouteRule(
        prefix="/v1/intake/audit",
        service="intake",
        read=_roles(Role.AUDITOR),
        write=frozenset(),
    ),
    RouteRule(
        prefix="/v1/casework",
        service="casework",
        read=_roles(Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR, Role.INTAKE_OPERATOR),
        write=_roles(Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR),
    ),
    RouteRule(
        prefix="/v1/casework/directory",
        service="casework",
        read=_roles(*(role for role in Role if role is not Role.AUDITOR)),
        write=_roles(Role.CASE_SUPERVISOR, Role.COORDINATOR),
    ),
    RouteRule(
        prefix="/v1/casework/audit",
        service="casework",
        read=_roles(Role.AUDITOR),
        write=frozenset(),
    ),
    RouteRule(
        prefix="/v1/housing",
        service="housing",
        read=_roles(
            Role.HOUSING_COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR
        ),
        write=_roles(
            Role.HOUSING_COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR
        ),
    ),
    RouteRule(
        prefix="/v1/initiatives",
        service="events",
        read=_roles(
            Role.INITIATIVE_ORGANIZER,
            Role.COORDINATOR,
            Role.CASE_WORKER,
            Role.INTAKE_OPERATOR,
            Role.OBSERVATORY_ANALYST,
        ),
        write=_roles(Role.INITIATIVE_ORGANIZER, Role.COORDINATOR, Role.CASE_WORKER),
    ),
    RouteRule(
        prefix="/v1/observatory",
        service="observatory",
        read=_roles(Role.OBSERVATORY_ANALYST, Role.COORDINATOR, Role.PLATFORM_ADMIN),
        write=_roles(Role.PLATFORM_ADMIN),
    ),
    RouteRule(
        prefix="/v1/observatory/policies",
        service="observatory",
        read=_roles(Role.OBSERVATORY_ANALYST, Role.COORDINATOR, Role.PLATFORM_ADMIN),
        write=_roles(Role.COORDINATOR),
    ),
    RouteRule(
        prefix="/v1/audit",
        service="audit",
        read=_roles(Role.AUDITOR),
        write=frozenset(),
    ),
)


def match_route(path: str, routes: Iterable[RouteRule] = ROUTES) -> RouteRule | None:
    """The rule for ``path`` (the longest matching prefix), or ``None``."""
    best: RouteRule | None = None
    for rule in routes:
        if rule.matches(path) and (best is None or len(rule.prefix) > len(best.prefix)):
            best = rule
    return best


def services(routes: Iterable[RouteRule] = ROUTES) -> tuple[str, ...]:
    """The upstream services the table routes to, in table order."""
    return tuple(dict.fromkeys(rule.service for rule in routes))


@dataclass(frozen=True, slots=True)
class AnonymousPath:
    """A path ``template`` that ``service`` answers without a token, for `methods` (GET and
    HEAD unless named): a ``{name}`` segment stands for any one non-empty segment, the
    others must be equal."""

    template: str
    service: str
    methods: frozenset[str] = ANONYMOUS_METHODS

    def admits(self, method: str, path: str) -> bool:
        return method.upper() in self.methods and self.matches(path)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.split("/"))

    def matches(self, path: str) -> bool:
        """Whether `path` (a request's, or a document's path template) is this one."""
        given = path.split("/")
        if len(given) != len(self.segments):
            return False
        return all(
            (want.startswith("{") and want.endswith("}") and seg != "") or seg == want
            for want, seg in zip(self.segments, given, strict=True)
        )


_PROGRAMME = "/v1/initiatives/programme"
_DASHBOARD = "/v1/observatory/dashboard"
_DASHBOARD_FILES = ("dashboard.js", "dashboard.css", "vega.js")
ANONYMOUS: tuple[AnonymousPath, ...] = (
    AnonymousPath(_PROGRAMME, "events"),
    AnonymousPath(f"{_PROGRAMME}/calendar.ics", "events"),
    AnonymousPath(f"{_PROGRAMME}/{{initiative_id}}", "events"),
    AnonymousPath(f"{_PROGRAMME}/{{initiative_id}}/calendar.ics", "events"),
    # a member of the public registers, and cancels or erases with the token they were given
    AnonymousPath(
        f"{_PROGRAMME}/{{initiative_id}}/sessions/{{session_id}}/registrations",
        "events",
        frozenset({"POST"}),
    ),
    AnonymousPath(f"{_PROGRAMME}/registrations/cancellations", "events", frozenset({"POST"})),
    AnonymousPath(f"{_PROGRAMME}/registrations/erasures", "events", frozenset({"POST"})),
    # the dashboard's page shell, no data: its charts need a token
    AnonymousPath(_DASHBOARD, "observatory"),
    *(AnonymousPath(f"{_DASHBOARD}/{name}", "observatory") for name in _DASHBOARD_FILES),
)


def match_anonymous(
    method: str, path: str, anonymous: Iterable[AnonymousPath] = ANONYMOUS
) -> AnonymousPath | None:
    """The anonymous path `method` `path` is, or ``None`` (then it needs a token)."""
    return next((entry for entry in anonymous if entry.admits(method, path)), None)
