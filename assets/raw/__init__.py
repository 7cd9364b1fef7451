"""Raw layer: every source's files stored byte for byte in the raw zone, with provenance."""

from __future__ import annotations

import polars as pl

from assets.raw import files, vendor
from assets.raw.freshness import freshness_checks

__all__ = ["freshness_checks", "raw_definitions"]


def raw_definitions(catalogue: pl.DataFrame) -> list:
    """The raw assets: one per source of the catalogue (reference/raw_datasets.csv), and the vendor sources that are
    not files at a fixed URL (pricing pages, analysts' quotes)."""
    return [*files.catalogue_assets(catalogue), *vendor.definitions]
