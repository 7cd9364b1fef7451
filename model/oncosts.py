"""Employer on-costs by country: what an employer pays on top of the gross wage (social contributions, payroll
taxes), as a multiplier of the wage.

Each country takes its figure from the best source that has one (schemas.vocabulary.EMPLOYER_COST_DATASETS, best
first: OECD Taxing Wages, then ILO KILM 15b), latest year first; a country with none takes the median of its World
Bank income group, or of all countries where its group has too few. A share of 0 is no measurement: the OECD shows 0
where it classes employer contributions as non-tax compulsory payments (Colombia), so such a row is passed over.
"""

from __future__ import annotations

import polars as pl

from model.reference import ModelSettings
from schemas.vocabulary import EMPLOYER_COST_DATASETS

POOLED = "all countries"


def employer_cost_multipliers(
    employer_costs: pl.DataFrame, countries: pl.DataFrame, settings: ModelSettings
) -> pl.DataFrame:
    """Per country (iso3): employer_cost_multiplier = 1 / (1 - share / 100), the source's share being of total labour
    cost, with employer_cost_basis saying which figure or which median it is, and employer_cost_sources."""
    rank = {dataset: position for position, dataset in enumerate(EMPLOYER_COST_DATASETS)}
    measured = (
        employer_costs.filter(pl.col("employer_share_pct") > 0)
        .sort(pl.col("dataset").replace_strict(rank), pl.col("year"), descending=[False, True])
        .unique("iso3", keep="first", maintain_order=True)
        .select(
            "iso3",
            (1 / (1 - pl.col("employer_share_pct") / 100)).alias("employer_cost_multiplier"),
            pl.format("{} {}: {}% ({})", "dataset", "year", pl.col("employer_share_pct").round(1), "measure").alias(
                "employer_cost_basis"
            ),
            pl.concat_list("raw_file").alias("employer_cost_sources"),
        )
    )
    groups = countries.select("iso3", pl.col("income_group").fill_null("unclassified"))
    with_group = measured.join(groups, on="iso3", how="left")
    median, count = pl.col("employer_cost_multiplier").median().alias("median"), pl.len().alias("n")
    files = pl.col("employer_cost_sources").list.explode().unique().sort()
    by_group = with_group.group_by("income_group").agg(median, count, files.alias("sources"))
    pooled = with_group.select(median, count, files.implode().alias("sources"))
    enough = pl.col("n") >= settings.min_countries_per_income_group
    medians = (
        groups.join(measured.select("iso3"), on="iso3", how="anti")
        .join(by_group.filter(enough), on="income_group", how="left")
        .join(pooled, how="cross", suffix="_pooled")
        .select(
            "iso3",
            pl.coalesce("median", "median_pooled").alias("employer_cost_multiplier"),
            pl.when(pl.col("median").is_not_null())
            .then(pl.format("median of {} {} countries with employer-cost data", "n", "income_group"))
            .otherwise(pl.format("median of {} countries with employer-cost data ({})", "n_pooled", pl.lit(POOLED)))
            .alias("employer_cost_basis"),
            pl.coalesce("sources", "sources_pooled").alias("employer_cost_sources"),
        )
    )
    return pl.concat([measured, medians])
