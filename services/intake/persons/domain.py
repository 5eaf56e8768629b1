"""Person rules: the coarse profile that leaves intake (sex, age band), the record's
vocabularies, edit conflicts, erasure, consent. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from kit.ages import AgeBand as AgeBand  # intake's callers read it here
from kit.ages import band_of_age
from kit.errors import Conflict, UnprocessableContent


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def age_band(birth_date: date | None, day: date) -> AgeBand:
    if birth_date is None or birth_date > day:
        return AgeBand.UNKNOWN
    return band_of_age(age_on(birth_date, day))


class PersonStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # a duplicate, merged into another person (``merged_into``)
    ERASED = "erased"  # identifying fields destroyed on request; the reference stays


class PersonNotActive(
    Conflict, slug="person-not-active", title="The person was merged or erased"
): ...


class DocumentType(StrEnum):
    PASSPORT = "passport"
    RESIDENCE_PERMIT = "residence_permit"  # permesso di soggiorno
    IDENTITY_CARD = "identity_card"
    CODICE_FISCALE = "codice_fiscale"
    STP = "stp"  # Straniero Temporaneamente Presente (health access code)
    CUI = "cui"  # Codice Unico di Identificazione (fingerprint-based, Questura)
    OTHER = "other"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    OTHER = "other"


# --- edits and conflicts ----------------------------------------------------------------------

EDITABLE_FIELDS: Final = (
    "given_name",
    "family_name",
    "alternative_names",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "languages",
    "documents",
    "contacts",
)
"""The person fields a rectification or an offline edit may change."""

MATCHED_FIELDS: Final = tuple(f for f in EDITABLE_FIELDS if f not in ("languages", "contacts"))
"""The person fields duplicate detection reads: changing one looks for duplicates again."""


class EditConflict(
    Conflict, slug="edit-conflict", title="The record changed since you last saw it"
): ...


def changed_fields(current: Mapping[str, object], proposed: Mapping[str, object]) -> list[str]:
    """The editable fields whose proposed value differs from the current one, in a fixed order."""
    return [f for f in EDITABLE_FIELDS if f in proposed and proposed[f] != current.get(f)]


def conflicting_fields(edited: Iterable[str], changed_since: Iterable[Iterable[str]]) -> list[str]:
    """Fields an edit made from an older version would overwrite although someone else changed
    them after that version (``changed_since``: the changed fields of each later revision).

    An edit that touches only fields nobody changed since is safe to apply on top; one that
    touches a field changed since is a conflict for an operator, never a silent overwrite.
    """
    later = {field for revision in changed_since for field in revision}
    return [field for field in edited if field in later]


# --- erasure ----------------------------------------------------------------------------------

ERASED_FIELDS: Final[dict[str, object]] = {
    "given_name": None,
    "family_name": None,
    "alternative_names": [],
    "birth_date": None,
    "birth_date_estimated": False,
    "languages": [],
    "documents": [],
    "contacts": [],
}
"""What erasure destroys. Sex, nationality and the age band at erasure stay, with the
pseudonymous reference, for statistics: alone they do not identify a person."""


class ErasureGround(StrEnum):
    """Why a person is erased (GDPR art. 17(1)): a code, never free text."""

    DATA_SUBJECT_REQUEST = "data_subject_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    RETENTION_EXPIRED = "retention_expired"


# --- consent and legal basis ------------------------------------------------------------------


class ProcessingPurpose(StrEnum):
    """What a consent or legal basis covers."""

    CASE_MANAGEMENT = "case_management"  # intake, plan, follow-up
    NETWORK_SHARING = "network_sharing"  # sharing with the network's partner organisations
    HEALTH_DATA = "health_data"  # special category (GDPR art. 9)
    HOUSING_SUPPORT = "housing_support"
    INITIATIVES = "initiatives"  # public initiatives, photos and contact for them
    RESEARCH = "research"  # the Observatory's studies beyond its aggregates


class LegalBasis(StrEnum):
    """GDPR art. 6(1) (a)–(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class GivenBy(StrEnum):
    """Who gave the consent: the person, or who acts for a minor or incapable person."""

    DATA_SUBJECT = "data_subject"
    PARENT = "parent"
    GUARDIAN = "guardian"  # e.g. the tutore volontario of an unaccompanied minor
    LEGAL_REPRESENTATIVE = "legal_representative"


class NotWithdrawable(
    Conflict, slug="not-withdrawable", title="Only a consent can be withdrawn"
): ...


class AlreadyWithdrawn(
    Conflict, slug="consent-already-withdrawn", title="The consent was already withdrawn"
): ...


def check_withdrawable(legal_basis: str, withdrawn: bool) -> None:
    """Art. 7(3): a consent may be withdrawn at any time, once; other bases are not consents
    (the person may object instead, art. 21, which a coordinator handles)."""
    if legal_basis != LegalBasis.CONSENT:
        raise NotWithdrawable(f"The legal basis is {legal_basis}, not consent.")
    if withdrawn:
        raise AlreadyWithdrawn("The consent was already withdrawn.")


class ImplausibleTime(
    UnprocessableContent,
    slug="implausible-time",
    title="The time is in the future or before the consent was given",
): ...


def check_given(given_at: datetime, now: datetime) -> None:
    """A consent is recorded once given: never ahead of time."""
    if given_at > now:
        raise ImplausibleTime("given_at is in the future.")


def check_withdrawn(withdrawn_at: datetime, given_at: datetime, now: datetime) -> None:
    """A withdrawal comes after the consent it ends, and not ahead of time."""
    if withdrawn_at > now or withdrawn_at < given_at:
        raise ImplausibleTime("withdrawn_at must be between given_at and now.")
