"""A published breakdown as CSV (RFC 4180): the header row, then the rows (`rows`), nothing
else — no comment lines, so any CSV reader takes it as it is. A suppressed value is empty,
the flag ``true`` or ``false``."""

from __future__ import annotations

import csv
import io

from services.observatory.exports.rows import Value, header, rows
from services.observatory.indicators.schemas import BreakdownPublic

MEDIA_TYPE = "text/csv; charset=utf-8"


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def csv_bytes(breakdown: BreakdownPublic) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(breakdown))
    writer.writerows([_text(value) for value in row] for row in rows(breakdown))
    return out.getvalue().encode()
