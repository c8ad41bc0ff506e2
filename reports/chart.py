"""The report's burn-up chart: per phase, settled tasks at the end of each day, its total as
a dotted line and its target end as a dashed one. A PNG of at most 960×540 px."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from domain.report import BurnUpLine

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 120
# Fonts with Hangul, in order of preference; DejaVu Sans (matplotlib's own) as the fallback.
_KOREAN_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo")


_per_thread = threading.local()


def _figure() -> Figure:
    """This thread's figure, emptied. A new Figure per chart would be freed only by the cyclic
    garbage collector (a figure and its parts refer to each other), each holding its canvas's
    2 MiB pixel buffer until then: the server's memory grew with every chart. One figure per
    render thread, cleared (its layout too) and drawn again, keeps one buffer per thread."""
    figure = cast("Figure | None", getattr(_per_thread, "figure", None))
    if figure is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        _per_thread.figure = figure
    figure.clear()
    return figure


@cache
def _font_family() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in _KOREAN_FONTS if name in installed] + ["DejaVu Sans"]


def burn_up_png(
    lines: list[BurnUpLine], names: list[str], axis_label: str, target_label: str
) -> bytes:
    """`names` are the phases' names in the report's language, in the order of `lines`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates

    # matplotlib's date converter is untyped: dates in, days since its epoch out.
    date2num = cast(Callable[[object], Any], dates.date2num)
    figure = _figure()
    # Inside the context: the axes' labels take their font when they are made.
    with matplotlib.rc_context({"font.family": _font_family()}):
        axes = figure.add_subplot()
        colors = ("#5b5fc7", "#c4314b", "#237b4b", "#c19c00")
        for line, name, color in zip(lines, names, colors, strict=False):
            axes.step(date2num(line.days), line.settled, where="post", color=color, label=name)
            axes.axhline(line.total, color=color, linestyle=":", linewidth=0.8)
            if line.target is not None:
                axes.axvline(
                    float(date2num(line.target)), color=color, linestyle="--", linewidth=0.8
                )
                axes.annotate(
                    target_label,
                    (float(date2num(line.target)), line.total),
                    fontsize=7,
                    color=color,
                    rotation=90,
                    va="top",
                    ha="right",
                )
        axes.xaxis_date()
        axes.set_ylabel(axis_label)
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend(loc="upper left", fontsize=8)
        figure.autofmt_xdate()
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
