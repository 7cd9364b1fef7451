"""The code location, assembled per layer: assets and checks, resources, jobs, the schedule and the executor policy.

Settings come from the environment through Dagster's `EnvVar`, so the UI shows which variable sets each one:
BPO_WAREHOUSE (default ./warehouse) is where everything is written; BPO_SOURCE_MODE is `snapshot` (default: the
bundled sample) or `live` (download from the publishers); BPO_QUOTES_DIR is the folder of analysts' quotes.
"""

from __future__ import annotations

import os

from dagster import AssetSelection, Definitions, EnvVar, ScheduleDefinition, define_asset_job, in_process_executor

from assets import benchmarks, publish, report
from assets.raw import raw_definitions
from assets.resources import (
    PROJECT,
    PublishedTables,
    RawFiles,
    ReferenceFiles,
    SourceAccess,
    StagingTables,
    Warehouse,
)
from assets.staging import staging_definitions


def setting(variable: str, default: str) -> EnvVar | str:
    """The variable as an EnvVar where it is set (shown by name in the UI), else the documented default."""
    return EnvVar(variable) if variable in os.environ else default


def resources_for(warehouse: Warehouse, access: SourceAccess, reference: ReferenceFiles) -> dict:
    """Every resource the assets name, the IO managers reading from the same warehouse the assets write to."""
    return {
        "warehouse": warehouse,
        "access": access,
        "reference": reference,
        "raw_files": RawFiles(warehouse=warehouse),
        "staging_tables": StagingTables(warehouse=warehouse),
        "published_tables": PublishedTables(warehouse=warehouse),
    }


reference = ReferenceFiles()
raw_layer = raw_definitions(reference.catalogue())
all_assets = [
    *raw_layer,
    *staging_definitions(raw_layer),
    *benchmarks.definitions,
    *publish.definitions,
    *report.definitions,
]
resources = resources_for(
    Warehouse(root=setting("BPO_WAREHOUSE", "warehouse")),
    SourceAccess(
        mode=setting("BPO_SOURCE_MODE", "snapshot"),
        quotes_dir=setting("BPO_QUOTES_DIR", str(PROJECT / "data" / "quotes")),
    ),
    reference,
)

refresh_all = define_asset_job("refresh_all", AssetSelection.all(), description="Every layer, raw to publish.")
jobs = [
    define_asset_job(
        "ingest_raw", AssetSelection.groups("raw"), description="Store every source's files in the raw zone."
    ),
    define_asset_job(
        "build_staging", AssetSelection.groups("staging"), description="Parse, validate and write the staging tables."
    ),
    define_asset_job(
        "build_benchmarks",
        AssetSelection.groups("benchmarks", "publish"),
        description="Compute and publish the benchmark tables and the DuckDB catalog from staging and reference data.",
    ),
    refresh_all,
]

# A monthly pull: the publishers update at most monthly (OEWS yearly, WDI quarterly, ILOSTAT as countries report).
monthly_refresh = ScheduleDefinition(
    name="monthly_refresh", job=refresh_all, cron_schedule="0 6 2 * *", execution_timezone="UTC"
)

defs = Definitions(
    assets=all_assets,
    jobs=jobs,
    schedules=[monthly_refresh],
    resources=resources,
    # The steps are small and read files written by the step before: one process avoids a Python start-up per
    # step (about 10 s against 3 s for three trivial steps on two cores).
    executor=in_process_executor,
)
