"""The report's plots, drawn with matplotlib as SVG text to inline in the page and the PDF.

Plots read the report only through ``Report.value``, which returns None for a suppressed
cell: a plot cannot show what the tables hide. Each plot has a title for screen readers
and names the table that holds its numbers.

The page's Content-Security-Policy forbids inline styles, and matplotlib writes its
colours as ``style`` attributes: they are rewritten as SVG presentation attributes, which
the policy allows and which mean the same."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.html import escape

from peerhaven.outcomes.report import BANDS, PERIODS, STATES, Report

INK, ACCENT, SECOND, MUTED = "#1d2733", "#2a5d8f", "#d9822b", "#8a94a0"
WIDTH, HEIGHT = 6.4, 3.2  # inches; the SVG scales to its container
PLOTS_VERSION = 1  # part of the cache key: bump when the drawing changes


@dataclass(frozen=True)
class Plot:
    id: str
    title: str
    svg: str  # safe markup, made here
    table: str  # id of the table with the same numbers


def report_plots(report: Report) -> list[Plot]:
    """The report's plots. Drawing takes about half a second, so they are cached under a
    digest of everything they are drawn from (published values and labels): any change
    to a shown figure draws them afresh, and a hidden value cannot be part of the key."""
    key = f"report-plots:{PLOTS_VERSION}:{_digest(report)}"
    found = cache.get(key)
    if found is None:
        found = _draw(report)
        cache.set(key, found, timeout=24 * 3600)
    return found


def _digest(report: Report) -> str:
    tables = [
        (t.id, t.caption, t.head, [label for label, _ in t.rows]) for t in report.all_tables()
    ]
    waves = [(w.id, w.label) for w in report.raw.waves]
    payload = json.dumps(
        [report.disclosure.published(), tables, waves], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _draw(report: Report) -> list[Plot]:
    plots = [
        _bars(
            report,
            "funnel",
            "Enrolments by state",
            "funnel",
            [(label, f"funnel.{state}") for state, label in STATES],
            "Enrolments",
        ),
        _bars(
            report,
            "attendance",
            "Members by share of meetings attended",
            "attendance",
            [(label, f"attendance.{band}") for band, label in BANDS],
            "Members",
        ),
    ]
    if report.curve:
        plots.append(_curve(report))
    if report.tables["achievements"].rows:
        plots.append(_achievements(report))
    for instrument in report.instruments:
        if instrument["results"].rows:
            plots.append(_means(report, instrument))
        if instrument["change"] and instrument["change"].rows:
            plots.append(_changes(report, instrument))
    return [plot for plot in plots if plot is not None]


def _figure():
    # Imported here: matplotlib takes a while to load and only report pages need it.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT))
    figure.subplots_adjust(left=0.34, right=0.96, top=0.95, bottom=0.18)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _bars(report, plot_id, title, table, rows, unit) -> Plot:
    figure, axes = _figure()
    labels = [label for label, _ in rows]
    values = [report.value(cell_id) for _, cell_id in rows]
    positions = range(len(rows))
    axes.barh(positions, [v or 0 for v in values], color=ACCENT)
    for y, value in zip(positions, values, strict=True):
        axes.annotate(
            "suppressed" if value is None else str(value),
            (value or 0, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=MUTED if value is None else INK,
            fontsize=9,
        )
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlabel(unit)
    axes.margins(x=0.15)
    return _plot(plot_id, title, table, figure)


def _curve(report: Report) -> Plot:
    figure, axes = _figure()
    months = [point["month"] for point in report.curve]
    shares = [report.value(f"{point['prefix']}.share") for point in report.curve]
    axes.step(months, [100 * (s or 0) for s in shares], where="post", color=ACCENT, linewidth=2)
    axes.set_ylim(0, 105)
    axes.set_xlabel("Months since the circle formed")
    axes.set_ylabel("% of circles still meeting")
    title = "Circles still meeting, by months since they formed"
    return _plot("curve", title, "curve", figure)


def _achievements(report: Report) -> Plot:
    figure, axes = _figure()
    rows = report.tables["achievements"].rows
    height = 0.38
    for offset, ((_period, label), color) in enumerate(zip(PERIODS, (MUTED, ACCENT), strict=True)):
        ys = [i + (offset - 0.5) * height for i in range(len(rows))]
        values = [report.value(tds[offset].main.id) for _, tds in rows]
        axes.barh(ys, [v or 0 for v in values], height=height, color=color, label=label)
        for y, value in zip(ys, values, strict=True):
            if value is None:
                axes.annotate(
                    "suppressed",
                    (0, y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    color=MUTED,
                    fontsize=8,
                )
    axes.set_yticks(range(len(rows)), [label for label, _ in rows])
    axes.invert_yaxis()
    axes.set_xlabel("Per member per year")
    _legend(axes)
    figure.set_figheight(max(HEIGHT, 0.45 * len(rows) + 1))
    title = "Achievements per member per year, before and during the program"
    return _plot("achievements", title, "achievements", figure)


def _estimates(report: Report, tds) -> list[tuple[int, float, float, float]]:
    """(index, mean, low, high) for the estimates that are published whole."""
    points = []
    for i, td in enumerate(tds):
        if td is None:
            continue
        mean, low, high = (report.value(part.id) for part in (td.main, td.low, td.high))
        if mean is not None and low is not None and high is not None:
            points.append((i, mean, low, high))
    return points


def _means(report: Report, instrument: dict) -> Plot:
    figure, axes = _figure()
    table = instrument["results"]
    waves = instrument["waves"]
    step = 0.8 / max(len(waves), 1)
    for w, wave in enumerate(waves):
        points = _estimates(report, [tds[w] for _, tds in table.rows])
        _error_points(axes, points, (w - (len(waves) - 1) / 2) * step, wave.label, w)
    _question_axis(axes, table)
    axes.set_xlabel("Mean score (95% confidence interval)")
    _legend(axes)
    title = f"{instrument['name']}: mean score per wave"
    return _plot(f"means-{instrument['id']}", title, table.id, figure)


def _changes(report: Report, instrument: dict) -> Plot:
    figure, axes = _figure()
    table = instrument["change"]
    later = instrument["waves"][1:]
    step = 0.8 / max(len(later), 1)
    for w, wave in enumerate(later):
        points = _estimates(report, [tds[w] for _, tds in table.rows])
        _error_points(axes, points, (w - (len(later) - 1) / 2) * step, wave.label, w + 1)
    axes.axvline(0, color=MUTED, linewidth=1)
    _question_axis(axes, table)
    axes.set_xlabel("Change in mean score (95% confidence interval)")
    _legend(axes)
    title = f"{instrument['name']}: paired change from {instrument['waves'][0].label}"
    return _plot(f"change-{instrument['id']}", title, table.id, figure)


def _error_points(axes, points, offset, label, colour_index) -> None:
    colours = [MUTED, ACCENT, SECOND, INK]
    if not points:
        return
    ys = [i + offset for i, _, _, _ in points]
    means = [mean for _, mean, _, _ in points]
    errors = [
        [mean - low for _, mean, low, _ in points],
        [high - mean for _, mean, _, high in points],
    ]
    axes.errorbar(
        means,
        ys,
        xerr=errors,
        fmt="o",
        capsize=3,
        label=label,
        color=colours[colour_index % len(colours)],
    )


def _question_axis(axes, table) -> None:
    labels = [_short(prompt) for prompt, _ in table.rows]
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.invert_yaxis()
    axes.figure.set_figheight(max(HEIGHT, 0.4 * len(labels) + 1.2))


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plot(plot_id: str, title: str, table: str, figure) -> Plot:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": plot_id}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return Plot(plot_id, title, _inline(buffer.getvalue(), plot_id, title), table)


_STYLE = re.compile(r' style="([^"]*)"')


def _attributes(match: re.Match) -> str:
    pairs = [part.split(":", 1) for part in match.group(1).split(";") if ":" in part]
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def _inline(svg: str, plot_id: str, title: str) -> str:
    """matplotlib's SVG document as an element to put in a page."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE.sub(_attributes, svg)
    title_id = f"plot-{plot_id}-title"
    opening = svg[: svg.index(">") + 1]
    viewbox = re.search(r'viewBox="([^"]*)"', opening).group(1)
    new_opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{viewbox}" width="100%" role="img" class="plot" '
        f'aria-labelledby="{title_id}" stroke-linejoin="round" stroke-linecap="butt">'
        f'<title id="{title_id}">{escape(title)}</title>'
    )
    return new_opening + svg[len(opening) :]


def _legend(axes) -> None:
    if axes.get_legend_handles_labels()[0]:
        axes.legend(frameon=False, fontsize=8)
