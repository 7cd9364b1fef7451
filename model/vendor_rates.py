"""Vendor market prices beside labour cost: observed rates (staged in US$ per their own unit) per productive hour,
the markup they imply over the loaded cost, and modelled rates where nothing was published.

A rate for an hour is taken as it is; a rate per FTE-day, -week, -month or -year is spread over the FTE's productive
hours (reference/cost_parameters.csv), because that is what a buyer of a full-time seat receives.
"""

from __future__ import annotations

import polars as pl

from model.costs import resolve_parameters
from model.pooling import pooled
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


def evidence_weight(weak_phrases: pl.DataFrame, settings: ModelSettings) -> pl.Expr:
    """An observation's weight as evidence: 1, halved (by the settings) for an undated page and for a note that marks
    it as weak (reference/weak_evidence_phrases.csv)."""
    weak = "(?i)" + "|".join(weak_phrases["phrase"].str.escape_regex().to_list())
    return (
        pl.lit(1.0)
        * pl.when(pl.col("reference_year").is_null()).then(settings.undated_evidence_weight).otherwise(1.0)
        * pl.when(pl.col("note").fill_null("").str.contains(weak)).then(settings.weak_evidence_weight).otherwise(1.0)
    )


def markup_pairs(
    observations: pl.DataFrame, costs: pl.DataFrame, weak_phrases: pl.DataFrame, year: int, settings: ModelSettings
) -> pl.DataFrame:
    """Every vendor price usable for `year` (published within `max_rate_age_years` of it, either way, or undated:
    a page shows the prices on offer when read) beside the loaded cost of its country and function in that year."""
    window = pl.col("reference_year").is_between(year - settings.max_rate_age_years, year + settings.max_rate_age_years)
    return (
        observations.filter(
            pl.col("price_type").is_in(VENDOR_PRICES)
            & pl.col("function_id").is_not_null()
            & (pl.col("reference_year").is_null() | window)
        )
        .join(costs, on=KEY)
        .with_columns(
            rate_mid_usd_hour=(pl.col("rate_low_usd_hour") + pl.col("rate_high_usd_hour")) / 2,
            weight=evidence_weight(weak_phrases, settings),
            # An analyst's quote has no page: its raw file is where it can be read.
            source=pl.coalesce("url", pl.col("raw_files").list.first()),
        )
        .with_columns(log_ratio=(pl.col("rate_mid_usd_hour") / pl.col("cost_per_productive_hour_usd")).log())
    )


RATES_SCHEMA = pl.Schema(
    {
        "year": pl.Int32,
        "country_iso3": pl.String,
        "function_id": pl.String,
        "basis": pl.String,
        "n_observations": pl.UInt32,
        "rate_low_usd_hour": pl.Float64,
        "rate_mid_usd_hour": pl.Float64,
        "rate_high_usd_hour": pl.Float64,
        "markup_ratio": pl.Float64,
        "markup_basis": pl.String,
        "sources": pl.List(pl.String),
    }
)
# Coarse to fine: the office, the office in the country's income group, the country and function itself.
MARKUP_LEVELS = [["office"], ["office", "income_group"], ["office", "income_group", *KEY]]


def rates_for_year(pairs: pl.DataFrame, costs: pl.DataFrame, settings: ModelSettings) -> pl.DataFrame:
    """Loaded cost x the pooled markup of each country and function: its own published rates pulled towards its
    office and income group (so one odd page cannot set a country's figure alone), or, without any, the markup of its
    office and income group. The quartiles of the markups in that office and income group give the low and high."""
    # The top of the hierarchy: the weighted mean markup of all observed work.
    prior = (pairs["weight"] * pairs["log_ratio"]).sum() / pairs["weight"].sum()
    estimates = pooled(pairs, costs, MARKUP_LEVELS, settings.premium_pooling_weight, prior)
    ratio = pl.col("log_ratio").exp()
    spread = pairs.group_by("office", "income_group").agg(
        markup_p25=ratio.quantile(0.25, "linear"), markup_p75=ratio.quantile(0.75, "linear"), group_n=pl.len()
    )
    office_spread = pairs.group_by("office").agg(
        office_p25=ratio.quantile(0.25, "linear"), office_p75=ratio.quantile(0.75, "linear")
    )
    own = pairs.group_by(KEY).agg(
        n_observations=pl.len(),
        undated=pl.col("reference_year").is_null().sum(),
        own_markup=(pl.col("weight") * pl.col("log_ratio")).sum() / pl.col("weight").sum(),
        sources=pl.col("source").unique().sort(),
    )
    markup = pl.col("estimate_2").exp()
    # The spread around the estimate: its group's quartiles relative to the group's own centre.
    low = pl.coalesce("markup_p25", "office_p25") / pl.col("estimate_1").exp()
    high = pl.coalesce("markup_p75", "office_p75") / pl.col("estimate_1").exp()
    observed = pl.col("n_observations").is_not_null()
    return (
        estimates.join(own, on=KEY, how="left")
        .join(spread, on=["office", "income_group"], how="left")
        .join(office_spread, on="office", how="left")
        .select(
            *KEY,
            pl.when(observed).then(pl.lit("observed")).otherwise(pl.lit("modelled")).alias("basis"),
            pl.col("n_observations").fill_null(0).cast(pl.UInt32),
            (pl.col("cost_per_productive_hour_usd") * markup * pl.min_horizontal(low, 1.0)).alias("rate_low_usd_hour"),
            (pl.col("cost_per_productive_hour_usd") * markup).alias("rate_mid_usd_hour"),
            (pl.col("cost_per_productive_hour_usd") * markup * pl.max_horizontal(high, 1.0)).alias(
                "rate_high_usd_hour"
            ),
            markup.alias("markup_ratio"),
            pl.when(observed)
            .then(
                pl.format(
                    "observed: {} published rate(s) ({} undated), markup {} pulled towards {} office work in {} "
                    "countries ({})",
                    "n_observations",
                    "undated",
                    pl.col("own_markup").exp().round(2),
                    "office",
                    "income_group",
                    pl.col("estimate_1").exp().round(2),
                )
            )
            .otherwise(
                pl.format(
                    "modelled: markup of {} office work in {} countries ({} pairs, evidence weight {}), pulled "
                    "towards all {} office work ({})",
                    "office",
                    "income_group",
                    pl.col("group_n").fill_null(0),
                    pl.col("evidence_1").round(2),
                    "office",
                    pl.col("estimate_0").exp().round(2),
                )
            )
            .alias("markup_basis"),
            pl.col("sources").fill_null(pl.lit([], pl.List(pl.String))),
        )
    )


def vendor_rates(
    observations: pl.DataFrame,
    costs: pl.DataFrame,
    countries: pl.DataFrame,
    parameters: pl.DataFrame,
    weak_phrases: pl.DataFrame,
    settings: ModelSettings,
) -> pl.DataFrame:
    """Per benchmark year, country and function: what vendors charge per productive hour (see rates_for_year)."""
    observations = per_productive_hour(observations, parameters)
    income = countries.select(pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified"))
    frames = []
    for year in settings.benchmark_years:
        year_costs = (
            costs.filter(pl.col("year") == year)
            .drop("income_group", strict=False)  # the model's label for a missing group, not the published null
            .join(income, on="country_iso3", how="left")
            .select(*KEY, "office", "income_group", "cost_per_productive_hour_usd")
        )
        pairs = markup_pairs(observations, year_costs, weak_phrases, year, settings)
        # A year without a single published rate to learn from has no vendor rates, not guessed ones.
        if not pairs.is_empty():
            frames.append(rates_for_year(pairs, year_costs, settings).with_columns(year=pl.lit(year, pl.Int32)))
    if not frames:
        return pl.DataFrame(schema=RATES_SCHEMA)
    return pl.concat(frames).select(*RATES_SCHEMA).sort("year", *KEY)
