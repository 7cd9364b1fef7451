"""The warehouse resource: the root every layer writes under (a folder or an fsspec URI)."""

from __future__ import annotations

import polars as pl
from dagster import ConfigurableResource
from upath import UPath

from storage.published import read_partitioned, write_partitioned
from storage.raw_zone import RawZone
from storage.tables import read_table, write_table


class Warehouse(ConfigurableResource):
    """The root of everything the pipeline writes: a folder or an fsspec URI (BPO_WAREHOUSE)."""

    root: str = "warehouse"

    @property
    def path(self) -> UPath:
        return UPath(self.root)

    def raw_zone(self) -> RawZone:
        return RawZone(self.path)

    def write(self, layer: str, table: str, frame: pl.DataFrame) -> str:
        return str(write_table(self.path, layer, table, frame))

    def read(self, layer: str, table: str) -> pl.DataFrame:
        return read_table(self.path, layer, table)

    def publish(
        self, table: str, frame: pl.DataFrame, partition_by: list[str], descriptions: dict, provenance: dict
    ) -> str:
        return str(write_partitioned(self.path, table, frame, partition_by, descriptions, provenance))

    def read_published(self, table: str) -> pl.DataFrame:
        return read_partitioned(self.path, table)
