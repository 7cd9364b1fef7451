"""The warehouse resource: the root every layer writes under (a folder or an fsspec URI), the run's version of the
published tables, and the lock that keeps two runs from writing one warehouse at once."""

from __future__ import annotations

import uuid

import polars as pl
from dagster import InitResourceContext
from pydantic import PrivateAttr
from upath import UPath

from assets.resources.settings import MergedSettings
from storage import versions
from storage.digest import content_sha256
from storage.lock import WarehouseLock
from storage.published import published_path, table_provenance, write_partitioned
from storage.raw_zone import RawZone
from storage.tables import read_table, table_path, write_tables


class Warehouse(MergedSettings):
    """The root of everything the pipeline writes: a folder or an fsspec URI (BPO_WAREHOUSE)."""

    root: str = "warehouse"
    # How many committed versions of the published tables are kept (the current one included).
    retention: int = 5
    _run_id: str = PrivateAttr(default_factory=lambda: f"adhoc-{uuid.uuid4().hex}")

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if context.run is not None:
            self._run_id = context.run.run_id
            WarehouseLock.acquire(self.path, self._run_id)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        WarehouseLock.release(self.path, self._run_id)

    @property
    def path(self) -> UPath:
        return UPath(self.root)

    @property
    def version(self) -> str:
        """This run's version of the published tables: its own folder until it is committed."""
        return self._run_id

    @property
    def version_root(self) -> UPath:
        return versions.version_root(self.path, self.version)

    def raw_zone(self) -> RawZone:
        return RawZone(self.path)

    def write(self, layer: str, step: str, frames: dict[str, pl.DataFrame]) -> dict[str, str]:
        """Store the tables of one step (table -> rows) so that they replace the stored ones together, each file
        naming the step and this run; returns where each table is read from."""
        stamp = {"bpo.step": step, "bpo.run": self._run_id}
        return {table: str(path) for table, path in write_tables(self.path, layer, step, frames, stamp).items()}

    def read(self, layer: str, table: str) -> pl.DataFrame:
        return read_table(self.path, layer, table)

    def publish(
        self, table: str, frame: pl.DataFrame, partition_by: list[str], descriptions: dict, provenance: dict
    ) -> str:
        """Write `table` into this run's version; readers see it once the version is committed."""
        return str(write_partitioned(self.version_root, table, frame, partition_by, descriptions, provenance))

    def digest(self, layer: str, table: str) -> str:
        """The content digest of a stored staging table (storage.digest)."""
        return content_sha256(table_path(self.path, layer, table))

    def published_digest(self, table: str) -> str:
        """The content digest of the table `read_published` reads."""
        base = self.version_root if versions.has_table(self.version_root, table) else versions.current_root(self.path)
        return content_sha256(published_path(base, table))

    def read_published(self, table: str) -> pl.DataFrame:
        """The table as this run wrote it, else as the current version holds it."""
        return versions.read_table(self.path, self.version_root, table)

    def current_provenance(self, table: str) -> dict | None:
        """The provenance of the table in the current version (None where there is none)."""
        base = versions.current_root(self.path)
        return table_provenance(base, table) if base and versions.has_table(base, table) else None

    def read_current(self, table: str) -> pl.DataFrame | None:
        """The table in the current version, before this run (None where there is none)."""
        base = versions.current_root(self.path)
        return versions.read_table(self.path, None, table) if base and versions.has_table(base, table) else None
