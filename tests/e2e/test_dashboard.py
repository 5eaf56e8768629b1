"""The dashboard in a real browser (Debian's headless Chromium driven by Playwright): an
analyst opens it through the gateway, signs in on Keycloak's own login page, picks a period,
and sees every chart drawn, small cells shown as suppressed, with no error in the console.

Referrals are received through the gateway in three months of a year no other test uses
(1960-1989); a screenshot of the page is kept as var/screenshots/dashboard.png.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import ConsoleMessage, Error, Page, async_playwright

from kit.db import CITY_ZONE
from kit.settings import REPO_ROOT
from kit.testing import intake as intake_api
from kit.testing.platform import Platform
from services.observatory.charts import CHARTS

CHROMIUM = Path("/usr/bin/chromium")  # Debian's (make install); never `playwright install`
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no {CHROMIUM} (make install installs it on Debian as root)"
    ),
]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# outside var/test*, which the next test session wipes at its start
SCREENSHOT = REPO_ROOT / "var" / "screenshots" / "dashboard.png"
DASHBOARD = "/v1/observatory/dashboard"
ANALYST = "analyst.comune"
PASSWORD = "lgnet-demo"  # the realm's local-only demo password
# (month of the period, Municipio) -> referrals received: some cells large, some small
SEEDED = {(0, 1): 7, (0, 4): 1, (1, 1): 5, (1, 2): 6, (2, 6): 2}
SECONDS = 30.0  # for the browser's every wait (a page, a login, a chart)


async def seed(client: httpx.AsyncClient, platform: Platform, year: int) -> None:
    """`SEEDED` received through intake, and counted by the observatory (polled for)."""
    for (month, municipio), count in SEEDED.items():
        day = datetime(year, month + 3, 12, 10, tzinfo=CITY_ZONE)
        for n in range(count):
            created = await client.post(
                intake_api.REFERRALS,
                json={
                    "channel": "mobile_unit",
                    "received_at": (day + timedelta(minutes=n)).isoformat(),
                    "place": {"municipio": municipio, "name": "Piazzale Loreto"},
                    "urgency": "normal",
                    "target_group": "vulnerable_family",
                },
                headers=platform.as_user("intake.aurora"),
            )
            assert created.status_code == 201, created.text
    cohort = {
        "from": datetime(year, 3, 1, tzinfo=CITY_ZONE).isoformat(),
        "to": datetime(year, 6, 1, tzinfo=CITY_ZONE).isoformat(),
    }
    deadline = time.monotonic() + 60
    while True:
        answer = await client.get(
            "/v1/observatory/indicators/referrals_received",
            params=cohort,
            headers=platform.as_user(ANALYST),
        )
        assert answer.status_code == 200, answer.text
        total = answer.json()["total"]["value"]
        if total == sum(SEEDED.values()):
            return
        assert time.monotonic() < deadline, f"counted {total}"
        await asyncio.sleep(0.2)


async def suppressed_cells(
    client: httpx.AsyncClient, platform: Platform, params: dict[str, str]
) -> dict[str, int]:
    """How many cells of each chart are suppressed, as the API publishes them."""
    found = {}
    for chart in CHARTS:
        answer = await client.get(
            f"{DASHBOARD}/charts/{chart}", params=params, headers=platform.as_user(ANALYST)
        )
        assert answer.status_code == 200, answer.text
        (rows,) = answer.json()["datasets"].values()
        found[chart] = sum(row["text"] == "n.d." for row in rows)
    return found


async def sign_in(page: Page) -> None:
    """On Keycloak's own login page, as the analyst, and back on the dashboard. The realm has
    organisations, so Keycloak asks for the username first, then the password."""
    await page.click("#sign-in-button")
    await page.fill("#username", ANALYST, timeout=SECONDS * 1000)
    await page.click("#kc-login")
    await page.fill("#password", PASSWORD, timeout=SECONDS * 1000)
    await page.click("#kc-login")
    await page.wait_for_selector("#board", state="visible", timeout=SECONDS * 1000)


async def test_an_analyst_signs_in_and_sees_every_chart_with_small_cells_suppressed(
    platform: Platform, tmp_path: Path
) -> None:
    year = 1960 + uuid.uuid4().int % 30
    period = {"from_month": f"{year}-03", "to_month": f"{year}-05"}
    async with platform.client() as client:
        await seed(client, platform, year)
        expected = await suppressed_cells(
            client, platform, {"indicator": "referrals_received", **period}
        )
    assert all(expected.values()), expected  # the seeded counts leave small cells in each chart

    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_page_error(error: Error) -> None:
        errors.append(f"page error: {error}")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile",  # a new, empty user data directory
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        try:
            page = await browser.new_page()
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            await page.goto(f"{platform.gateway}{DASHBOARD}", timeout=SECONDS * 1000)
            await sign_in(page)
            assert ANALYST in await page.inner_text("#who")

            await page.select_option("#period", "months")
            await page.fill("#from-month", period["from_month"])
            await page.fill("#to-month", period["to_month"])
            await page.click("#filters button[type=submit]")
            for chart, suppressed in expected.items():
                # drawn for the period asked, every suppressed cell marked as such
                await page.wait_for_function(
                    """([chart, month, suppressed]) => {
                        const svg = document.querySelector(`#chart-${chart} svg`);
                        if (!svg || !document.querySelector("#chart-over_time svg")
                            ?.textContent.includes(month)) return false;
                        const marks = [...svg.querySelectorAll("text")];
                        return marks.filter((t) => t.textContent === "n.d.").length === suppressed;
                    }""",
                    arg=[chart, f"mar {year}", suppressed],
                    timeout=SECONDS * 1000,
                )
            legend = await page.inner_text("#chart-by_municipio")
            assert "oscurato · suppressed" in legend
            assert "fewer than 5" in await page.inner_text(".about")

            async with page.expect_download() as downloading:
                await page.click("#charts .chart:nth-child(2) a[data-format=svg]")
            download = await downloading.value
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            assert saved.read_text().startswith("<svg")

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SCREENSHOT, full_page=True)
            print(f"dashboard screenshot: {SCREENSHOT}")
        finally:
            await browser.close()
    assert errors == []
