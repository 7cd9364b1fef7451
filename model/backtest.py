"""How far off the model is, measured against the market observations it did not learn from.

Each country is held out in turn: the premia and markups are estimated from the other countries' observations, and
the held-out country's observed pay and vendor rates are predicted with them. The error of a prediction is
ln(predicted / observed); the summary gives, per function, office, quality grade of the model's row and tier (of
each default buyer), the median of its
absolute value and the share of predictions within 1.5x of the observation, over all observations and over the
dated ones alone (an undated page may be years old).
"""

from __future__ import annotations

import math

import polars as pl

from model.premia import POINT, function_premia, premium_pairs, wage_observations
from model.reference import ModelSettings, ReferenceData
from model.vendor_rates import KEY, markup_pairs, per_productive_hour, rates_for_year

WITHIN = math.log(1.5)


def wage_predictions(
    observed: pl.DataFrame,
    costs: pl.DataFrame,
    functions: pl.DataFrame,
    countries: pl.DataFrame,
    settings: ModelSettings,
) -> pl.DataFrame:
    """Every observation of a mean worker's pay with a model wage for its country, function and year, beside the
    wage the model predicts for it without that country's observations (an OEWS wage needs no premium)."""
    base = costs.select(
        *POINT,
        "wage_method",
        "quality_grade",
        (pl.col("wage_monthly_usd") / pl.col("premium").fill_null(1.0)).alias("wage_monthly_usd"),
    )
    pairs = premium_pairs(observed, base, functions, countries)
    income = countries.select(pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified"))
    candidates = (
        observed.filter(pl.col("seniority").is_null() | (pl.col("seniority") == "mid"))
        .join(base, on=POINT)
        .join(income, on="country_iso3", how="left")
    )
    frames = []
    for (country,), held_out in candidates.group_by("country_iso3"):
        premia = function_premia(pairs.filter(pl.col("country_iso3") != country), functions, countries, settings)
        frames.append(
            held_out.join(premia.select("function_id", "income_group", "premium"), on=["function_id", "income_group"])
            .with_columns(
                predicted=pl.col("wage_monthly_usd")
                * pl.when(pl.col("wage_method") == "oews_direct").then(1.0).otherwise(pl.col("premium"))
            )
            .select(
                "observation_id",
                *POINT,
                "quality_grade",
                "undated",
                pl.col("observed_monthly_usd").alias("observed"),
                "predicted",
            )
        )
    return pl.concat(frames).with_columns(kind=pl.lit("wage"))


def rate_predictions(
    observations: pl.DataFrame, costs: pl.DataFrame, weak_phrases: pl.DataFrame, settings: ModelSettings
) -> pl.DataFrame:
    """Every vendor price usable for the latest benchmark year beside the rate modelled for its country and function
    from the other countries' prices."""
    year = max(settings.benchmark_years)
    pairs = markup_pairs(observations, costs, weak_phrases, year, settings)
    frames = []
    for (country,), held_out in pairs.group_by("country_iso3"):
        others = pairs.filter(pl.col("country_iso3") != country)
        if others.is_empty():
            continue
        modelled = rates_for_year(others, costs.filter(pl.col("country_iso3") == country), settings)
        frames.append(
            held_out.join(modelled.select(*KEY, "rate_mid_usd_hour"), on=KEY, suffix="_modelled").select(
                "observation_id",
                pl.lit(year, pl.Int32).alias("year"),
                *KEY,
                "quality_grade",
                pl.col("reference_year").is_null().alias("undated"),
                pl.col("rate_mid_usd_hour").alias("observed"),
                pl.col("rate_mid_usd_hour_modelled").alias("predicted"),
            )
        )
    return pl.concat(frames).with_columns(kind=pl.lit("vendor_rate"))


def summary(predictions: pl.DataFrame, functions: pl.DataFrame, tiers: pl.DataFrame) -> pl.DataFrame:
    """The error per kind and per function, office and buyer's tier, and over all predictions."""
    scored = predictions.join(functions.select("function_id", "office"), on="function_id").with_columns(
        abs_log_error=(pl.col("predicted") / pl.col("observed")).log().abs()
    )
    within = pl.col("abs_log_error") <= WITHIN
    stats = [
        pl.len().cast(pl.UInt32).alias("n_observations"),
        (~pl.col("undated")).sum().cast(pl.UInt32).alias("n_dated"),
        pl.col("abs_log_error").median().alias("median_abs_log_error"),
        within.mean().alias("share_within_1_5x"),
        within.filter(~pl.col("undated")).mean().alias("share_within_1_5x_dated"),
    ]
    by_tier = scored.join(tiers.select("buyer_iso3", "country_iso3", "tier"), on="country_iso3").with_columns(
        group=pl.format("{} buyer: {}", "buyer_iso3", "tier")
    )
    frames = [
        scored.group_by("kind").agg(stats).with_columns(dimension=pl.lit("all"), group=pl.lit("all")),
        scored.group_by("kind", pl.col("function_id").alias("group"))
        .agg(stats)
        .with_columns(dimension=pl.lit("function")),
        scored.group_by("kind", pl.col("office").alias("group")).agg(stats).with_columns(dimension=pl.lit("office")),
        scored.group_by("kind", pl.col("quality_grade").alias("group"))
        .agg(stats)
        .with_columns(dimension=pl.lit("grade")),
        by_tier.group_by("kind", "group").agg(stats).with_columns(dimension=pl.lit("tier")),
    ]
    return pl.concat(
        [frame.select("kind", "dimension", "group", *[s.meta.output_name() for s in stats]) for frame in frames]
    ).sort("kind", "dimension", "group")


def model_backtest(
    observations: pl.DataFrame,
    costs: pl.DataFrame,
    tiers: pl.DataFrame,
    countries: pl.DataFrame,
    reference: ReferenceData,
) -> pl.DataFrame:
    """The summary of both backtests."""
    settings = reference.settings
    observed = wage_observations(observations, reference.weak_evidence_phrases, settings, reference.paid_hours)
    income = countries.select(pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified"))
    latest_costs = (
        costs.filter(pl.col("year") == max(settings.benchmark_years))
        .drop("income_group", strict=False)  # the model's label for a missing group, not the published null
        .join(income, on="country_iso3", how="left")
        .select(*KEY, "office", "income_group", "quality_grade", "cost_per_productive_hour_usd")
    )
    predictions = pl.concat(
        [
            wage_predictions(observed, costs, reference.functions, countries, settings),
            rate_predictions(
                per_productive_hour(observations, reference.cost_parameters),
                latest_costs,
                reference.weak_evidence_phrases,
                settings,
            ),
        ],
        how="diagonal_relaxed",
    )
    return summary(predictions, reference.functions, tiers.filter(pl.col("buyer_iso3").is_in(reference.buyers)))
