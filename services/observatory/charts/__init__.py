"""The Observatory's charts, specified once: Vega-Lite specs built with Altair from a published
breakdown, drawn alike by the dashboard (vega-embed in the browser), its SVG/PNG downloads and
the monthly report (`svg`, `png`: vl-convert, offline)::

    from services.observatory.charts import CHARTS, NEEDS, png, svg

    breakdown = await service.published_breakdown(..., by=NEEDS["by_municipio"], ...)
    spec = CHARTS["by_municipio"](breakdown)     # a Vega-Lite spec, data inlined
    image = png(spec, scale=2)

A suppressed cell is never drawn as a count: it is a grey dashed bar of nominal height marked
"n.d.", and every chart says so in words and in its legend.
"""

from services.observatory.charts.render import VEGA_LITE_VERSION, png, svg
from services.observatory.charts.specs import CHARTS, NEEDS, Chart, by_municipio, over_time

__all__ = [
    "CHARTS",
    "NEEDS",
    "VEGA_LITE_VERSION",
    "Chart",
    "by_municipio",
    "over_time",
    "png",
    "svg",
]
