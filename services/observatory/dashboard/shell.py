"""The page shell: the HTML, its script and style, and the Vega bundle. No data: anyone may
have them (the gateway lets them through without a token), the charts are asked for apart.

The Vega bundle (Vega, Vega-Lite and vega-embed, BSD-3-Clause) is the one vl-convert carries,
built once per process (about 3 s, 0.9 MB): the page draws with the very Vega-Lite the SVG and
PNG exports are drawn with, with no CDN and nothing vendored to keep in step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vl_convert

from services.observatory.charts import CHARTS, NEEDS, VEGA_LITE_VERSION
from services.observatory.indicators import service as indicators

PREFIX = "/v1/observatory/dashboard"
STATIC = Path(__file__).parent / "static"
FILES = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
BUNDLE = "vega.js"
_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.body).hexdigest()[:32]}"'


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _script_json(value: Any) -> str:
    # inside <script>, "</script>" would end it: no "<" is left as is
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _offered(threshold: int) -> list[dict[str, Any]]:
    """Each indicator of the catalogue, named in both languages, with the charts its
    breakdowns allow."""
    return [
        {
            "code": entry.code.value,
            "label": f"{entry.name.it} · {entry.name.en}",
            "charts": [c for c in CHARTS if set(NEEDS[c]) <= set(entry.breakdowns)],
        }
        for entry in indicators.catalogue(threshold=threshold).indicators
    ]


@cache
def page(*, issuer: str, client_id: str, threshold: int) -> Asset:
    """The HTML page, told where to sign in and what it may ask for."""
    config = {
        "issuer": issuer.rstrip("/"),
        "clientId": client_id,
        "api": PREFIX,
        "threshold": threshold,
        "charts": list(CHARTS),
        "indicators": _offered(threshold),
    }
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    keycloak = origin(issuer)
    policy = (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:; connect-src 'self' {keycloak}; form-action {keycloak}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )  # Vega compiles its expressions (eval); vega-embed adds a <style>
    return Asset(
        html.replace("{{config}}", _script_json(config)).encode(),
        "text/html; charset=utf-8",
        {"Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"},
    )


@cache
def static(name: str) -> Asset:
    """One of `FILES`."""
    return Asset((STATIC / name).read_bytes(), FILES[name])


@cache
def bundle() -> Asset:
    """Vega, Vega-Lite and vega-embed as one script setting ``window.vegaEmbed``."""
    code = vl_convert.javascript_bundle(_GLOBALS, vl_version=VEGA_LITE_VERSION)
    return Asset(code.encode(), "text/javascript; charset=utf-8")
