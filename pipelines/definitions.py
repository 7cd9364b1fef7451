"""The code location, assembled per layer: assets and checks, resources, jobs, the schedule, the sensor and the
executor.

Settings come from the environment through Dagster's `EnvVar`, so the UI shows which variable sets each one:
BPO_WAREHOUSE (default ./warehouse) is where everything is written; BPO_SOURCE_MODE is `snapshot` (default: the
bundled sample) or `live` (download from the publishers); BPO_SOURCE_BASE_URL points live downloads at a mirror;
BPO_QUOTES_DIR is the folder of analysts' quotes. Run config for a resource overrides only the fields it names.
BPO_EXECUTOR (in_process or multiprocess) is read when the code location loads, since the executor is part of it.
"""

from __future__ import annotations

import os

from dagster import (
    AssetSelection,
    Definitions,
    EnvVar,
    ExecutorDefinition,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

from assets import benchmarks, publish, report
from assets.raw import freshness_checks, raw_definitions
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
from pipelines.sensors import source_release_sensor

# The steps are small and read files written by the step before: one process avoids a Python and Dagster start-up per
# step (about 10 s against 3 s for three trivial steps on two cores). A process per step pays off where steps are
# heavy and the machine has cores to spare.
EXECUTORS = {"in_process": in_process_executor, "multiprocess": multiprocess_executor}


def setting(variable: str, default: str) -> EnvVar | str:
    """The variable as an EnvVar where it is set (shown by name in the UI), else the documented default."""
    return EnvVar(variable) if variable in os.environ else default


def executor_setting() -> ExecutorDefinition:
    """The executor BPO_EXECUTOR names (in_process by default); an unknown name stops the code location loading."""
    name = os.environ.get("BPO_EXECUTOR", "in_process")
    if name not in EXECUTORS:
        raise ValueError(f"the executor (BPO_EXECUTOR) must be one of {', '.join(EXECUTORS)}, not {name!r}")
    return EXECUTORS[name]


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
catalogue = reference.catalogue()
raw_layer = raw_definitions(catalogue)
all_assets = [
    *raw_layer,
    *freshness_checks(catalogue),
    *staging_definitions(raw_layer),
    *benchmarks.definitions,
    *publish.definitions,
    *report.definitions,
]
resources = resources_for(
    Warehouse(root=setting("BPO_WAREHOUSE", "warehouse")),
    SourceAccess(
        mode=setting("BPO_SOURCE_MODE", "snapshot"),
        base_url=setting("BPO_SOURCE_BASE_URL", ""),
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

# Between pulls, the sensor runs a source as soon as its publisher serves a new release (live mode only).
source_releases = source_release_sensor(catalogue, all_assets, refresh_all)

defs = Definitions(
    assets=all_assets,
    jobs=jobs,
    schedules=[monthly_refresh],
    sensors=[source_releases],
    resources=resources,
    executor=executor_setting(),
)
