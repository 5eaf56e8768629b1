"""The suppression threshold in force, as a route parameter: the policy's latest version
(``indicators.policies``), else the service's setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.db import SessionDep
from services.observatory.indicators import service
from services.observatory.settings import ObservatorySettingsDep


async def _in_force(settings: ObservatorySettingsDep, session: SessionDep) -> int:
    return await service.threshold_in_force(session, default=settings.suppression_threshold)


Threshold = Annotated[int, Depends(_in_force)]
"""Cells counting fewer than this are published suppressed."""
