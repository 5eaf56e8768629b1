"""Events housing publishes about proposals (topic ``lgnet.housing.requests``, key the
request id: a request's proposals stay in order with it). Ids, beds, codes; no household.
``proposal.made`` also says its request is now proposed (a run makes thousands: no
``request.changed`` doubles it); the other proposal events come with the request's own."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type
from services.housing.requests.events import TOPIC


class ProposalData(EventData):
    proposal_id: uuid.UUID
    request_id: uuid.UUID
    unit_id: uuid.UUID
    facility_id: uuid.UUID
    run_id: uuid.UUID | None
    status: str
    beds: int
    expires_at: datetime
    declined_by: str | None
    decline: str | None  # a code of the catalogue
    changed_at: datetime


ProposalMade = event_type("lgnet.housing.proposal.made", topic=TOPIC, payload=ProposalData)
ProposalDeclined = event_type("lgnet.housing.proposal.declined", topic=TOPIC, payload=ProposalData)
ProposalExpired = event_type("lgnet.housing.proposal.expired", topic=TOPIC, payload=ProposalData)
ProposalAccepted = event_type("lgnet.housing.proposal.accepted", topic=TOPIC, payload=ProposalData)
