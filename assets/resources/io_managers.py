"""IO managers that hand an asset the inputs it declares: a source's current raw files, a staging table, or a
published benchmark table. Assets write their own outputs (with rejects, atomically), so these only load; each table
is read once per run, since within a run an asset's inputs are all written before it starts."""

from typing import Any

import polars as pl
from dagster import ConfigurableIOManager, InitResourceContext, InputContext, OutputContext, ResourceDependency
from pydantic import PrivateAttr

from assets.resources.warehouse import Warehouse
from storage.raw_zone import Provenance

# The metadata key by which a raw asset names the raw-zone source folder it fills.
RAW_SOURCE = "raw_source"
RawFileSet = dict[str, tuple[bytes, Provenance]]


class _Loader(ConfigurableIOManager):
    warehouse: ResourceDependency[Warehouse]
    _loaded: dict[str, Any] = PrivateAttr(default_factory=dict)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._loaded.clear()

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if obj is not None:
            raise TypeError(f"{context.asset_key.to_user_string()}: assets write their own tables; return a result")

    def load_input(self, context: InputContext) -> Any:
        name = context.asset_key.path[-1]
        if name not in self._loaded:
            self._loaded[name] = self.load(name, context)
        return self._loaded[name]

    def load(self, name: str, context: InputContext) -> Any:
        raise NotImplementedError


class RawFiles(_Loader):
    """A raw asset as input: dataset id -> (bytes, provenance) of its source's latest pull, checksums verified."""

    def load(self, name: str, context: InputContext) -> RawFileSet:
        source = context.upstream_output.definition_metadata[RAW_SOURCE]
        zone = self.warehouse.raw_zone()
        return {dataset_id: (zone.read(record), record) for dataset_id, record in zone.current(source).items()}


class StagingTables(_Loader):
    """A staging asset as input: its stored table."""

    def load(self, name: str, context: InputContext) -> pl.DataFrame:
        return self.warehouse.read("staging", name)


class PublishedTables(_Loader):
    """A benchmark asset as input: its published table, partition columns typed as written."""

    def load(self, name: str, context: InputContext) -> pl.DataFrame:
        return self.warehouse.read_published(name)
