"""HTTP for reports: the monthly report of the indicators, as a PDF to send on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kit.db import utcnow
from kit.errors import problem_responses
from services.observatory.access import Reading
from services.observatory.reports import service
from services.observatory.reports.period import PATTERN, month
from services.observatory.threshold import Threshold

router = APIRouter(prefix="/v1/observatory/reports", tags=["reports"])

PDF = "application/pdf"
_PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: every indicator's figures for the month, charts, the note",
        "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {
                "description": "attachment, named after the month",
                "schema": {"type": "string"},
            }
        },
    },
    **problem_responses(400),
}


@router.get(
    "/monthly.pdf",
    response_class=Response,
    responses=_PDF,
    summary="The monthly report of every indicator, by Municipio, with charts, as a PDF",
)
async def monthly_report(
    call: Reading,
    threshold: Threshold,
    month_in: Annotated[
        str,
        Query(
            alias="month",
            json_schema_extra={"pattern": PATTERN},
            description=(
                "The month, as YYYY-MM (Europe/Rome): referrals received in it are counted, "
                "and charts over time end with it. Not after this month, else a 400 "
                "month-in-the-future (JSON Schema cannot compare with now); a malformed one "
                "is a 400 bad-month."
            ),
        ),
    ],
) -> Response:
    now = utcnow()
    asked = month(month_in, now=now)
    body = await service.monthly(
        session=call.session,
        month=asked,
        threshold=threshold,
        generated_at=now,
    )
    return Response(
        body,
        media_type=PDF,
        headers={"Content-Disposition": f'attachment; filename="lgnet-report-{asked}.pdf"'},
    )
