"""Charts for the reports site: matplotlib drawing SVG whose bytes depend only on the data.

A `Chart` is plain data (categories, series of Decimals, labels already in the
book's language); `draw` turns it into an SVG file. What makes the bytes
deterministic: matplotlib's SVG backend without a date (`metadata={'Date': None}`),
a fixed `svg.hashsalt` (the ids of clip paths), text drawn as paths from the
DejaVu Sans that plainbill ships (`fonts/`), so no system font is looked up and
the chart looks the same in every browser, and no pyplot (no global figure
state). The SVG carries its own text alternative (`<title>` and `<desc>`, with
`role="img"`); the page shows the same numbers as a table next to it.

matplotlib is imported on first use (0.4-0.7 s); a build without reports never
pays for it.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from ..render.environment import PACKAGE_FONTS

FONT = PACKAGE_FONTS / "DejaVuSans.ttf"
# colour-blind safe (Okabe-Ito), each with 4.5:1 against white for the legend's swatches
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f7f7f")
INK, MUTED, GRID = "#1d2430", "#5b6573", "#d5dae1"
WIDTH, HEIGHT = 7.2, 3.6           # inches at 100 dpi: 720 x 360 px, scaled down by CSS on a phone
_lock = threading.Lock()            # matplotlib's rcParams are global: one drawing at a time


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `kind`: "bars" (series side by side), "stacked" (series on top of
    each other), "hbars" (horizontal, one series, for long names) or "line" (a value over
    the categories, e.g. a balance by month). `unit` labels the value axis."""

    name: str                       # file name without .svg
    title: str
    description: str                # the text alternative: what the chart says, in words
    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""

    def __post_init__(self):
        if self.kind not in ("bars", "stacked", "hbars", "line"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")


def draw(chart: Chart) -> bytes:
    """The chart as SVG bytes, the same for the same chart on every run."""
    import matplotlib
    from matplotlib.figure import Figure

    _register_font()
    with _lock, matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH, HEIGHT), dpi=100)
        ax = fig.add_subplot()
        _DRAW[chart.kind](ax, chart)
        _style(ax, chart)
        fig.subplots_adjust(**_margins(chart))
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buf.getvalue().decode("utf-8"), chart).encode("utf-8")


_RC = {
    "svg.hashsalt": "plainbill",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.titlesize": 12,
    "path.simplify": False,
}

_font_done = False


def _register_font() -> None:
    """plainbill's own DejaVu Sans, so text is measured and drawn from a known file."""
    global _font_done
    if not _font_done:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(FONT))
        _font_done = True


def _floats(values) -> list[float]:
    return [float(v) for v in values]   # drawing only: the page's table shows the Decimals


def _bars(ax, chart: Chart) -> None:
    n = max(len(chart.series), 1)
    width = 0.8 / n
    for i, s in enumerate(chart.series):
        xs = [x - 0.4 + width * (i + 0.5) for x in range(len(chart.categories))]
        ax.bar(xs, _floats(s.values), width, label=s.name, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(range(len(chart.categories)), chart.categories)
    ax.axhline(0, color=MUTED, linewidth=0.8)


def _stacked(ax, chart: Chart) -> None:
    bottom = [0.0] * len(chart.categories)
    for i, s in enumerate(chart.series):
        values = _floats(s.values)
        ax.bar(range(len(chart.categories)), values, 0.7, bottom=bottom, label=s.name,
               color=PALETTE[i % len(PALETTE)])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_xticks(range(len(chart.categories)), chart.categories)


def _hbars(ax, chart: Chart) -> None:
    ys = list(range(len(chart.categories)))[::-1]      # first category on top
    n = max(len(chart.series), 1)
    height = 0.8 / n
    for i, s in enumerate(chart.series):
        pos = [y + 0.4 - height * (i + 0.5) for y in ys]
        ax.barh(pos, _floats(s.values), height, label=s.name, color=PALETTE[i % len(PALETTE)])
    ax.set_yticks(ys, chart.categories)
    ax.axvline(0, color=MUTED, linewidth=0.8)


def _line(ax, chart: Chart) -> None:
    for i, s in enumerate(chart.series):
        ax.plot(range(len(chart.categories)), _floats(s.values), marker="o", label=s.name,
                color=PALETTE[i % len(PALETTE)], linewidth=2)
    ax.set_xticks(range(len(chart.categories)), chart.categories)
    ax.axhline(0, color=MUTED, linewidth=0.8)


_DRAW = {"bars": _bars, "stacked": _stacked, "hbars": _hbars, "line": _line}


def _style(ax, chart: Chart) -> None:
    value_axis = ax.xaxis if chart.kind == "hbars" else ax.yaxis
    value_axis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if chart.unit:
        (ax.set_xlabel if chart.kind == "hbars" else ax.set_ylabel)(chart.unit)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if chart.kind != "hbars" and len(chart.categories) > 6:
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
    if _legend(chart):      # above the plot, never over a bar
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(chart.series), frameon=False, fontsize=9,
                  borderaxespad=0.2)


def _legend(chart: Chart) -> bool:
    return len(chart.series) > 1 or (chart.kind == "line" and bool(chart.series))


def _margins(chart: Chart) -> dict[str, float]:
    """Room for the labels, from their length (matplotlib's tight_layout measures them by drawing
    the chart once more: a quarter of the time)."""
    longest = max((len(c) for c in chart.categories), default=1)
    rotated = chart.kind != "hbars" and len(chart.categories) > 6
    left = min(0.45, 0.035 + 0.0095 * longest) if chart.kind == "hbars" else 0.12
    bottom = min(0.45, 0.08 + 0.012 * longest) if rotated else 0.12
    top = 0.9 if _legend(chart) else 0.96
    return {"left": left, "right": 0.98, "bottom": bottom, "top": top}


def _accessible(svg: str, chart: Chart) -> str:
    """The SVG without its XML prologue's doctype, with role="img", a <title> and a <desc>."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    head = svg[start:end] + ' role="img" aria-label=' + quoteattr(chart.title)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + head + ">\n"
            f" <title>{escape(chart.title)}</title>\n <desc>{escape(chart.description)}</desc>"
            + svg[end + 1:])
