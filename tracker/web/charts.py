"""Plotly figures as plain dicts (quick to build, the same when drawn), in GOV.UK colours.

Every figure is drawn by static/js/charts.mjs from JSON in the page, never by an inline script,
and every chart on a page has a table of the same figures beside it."""

import math
from decimal import Decimal

from tracker.domain.money import to_pounds

COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#003078"]
FONT = {"family": "GDS Transport, arial, sans-serif", "size": 14, "color": "#0b0c0c"}


# Plotly draws a subset of HTML in any label (<a href>, <b>, <br>) but turns entities into plain
# characters after reading the tags, so an escaped "<" is drawn as "<" and never becomes a tag:
# an organisation named '<a href="...">Re-verify</a>' stays text, not a link in the SVG.
_PLOTLY_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain_label(text: str) -> str:
    """A user-provided label as Plotly must be given it: shown exactly as typed, never as markup."""
    return str(text).translate(_PLOTLY_ESCAPES)


def pounds(pence: int) -> float:
    """Plotly draws numbers; pounds to the penny are exact as a float of a Decimal string."""
    return float(Decimal(to_pounds(pence)))


def money_label(pounds: float) -> str:
    """A money axis label in GOV.UK style: £0, £500, £800k, £1.2m, £1.5bn."""
    for size, suffix in ((1_000_000_000, "bn"), (1_000_000, "m"), (1_000, "k")):
        if abs(pounds) >= size:
            return f"£{_short(pounds / size)}{suffix}"
    return f"£{_short(pounds)}"


def _short(number: float) -> str:
    """Up to two decimals, none that are zeros: 1.25, 1.2, 800."""
    text = f"{Decimal(str(number)).quantize(Decimal('0.01')):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_ticks(values: list) -> dict:
    """Ticks for a money axis from 0 to just above the largest value, at a round step (1, 2,
    2.5 or 5 times a power of ten, about five of them), labelled in GOV.UK style."""
    return _ticks(values, money_label, steps=(1, 2, 2.5, 5, 10))


def count_ticks(values: list) -> dict:
    """Ticks for an axis of counts: whole numbers only, from 0 (0 to 1 when all are 0)."""
    return _ticks(values, lambda n: f"{int(n):,}", steps=(1, 2, 5, 10), smallest=1)


def _ticks(values: list, label, *, steps, smallest: float = 0) -> dict:
    top = max([v for v in values if v is not None] + [0])
    if top <= 0:
        top = 1
    rough = max(top / 5, smallest)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in steps if m * power >= rough)
    count = math.ceil(top / step - 1e-9)
    ticks = [step * n for n in range(count + 1)]
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [label(t) for t in ticks],
        "range": [0, ticks[-1] * 1.02],
        "autorange": False,
    }


def _layout(title: str, axis_title: str, *, money: bool = True) -> dict:
    return {
        "title": {"text": title, "x": 0, "font": {**FONT, "size": 19}},
        "font": FONT,
        "autosize": True,
        # The key sits at the foot of the figure, under the axis and its title, where it can
        # wrap onto more lines on a phone without running into the chart's title.
        "margin": {"l": 20, "r": 20, "t": 60, "b": 120},
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
        },
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "value_axis": {
            # Room for the tick labels, and the title set apart from them.
            "title": {"text": axis_title, "standoff": 12},
            "automargin": True,
            "rangemode": "tozero",
            "separatethousands": True,
            "gridcolor": "#b1b4b6",
        },
    }


def bars(
    title: str,
    categories: list[str],
    series: dict[str, list],
    *,
    money: bool = True,
    y_title: str = "Pounds",
    colours: list[str] | None = None,
) -> dict:
    """Horizontal grouped bars: long names (streams, councils) read across, first at the top."""
    colours = colours or COLOURS
    value = "£%{x:,.2f}" if money else "%{x:,}"
    title, categories = plain_label(title), [plain_label(c) for c in categories]
    series = {plain_label(name): values for name, values in series.items()}
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": categories,
            "x": values,
            "marker": {"color": colours[i % len(colours)]},
            "hovertemplate": "%{y}<br>" + name + ": " + value + "<extra></extra>",
        }
        for i, (name, values) in enumerate(series.items())
    ]
    layout = _layout(title, y_title, money=money)
    layout["xaxis"] = layout.pop("value_axis")
    every = [v for values in series.values() for v in values]
    layout["xaxis"].update(money_ticks(every) if money else count_ticks(every))
    layout["yaxis"] = {"automargin": True, "autorange": "reversed"}
    layout["barmode"] = "group"
    layout["height"] = 190 + len(categories) * (14 * len(series) + 16)
    return {"data": data, "layout": layout}


def lines(title: str, categories: list[str], series: dict[str, list]) -> dict:
    title, categories = plain_label(title), [plain_label(c) for c in categories]
    series = {plain_label(name): values for name, values in series.items()}
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": categories,
            "y": values,
            "line": {"color": COLOURS[i % len(COLOURS)], "width": 3},
            "hovertemplate": "%{x}<br>" + name + ": £%{y:,.2f}<extra></extra>",
        }
        for i, (name, values) in enumerate(series.items())
    ]
    layout = _layout(title, "Pounds")
    layout["yaxis"] = layout.pop("value_axis")
    layout["yaxis"].update(money_ticks([v for values in series.values() for v in values]))
    layout["xaxis"] = {"automargin": True}
    layout["height"] = 460
    return {"data": data, "layout": layout}
