"""The `average_wages` table: OECD average annual wages per full-time equivalent employee."""

from __future__ import annotations

import polars as pl
from dagster import asset

from assets.metadata import column_schema
from assets.staging.common import LAYER, contract_check, known_countries, publish
from assets.staging.reading import current_files
from pipelines.resources import Warehouse
from schemas.staging import AverageWages
from sources import oecd

# REF_AREA codes of OECD aggregates, which are not countries.
AGGREGATES = ["OECD"]
# US$ at PPP, constant prices: the measure the model converts with the PPP factor of the price base year.
UNIT, PRICE_BASE = "USD_PPP", "Q"


@asset(
    group_name=LAYER,
    deps=["raw_oecd", "countries"],
    kinds={"parquet"},
    description="OECD average annual wages per full-time equivalent employee, by country and year.",
    metadata={"dagster/column_schema": column_schema(AverageWages)},
)
def average_wages(warehouse: Warehouse):
    content, record = current_files(warehouse, "oecd")["AV_AN_WAGE"]
    rows = (
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
    countries = warehouse.read(LAYER, "countries")
    return publish(warehouse, "average_wages", rows, AverageWages, known_countries(countries))


definitions: list = [average_wages, contract_check("average_wages", AverageWages)]
