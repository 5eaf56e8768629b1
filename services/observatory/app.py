"""Observatory: the city's view. Indicators from every service's events; aggregates only."""

from __future__ import annotations

from kit.policy import policy_router
from kit.service import Subscription, service_app
from services.observatory.dashboard.router import router as dashboard
from services.observatory.exports.router import router as exports
from services.observatory.indicators import handlers as indicator_handlers
from services.observatory.indicators.policies import KINDS
from services.observatory.indicators.router import router as indicators
from services.observatory.reports.router import router as reports
from services.observatory.settings import ObservatorySettings

SUBSCRIPTIONS: list[Subscription] = [
    indicator_handlers.referrals,
    indicator_handlers.cases,
    indicator_handlers.initiatives,
    indicator_handlers.housing,
]
"""Every topic the read model is kept from (and rebuilt from: ``__main__``)."""

create_app = service_app(
    ObservatorySettings,
    description=(
        "Indicators of the network, with breakdowns by Municipio and small-cell "
        "suppression under a versioned threshold, a dashboard, exports and a monthly "
        "report. No person-level data."
    ),
    routers=[
        indicators,
        exports,
        reports,
        dashboard,
        policy_router("/v1/observatory/policies", KINDS),
    ],
    subscriptions=SUBSCRIPTIONS,
)
"""The app with `settings`, by default the environment's (tests give others)."""

app = create_app()
