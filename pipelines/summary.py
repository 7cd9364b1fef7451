"""The closing summary of a pipeline run: the tables it wrote with their rows, the checks that did not pass, and where
the outputs are. `python -m pipelines.summary` prints it for the latest run of the Dagster instance in DAGSTER_HOME."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from dagster import DagsterEvent, DagsterEventType, DagsterInstance
from upath import UPath

from storage.published import catalog_refusal


def run_summary(events: Iterable[DagsterEvent], warehouse: str) -> str:
    rows: dict[str, int | None] = {}
    failed: list[str] = []
    evaluated = 0
    for event in events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            count = materialization.metadata.get("dagster/row_count")
            rows[materialization.asset_key.to_user_string()] = count.value if count else None
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            evaluated += 1
            if not evaluation.passed:
                severity = evaluation.severity.value.lower()
                failed.append(f"{evaluation.check_name} on {evaluation.asset_key.to_user_string()} ({severity})")
    tables = {name: count for name, count in rows.items() if count is not None}
    # An object store has no DuckDB catalog: readers go through CURRENT.json to the version's Parquet.
    on_object_store = catalog_refusal(UPath(warehouse)) is not None
    catalog = "no DuckDB catalog on an object store" if on_object_store else "bpo.duckdb is the catalog"
    lines = [
        f"{len(rows)} assets materialized; {len(tables)} tables written, {sum(tables.values()):,} rows",
        *(f"  {name}: {count:,} rows" for name, count in sorted(tables.items())),
        f"{len(failed)} of {evaluated} checks did not pass:" if failed else f"all {evaluated} checks passed",
        *(f"  {check}" for check in sorted(failed)),
        f"outputs: {warehouse} (CURRENT.json names the published version; {catalog}; reports/ holds one report "
        "per buyer)",
    ]
    return "\n".join(lines)


def main() -> int:
    instance = DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if not runs:
        print(f"no run in the Dagster instance at {os.environ.get('DAGSTER_HOME')}", file=sys.stderr)
        return 1
    events = [entry.dagster_event for entry in instance.all_logs(runs[0].run_id) if entry.dagster_event]
    print(f"run {runs[0].run_id}: {runs[0].status.value.lower()}")
    print(run_summary(events, os.environ.get("BPO_WAREHOUSE", "warehouse")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
