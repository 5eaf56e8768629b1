"""A chart's spec drawn as SVG or PNG by vl-convert (Vega in Deno, bundled: no network)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import vl_convert

VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
"""The Vega-Lite Altair writes specs for (``6.4``): the exports and the dashboard's bundle
(`vl_convert.javascript_bundle`) run this one, so a chart looks the same everywhere."""


def svg(spec: Mapping[str, Any]) -> str:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(dict(spec), vl_version=VEGA_LITE_VERSION)


def png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """The chart as a PNG image, `scale` times its size in pixels (2: sharp when printed)."""
    return vl_convert.vegalite_to_png(dict(spec), vl_version=VEGA_LITE_VERSION, scale=scale)
