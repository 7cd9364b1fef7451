"""The reference-files resource: every file of reference/ is read through it, loaded and validated once per run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from assets.resources.access import PROJECT
from model.reference import ReferenceData, check_against_countries, load_reference
from sources.pricing_pages import PageSpec, load_page_specs


class ReferenceFiles(ConfigurableResource):
    """The folder of versioned reference files: the function taxonomy, cost parameters, tier rules, buyers, model
    settings, the raw-dataset catalogue, label and wording maps, and the pricing-page entries."""

    folder: str = str(PROJECT / "reference")
    _loaded: dict[str, Any] = PrivateAttr(default_factory=dict)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # A run sees the files as they are when it starts, and reads each once.
        self._loaded.clear()

    @property
    def path(self) -> Path:
        return Path(self.folder)

    def _once(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self._loaded:
            self._loaded[name] = load()
        return self._loaded[name]

    def model(self) -> ReferenceData:
        """What the cost model reads, each file held to its contract (see model.reference)."""
        return self._once("model", lambda: load_reference(self.path))

    def checked(self, countries: pl.DataFrame) -> ReferenceData:
        """The model's reference data, also checked against the staging countries (the regions and codes it names)."""
        reference = self.model()
        check_against_countries(reference, countries, self.path)
        return reference

    def catalogue(self) -> pl.DataFrame:
        """raw_datasets.csv: every dataset of every source, with its publisher, licence and URLs."""
        return self._once("catalogue", lambda: pl.read_csv(self.path / "raw_datasets.csv"))

    def label_aliases(self) -> pl.DataFrame:
        """ilostat_label_aliases.csv: the few explorer-export labels that ILOSTAT's dictionaries spell differently."""
        return self._once(
            "label_aliases",
            lambda: pl.read_csv(self.path / "ilostat_label_aliases.csv").select("dimension", "label", "code"),
        )

    def pricing_pages(self) -> list[PageSpec]:
        """pricing_pages.csv: one declarative entry per public pricing page to scrape in live mode."""
        path = self.path / "pricing_pages.csv"
        return self._once("pricing_pages", lambda: load_page_specs(path.read_bytes(), str(path)))

    def checksums(self) -> dict[str, str]:
        """SHA-256 of every reference file, for the provenance of what a run published."""
        return self._once(
            "checksums",
            lambda: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.path.glob("*.csv"))},
        )
