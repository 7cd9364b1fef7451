"""The `us_occupation_wages` table: BLS OEWS national wages of every occupation, one row per SOC code and year."""

from __future__ import annotations

import polars as pl
from dagster import asset

from assets.metadata import column_schema
from assets.staging.common import LAYER, contract_check, publish
from assets.staging.reading import current_files
from pipelines.resources import Warehouse
from schemas.staging import UsOccupationWages
from sources import bls_oews

KEY = ["soc_code", "year"]


def without_redundant_broad_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """OEWS lists a code twice when a broad occupation holds a single detailed one (13-1020 in 2023); the two rows
    carry the same figures, so the detailed one is kept. Any other repeated code stays, to be rejected as a
    duplicate."""
    detailed = rows.filter(pl.col("o_group") == "detailed").select(KEY).unique().with_columns(has_detailed=True)
    return (
        rows.join(detailed, on=KEY, how="left")
        .filter(~((pl.col("o_group") == "broad") & pl.col("has_detailed").fill_null(False)))
        .drop("has_detailed")
    )


@asset(
    group_name=LAYER,
    deps=["raw_bls_oews"],
    kinds={"parquet"},
    description="US BLS OEWS national cross-industry estimates: employment and mean and median wages by SOC "
    "occupation, per May reference year.",
    metadata={"dagster/column_schema": column_schema(UsOccupationWages)},
)
def us_occupation_wages(warehouse: Warehouse):
    frames = []
    for dataset_id, (content, record) in current_files(warehouse, "bls_oews").items():
        name = record.raw_file.rsplit("/", 1)[-1]
        workbook = bls_oews.unpack_national_zip(content, name) if name.endswith(".zip") else content
        year = int(dataset_id.removeprefix("national_M"))
        frames.append(bls_oews.parse_national(workbook, name, year).with_columns(raw_file=pl.lit(record.raw_file)))
    rows = without_redundant_broad_rows(pl.concat(frames)).select(*UsOccupationWages.to_schema().columns, "parse_error")
    return publish(warehouse, "us_occupation_wages", rows, UsOccupationWages)


definitions: list = [us_occupation_wages, contract_check("us_occupation_wages", UsOccupationWages)]
