"""The code location: every asset and check, the resources, jobs per layer, the schedule and the executor policy.

Environment: BPO_WAREHOUSE (default ./warehouse) is where everything is written; BPO_SOURCE_MODE is `snapshot`
(default: the bundled sample) or `live` (download from the publishers).
"""

from __future__ import annotations

import os

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job, in_process_executor

from assets import benchmarks, publish, raw_vendor
from assets.raw import raw_assets
from assets.staging import bls_oews, countries, ilostat, oecd, raw_sources, vendor_rates, worldbank
from pipelines.resources import ReferenceFiles, SourceAccess, Warehouse

staging_definitions = [
    *countries.definitions,
    *worldbank.definitions,
    *ilostat.definitions,
    *bls_oews.definitions,
    *oecd.definitions,
    *raw_sources.definitions,
    *vendor_rates.definitions,
]

all_assets = [
    *raw_assets,
    *raw_vendor.definitions,
    *staging_definitions,
    *benchmarks.definitions,
    *publish.definitions,
]

jobs = [
    define_asset_job(
        "ingest_raw", AssetSelection.groups("raw"), description="Store every source's files in the raw zone."
    ),
    define_asset_job(
        "build_staging", AssetSelection.groups("staging"), description="Parse, validate and write the staging tables."
    ),
    define_asset_job(
        "build_benchmarks",
        # vendor_rate_observations spreads per-FTE prices over the productive hours of the cost parameters, so it is
        # rebuilt with the benchmarks whenever reference data change.
        AssetSelection.groups("benchmarks", "publish") | AssetSelection.assets("vendor_rate_observations"),
        description="Compute and publish the benchmark tables and the DuckDB catalog from staging and reference data.",
    ),
    define_asset_job("refresh_all", AssetSelection.all(), description="Every layer, raw to publish."),
]

# A monthly pull: the publishers update at most monthly (OEWS yearly, WDI quarterly, ILOSTAT as countries report).
monthly_refresh = ScheduleDefinition(
    name="monthly_refresh", job=jobs[-1], cron_schedule="0 6 2 * *", execution_timezone="UTC"
)

defs = Definitions(
    assets=all_assets,
    jobs=jobs,
    schedules=[monthly_refresh],
    resources={
        "warehouse": Warehouse(root=os.environ.get("BPO_WAREHOUSE", "warehouse")),
        "access": SourceAccess(
            mode=os.environ.get("BPO_SOURCE_MODE", "snapshot"),
            **({"quotes_dir": os.environ["BPO_QUOTES_DIR"]} if "BPO_QUOTES_DIR" in os.environ else {}),
        ),
        "reference": ReferenceFiles(),
    },
    # The steps are small and read files written by the step before: one process avoids a Python start-up per
    # step (about 10 s against 3 s for three trivial steps on two cores).
    executor=in_process_executor,
)
