"""A buyer's report: one self-contained HTML page of the published benchmarks, its charts drawn as inline SVG.

Pure functions of the published tables (assets/report.py reads and writes the files). The page loads nothing, no
script, font or stylesheet from anywhere, so that it opens offline; every text in it is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

import polars as pl

from schemas.vocabulary import OFFICES, SCORECARD_COMPONENTS, TIERS

TIER_COLOURS = {"onshore": "#6b7280", "nearshore": "#0f8b8d", "offshore": "#d9633b"}
TOP_LOCATIONS = 10
# Every chart is drawn in these user units; the page scales it to its own width.
WIDTH = 760
LABELS_END = 240  # the function and tier labels left of a bar chart's plot
PLOT_END = WIDTH - 60  # room right of the plot for a bar's value
ROW = 16
GROUP_GAP = 12
AXIS_HEIGHT = 40
Box = tuple[float, float, float, float]  # left, top, right, bottom
RAW_TRACE = "each row's numbers trace to the raw files listed in staging/raw_sources (publisher, URL, licence)"
# What each table shown is computed from, named in the captions.
DERIVED_FROM = {
    "tier_function_benchmarks": "location_function_costs, location_tiers and vendor_rates",
    "location_scorecard": "location_function_costs, location_tiers, vendor_rates and the staging tables governance "
    "(World Bank WGI) and vendor_rate_observations",
    "scenario_costs": "the scenario file, priced with location_function_costs, vendor_rates, location_tiers and "
    "tier_function_benchmarks",
}
COMPONENT_TITLES = {
    "cost": "Cost",
    "rule_of_law": "Rule of law",
    "political_stability": "Political stability",
    "language": "Language",
    "time_zone": "Time zone",
    "vendor_depth": "Vendor depth",
}
STYLE = """
body { margin: 0; background: #f7f7f5; color: #1f2933; font: 15px/1.45 system-ui, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 36px 0 8px; }
.lede { color: #52606d; max-width: 820px; }
figure { margin: 0; background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 16px 18px; }
figcaption { margin-top: 10px; font-size: 13px; color: #52606d; }
svg { display: block; width: 100%; height: auto; font-size: 11px; }
svg text { fill: #3e4c59; } svg .title { font-weight: 600; fill: #1f2933; } svg .value { font-size: 10px; }
svg .grid { stroke: #e4e7eb; } svg .zero { stroke: #9aa5b1; }
svg .onshore { stroke: #6b7280; stroke-dasharray: 4 3; } svg .median { stroke: #111; stroke-width: 2; }
table { border-collapse: collapse; width: 100%; font-size: 13px; background: #fff; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e4e7eb; text-align: left; }
th { background: #f0f2f4; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.empty { font-style: italic; color: #52606d; }
footer { margin-top: 40px; font-size: 12px; color: #7b8794; }
"""


def buyer_report(
    buyer: str,
    year: int,
    *,
    tier_function_benchmarks: pl.DataFrame,
    location_scorecard: pl.DataFrame,
    scenario_costs: pl.DataFrame,
    countries: pl.DataFrame,
    functions: pl.DataFrame,
    provenance: str,
) -> str:
    """The page for `buyer`: its tier cost bands, savings and scorecard of `year`, and its scenarios, from the tables
    as published (every buyer and year; `countries` is the staging table, `functions` reference/functions.csv)."""
    names = dict(countries.select("iso3", "name").iter_rows())
    function_names = dict(functions.select("function_id", "function_name").iter_rows())
    tiers = tier_function_benchmarks.filter(buyer_iso3=buyer, year=year)
    locations = (
        location_scorecard.filter(buyer_iso3=buyer, year=year)
        .with_columns(
            name=pl.col("country_iso3").replace_strict(names, default=pl.col("country_iso3")),
            cost_index=pl.mean_horizontal(*(f"cost_index_{office}" for office in OFFICES)),
        )
        .sort("rank")
    )
    teams = scenario_costs.filter(buyer_iso3=buyer)
    buyer_name = names.get(buyer, buyer)
    wgi_years = ", ".join(str(y) for y in locations["rule_of_law_year"].drop_nulls().unique().sort())
    sections = [
        _section(
            "Cost per productive hour by tier",
            _cost_bands(tiers, function_names),
            _caption(
                str(year),
                "US$ per productive hour: the employer's cost of an FTE (wage, on-costs and overhead per seat) over "
                "its productive hours. Bar: 25th to 75th percentile of the tier's delivery countries; tick and "
                "label: the median; in brackets, how many countries",
                "tier_function_benchmarks",
            ),
        ),
        _section(
            "Saving against onshore",
            _savings(tiers, function_names),
            _caption(
                str(year),
                f"% saved against the onshore median cost per productive hour (100 × (1 − tier median / {buyer_name} "
                "median)), labour cost before any vendor margin",
                "tier_function_benchmarks",
            ),
        ),
        _section(
            "Cost against risk of the delivery locations",
            _cost_risk(locations, buyer_name),
            _caption(
                f"{year}; rule of law of {wgi_years}",
                f"x: cost index, the location's cost per productive hour / {buyer_name}'s own (mean of front office, "
                "back office and IT; 1 = onshore cost; log scale); y: World Bank WGI rule of law estimate, −2.5 weak "
                "to 2.5 strong",
                "location_scorecard",
            ),
        ),
        _section(
            f"Scorecard: the top {TOP_LOCATIONS} delivery locations",
            _scorecard_table(locations.head(TOP_LOCATIONS)),
            _caption(
                str(year),
                "scores 0 to 100, higher is better (scales and weights in reference/scorecard_weights.csv); "
                "composite: the weighted mean of the components present; confidence: the share of the weights "
                "whose component is present",
                "location_scorecard",
            ),
        ),
        _scenario_section(teams, buyer, buyer_name, names, function_names),
    ]
    title = f"Outsourcing cost benchmarks for a buyer in {buyer_name} ({buyer}), {year}"
    lede = (
        f"Tiers are relative to the buyer: onshore is {buyer_name} itself, nearshore the delivery countries close by "
        "and sharing business hours, offshore the others (location_tiers). Costs are in US$ of the year."
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body><main>"
        f'<h1>{escape(title)}</h1><p class="lede">{escape(lede)}</p>{_legend()}'
        + "".join(sections)
        + f"<footer>{escape(provenance)}</footer></main></body></html>\n"
    )


def _section(heading: str, content: str, caption: str) -> str:
    return f"<section><h2>{escape(heading)}</h2><figure>{content}{caption}</figure></section>"


def _caption(year: str, units: str, table: str) -> str:
    """What a reader needs to trust a chart: its year, units, source table and a way to the table itself."""
    return (
        f"<figcaption><b>Data year</b> {escape(year)}. <b>Units</b>: {escape(units)}. "
        f"<b>Source</b>: {escape(table)}, computed from {escape(DERIVED_FROM[table])}; {escape(RAW_TRACE)}. "
        f'<b>Tables</b>: <a href="../benchmarks/{escape(table)}/">benchmarks/{escape(table)}/</a> (Parquet) and '
        f'the view {escape(table)} of <a href="../bpo.duckdb">bpo.duckdb</a>.</figcaption>'
    )


def _legend() -> str:
    return (
        '<p class="legend">'
        + " ".join(
            f'<span class="swatch" style="background:{colour}"></span>{escape(tier)} '
            for tier, colour in TIER_COLOURS.items()
        )
        + "</p>"
    )


def _cost_bands(tiers: pl.DataFrame, function_names: dict[str, str]) -> str:
    ticks = _ticks(0, tiers["cost_per_hour_p75_usd"].max())
    x = _scale(ticks[0], ticks[-1], LABELS_END, PLOT_END)

    def draw(row: dict, y: float) -> list[str]:
        low, mid, high = (x(row[f"cost_per_hour_{q}_usd"]) for q in ("p25", "p50", "p75"))
        # A tier of one country (onshore, and some nearshore) has no spread: a short band around its median keeps
        # the tier's colour visible beside the tick.
        if high - low < 6:
            low, high = mid - 3, mid + 3
        return [
            _rect(low, y + 3, high - low, ROW - 6, TIER_COLOURS[row["tier"]], f"{row['tier']} p25–p75"),
            f'<line class="median" x1="{mid:.1f}" x2="{mid:.1f}" y1="{y + 1}" y2="{y + ROW - 1}"/>',
            _text(high + 5, y + 12, _usd(row["cost_per_hour_p50_usd"]), "value"),
        ]

    axis = (ticks, lambda v: f"${v:g}", "US$ per productive hour")
    return _bar_chart(tiers, function_names, TIERS, x, axis, draw)


def _savings(tiers: pl.DataFrame, function_names: dict[str, str]) -> str:
    shown = tiers.filter(pl.col("tier") != "onshore")
    lowest = min(0.0, shown["savings_vs_onshore_pct"].min() or 0.0)
    ticks = _ticks(lowest, 100)
    x = _scale(ticks[0], ticks[-1], LABELS_END, PLOT_END)

    def draw(row: dict, y: float) -> list[str]:
        saving = row["savings_vs_onshore_pct"]
        if saving is None:
            return [_text(x(0) + 5, y + 12, "no onshore cost", "value")]
        start, end = sorted((x(0), x(saving)))
        return [
            _rect(start, y + 3, max(end - start, 1), ROW - 6, TIER_COLOURS[row["tier"]], f"{row['tier']} saving"),
            _text(end + 5, y + 12, f"{saving:.0f}%", "value"),
        ]

    axis = (ticks, lambda v: f"{v:g}%", "% saved against onshore")
    return _bar_chart(shown, function_names, TIERS[1:], x, axis, draw)


def _bar_chart(
    tiers: pl.DataFrame,
    function_names: dict[str, str],
    shown_tiers: tuple[str, ...],
    x: Callable[[float], float],
    axis: tuple[list[float], Callable[[float], str], str],
    draw: Callable[[dict, float], list[str]],
) -> str:
    """One group of rows per function (in the reference order), one row per tier, `draw` filling each row; `axis`
    is the ticks, their label and the axis title."""
    by_key = {(row["function_id"], row["tier"]): row for row in tiers.iter_rows(named=True)}
    marks, y = [], 8.0
    for function_id, function_name in function_names.items():
        rows = [by_key[(function_id, tier)] for tier in shown_tiers if (function_id, tier) in by_key]
        if not rows:
            continue
        marks.append(_text(4, y + 12, function_name, "title"))
        for row in rows:
            marks.append(_text(LABELS_END - 8, y + 12, f"{row['tier']} ({row['n_countries']})", anchor="end"))
            marks.extend(draw(row, y))
            y += ROW
        y += GROUP_GAP
    return _svg(y + AXIS_HEIGHT, axis[2], [*_x_axis(x, y, *axis), *marks])


def _cost_risk(locations: pl.DataFrame, buyer_name: str) -> str:
    points = locations.drop_nulls(["cost_index", "rule_of_law"])
    height, top, bottom, left, right = 480, 16, 420, 56, WIDTH - 16
    # Cost indices are ratios from about 0.05 to over 1: on a log scale the cheap locations do not pile up at zero.
    x_ticks = _log_ticks(points["cost_index"].min(), max(points["cost_index"].max(), 1.0))
    y_ticks = _ticks(points["rule_of_law"].min(), points["rule_of_law"].max())
    log_x = _scale(math.log(x_ticks[0]), math.log(x_ticks[-1]), left, right)
    y = _scale(y_ticks[0], y_ticks[-1], bottom, top)

    def x(value: float) -> float:
        return log_x(math.log(value))

    marks = []
    for tick in x_ticks:
        marks.append(f'<line class="grid" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top}" y2="{bottom}"/>')
        marks.append(_text(x(tick), bottom + 16, f"{tick:g}", anchor="middle"))
    for tick in y_ticks:
        marks.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        marks.append(_text(left - 6, y(tick) + 4, f"{tick:g}", anchor="end"))
    marks.append(f'<line class="onshore" x1="{x(1):.1f}" x2="{x(1):.1f}" y1="{top}" y2="{bottom}"/>')
    marks.append(_text(x(1) - 4, bottom - 6, f"onshore ({buyer_name})", "value", "end"))
    marks.append(_text((left + right) / 2, bottom + 38, "cost index (1 = onshore; log scale)", "title", "middle"))
    marks.append(
        _text(14, (top + bottom) / 2, "rule of law (WGI)", "title", "middle", f"rotate(-90 14 {(top + bottom) / 2})")
    )
    rows = points.sort("cost_index").to_dicts()
    centres = [(x(row["cost_index"]), y(row["rule_of_law"])) for row in rows]
    # Labels keep off every point as well as off each other.
    placed = [(cx - 6, cy - 6, cx + 6, cy + 6) for cx, cy in centres]
    for row, (cx, cy) in zip(rows, centres, strict=True):
        tooltip = (
            f"{row['name']} ({row['tier']}): cost index {row['cost_index']:.2f}, rule of law {row['rule_of_law']:.2f}"
        )
        marks.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{TIER_COLOURS[row["tier"]]}" fill-opacity="0.85">'
            f"<title>{escape(tooltip)}</title></circle>"
        )
        lx, ly, anchor = _label_place(cx, cy, row["name"], placed, (left, top, right, bottom))
        marks.append(_text(lx, ly, row["name"], "value", anchor))
    missing = locations.filter(pl.col("cost_index").is_null() | pl.col("rule_of_law").is_null())["name"]
    if not missing.is_empty():
        marks.append(_text(left, height - 4, f"Not shown, no cost index or rule of law: {', '.join(missing)}", "value"))
    return _svg(height, "cost against rule of law", marks)


def _label_place(cx: float, cy: float, label: str, placed: list[Box], bounds: Box) -> tuple[float, float, str]:
    """A label's spot beside its point: the first side where it overlaps no label placed before and stays in the
    plot, else the right. The cheap locations crowd one corner, and overlapping names are unreadable."""
    width = 6.2 * len(label)
    sides = [(7, 4, "start"), (-7, 4, "end"), (7, -8, "start"), (7, 15, "start"), (-7, -8, "end"), (-7, 15, "end")]
    for dx, dy, anchor in [*sides, sides[0]]:
        x0 = cx + dx if anchor == "start" else cx + dx - width
        box = (x0, cy + dy - 9, x0 + width, cy + dy + 2)
        inside = bounds[0] <= box[0] and box[2] <= bounds[2] and bounds[1] <= box[1] and box[3] <= bounds[3]
        if inside and not any(_overlap(box, other) for other in placed):
            break
    placed.append(box)
    return cx + dx, cy + dy, anchor


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scorecard_table(top: pl.DataFrame) -> str:
    header = ["Rank", "Location", "Tier", "Composite", "Confidence", *COMPONENT_TITLES.values()]
    rows = [
        [
            str(row["rank"]),
            row["name"],
            row["tier"],
            f"{row['composite_score']:.1f}",
            f"{100 * row['confidence']:.0f}%",
            *(_number(row[f"score_{component}"]) for component in SCORECARD_COMPONENTS),
        ]
        for row in top.iter_rows(named=True)
    ]
    return _table(header, rows, numeric_from=3)


def _scenario_section(
    teams: pl.DataFrame, buyer: str, buyer_name: str, names: dict[str, str], function_names: dict[str, str]
) -> str:
    heading = "Example scenario: what a team costs a year"
    if teams.is_empty():
        message = f"No scenario prices a team for {buyer_name}: scenario_costs has no rows for {buyer}."
        return f'<section><h2>{escape(heading)}</h2><p class="empty">{escape(message)}</p></section>'
    order = {tier: i for i, tier in enumerate(TIERS)}
    header = ["Scenario", "Function", "Seats", "Coverage", "Option", "Paid FTEs"]
    header += ["Labour low", "Labour mid", "Labour high", "Vendor price mid", "Saving vs onshore"]
    rows = [
        [
            row["scenario_id"],
            function_names.get(row["function_id"], row["function_id"]),
            f"{row['seats']:g}",
            row["coverage"],
            f"{row['location']} tier" if row["kind"] == "tier" else names.get(row["location"], row["location"]),
            f"{row['paid_ftes']:.1f}",
            *(_money(row[f"labour_cost_{level}_usd"]) for level in ("low", "mid", "high")),
            _money(row["vendor_price_mid_usd"]),
            "–" if row["savings_vs_onshore_pct"] is None else f"{row['savings_vs_onshore_pct']:.0f}%",
        ]
        for row in teams.with_columns(
            order=pl.when(pl.col("kind") == "tier").then(pl.col("location").replace_strict(order, default=None))
        )
        .sort("scenario_id", "function_id", "kind", "order", "location", nulls_last=True)
        .iter_rows(named=True)
    ]
    years = ", ".join(str(y) for y in teams["year"].unique().sort())
    caption = _caption(
        years,
        "US$ a year; a tier's low, mid and high: its 25th percentile, median and 75th percentile; a location's: its "
        "cost, scaled by its tier's quartiles over the median for low and high; paid FTEs by the shift rule of the "
        "coverage (reference/coverage_rules.csv); saving: labour cost against onshore",
        "scenario_costs",
    )
    return _section(heading, _table(header, rows, numeric_from=5), caption)


def _table(header: list[str], rows: list[list[str]], numeric_from: int) -> str:
    """A table whose columns from `numeric_from` on are numbers (right-aligned)."""

    def cell(tag: str, i: int, value: str) -> str:
        numeric = ' class="n"' if i >= numeric_from else ""
        return f"<{tag}{numeric}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, value) for i, value in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, value) for i, value in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _x_axis(
    x: Callable[[float], float], bottom: float, ticks: list[float], label: Callable[[float], str], title: str
) -> list[str]:
    """Vertical grid lines at the ticks over the plot, their labels and the axis title below."""
    marks = []
    for tick in ticks:
        cls = "zero" if tick == 0 else "grid"
        marks.append(f'<line class="{cls}" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="4" y2="{bottom}"/>')
        marks.append(_text(x(tick), bottom + 14, label(tick), anchor="middle"))
    marks.append(_text((LABELS_END + PLOT_END) / 2, bottom + 32, title, "title", "middle"))
    return marks


def _scale(lo: float, hi: float, start: float, end: float) -> Callable[[float], float]:
    """The linear map of lo..hi onto start..end."""
    return lambda value: start + (value - lo) * (end - start) / (hi - lo)


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round values (steps of 1, 2, 2.5 or 5 times a power of ten) from below lo to above hi."""
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    rough = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    first = math.floor(lo / step) * step
    return [round(first + i * step, 10) for i in range(math.ceil((hi - first) / step - 1e-9) + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    """1, 2 and 5 times powers of ten, from the last at or below lo to the first at or above hi."""
    values = [m * 10**e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1) for m in (1, 2, 5)]
    first, last = max(v for v in values if v <= lo), min(v for v in values if v >= hi)
    return [round(v, 10) for v in values if first <= v <= last]


def _svg(height: float, label: str, marks: list[str]) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(label)}">' + "".join(marks) + "</svg>"
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, tooltip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="2" fill="{fill}">'
        f"<title>{escape(tooltip)}</title></rect>"
    )


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start", transform: str = "") -> str:
    attributes = f' class="{cls}"' if cls else ""
    attributes += f' text-anchor="{anchor}"' if anchor != "start" else ""
    attributes += f' transform="{transform}"' if transform else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{attributes}>{escape(str(text))}</text>'


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _money(value: float | None) -> str:
    if value is None:
        return "–"
    return f"${value / 1e6:,.2f}m" if value >= 1e6 else f"${value / 1e3:,.0f}k"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
