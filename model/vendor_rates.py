"""Vendor market prices beside labour cost: observed rates (staged in US$ per their own unit) per productive hour,
the markup they imply over the loaded cost, and modelled rates where nothing was published.

A rate for an hour is taken as it is; a rate per FTE-day, -week, -month or -year is spread over the FTE's productive
hours (reference/cost_parameters.csv), because that is what a buyer of a full-time seat receives.
"""

from __future__ import annotations

import polars as pl

from model.costs import resolve_parameters
from model.reference import ModelSettings
from schemas.vocabulary import VENDOR_PRICES

SHARE_OF_PRODUCTIVE_YEAR = {"hour": None, "day": 1 / 260, "week": 1 / 52, "month": 1 / 12, "year": 1.0}
KEY = ["country_iso3", "function_id"]


def per_productive_hour(observations: pl.DataFrame, parameters: pl.DataFrame) -> pl.DataFrame:
    """Each observation's US$ amounts as US$ per productive hour: an hourly rate as it is, a price per FTE-period
    spread over that period's share of the productive hours of its country and function."""
    hours = resolve_parameters(
        observations.select(pl.col("country_iso3"), pl.col("function_id").fill_null("")), parameters
    ).select(*KEY, "productive_hours_per_year")
    share = pl.col("unit").replace_strict(SHARE_OF_PRODUCTIVE_YEAR, default=None, return_dtype=pl.Float64)
    hours_per_unit = pl.when(pl.col("unit") == "hour").then(1.0).otherwise(share * pl.col("productive_hours_per_year"))
    return (
        observations.join(
            hours, left_on=["country_iso3", pl.col("function_id").fill_null("")], right_on=KEY, how="left"
        )
        .with_columns(
            rate_low_usd_hour=pl.col("amount_low_usd") / hours_per_unit,
            rate_high_usd_hour=pl.col("amount_high_usd") / hours_per_unit,
        )
        .drop("productive_hours_per_year")
    )


def observed_rates(observations: pl.DataFrame, year: int, settings: ModelSettings) -> pl.DataFrame:
    """Per country and function: the range and median midpoint of the prices published within `max_rate_age_years`
    of the benchmark year, before or after it (undated pages count: they show the prices on offer when read)."""
    window = pl.col("reference_year").is_between(year - settings.max_rate_age_years, year + settings.max_rate_age_years)
    usable = observations.filter(
        pl.col("price_type").is_in(VENDOR_PRICES)
        & pl.col("function_id").is_not_null()
        & (pl.col("reference_year").is_null() | window)
    )
    return usable.group_by(KEY).agg(
        n_observations=pl.len(),
        rate_low_usd_hour=pl.col("rate_low_usd_hour").min(),
        rate_mid_usd_hour=((pl.col("rate_low_usd_hour") + pl.col("rate_high_usd_hour")) / 2).median(),
        rate_high_usd_hour=pl.col("rate_high_usd_hour").max(),
        undated=pl.col("reference_year").is_null().sum(),
        # An analyst's quote has no page: its raw file is where it can be read.
        sources=pl.coalesce("url", pl.col("raw_files").list.first()).unique().sort(),
    )


# Finest first: a modelled rate takes the markup of the finest level with enough observed pairs.
MARKUP_LEVELS = [
    (["office", "income_group"], "{} office work in {} countries"),
    (["income_group"], "all work in {} countries"),
    (["office"], "{} office work in all countries"),
    (["everything"], "all observed pairs"),
]
STATS = ["markup_n", "markup", "markup_p25", "markup_p75"]


def markup_levels(pairs: pl.DataFrame, settings: ModelSettings) -> list[pl.DataFrame]:
    """The markup (observed mid rate / loaded cost per productive hour) summarised at each level of detail; a group
    with fewer pairs than `min_markup_pairs` is left out, so it cannot speak for others."""
    pairs = pairs.with_columns(everything=pl.lit("all"))
    return [
        pairs.group_by(keys)
        .agg(
            markup_n=pl.len(),
            markup=pl.col("markup_ratio").median(),
            markup_p25=pl.col("markup_ratio").quantile(0.25, "linear"),
            markup_p75=pl.col("markup_ratio").quantile(0.75, "linear"),
        )
        .filter(pl.col("markup_n") >= settings.min_markup_pairs)
        for keys, _ in MARKUP_LEVELS
    ]


def modelled_rates(costs: pl.DataFrame, levels: list[pl.DataFrame]) -> pl.DataFrame:
    """Loaded cost x the finest available markup; the quartiles of that markup give the low and high rates."""
    frame = costs.with_columns(everything=pl.lit("all"))
    for index, ((keys, label), summary) in enumerate(zip(MARKUP_LEVELS, levels, strict=False)):
        frame = frame.join(
            summary.rename({stat: f"{stat}_{index}" for stat in STATS}), on=keys, how="left"
        ).with_columns(
            pl.format(
                f"modelled: median markup of {{}} observed pairs, {label}",
                f"markup_n_{index}",
                *keys[: label.count("{}")],
            ).alias(f"markup_basis_{index}")
        )
    finest = [pl.col(f"markup_{index}").is_not_null() for index in range(len(levels))]

    def pick(stat: str) -> pl.Expr:
        expression = pl.lit(None)
        for index in reversed(range(len(levels))):
            expression = pl.when(finest[index]).then(pl.col(f"{stat}_{index}")).otherwise(expression)
        return expression.alias(stat)

    chosen = frame.select(*KEY, "cost_per_productive_hour_usd", *(pick(stat) for stat in [*STATS, "markup_basis"]))
    return chosen.filter(pl.col("markup").is_not_null()).select(
        *KEY,
        pl.lit("modelled").alias("basis"),
        pl.lit(0, pl.UInt32).alias("n_observations"),
        (pl.col("cost_per_productive_hour_usd") * pl.col("markup_p25")).alias("rate_low_usd_hour"),
        (pl.col("cost_per_productive_hour_usd") * pl.col("markup")).alias("rate_mid_usd_hour"),
        (pl.col("cost_per_productive_hour_usd") * pl.col("markup_p75")).alias("rate_high_usd_hour"),
        pl.col("markup").alias("markup_ratio"),
        "markup_basis",
        pl.lit([], pl.List(pl.String)).alias("sources"),
    )


def vendor_rates(
    observations: pl.DataFrame,
    costs: pl.DataFrame,
    countries: pl.DataFrame,
    parameters: pl.DataFrame,
    settings: ModelSettings,
) -> pl.DataFrame:
    """Per benchmark year, country and function: the observed rates where published, else modelled ones."""
    observations = per_productive_hour(observations, parameters)
    frames = []
    for year in settings.benchmark_years:
        year_costs = (
            costs.filter(pl.col("year") == year)
            .join(
                countries.select(
                    pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified")
                ),
                on="country_iso3",
                how="left",
            )
            .select(*KEY, "office", "income_group", "cost_per_productive_hour_usd")
        )
        observed = (
            observed_rates(observations, year, settings)
            .join(year_costs, on=KEY, how="inner")
            .with_columns(
                markup_ratio=pl.col("rate_mid_usd_hour") / pl.col("cost_per_productive_hour_usd"),
                basis=pl.lit("observed"),
                markup_basis=pl.format(
                    "observed: {} published rate(s), {} of them undated", "n_observations", "undated"
                ),
            )
        )
        unobserved = year_costs.join(observed.select(KEY), on=KEY, how="anti")
        modelled = modelled_rates(unobserved, markup_levels(observed, settings))
        frames.append(
            pl.concat([observed.select(modelled.columns), modelled]).with_columns(year=pl.lit(year, pl.Int32))
        )
    return pl.concat(frames).select("year", *frames[0].columns[:-1]).sort("year", *KEY)
