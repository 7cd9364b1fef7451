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
    rows = pl.concat(frames).select(*UsOccupationWages.to_schema().columns, "parse_error")
    return publish(warehouse, "us_occupation_wages", rows, UsOccupationWages)


definitions: list = [us_occupation_wages, contract_check("us_occupation_wages", UsOccupationWages)]
