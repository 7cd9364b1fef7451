"""Resources: where the warehouse is, and how sources are reached (the bundled sample, or live over HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
from dagster import ConfigurableResource
from upath import UPath

from model.reference import ReferenceData, check_against_countries, load_reference
from sources.http import DEFAULT_USER_AGENT, HttpClient
from storage.published import read_partitioned, write_partitioned
from storage.raw_zone import RawZone
from storage.tables import read_table, write_table

PROJECT = Path(__file__).resolve().parents[1]
BUNDLED_SAMPLE = PROJECT / "data" / "sample"


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


class SourceAccess(ConfigurableResource):
    """How raw files are obtained (BPO_SOURCE_MODE): `snapshot` copies the bundled sample, `live` downloads. Analysts'
    quotes are read from `quotes_dir` (BPO_QUOTES_DIR) in both modes; pricing pages are scraped in live mode only, at
    most one request per `page_delay_s` to a host, through a page cache."""

    mode: Literal["snapshot", "live"] = "snapshot"
    sample_dir: str = str(BUNDLED_SAMPLE)
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 60.0
    max_attempts: int = 5
    quotes_dir: str = str(PROJECT / "data" / "quotes")
    pricing_pages: str = str(PROJECT / "reference" / "pricing_pages.csv")
    page_cache_dir: str = str(PROJECT / ".cache" / "pricing_pages")
    page_delay_s: float = 5.0

    def http_client(self) -> HttpClient:
        return HttpClient(user_agent=self.user_agent, timeout_s=self.timeout_s, max_attempts=self.max_attempts)


class ReferenceFiles(ConfigurableResource):
    """The folder of versioned reference files: functions, cost parameters, tier rules, buyers, model settings."""

    folder: str = str(PROJECT / "reference")

    def load(self) -> ReferenceData:
        return load_reference(Path(self.folder))

    def load_checked(self, countries: pl.DataFrame) -> ReferenceData:
        """The reference data, also checked against the staging countries (regions and country codes they name)."""
        reference = self.load()
        check_against_countries(reference, countries, Path(self.folder))
        return reference
