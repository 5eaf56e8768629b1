"""Events casework publishes about notes (on the cases' topic, key the case id). A note's text
never appears, nor its author: only that one was written, at which level."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class NoteWrittenData(EventData):
    case_id: uuid.UUID
    lead_organisation: str
    entry_id: uuid.UUID  # the note's id
    confidentiality: str
    health: bool
    written_at: datetime


NoteWritten = event_type("lgnet.casework.note.written", topic=TOPIC, payload=NoteWrittenData)
