"""The `raw_sources` table: every file in the raw zone with its provenance, the key that staging rows point to."""

from __future__ import annotations

from dataclasses import asdict

import polars as pl
from dagster import AssetsDefinition, MaterializeResult, asset

from assets.metadata import column_schema
from assets.resources import Warehouse
from assets.staging.common import IO_MANAGER, LAYER, contract_check, publish
from schemas.staging import RawSources


def raw_sources_table(raw_assets: list[AssetsDefinition]) -> list:
    """The table lists the whole raw zone rather than reading any file, so it follows every raw asset without
    taking their files as inputs."""

    @asset(
        name="raw_sources",
        group_name=LAYER,
        deps=raw_assets,
        kinds={"parquet"},
        description="Every raw file ever stored, with producer, URL, retrieval time, the source's own last-updated "
        "date, licence, SHA-256 and size.",
        metadata={"dagster/column_schema": column_schema(RawSources)},
        io_manager_key=IO_MANAGER,
    )
    def _raw_sources(warehouse: Warehouse) -> MaterializeResult:
        records = [asdict(record) for record in warehouse.raw_zone().all_records()]
        frame = pl.DataFrame(
            records, schema={name: column.dtype.type for name, column in RawSources.to_schema().columns.items()}
        )
        return publish(warehouse, "raw_sources", frame, RawSources, guard_volume=False)

    return [_raw_sources, contract_check("raw_sources", RawSources)]
