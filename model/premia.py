"""Function premia: what outsourcing staff are observed to earn against the model's wage for their function.

The model prices a function at its ISCO group's earnings (times a within-group factor). Outsourcing agents and clerks
are not the average clerical worker: pages quoting their pay (the seed's wage observations) say by how much. Each
observation is compared with the model's wage for its country, function and year; the log ratios are averaged with
weights (an undated page, or one whose note marks it as weak evidence, counts less), and pooled from the coarse to
the fine: the office (front, back, IT), then the function, then the function in the country's income group. Each
level is pulled towards the one above it with the weight of `premium_pooling_weight` observations, and the office
towards no premium at all, so a group with few observations stays near its parent, one with many speaks for itself,
and an office without observations keeps the model's wage (offices differ too much to borrow from each other:
developers earn twice the model's professional wage, clerks about what it says).

Only observations of the mean worker count: a wording that names a seniority (entry-level, senior) is kept out.
Observations from countries whose wage is observed for the occupation itself (OEWS in the USA) are kept out too, and
the premium is not applied there: the function's own wage needs no premium.
"""

from __future__ import annotations

import polars as pl

from model.pooling import pooled
from model.reference import ModelSettings

# Coarse to fine; each level's keys include the ones above it.
LEVELS = [["office"], ["office", "function_id"], ["office", "function_id", "income_group"]]
POINT = ["year", "country_iso3", "function_id"]
# Hours of work a price for one unit covers, where it is not per paid month or year.
HOURS_PER_UNIT = {"hour": 1.0, "day": 8.0, "week": 40.0}


def wage_observations(
    observations: pl.DataFrame, weak_phrases: pl.DataFrame, settings: ModelSettings, paid_hours_per_year: float
) -> pl.DataFrame:
    """The seed's (and quotes') observed pay per function, monthly in US$ at the rate of its year, with the year it
    stands for (an undated page: the latest benchmark year), its weight and why."""
    weak = "(?i)" + "|".join(weak_phrases["phrase"].str.escape_regex().to_list())
    monthly_hours = paid_hours_per_year / 12
    per_month = (
        pl.when(pl.col("unit") == "month")
        .then(1.0)
        .when(pl.col("unit") == "year")
        .then(1 / 12)
        .otherwise(monthly_hours / pl.col("unit").replace_strict(HOURS_PER_UNIT, default=None, return_dtype=pl.Float64))
    )
    latest = max(settings.benchmark_years)
    return (
        observations.filter((pl.col("price_type") == "wage") & pl.col("function_id").is_not_null())
        .with_columns(
            observed_monthly_usd=(pl.col("amount_low_usd") + pl.col("amount_high_usd")) / 2 * per_month,
            year=pl.coalesce("reference_year", pl.lit(latest, pl.Int32)),
            undated=pl.col("reference_year").is_null(),
            weak=pl.col("note").fill_null("").str.contains(weak),
        )
        .with_columns(
            weight=pl.lit(1.0)
            * pl.when("undated").then(settings.undated_evidence_weight).otherwise(1.0)
            * pl.when("weak").then(settings.weak_evidence_weight).otherwise(1.0)
        )
        .select(
            "observation_id",
            *POINT,
            "seniority",
            "observed_monthly_usd",
            "undated",
            "weak",
            "weight",
            "url",
        )
    )


def premium_pairs(
    observed: pl.DataFrame, wages: pl.DataFrame, functions: pl.DataFrame, countries: pl.DataFrame
) -> pl.DataFrame:
    """Observations of the mean worker beside the model's wage (before any premium) for their country, function and
    year, where the model has one and does not already observe the occupation itself."""
    return (
        observed.filter(pl.col("seniority").is_null() | (pl.col("seniority") == "mid"))
        .join(
            wages.filter(pl.col("wage_method") != "oews_direct").select(
                *POINT, pl.col("wage_monthly_usd").alias("base_wage_monthly_usd")
            ),
            on=POINT,
        )
        .join(functions.select("function_id", "office"), on="function_id")
        .join(countries.select(pl.col("iso3").alias("country_iso3"), "income_group"), on="country_iso3", how="left")
        .with_columns(
            pl.col("income_group").fill_null("unclassified"),
            log_ratio=(pl.col("observed_monthly_usd") / pl.col("base_wage_monthly_usd")).log(),
        )
    )


def function_premia(
    pairs: pl.DataFrame, functions: pl.DataFrame, countries: pl.DataFrame, settings: ModelSettings
) -> pl.DataFrame:
    """One row per function and income group: the premium, the parent (function over all income groups) it was pulled
    towards, and the observations behind it (count, weight, quartiles of the observed ratios, their ids)."""
    income_groups = countries.select(pl.col("income_group").fill_null("unclassified").unique())
    cells = functions.select("office", "function_id").join(income_groups, how="cross")
    # The prior: no premium, the model's wage as it is.
    estimates = pooled(pairs, cells, LEVELS, settings.premium_pooling_weight, prior=0.0)
    ratio = pl.col("log_ratio").exp()
    observed = pairs.group_by("function_id", "income_group").agg(
        n_observations=pl.len(),
        evidence_weight=pl.col("weight").sum(),
        ratio_p25=ratio.quantile(0.25, "linear"),
        ratio_median=ratio.median(),
        ratio_p75=ratio.quantile(0.75, "linear"),
        observation_ids=pl.col("observation_id").sort(),
    )
    return (
        estimates.join(observed, on=["function_id", "income_group"], how="left")
        .select(
            "function_id",
            "office",
            "income_group",
            pl.col("n_observations").fill_null(0).cast(pl.UInt32),
            pl.col("evidence_weight").fill_null(0.0),
            "ratio_p25",
            "ratio_median",
            "ratio_p75",
            pl.col("estimate_2").exp().alias("premium"),
            pl.col("estimate_1").exp().alias("function_premium"),
            pl.col("estimate_0").exp().alias("office_premium"),
            pl.col("observation_ids").fill_null(pl.lit([], pl.List(pl.String))),
        )
        .sort("function_id", "income_group")
    )


def with_premia(wages: pl.DataFrame, premia: pl.DataFrame, countries: pl.DataFrame) -> pl.DataFrame:
    """Model wages times the premium of their function and income group (OEWS wages, the function's own, stay as
    they are), with the premium and a reference to its function_premia row."""
    income = countries.select(pl.col("iso3").alias("country_iso3"), pl.col("income_group").fill_null("unclassified"))
    applies = pl.col("wage_method") != "oews_direct"
    return (
        wages.join(income, on="country_iso3", how="left")
        .join(
            premia.select("function_id", "income_group", "premium", "n_observations"),
            on=["function_id", "income_group"],
            how="left",
        )
        .with_columns(
            premium=pl.when(applies).then("premium"),
            premium_basis=pl.when(applies).then(
                pl.format(
                    "function_premia {} / {} ({} own observations)", "function_id", "income_group", "n_observations"
                )
            ),
        )
        .with_columns(wage_monthly_usd=pl.col("wage_monthly_usd") * pl.col("premium").fill_null(1.0))
        .drop("income_group", "n_observations")
    )
