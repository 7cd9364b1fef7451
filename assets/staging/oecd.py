"""The `average_wages` table: OECD average annual wages per full-time equivalent employee."""

from __future__ import annotations

import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import staging_table
from schemas.staging import AverageWages
from sources import oecd

# REF_AREA codes of OECD aggregates, which are not countries.
AGGREGATES = ["OECD"]
# US$ at PPP, constant prices: the measure the model converts with the PPP factor of the price base year.
UNIT, PRICE_BASE = "USD_PPP", "Q"


def average_wage_rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    content, record = loaded["raw_oecd"]["AV_AN_WAGE"]
    return (
        oecd.parse_average_wages(content, record.raw_file)
        # The dataflow also serves national currency and current prices; the model uses one measure only.
        .filter(~pl.col("iso3").is_in(AGGREGATES) & (pl.col("unit") == UNIT) & (pl.col("price_base") == PRICE_BASE))
        .select(
            "iso3",
            "year",
            "annual_wage",
            pl.format("{} ({} prices)", "unit", "price_base").alias("unit"),
            pl.lit(record.raw_file).alias("raw_file"),
            "parse_error",
        )
    )


definitions = staging_table(
    "average_wages",
    AverageWages,
    inputs=["raw_oecd", "countries"],
    build=average_wage_rows,
    country_column="iso3",
    description="OECD average annual wages per full-time equivalent employee, by country and year.",
)
