"""The `gdp` and `population` tables: WDI GDP in current US$ and total population, from which the model computes GDP
per capita for years the GDP-per-capita file does not reach. Read like the other WDI indicators (aggregates left
out, codes that are no country rejected), from the datahub.io long copy in the sample or the served zip live."""

from __future__ import annotations

import polars as pl

from assets.staging.worldbank import indicator_table
from schemas.staging import Gdp, Population

value = pl.col("value")

definitions: list = [
    *indicator_table(
        "gdp",
        ["NY.GDP.MKTP.CD"],
        ["iso3", "year", value.alias("gdp_usd")],
        Gdp,
        "GDP in current US$ (WDI NY.GDP.MKTP.CD), by country and year.",
    ),
    *indicator_table(
        "population",
        ["SP.POP.TOTL"],
        # A head count: a fractional value would be no population figure, and is left null (so rejected), not rounded.
        ["iso3", "year", pl.when(value == value.round()).then(value.cast(pl.Int64)).alias("population")],
        Population,
        "Total population (WDI SP.POP.TOTL), by country and year.",
    ),
]
