"""A published breakdown as an XLSX workbook: a "Data" sheet of the rows (`rows`: counts as
numbers, an empty cell where suppressed, the flag as a boolean) and an "About" sheet with the
query, when the file was made, and how the cells were protected."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook

from services.observatory.exports.rows import header, rows
from services.observatory.indicators.schemas import BreakdownPublic

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA = "Data"
ABOUT = "About"


def about(breakdown: BreakdownPublic, generated_at: datetime) -> list[tuple[str, str | int]]:
    """The "About" sheet's rows: a name and its value (times in ISO 8601, UTC)."""
    return [
        ("indicator", str(breakdown.code)),
        ("name_it", breakdown.name.it),
        ("name_en", breakdown.name.en),
        ("unit", str(breakdown.unit)),
        ("from", breakdown.start.isoformat()),
        ("to", breakdown.end.isoformat()),
        ("by", ", ".join(str(dimension) for dimension in breakdown.by)),
        ("generated_at", generated_at.isoformat()),
        ("suppression_threshold", breakdown.suppression_threshold),
        ("suppressed", "true: the value is hidden (left empty) to protect small counts"),
        ("suppression", breakdown.suppression),
    ]


def xlsx_bytes(breakdown: BreakdownPublic, *, generated_at: datetime) -> bytes:
    book = Workbook(write_only=True)
    data = book.create_sheet(DATA)
    data.append(header(breakdown))
    for row in rows(breakdown):
        data.append(row)
    notes = book.create_sheet(ABOUT)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 100
    for name, value in about(breakdown, generated_at):
        notes.append([name, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
