"""Where a business function sits within its ISCO-08 major group, from the one country that publishes wages for both.

ILOSTAT publishes earnings by major group only, so six clerical functions would share one wage. US OEWS publishes the
function's own occupations and the mean of the SOC major group that matches the ISCO group
(reference/isco_soc_major_groups.csv). Their ratio (customer service representatives earn 0.91 of all office and
administrative support workers, payroll clerks 1.14) is transferred to other countries as a modelled factor: it
assumes a function's place in the clerical pay scale travels, which a lower quality grade acknowledges.
"""

from __future__ import annotations

import polars as pl

from model.reference import ModelSettings


def within_group_factors(
    functions: pl.DataFrame, us_wages: pl.DataFrame, isco_soc: pl.DataFrame, year: int, settings: ModelSettings
) -> pl.DataFrame:
    """Per (function_id, isco08_major_group): the employment-weighted mean hourly wage of the function's SOC
    occupations in the matching SOC major group, divided by that major group's mean, in the OEWS year nearest `year`
    (the latest not after it, else the earliest after it, within the wage age limit). Groups without a matching SOC
    major group, or without the occupations in OEWS, get no row (factor 1)."""
    age = settings.max_wage_age_years
    nearest = (
        us_wages.filter(pl.col("year").is_between(year - age, year + age))
        .select(pl.col("year").unique())
        .sort(pl.col("year") > year, (pl.col("year") - year).abs())
        .head(1)
    )
    wages = us_wages.join(nearest, on="year").filter(
        pl.col("hourly_mean").is_not_null() & pl.col("employment").is_not_null()
    )
    majors = wages.filter(pl.col("o_group") == "major").select(
        pl.col("soc_code").str.slice(0, 2).alias("soc_major_group"),
        pl.col("hourly_mean").alias("group_mean"),
        pl.col("raw_file").alias("group_file"),
    )
    occupations = (
        functions.select("function_id", "us_soc_codes")
        .explode("us_soc_codes")
        .with_columns(soc_major_group=pl.col("us_soc_codes").str.slice(0, 2))
        .join(isco_soc.select("isco08_major_group", "soc_major_group"), on="soc_major_group")
        .join(wages, left_on="us_soc_codes", right_on="soc_code")
    )
    return (
        occupations.group_by("function_id", "isco08_major_group", "soc_major_group", "year")
        .agg(
            hourly=(pl.col("hourly_mean") * pl.col("employment")).sum() / pl.col("employment").sum(),
            codes=pl.format("{} {}", "us_soc_codes", "hourly_mean").sort().str.join(", "),
            files=pl.col("raw_file").unique(),
        )
        .join(majors, on="soc_major_group")
        .select(
            "function_id",
            "isco08_major_group",
            (pl.col("hourly") / pl.col("group_mean")).alias("within_group_factor"),
            pl.format(
                "ISCO {}: OEWS {} {} against SOC {}-0000 {}",
                "isco08_major_group",
                "year",
                "codes",
                "soc_major_group",
                "group_mean",
            ).alias("within_group_basis"),
            pl.concat_list("files", pl.concat_list("group_file")).list.unique().alias("within_group_sources"),
        )
    )
