"""The `raw_sources` table: every file in the raw zone with its provenance, the key that staging rows point to."""

from __future__ import annotations

from dataclasses import asdict

import polars as pl
from dagster import asset

from assets import raw_vendor
from assets.metadata import column_schema
from assets.raw import raw_assets
from assets.staging.common import LAYER, contract_check, publish
from pipelines.resources import Warehouse
from schemas.staging import RawSources


@asset(
    group_name=LAYER,
    deps=[*raw_assets, *raw_vendor.definitions],
    kinds={"parquet"},
    description="Every raw file ever stored, with producer, URL, retrieval time, the source's own last-updated "
    "date, licence, SHA-256 and size.",
    metadata={"dagster/column_schema": column_schema(RawSources)},
)
def raw_sources(warehouse: Warehouse):
    records = [asdict(record) for record in warehouse.raw_zone().all_records()]
    frame = pl.DataFrame(
        records, schema={name: column.dtype.type for name, column in RawSources.to_schema().columns.items()}
    )
    return publish(warehouse, "raw_sources", frame, RawSources)


definitions: list = [raw_sources, contract_check("raw_sources", RawSources)]
