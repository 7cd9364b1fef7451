"""Reports: a static HTML page per default buyer under $BPO_WAREHOUSE/reports/, of the current version's tables."""

from __future__ import annotations

import polars as pl
from dagster import MaterializeResult, MetadataValue, asset

from assets.publish import GROUP
from assets.resources import ReferenceFiles, Warehouse
from model.report import buyer_report
from storage import versions
from storage.atomic import write_bytes_atomic

FOLDER = "reports"


@asset(
    group_name=GROUP,
    deps=["current_version"],
    kinds={"html"},
    description="$BPO_WAREHOUSE/reports/<BUYER>.html for every default buyer: tier cost bands and savings per "
    "function, cost against rule of law of the delivery locations, the scorecard's top locations and the example "
    "scenario, of the latest benchmark year. Self-contained (inline SVG, no script or font), so it opens offline; "
    "each chart names its year, units and source tables and links to them.",
)
def buyer_reports(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    tier_function_benchmarks: pl.DataFrame,
    location_scorecard: pl.DataFrame,
    scenario_costs: pl.DataFrame,
    countries: pl.DataFrame,
) -> MaterializeResult:
    # After current_version, the inputs are the committed version's tables: this run's, or the current ones where
    # this run changed nothing.
    pointer = versions.current(warehouse.path)
    committed_at = next(e["committed_at"] for e in pointer["committed"] if e["version"] == pointer["version"])
    licences = warehouse.current_provenance("tier_function_benchmarks")["licences"]
    provenance = f"Published version {pointer['version']}, committed {committed_at}. Data {licences}."
    ref = reference.model()
    year = tier_function_benchmarks["year"].max()
    paths = {}
    for buyer in ref.buyers:
        page = buyer_report(
            buyer,
            year,
            tier_function_benchmarks=tier_function_benchmarks,
            location_scorecard=location_scorecard,
            scenario_costs=scenario_costs,
            countries=countries,
            functions=ref.functions,
            provenance=provenance,
        )
        path = warehouse.path / FOLDER / f"{buyer}.html"
        write_bytes_atomic(path, page.encode())
        paths[buyer] = MetadataValue.path(str(path))
    return MaterializeResult(metadata={"year": year, "version": pointer["version"], **paths})


definitions: list = [buyer_reports]
