"""Publish layer: the run's version of the benchmark tables gets its DuckDB catalog, is checked, and only then becomes
the current version, in one atomic step (storage.versions)."""

from __future__ import annotations

import duckdb
from dagster import AssetCheckResult, MaterializeResult, MetadataValue, asset, asset_check

from assets.benchmarks import TABLES
from assets.resources import Warehouse
from schemas.staging import VendorRateObservations
from storage import versions
from storage.published import CATALOG, build_duckdb_catalog, catalog_refusal, read_partitioned
from storage.tables import read_table

# Staging tables that analysts read beside the benchmarks, with their contracts: the evidence behind vendor_rates.
EVIDENCE = {"vendor_rate_observations": VendorRateObservations}
GROUP = "publish"


@asset(
    group_name=GROUP,
    deps=[*TABLES, *EVIDENCE],
    kinds={"duckdb"},
    description="The catalog of this run's version: one view per benchmark table over the version's own Parquet "
    "files, and one over the vendor rate observations as of the run. Not yet what readers see: "
    "`current_version` makes it so once every check has passed.",
)
def bpo_catalog(warehouse: Warehouse) -> MaterializeResult:
    versions.complete(warehouse.path, warehouse.version, list(TABLES), list(EVIDENCE))
    refusal = catalog_refusal(warehouse.path)
    if refusal:
        return MaterializeResult(metadata={"catalog": refusal})
    partitions = {table: partition_by for table, (_, partition_by) in TABLES.items()}
    path = build_duckdb_catalog(warehouse.version_root, partitions, tuple(EVIDENCE), warehouse=warehouse.path)
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path)), "views": ", ".join([*TABLES, *EVIDENCE])})


@asset_check(asset=bpo_catalog, blocking=True, description="Every view of the version's catalog answers with rows.")
def catalog_views_answer(warehouse: Warehouse) -> AssetCheckResult:
    if catalog_refusal(warehouse.path):
        # No catalog on an object store: the version's own files are what readers get, so they must answer.
        counts = {table: read_partitioned(warehouse.version_root, table).height for table in TABLES}
        counts |= {table: read_table(warehouse.version_root, "staging", table).height for table in EVIDENCE}
        return AssetCheckResult(passed=all(counts.values()), metadata={f"{t}_rows": n for t, n in counts.items()})
    with duckdb.connect(str(warehouse.version_root / CATALOG), read_only=True) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in [*TABLES, *EVIDENCE]
        }
    return AssetCheckResult(passed=all(counts.values()), metadata={f"{table}_rows": n for table, n in counts.items()})


@asset(
    group_name=GROUP,
    deps=[bpo_catalog],
    kinds={"duckdb"},
    description="$BPO_WAREHOUSE/bpo.duckdb and $BPO_WAREHOUSE/benchmarks: the current version, switched to this run's "
    "in one step after every blocking check passed (a failed, refused or killed run switches nothing). A run whose "
    "tables equal the current version's adds no version; old versions are pruned past the retention.",
)
def current_version(warehouse: Warehouse) -> MaterializeResult:
    # What changed is not itself a change: a rerun on the same inputs adds no version.
    compared = [table for table in TABLES if table != "benchmark_changes"]
    committed = versions.commit(warehouse.path, warehouse.version, compared, warehouse.retention, warehouse.version)
    pointer = versions.current(warehouse.path)
    return MaterializeResult(
        metadata={
            "new_version": committed,
            "current": pointer["version"],
            "kept_versions": len(pointer["committed"]),
            "catalog": MetadataValue.path(str(warehouse.path / CATALOG)),
        }
    )


definitions: list = [bpo_catalog, catalog_views_answer, current_version]
