"""Bringing a wage observed in one year to a benchmark year by the growth of the country's own indices.

A wage index (ILOSTAT mean earnings in US$ of one indicator and currency basis: one survey series) carries a wage as
far as it reaches; GDP per capita in current US$ carries it the rest of the way, except in countries whose GDP is
known not to follow wages (reference/gdp_distorted.csv, e.g. Ireland's multinational accounting). Growth is always
taken within one series, never as one survey's figure divided by another's. A wage observed after the benchmark year
(and no earlier one within reach) is carried back by an index that has both years; one that no index can carry back
is not used.
"""

from __future__ import annotations

import polars as pl

from model.files import merged_files

WAGE, GDP = "wage", "gdp"
POINT = ["country_iso3", "function_id"]


def index_series(
    converted: pl.DataFrame,
    gdp_per_capita: pl.DataFrame,
    gdp: pl.DataFrame,
    population: pl.DataFrame,
    exchange_rates: pl.DataFrame,
) -> pl.DataFrame:
    """The growth indices, one series per (country, series): ILOSTAT mean earnings in US$ of one indicator and
    currency basis (kind `wage`), and GDP per capita in current US$ (kind `gdp`): WDI's own series, and GDP divided by
    population, a later vintage reaching further. The two vintages differ (revisions of up to a third in a few
    countries), so they stay two series and growth is never taken from one to the other.

    A GDP year enters only where the country has an official exchange rate for it: without one, the publisher
    converted that year's GDP at a rate of its own choosing (Sudan's 2023 GDP doubles in US$ in a war year), not at
    the rate the wages are converted at."""
    means = converted.filter(pl.col("occupation") == "TOTAL").select(
        "iso3",
        "year",
        pl.col("monthly_usd").alias("value"),
        pl.concat_list("raw_file").alias("files"),
        pl.format("mean earnings in US$ ({}, {})", "indicator", "currency_basis").alias("series"),
        pl.lit(WAGE).alias("kind"),
    )
    per_capita = gdp_per_capita.select(
        "iso3",
        "year",
        pl.col("gdp_per_capita_usd").alias("value"),
        pl.concat_list("raw_file").alias("files"),
        pl.lit("GDP per capita in current US$").alias("series"),
        pl.lit(GDP).alias("kind"),
    )
    computed = gdp.join(population, on=["iso3", "year"], suffix="_population").select(
        "iso3",
        "year",
        (pl.col("gdp_usd") / pl.col("population")).alias("value"),
        pl.concat_list("raw_file", "raw_file_population").alias("files"),
        pl.lit("GDP / population in current US$").alias("series"),
        pl.lit(GDP).alias("kind"),
    )
    converted_years = exchange_rates.select("iso3", "year")
    return pl.concat([means, pl.concat([per_capita, computed]).join(converted_years, on=["iso3", "year"], how="semi")])


def _reach(points: pl.DataFrame, index: pl.DataFrame, target: int) -> pl.DataFrame:
    """Per point (POINT, `start`), the one series of `index` that carries it from `start` closest to `target`: forward
    to the series' last year not after the target, backward only to the target itself. Columns: POINT, reached,
    factor, step (the rule's words), files.

    Both rules end a series at its last year not after the target (one that has the target ends there), so that end
    is found once per country and series, and each start is joined to it: the work grows with the points times their
    series, not with the years of each series as well."""
    ends = (
        index.filter(pl.col("year") <= target)
        .group_by("iso3", "series")
        .agg(
            pl.col("year").max().alias("reached"),
            pl.col("value").sort_by("year").last().alias("end_value"),
            pl.col("files").sort_by("year").last(),
        )
        .select(
            pl.col("iso3").alias("country_iso3"),
            "series",
            "reached",
            "end_value",
            pl.col("files").alias("end_files"),
        )
    )
    usable = (
        pl.when(pl.col("start") < target)
        .then(pl.col("reached") > pl.col("start"))
        .otherwise(pl.col("reached") == target)
    )
    # The factor depends on the country and the start year only: computed once for the functions that share them.
    starts = points.select("country_iso3", "start").unique()
    carried = (
        starts.join(
            index.select(
                pl.col("iso3").alias("country_iso3"), pl.col("year").alias("start"), "series", "value", "files"
            ),
            on=["country_iso3", "start"],
        )
        .join(ends, on=["country_iso3", "series"])
        .filter(usable)
        .sort((pl.col("reached") - target).abs(), "series")
        .unique(["country_iso3", "start"], keep="first", maintain_order=True)
        .select(
            "country_iso3",
            "start",
            "reached",
            (pl.col("end_value") / pl.col("value")).alias("factor"),
            pl.format("growth of {} {} to {}", "series", "start", "reached").alias("step"),
            pl.concat_list("files", "end_files").list.unique().alias("files"),
        )
    )
    return points.join(carried, on=["country_iso3", "start"]).select(*POINT, "reached", "factor", "step", "files")


def carry_to_year(wages: pl.DataFrame, index: pl.DataFrame, gdp_distorted: pl.DataFrame, year: int) -> pl.DataFrame:
    """Each wage (one per POINT, with wage_source_year, monthly_usd and sources) brought to `year`: wage_monthly_usd,
    its carry_forward_factor and carry_forward_rule, and the index files added to its sources."""
    no_files = pl.lit([], pl.List(pl.String))
    points = wages.select(*POINT, pl.col("wage_source_year").alias("start"))
    wage_index = index.filter(pl.col("kind") == WAGE)
    gdp_index = index.filter((pl.col("kind") == GDP) & ~pl.col("iso3").is_in(gdp_distorted["iso3"].implode()))
    moving = points.filter(pl.col("start") != year)
    by_wage = points.join(_reach(moving, wage_index, year), on=POINT, how="left").with_columns(
        after_wage=pl.coalesce("reached", "start")
    )
    # GDP per capita takes over where the wage index stops short of the year, or where there is none.
    by_gdp = _reach(
        by_wage.select(*POINT, pl.col("after_wage").alias("start")).filter(pl.col("start") != year), gdp_index, year
    ).rename({"reached": "gdp_reached", "factor": "gdp_factor", "step": "gdp_step", "files": "gdp_files"})
    distorted = gdp_distorted.select(pl.col("iso3").alias("country_iso3"), pl.col("reason").alias("distortion"))
    steps = (
        by_wage.join(by_gdp, on=POINT, how="left")
        .join(distorted, on="country_iso3", how="left")
        .with_columns(final=pl.coalesce("gdp_reached", "after_wage"))
    )
    observed = pl.col("start") == year
    carried = pl.concat_str([pl.col("step"), pl.col("gdp_step")], separator=", then ", ignore_nulls=True)
    short = (
        pl.when(pl.col("final") == year)
        .then(pl.lit(""))
        .when(pl.col("distortion").is_not_null())
        .then(pl.format("; not carried past {}: GDP per capita does not follow wages ({})", "final", "distortion"))
        .otherwise(pl.format("; no index of the country goes past {}", "final"))
    )
    rules = steps.with_columns(
        carry_forward_factor=pl.col("factor").fill_null(1.0) * pl.col("gdp_factor").fill_null(1.0),
        carry_forward_rule=pl.when(observed)
        .then(pl.lit("observed in the benchmark year"))
        .when((carried == "") & pl.col("distortion").is_not_null())
        .then(pl.format("not carried: GDP per capita does not follow wages ({})", "distortion"))
        .when(carried == "")
        .then(pl.format("not carried: no index of the country goes past {}", "start"))
        .otherwise(pl.concat_str(carried, short)),
        files=pl.concat_list(pl.col("files").fill_null(no_files), pl.col("gdp_files").fill_null(no_files)),
        # A wage from after the year is used only where an index brings it all the way back.
        usable=(pl.col("start") <= year) | (pl.col("final") == year),
    )
    return (
        wages.join(rules.select(*POINT, "carry_forward_factor", "carry_forward_rule", "files", "usable"), on=POINT)
        .filter("usable")
        .with_columns(
            wage_monthly_usd=pl.col("monthly_usd") * pl.col("carry_forward_factor"),
            sources=merged_files("sources", "files"),
        )
        .drop("monthly_usd", "files", "usable")
    )
