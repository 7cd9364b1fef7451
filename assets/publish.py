"""Publish layer: the DuckDB catalog that BI tools and analysts open, one view per published table."""

from __future__ import annotations

import duckdb
from dagster import AssetCheckResult, MaterializeResult, MetadataValue, asset, asset_check

from assets.benchmarks import TABLES
from assets.resources import Warehouse
from storage.published import build_duckdb_catalog

# Staging tables that analysts read beside the benchmarks: the evidence behind vendor_rates.
EVIDENCE = ("vendor_rate_observations",)


@asset(
    group_name="publish",
    deps=[*TABLES, *EVIDENCE],
    kinds={"duckdb"},
    description="$BPO_WAREHOUSE/bpo.duckdb: one view per benchmark table over its Parquet files (and one over the "
    "vendor rate observations), rebuilt into a new "
    "file and renamed into place, so a BI tool holding the old catalog is never blocked or shown a half-built one.",
)
def bpo_catalog(warehouse: Warehouse) -> MaterializeResult:
    partitions = {table: partition_by for table, (_, partition_by) in TABLES.items()}
    path = build_duckdb_catalog(warehouse.path, partitions, EVIDENCE)
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path)), "views": ", ".join([*TABLES, *EVIDENCE])})


@asset_check(asset=bpo_catalog, blocking=True, description="Every view of the catalog answers a query with rows.")
def catalog_views_answer(warehouse: Warehouse) -> AssetCheckResult:
    with duckdb.connect(str(warehouse.path / "bpo.duckdb"), read_only=True) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in [*TABLES, *EVIDENCE]
        }
    return AssetCheckResult(passed=all(counts.values()), metadata={f"{table}_rows": n for table, n in counts.items()})


definitions: list = [bpo_catalog, catalog_views_answer]
