"""An indicator's breakdown as CSV and XLSX: the API's cells, suppressed ones left empty."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from services.observatory.exports.rows import stem
from services.observatory.exports.text import csv_bytes
from services.observatory.exports.workbook import ABOUT, DATA, xlsx_bytes
from services.observatory.indicators.schemas import BreakdownPublic
from tests.unit.observatory.exports.breakdowns import RULE, by_month_and_municipio, cell

MADE = datetime(2025, 4, 2, 8, 15, tzinfo=UTC)


def _csv(breakdown: BreakdownPublic) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes(breakdown).decode())))


def test_a_csv_has_a_header_then_a_row_per_cell_and_the_total_last() -> None:
    assert _csv(by_month_and_municipio()) == [
        ["month", "municipio", "value", "suppressed"],
        ["2025-01", "1", "12", "false"],
        ["2025-01", "2", "", "true"],
        ["2025-02", "1", "19", "false"],
        ["2025-02", "2", "", "true"],
        ["", "", "31", "false"],
    ]


def test_with_no_breakdown_the_total_is_the_only_row_and_may_be_suppressed() -> None:
    nothing = by_month_and_municipio().model_copy(
        update={"by": [], "total": cell(None), "cells": [cell(None)]}
    )
    assert _csv(nothing) == [["value", "suppressed"], ["", "true"]]


def test_a_workbook_holds_the_same_rows_with_numbers_and_flags() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(by_month_and_municipio(), generated_at=MADE)))

    assert book.sheetnames == [DATA, ABOUT]
    assert list(book[DATA].iter_rows(values_only=True)) == [
        ("month", "municipio", "value", "suppressed"),
        ("2025-01", "1", 12, False),
        ("2025-01", "2", None, True),
        ("2025-02", "1", 19, False),
        ("2025-02", "2", None, True),
        (None, None, 31, False),
    ]


def test_a_workbooks_about_sheet_names_the_query_the_time_and_the_rule() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(by_month_and_municipio(), generated_at=MADE)))

    about = {row[0]: row[1] for row in book[ABOUT].iter_rows(values_only=True)}
    assert about["indicator"] == "referrals_handed_over"
    assert (about["name_it"], about["name_en"]) == (
        "Segnalazioni affidate",
        "Referrals handed over",
    )
    assert about["unit"] == "referrals"
    assert about["from"] == "2025-01-01T09:30:00+00:00"
    assert about["to"] == "2025-02-28T23:00:00+00:00"
    assert about["by"] == "month, municipio"
    assert about["generated_at"] == "2025-04-02T08:15:00+00:00"
    assert about["suppression_threshold"] == 5
    assert about["suppression"] == RULE


def test_a_file_is_named_after_the_indicator_its_cohort_and_breakdowns() -> None:
    # a bound at a city midnight is the city's date; another one is a UTC time
    assert (
        stem(by_month_and_municipio())
        == "referrals_handed_over_20250101T093000Z_2025-03-01_by_month-municipio"
    )
    no_breakdown = by_month_and_municipio().model_copy(update={"by": []})
    assert stem(no_breakdown).endswith("_2025-03-01")
