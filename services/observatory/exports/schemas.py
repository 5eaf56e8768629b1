"""The exports API contract: the file formats an indicator's breakdown is exported in."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
