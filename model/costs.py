"""From wages to what an FTE and a productive hour cost the employer, with a quality grade for every row.

loaded cost per FTE = annual wage x employer cost multiplier + overhead per seat
cost per productive hour = loaded cost per FTE / productive hours per year
Each parameter takes the most specific value in reference/cost_parameters.csv: country and function, then country,
then function, then the default.
"""

from __future__ import annotations

import polars as pl

from model.reference import ModelSettings
from schemas.vocabulary import COST_PARAMETERS, PARAMETER_SCOPES, QUALITY_GRADES

SPECIFICITY = {scope: rank for rank, scope in enumerate(PARAMETER_SCOPES)}


def resolve_parameters(pairs: pl.DataFrame, parameters: pl.DataFrame) -> pl.DataFrame:
    """Each (country_iso3, function_id) pair with the value of every cost parameter that applies to it."""
    candidates = (
        pairs.select("country_iso3", "function_id")
        .unique()
        .join(parameters, how="cross")
        .filter(
            (pl.col("scope_type") == "default")
            | ((pl.col("scope_type") == "country") & (pl.col("scope") == pl.col("country_iso3")))
            | ((pl.col("scope_type") == "function") & (pl.col("scope") == pl.col("function_id")))
            | (
                (pl.col("scope_type") == "country_function")
                & (pl.col("scope") == pl.format("{}/{}", "country_iso3", "function_id"))
            )
        )
    )
    chosen = (
        candidates.with_columns(rank=pl.col("scope_type").replace_strict(SPECIFICITY))
        .sort("rank")
        .unique(["country_iso3", "function_id", "parameter"], keep="first", maintain_order=True)
    )
    return chosen.pivot("parameter", index=["country_iso3", "function_id"], values="value").select(
        "country_iso3", "function_id", *COST_PARAMETERS
    )


def quality_grade(year: int, settings: ModelSettings) -> pl.Expr:
    """A for a wage observed for the occupation itself, B for one modelled from the national mean; one step lower
    for a wage more than `recent_wage_age_years` from the benchmark year (either way), one for a within-group factor
    transferred from the USA, and one for a relativity pooled over all income groups."""
    base = pl.when(pl.col("wage_method") == "national_mean_x_relativity").then(1).otherwise(0)
    stale = ((year - pl.col("wage_source_year")).abs() > settings.recent_wage_age_years).cast(pl.Int32)
    transferred = pl.col("within_group_basis").is_not_null().cast(pl.Int32)
    pooled = pl.col("relativity_pooled").fill_null(False).cast(pl.Int32)
    step = pl.min_horizontal(base + stale + transferred + pooled, pl.lit(len(QUALITY_GRADES) - 1))
    return step.replace_strict(dict(enumerate(QUALITY_GRADES)), return_dtype=pl.String)


def location_function_costs(
    wages: pl.DataFrame,
    functions: pl.DataFrame,
    countries: pl.DataFrame,
    parameters: pl.DataFrame,
    settings: ModelSettings,
    delivery_locations: pl.DataFrame,
) -> pl.DataFrame:
    resolved = resolve_parameters(wages, parameters)
    costed = (
        wages.join(resolved, on=["country_iso3", "function_id"])
        .join(functions.select("function_id", "function_name", "office"), on="function_id")
        .join(
            countries.select(pl.col("iso3").alias("country_iso3"), pl.col("name").alias("country_name")),
            on="country_iso3",
        )
        .with_columns(
            annual_wage=pl.col("wage_monthly_usd") * 12,
            is_delivery_location=pl.col("country_iso3").is_in(delivery_locations["iso3"].implode()),
        )
        .with_columns(
            wage_hourly_usd=pl.col("annual_wage") / pl.col("paid_hours_per_year"),
            loaded_cost_annual_usd=pl.col("annual_wage") * pl.col("employer_cost_multiplier")
            + pl.col("overhead_per_seat_usd_year"),
        )
        .with_columns(
            cost_per_productive_hour_usd=pl.col("loaded_cost_annual_usd") / pl.col("productive_hours_per_year")
        )
    )
    graded = pl.concat(
        [part.with_columns(quality_grade=quality_grade(year, settings)) for (year,), part in costed.group_by("year")]
    )
    return graded.select(
        "year",
        "country_iso3",
        "function_id",
        "country_name",
        "function_name",
        "office",
        "is_delivery_location",
        "wage_monthly_usd",
        "wage_hourly_usd",
        "loaded_cost_annual_usd",
        "cost_per_productive_hour_usd",
        "wage_method",
        "wage_source_year",
        "quality_grade",
        "sources",
        "carry_forward_factor",
        "carry_forward_rule",
        "relativity",
        "relativity_basis",
        "within_group_factor",
        "within_group_basis",
        "mean_basis",
        "employer_cost_multiplier",
        "overhead_per_seat_usd_year",
        "paid_hours_per_year",
        "productive_hours_per_year",
    ).sort("year", "country_iso3", "function_id")
