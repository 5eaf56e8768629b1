"""HTTP for exports: an indicator's breakdown as a CSV or XLSX file, the same figures as the
indicator's JSON answer (`GET /v1/observatory/indicators/{code}`) for the same query."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kit.db import utcnow
from services.observatory.access import Reading
from services.observatory.exports import service, workbook
from services.observatory.exports.schemas import Format
from services.observatory.files import attachment, file_responses
from services.observatory.indicators.schemas import AskedBreakdown, Indicator
from services.observatory.threshold import Threshold

router = APIRouter(prefix="/v1/observatory/exports", tags=["exports"])

THRESHOLD_HEADER = "Suppression-Threshold"
_FILE = file_responses(
    "The file: CSV (header row, then data) or XLSX (Data and About sheets)",
    {
        "text/csv": {"type": "string"},
        workbook.MEDIA_TYPE: {"type": "string", "format": "binary"},
    },
    disposition="attachment, named after the indicator, cohort and breakdowns",
    headers={
        THRESHOLD_HEADER: {
            "description": "Cells counting fewer than this are suppressed (left empty)",
            "schema": {"type": "integer"},
        },
    },
)


@router.get(
    "/{code}.{format}",
    response_class=Response,
    responses=_FILE,
    summary="One indicator by up to two breakdowns as a CSV or XLSX file, protected",
)
async def export_breakdown(
    call: Reading,
    threshold: Threshold,
    code: Indicator,
    format: Format,
    asked: AskedBreakdown,
) -> Response:
    made = await service.export(
        session=call.session,
        indicator=code,
        cohort=asked.cohort,
        by=asked.by,
        threshold=threshold,
        format=format,
        generated_at=utcnow(),
    )
    return attachment(
        made.body, made.media_type, made.filename, {THRESHOLD_HEADER: str(made.threshold)}
    )
