"""Registration rules: who is in a session, who waits, and who is offered a freed seat. Pure:
no I/O.

::

    (new) --seat free--> registered --cancel--> cancelled
    (new) --no seat----> waitlisted --seat freed--> offered --confirm--> registered
                                    \\--seat freed, auto_confirm--> registered
                         offered --past its time--> offer_expired
    waitlisted, offered --cancel--> cancelled

Seats taken are the registered and the offered (a live offer holds its seat). The line is
first come, first served: a waitlisted registration keeps the position it was given, and a
freed seat goes to the lowest position still waiting. A registration is offered a seat at most
once: an offer ends confirmed, expired or cancelled, never back in the line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from kit.errors import Conflict, ValidationFailed


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    OFFER_EXPIRED = "offer_expired"


class Registrant(StrEnum):
    BENEFICIARY = "beneficiary"  # intake's person_ref, registered by the network
    PUBLIC = "public"  # a member of the public: a name and one contact


class ErasureGround(StrEnum):
    """Why a public registrant's name and contact are erased (GDPR art. 17(1))."""

    DATA_SUBJECT_REQUEST = "data_subject_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    RETENTION_EXPIRED = "retention_expired"  # the job's, never asked for


class OfferOutcome(StrEnum):
    LIVE = "live"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    DECLINED = "declined"  # cancelled while offered


_R = RegistrationStatus
HOLDING = frozenset({_R.REGISTERED, _R.OFFERED})
LIVE = HOLDING | {_R.WAITLISTED}


class RegistrationClosed(Conflict, slug="registration-closed", title="Registration is closed"):
    """Only a published initiative's scheduled sessions take registrations (409)."""


class AlreadyRegistered(
    Conflict, slug="already-registered", title="Already registered in this session"
):
    """A person (or a contact) is in a session once while registered, offered or in line."""


class RegistrationNotLive(
    Conflict, slug="registration-not-live", title="The registration has ended"
):
    """A cancelled or expired registration no longer changes (409)."""


class CapacityBelowSeatsTaken(
    Conflict, slug="capacity-below-seats-taken", title="Fewer seats than are taken"
):
    """A session keeps a seat for everyone registered or offered one (409)."""


def require_room(seats: Seats) -> None:
    """A new capacity still seats those registered and those holding an offer."""
    taken = seats.registered + seats.offered
    if seats.capacity < taken:
        raise CapacityBelowSeatsTaken(
            f"{taken} seats are taken (registered or offered): the capacity cannot be "
            f"{seats.capacity}; cancel registrations first."
        )


class NoLiveOffer(Conflict, slug="no-live-offer", title="No live offer to confirm"):
    """Only an offered registration, before its offer expires, is confirmed (409)."""


class NotForThePublic(
    Conflict, slug="initiative-not-for-the-public", title="The initiative is for beneficiaries"
):
    """An initiative whose audience is beneficiaries takes no public registrants (409)."""


class InvalidContact(ValidationFailed, slug="invalid-contact", title="Invalid contact"):
    """A phone number not in international form, or consent not given (422)."""


@dataclass(frozen=True)
class Seats:
    """A session's seats as its live registrations take them."""

    capacity: int
    registered: int = 0
    offered: int = 0
    waitlisted: int = 0

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.registered - self.offered)

    def moved(self, before: RegistrationStatus | None, after: RegistrationStatus) -> Seats:
        """The seats once one registration moved from `before` (None: new) to `after`."""
        counts = {
            "registered": self.registered,
            "offered": self.offered,
            "waitlisted": self.waitlisted,
        }
        for status, step in ((before, -1), (after, 1)):
            if status is not None and status.value in counts:
                counts[status.value] += step
        return replace(self, **counts)


def check_open(*, initiative_status: str, session_status: str) -> None:
    """409 ``registration-closed`` unless the initiative is published and the session is
    scheduled (a draft is not yet open; an ended initiative or cancelled session no more)."""
    if initiative_status != "published":
        raise RegistrationClosed(
            f"The initiative is {initiative_status}: only a published one takes registrations."
        )
    if session_status != "scheduled":
        raise RegistrationClosed(f"The session is {session_status}: it takes no registrations.")


def check_audience(audience: str, registrant: Registrant) -> None:
    if registrant is Registrant.PUBLIC and audience == "beneficiaries":
        raise NotForThePublic("This initiative is for the network's beneficiaries only.")


def placed(seats: Seats) -> RegistrationStatus:
    """A new registration is registered while a seat is free, else waitlisted."""
    return _R.REGISTERED if seats.free > 0 else _R.WAITLISTED


def cancelled(status: RegistrationStatus) -> bool:
    """Whether cancelling a registration that is `status` frees a seat (409 if it has ended)."""
    if status not in LIVE:
        raise RegistrationNotLive(f"The registration is {status}: it no longer changes.")
    return status in HOLDING


def promoted(seats: Seats, waiting: int, *, auto_confirm: bool) -> tuple[int, RegistrationStatus]:
    """How many of the first in line get a freed seat (of `waiting` in line), and as what:
    registered straight away when the session auto-confirms, else offered."""
    return min(seats.free, waiting), _R.REGISTERED if auto_confirm else _R.OFFERED


def require_live_offer(
    status: RegistrationStatus, expires_at: datetime | None, now: datetime
) -> None:
    """An offer is confirmed while the registration is offered and before it expires."""
    if status is not _R.OFFERED or expires_at is None:
        raise NoLiveOffer(f"The registration is {status}: it has no offer to confirm.")
    if now >= expires_at:
        raise NoLiveOffer(f"The offer expired at {expires_at.isoformat()}.")


def visible(*, registrar: str | None, organisation: str, runs_it: bool) -> bool:
    """A registration is seen and changed by the organisation that made it and by those who
    run the initiative; to anyone else it does not exist (404)."""
    return runs_it or registrar == organisation


# --- erasure -------------------------------------------------------------------------------


class NotAPublicRegistrant(
    Conflict, slug="not-a-public-registrant", title="Not a member of the public"
):
    """Only a public registrant's name and contact are kept here: a beneficiary's data is
    intake's, erased there (409)."""


class AlreadyErased(Conflict, slug="already-erased", title="Already erased"):
    """A registrant's name and contact are erased once (409)."""


def require_erasable(registrant: Registrant, erased_at: datetime | None) -> None:
    if registrant is not Registrant.PUBLIC:
        raise NotAPublicRegistrant(
            "A beneficiary's registration holds only intake's reference: erase the person in "
            "intake."
        )
    if erased_at is not None:
        raise AlreadyErased(f"The registrant's data was erased at {erased_at.isoformat()}.")


def cancelled_by_erasure(status: RegistrationStatus, starts_at: datetime, now: datetime) -> bool:
    """Whether an erasure on request also cancels the registration: it is live and its
    session is still to come (a seat it held goes to the next in line). A past session's
    registration stays as it was, for the attendance counts."""
    return status in LIVE and starts_at > now


def retention_cutoff(now: datetime, retention: timedelta) -> datetime:
    """A public registrant is erased once their session ended, or their registration did
    (cancelled, offer expired), before this moment."""
    return now - retention


_PHONE_SEPARATORS = re.compile(r"[ ().\-/]")


def normalised_email(email: str) -> str:
    return email.strip().lower()


def normalised_phone(phone: str) -> str:
    """A phone number as ``+`` and its digits (``00`` read as ``+``): 422 unless it is in
    international form, 8 to 15 digits (E.164)."""
    bare = _PHONE_SEPARATORS.sub("", phone.strip())
    if bare.startswith("00"):
        bare = "+" + bare[2:]
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", bare):
        raise InvalidContact.for_field(
            "phone", "must be an international number, e.g. +39 02 1234567", code="invalid_phone"
        )
    return bare


def token_hash(token: str) -> str:
    """What is kept of a cancellation token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()
