"""From wages to what an FTE and a productive hour cost the employer, with a quality grade for every row.

loaded cost per FTE = annual wage x employer cost multiplier + overhead per seat
cost per productive hour = loaded cost per FTE / productive hours per year
Each parameter takes the most specific value in reference/cost_parameters.csv: country and function, then country,
then function, then the default.
"""

from __future__ import annotations

import polars as pl

from model.files import merged_files
from model.reference import ModelSettings, ReferenceData
from schemas.vocabulary import COST_PARAMETERS, PARAMETER_SCOPES, QUALITY_GRADES

SPECIFICITY = {scope: rank for rank, scope in enumerate(PARAMETER_SCOPES)}


def resolve_parameters(
    pairs: pl.DataFrame, parameters: pl.DataFrame, multipliers: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Each (country_iso3, function_id) pair with the value of every cost parameter that applies to it, and the basis
    and raw files of its employer cost multiplier. `multipliers` (iso3, employer_cost_multiplier, employer_cost_basis,
    employer_cost_sources: the country's measured on-costs, model.oncosts) rank below an analyst's country value in
    reference/cost_parameters.csv and above a function's or the default."""
    measured = (
        multipliers.select(
            pl.lit("employer_cost_multiplier").alias("parameter"),
            pl.lit("country").alias("scope_type"),
            pl.col("iso3").alias("scope"),
            pl.col("employer_cost_multiplier").alias("value"),
            pl.col("employer_cost_basis").alias("source"),
            pl.col("employer_cost_sources").alias("files"),
            pl.lit(2 * SPECIFICITY["country"] + 1, pl.Int64).alias("rank"),
        )
        if multipliers is not None
        else None
    )
    reference = parameters.select(
        "parameter",
        "scope_type",
        "scope",
        "value",
        pl.format("reference/cost_parameters.csv: {}", "source").alias("source"),
        pl.lit([], pl.List(pl.String)).alias("files"),
        (2 * pl.col("scope_type").replace_strict(SPECIFICITY, return_dtype=pl.Int64)).alias("rank"),
    )
    # Each scope joins the pairs on the keys it names (a default applies to every pair), so the candidates grow with
    # the pairs times the parameters that apply to each, not with the pairs times every country's row.
    rows = pl.concat([reference, *([measured] if measured is not None else [])])
    scoped = rows.with_columns(
        scope_country=pl.when(pl.col("scope_type") == "country")
        .then("scope")
        .when(pl.col("scope_type") == "country_function")
        .then(pl.col("scope").str.splitn("/", 2).struct.field("field_0")),
        scope_function=pl.when(pl.col("scope_type") == "function")
        .then("scope")
        .when(pl.col("scope_type") == "country_function")
        .then(pl.col("scope").str.splitn("/", 2).struct.field("field_1")),
    )
    keys = pairs.select("country_iso3", "function_id").unique()
    columns = ["country_iso3", "function_id", *rows.columns]
    candidates = pl.concat(
        [
            keys.join(scoped.filter(pl.col("scope_type") == "default"), how="cross").select(columns),
            keys.join(
                scoped.filter(pl.col("scope_type") == "country"), left_on="country_iso3", right_on="scope_country"
            ).select(columns),
            keys.join(
                scoped.filter(pl.col("scope_type") == "function"), left_on="function_id", right_on="scope_function"
            ).select(columns),
            keys.join(
                scoped.filter(pl.col("scope_type") == "country_function"),
                left_on=["country_iso3", "function_id"],
                right_on=["scope_country", "scope_function"],
            ).select(columns),
        ]
    )
    chosen = candidates.sort("rank").unique(
        ["country_iso3", "function_id", "parameter"], keep="first", maintain_order=True
    )
    multiplier = chosen.filter(pl.col("parameter") == "employer_cost_multiplier").select(
        "country_iso3",
        "function_id",
        pl.col("source").alias("employer_cost_basis"),
        pl.col("files").alias("employer_cost_sources"),
    )
    return (
        chosen.pivot("parameter", index=["country_iso3", "function_id"], values="value")
        .select("country_iso3", "function_id", *COST_PARAMETERS)
        .join(multiplier, on=["country_iso3", "function_id"])
    )


def quality_grade(year: pl.Expr, settings: ModelSettings) -> pl.Expr:
    """A for a wage observed for the occupation itself, B for one modelled from the national mean; one step lower
    for a wage more than `recent_wage_age_years` from the benchmark year (either way), one for a wage carried by more
    than `max_carry_forward_factor` either way (the figure is then more the index's than the survey's), one for a
    within-group factor transferred from the USA, and one for a relativity pooled over all income groups. `year` is
    the benchmark year (the rows' own column: all years are graded in one pass)."""
    base = pl.when(pl.col("wage_method") == "national_mean_x_relativity").then(1).otherwise(0)
    stale = ((year - pl.col("wage_source_year")).abs() > settings.recent_wage_age_years).cast(pl.Int32)
    limit = settings.max_carry_forward_factor
    carried_far = (~pl.col("carry_forward_factor").is_between(1 / limit, limit)).cast(pl.Int32)
    transferred = pl.col("within_group_basis").is_not_null().cast(pl.Int32)
    pooled = pl.col("relativity_pooled").fill_null(False).cast(pl.Int32)
    step = pl.min_horizontal(base + stale + carried_far + transferred + pooled, pl.lit(len(QUALITY_GRADES) - 1))
    return step.replace_strict(dict(enumerate(QUALITY_GRADES)), return_dtype=pl.String)


def location_function_costs(
    wages: pl.DataFrame, countries: pl.DataFrame, reference: ReferenceData, multipliers: pl.DataFrame
) -> pl.DataFrame:
    """Loaded cost and cost per productive hour of every wage, with the parameters used and the row's grade."""
    settings, delivery_locations = reference.settings, reference.delivery_locations
    resolved = resolve_parameters(wages, reference.cost_parameters, multipliers)
    # One lazy query on the streaming engine: eager, each join held another copy of every row, and grading year by
    # year copied them again (the layer peaked at 3.7 GB at 100x the sample, 3.2 GB so).
    costed = (
        wages.lazy()
        .join(resolved.lazy(), on=["country_iso3", "function_id"])
        .with_columns(sources=merged_files("sources", "employer_cost_sources"))
        .join(reference.functions.lazy().select("function_id", "function_name", "office"), on="function_id")
        .join(
            countries.lazy().select(
                pl.col("iso3").alias("country_iso3"), pl.col("name").alias("country_name"), "region", "income_group"
            ),
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
            cost_per_productive_hour_usd=pl.col("loaded_cost_annual_usd") / pl.col("productive_hours_per_year"),
            quality_grade=quality_grade(pl.col("year"), settings),
        )
    )
    return (
        costed.select(
            "year",
            "country_iso3",
            "function_id",
            "country_name",
            "region",
            "income_group",
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
            "premium",
            "premium_basis",
            "mean_basis",
            "employer_cost_multiplier",
            "employer_cost_basis",
            "overhead_per_seat_usd_year",
            "paid_hours_per_year",
            "productive_hours_per_year",
        )
        .collect(engine="streaming")
        # Sorted eagerly: the streaming engine's sort of these rows holds twice the memory.
        .sort("year", "country_iso3", "function_id")
    )
