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

from model.pooling import pooled_without_own
from model.premia import LEVELS as PREMIUM_LEVELS
from model.premia import POINT, premium_pairs, wage_observations
from model.reference import ModelSettings, ReferenceData
from model.vendor_rates import KEY, MARKUP_LEVELS, markup_pairs, per_productive_hour

WITHIN = math.log(1.5)


def wage_predictions(
    observed: pl.DataFrame,
    costs: pl.DataFrame,
    functions: pl.DataFrame,
    countries: pl.DataFrame,
    settings: ModelSettings,
) -> pl.DataFrame:
    """Every observation of a mean worker's pay with a model wage for its country, function and year, beside the
    wage the model predicts for it without that country's observations (an OEWS wage needs no premium): the premium
    of model.premia.function_premia estimated from the other countries' pairs, all countries held out at once."""
    base = costs.select(
        *POINT,
        "wage_method",
        "quality_grade",
        (pl.col("wage_monthly_usd") / pl.col("premium").fill_null(1.0)).alias("wage_monthly_usd"),
    )
    pairs = premium_pairs(observed, base, functions, countries)
    income = countries.select(pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified"))
    held_out = (
        observed.filter(pl.col("seniority").is_null() | (pl.col("seniority") == "mid"))
        .join(base, on=POINT)
        .join(income, on="country_iso3", how="left")
        .join(functions.select("function_id", "office"), on="function_id")
    )
    # The prior: no premium, as in function_premia.
    cells = held_out.select("country_iso3", *PREMIUM_LEVELS[-1]).unique()
    premia = pooled_without_own(
        pairs, cells, PREMIUM_LEVELS, settings.premium_pooling_weight, prior=0.0, own="country_iso3"
    )
    return (
        held_out.join(premia, on=["country_iso3", *PREMIUM_LEVELS[-1]])
        .with_columns(
            predicted=pl.col("wage_monthly_usd")
            * pl.when(pl.col("wage_method") == "oews_direct").then(1.0).otherwise(pl.col("estimate_2").exp())
        )
        .select(
            "observation_id",
            *POINT,
            "quality_grade",
            "undated",
            pl.col("observed_monthly_usd").alias("observed"),
            "predicted",
            kind=pl.lit("wage"),
        )
    )


def rate_predictions(
    observations: pl.DataFrame, costs: pl.DataFrame, weak_phrases: pl.DataFrame, settings: ModelSettings
) -> pl.DataFrame:
    """Every vendor price usable for the latest benchmark year beside the rate modelled for its country and function
    from the other countries' prices (model.vendor_rates.rates_for_year's markup), all countries held out at once; a
    country whose prices are the only ones has nothing to be predicted from."""
    year = max(settings.benchmark_years)
    pairs = markup_pairs(observations, costs, weak_phrases, year, settings)
    total_n, total_w, total_wm = pairs.height, pairs["weight"].sum(), (pairs["weight"] * pairs["log_ratio"]).sum()
    # The top of the hierarchy, as rates_for_year takes it: the weighted mean markup of the other countries' pairs.
    priors = (
        pairs.group_by("country_iso3")
        .agg(n=pl.len(), w=pl.col("weight").sum(), wm=(pl.col("weight") * pl.col("log_ratio")).sum())
        .filter(pl.col("n") < total_n)
        .select("country_iso3", prior=(total_wm - pl.col("wm")) / (total_w - pl.col("w")))
    )
    cells = costs.join(priors, on="country_iso3")
    modelled = pooled_without_own(
        pairs, cells, MARKUP_LEVELS, settings.premium_pooling_weight, prior="prior", own="country_iso3"
    ).select(*KEY, (pl.col("cost_per_productive_hour_usd") * pl.col("estimate_2").exp()).alias("predicted"))
    return pairs.join(modelled, on=KEY).select(
        "observation_id",
        pl.lit(year, pl.Int32).alias("year"),
        *KEY,
        "quality_grade",
        pl.col("reference_year").is_null().alias("undated"),
        pl.col("rate_mid_usd_hour").alias("observed"),
        "predicted",
        kind=pl.lit("vendor_rate"),
    )


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
