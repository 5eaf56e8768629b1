"""HTTP for reports: the monthly report of the indicators, as a PDF to send on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import utcnow
from services.observatory.access import Reading
from services.observatory.files import attachment, file_responses
from services.observatory.reports import service
from services.observatory.reports.period import PATTERN, month
from services.observatory.threshold import Threshold

router = APIRouter(prefix="/v1/observatory/reports", tags=["reports"])

PDF = "application/pdf"
_PDF = file_responses(
    "The report: every indicator's figures for the month, charts, the note",
    {PDF: {"type": "string", "format": "binary"}},
    disposition="attachment, named after the month",
)


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
    return attachment(body, PDF, f"lgnet-report-{asked}.pdf")
