"""Team scenarios: what a team of a buyer costs in each candidate location and tier, a year.

A scenario file (CSV, one team line a row: scenario_id, buyer_iso3, function_id, seats, coverage, locations, note)
names the seats to fill and the hours they must cover (reference/coverage_rules.csv). The shift rule: a seat covered
for `weekly_hours` a week needs weekly_hours x 52 / productive_hours_per_year paid FTEs (leave, holidays and training
are what separates paid from productive hours). The labour cost of a team is its covered hours times the location's
cost per productive hour; its vendor price, the covered hours times the vendor rate. Low and high come from the
benchmarks' spread: a tier's quartiles, a location's vendor rate range and its tier's quartiles relative to the median.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

WEEKS_PER_YEAR = 52
COLUMNS = ["scenario_id", "buyer_iso3", "function_id", "seats", "coverage", "locations", "note"]


class ScenarioError(ValueError):
    """A scenario file that cannot be priced: the file, the line and the problem."""


def read_scenarios(path: Path, functions: set[str], countries: set[str], coverage: pl.DataFrame) -> pl.DataFrame:
    """The team lines of a scenario file, checked: known function, buyer and locations, positive seats, a coverage
    rule that exists. Every problem is reported with its line."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    if missing := [c for c in COLUMNS if c not in frame.columns]:
        raise ScenarioError(f"{path}: missing columns {missing}; expected {COLUMNS}")
    problems = []
    rules = set(coverage["coverage"])
    for line, row in enumerate(frame.iter_rows(named=True), start=2):
        seats = row["seats"] or ""
        if row["function_id"] not in functions:
            problems.append(f"line {line}: unknown function {row['function_id']!r}")
        if row["buyer_iso3"] not in countries:
            problems.append(f"line {line}: unknown buyer country {row['buyer_iso3']!r}")
        if not seats.replace(".", "", 1).isdigit() or float(seats) <= 0:
            problems.append(f"line {line}: seats must be a number above 0, found {seats!r}")
        if row["coverage"] not in rules:
            problems.append(f"line {line}: unknown coverage {row['coverage']!r}; known: {', '.join(sorted(rules))}")
        unknown = sorted(set(filter(None, (row["locations"] or "").split(";"))) - countries)
        if unknown:
            problems.append(f"line {line}: unknown location(s) {unknown}")
    if problems:
        raise ScenarioError(f"{path}: " + "; ".join(problems))
    return frame.with_columns(
        pl.col("seats").cast(pl.Float64),
        pl.col("locations").fill_null("").str.split(";").list.eval(pl.element().filter(pl.element() != "")),
    )


def scenario_costs(
    teams: pl.DataFrame,
    coverage: pl.DataFrame,
    costs: pl.DataFrame,
    vendor_rates: pl.DataFrame,
    tiers: pl.DataFrame,
    benchmarks: pl.DataFrame,
    year: int,
) -> pl.DataFrame:
    """Per team line: a row per candidate location and per tier of its buyer, with paid FTEs, labour cost and vendor
    price a year (low, mid, high) and the saving against onshore."""
    teams = teams.join(
        coverage.select("coverage", pl.col("weekly_hours").cast(pl.Float64)), on="coverage"
    ).with_columns(covered_hours=pl.col("seats") * pl.col("weekly_hours") * WEEKS_PER_YEAR)
    year_costs = costs.filter(pl.col("year") == year)
    tier_rows = teams.join(benchmarks.filter(pl.col("year") == year), on=["buyer_iso3", "function_id"]).select(
        "scenario_id",
        "buyer_iso3",
        "function_id",
        "seats",
        "coverage",
        pl.lit("tier").alias("kind"),
        pl.col("tier").alias("location"),
        "covered_hours",
        pl.col("cost_per_hour_p25_usd").alias("cost_low"),
        pl.col("cost_per_hour_p50_usd").alias("cost_mid"),
        pl.col("cost_per_hour_p75_usd").alias("cost_high"),
        pl.col("vendor_rate_p50_usd_hour").alias("rate_mid"),
        pl.lit(None, pl.Float64).alias("rate_low"),
        pl.lit(None, pl.Float64).alias("rate_high"),
        pl.lit(None, pl.Float64).alias("productive_hours_per_year"),
    )
    spread = benchmarks.filter(pl.col("year") == year).select(
        "buyer_iso3",
        "function_id",
        "tier",
        (pl.col("cost_per_hour_p25_usd") / pl.col("cost_per_hour_p50_usd")).alias("low_ratio"),
        (pl.col("cost_per_hour_p75_usd") / pl.col("cost_per_hour_p50_usd")).alias("high_ratio"),
    )
    location_rows = (
        teams.explode("locations")
        .filter(pl.col("locations").is_not_null())
        .rename({"locations": "country_iso3"})
        .join(
            year_costs.select(
                "country_iso3", "function_id", "cost_per_productive_hour_usd", "productive_hours_per_year"
            ),
            on=["country_iso3", "function_id"],
        )
        .join(
            vendor_rates.filter(pl.col("year") == year).select(
                "country_iso3", "function_id", "rate_low_usd_hour", "rate_mid_usd_hour", "rate_high_usd_hour"
            ),
            on=["country_iso3", "function_id"],
            how="left",
        )
        .join(tiers.select("buyer_iso3", "country_iso3", "tier"), on=["buyer_iso3", "country_iso3"])
        .join(spread, on=["buyer_iso3", "function_id", "tier"], how="left")
        .select(
            "scenario_id",
            "buyer_iso3",
            "function_id",
            "seats",
            "coverage",
            pl.lit("location").alias("kind"),
            pl.col("country_iso3").alias("location"),
            "covered_hours",
            (pl.col("cost_per_productive_hour_usd") * pl.col("low_ratio").fill_null(1.0)).alias("cost_low"),
            pl.col("cost_per_productive_hour_usd").alias("cost_mid"),
            (pl.col("cost_per_productive_hour_usd") * pl.col("high_ratio").fill_null(1.0)).alias("cost_high"),
            pl.col("rate_mid_usd_hour").alias("rate_mid"),
            pl.col("rate_low_usd_hour").alias("rate_low"),
            pl.col("rate_high_usd_hour").alias("rate_high"),
            "productive_hours_per_year",
        )
    )
    rows = pl.concat([tier_rows, location_rows])
    onshore = rows.filter((pl.col("kind") == "tier") & (pl.col("location") == "onshore")).select(
        "scenario_id", "function_id", pl.col("cost_mid").alias("onshore_mid")
    )
    hours = pl.col("covered_hours")
    productive = pl.coalesce("productive_hours_per_year", pl.lit(costs["productive_hours_per_year"].median()))
    return (
        rows.join(onshore, on=["scenario_id", "function_id"], how="left")
        .select(
            "scenario_id",
            pl.lit(year, pl.Int32).alias("year"),
            "buyer_iso3",
            "function_id",
            "seats",
            "coverage",
            "kind",
            "location",
            (hours / productive).alias("paid_ftes"),
            (hours * pl.col("cost_low")).alias("labour_cost_low_usd"),
            (hours * pl.col("cost_mid")).alias("labour_cost_mid_usd"),
            (hours * pl.col("cost_high")).alias("labour_cost_high_usd"),
            (hours * pl.col("rate_low")).alias("vendor_price_low_usd"),
            (hours * pl.col("rate_mid")).alias("vendor_price_mid_usd"),
            (hours * pl.col("rate_high")).alias("vendor_price_high_usd"),
            (100 * (1 - pl.col("cost_mid") / pl.col("onshore_mid"))).alias("savings_vs_onshore_pct"),
        )
        .sort("scenario_id", "function_id", "kind", "labour_cost_mid_usd")
    )
