"""The floor under a pipeline run: the same asset graph, checks included, with bodies that do nothing, run the same way.

python scripts/noop_floor.py               # 3 runs of each, alternating; prints the medians and their ratio
python scripts/noop_floor.py --runs 5 --work /tmp/floor --json floor.json
python scripts/noop_floor.py --validation-share   # one in-process run: the share of step time in pandera validation

The no-op graph is built from the real code location (pipelines.definitions) each time: one op per real op, with the
same asset keys, dependencies, inputs, groups and check specs, and the real executor, so it cannot drift from the
pipeline. Each body reports its assets materialized and its checks passed, and reads and writes nothing: its inputs
come from an input manager that returns None, so the floor holds Dagster's handling of every input but not the
reading of a table. What the real run
costs above this floor is the pipeline's own work; the floor itself is Python, Dagster's start-up and its event
handling. Both run as `python -m dagster asset materialize --select '*'` in fresh folders (BPO_WAREHOUSE,
DAGSTER_HOME), timed from outside by the wall clock and by getrusage of the child (peak memory).

Loaded by Dagster (`-f scripts/noop_floor.py`), the module's `defs` is the no-op graph.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetIn,
    AssetsDefinition,
    AssetSpec,
    Definitions,
    MaterializeResult,
    input_manager,
    multi_asset,
    multi_asset_check,
)

PROJECT = Path(__file__).resolve().parents[1]
KIB = 1024


NO_INPUT = "no_input"


@input_manager
def no_input(context) -> None:
    """Hands a no-op body each input it declares without reading anything: Dagster still records the load (its
    STEP_INPUT and LOADED_INPUT events, part of the floor), while reading the table is the pipeline's own work."""
    return None


def noop_assets(node: AssetsDefinition) -> AssetsDefinition:
    """`node`'s op with the same keys, dependencies, inputs, groups and checks, and a body that only reports them."""
    specs = [AssetSpec(spec.key, deps=spec.deps, group_name=spec.group_name, kinds=spec.kinds) for spec in node.specs]
    checks = list(node.check_specs)
    ins = {name: AssetIn(key, input_manager_key=NO_INPUT) for name, key in node.keys_by_input_name.items()}

    @multi_asset(name=node.node_def.name, specs=specs, check_specs=checks, ins=ins)
    def _noop(**inputs):
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key)
        for check in checks:
            yield AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)

    return _noop


def noop_checks(node: AssetChecksDefinition) -> AssetChecksDefinition:
    """A standalone check op with the same check specs (blocking or not), each reported passed."""
    checks = list(node.check_specs)

    @multi_asset_check(name=node.node_def.name, specs=checks)
    def _noop():
        for check in checks:
            yield AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)

    return _noop


def noop_definitions(real: Definitions) -> Definitions:
    """The real code location's graph with no-op bodies, under the real executor."""
    nodes = []
    for node in real.assets or []:
        if isinstance(node, AssetChecksDefinition):
            nodes.append(noop_checks(node))
        elif isinstance(node, AssetsDefinition):
            nodes.append(noop_assets(node))
        else:
            raise TypeError(f"the code location holds a {type(node).__name__}, which the no-op graph cannot copy")
    return Definitions(assets=nodes, executor=real.executor, resources={NO_INPUT: no_input})


def _timed_run(target: list[str], folder: Path) -> dict:
    """One `dagster asset materialize --select '*'` of `target` in fresh folders: wall seconds, the child's CPU
    seconds and peak memory (getrusage of children, read before and after: each run is the only child then)."""
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("")
    env = {**os.environ, "BPO_WAREHOUSE": str(folder / "warehouse"), "DAGSTER_HOME": str(home)}
    command = [sys.executable, "-m", "dagster", "asset", "materialize", *target, "--select", "*"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "RUN_SUCCESS" not in done.stderr + done.stdout:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SystemExit(f"{' '.join(target)}: the run failed in {folder}:\n" + "\n".join(tail))
    return {
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        # ru_maxrss of children is the largest child so far; each run is measured in a fresh process of this script.
        "peak_bytes": after.ru_maxrss * KIB,
    }


REAL = ["-m", "pipelines.definitions"]
NOOP = ["-f", str(Path(__file__).resolve())]


def validation_share(folder: Path) -> dict:
    """One run of the real pipeline in this process (dagster's `materialize`, the in-process executor), with every
    pandera validation timed: how many there were and their share of the steps' time."""
    import pandera.polars as pa
    from dagster import materialize

    sys.path.insert(0, str(PROJECT))
    os.environ["BPO_WAREHOUSE"] = str(folder / "warehouse")  # read by the code location when it is imported
    import pipelines.definitions as real

    timings: list[float] = []
    validate = pa.DataFrameSchema.validate

    def timed(schema, *args, **kwargs):
        start = time.perf_counter()
        try:
            return validate(schema, *args, **kwargs)
        finally:
            timings.append(time.perf_counter() - start)

    pa.DataFrameSchema.validate = timed
    try:
        start = time.perf_counter()
        result = materialize(real.all_assets, resources=real.resources, raise_on_error=True)
        seconds = time.perf_counter() - start
    finally:
        pa.DataFrameSchema.validate = validate
    steps = sum(
        event.event_specific_data.duration_ms / 1000
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS"
    )
    return {
        "run_seconds": seconds,
        "step_seconds": steps,
        "validations": len(timings),
        "validation_seconds": sum(timings),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for the runs' warehouses and instances (default: a temp dir)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--validation-share", action="store_true", help="time pandera's share of one run instead")
    parser.add_argument("--one", choices=["real", "noop"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(_timed_run(REAL if args.one == "real" else NOOP, args.folder)))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="bpo_noop_floor_"))
    if args.validation_share:
        figures = validation_share(work)
        share = figures["validation_seconds"] / figures["step_seconds"]
        print(
            f"{figures['validations']} pandera validations took {figures['validation_seconds']:.2f} s of "
            f"{figures['step_seconds']:.2f} s in steps ({share:.0%}); the run took {figures['run_seconds']:.2f} s"
        )
        return 0
    runs: dict[str, list[dict]] = {"real": [], "noop": []}
    for attempt in range(args.runs):
        for kind in ("noop", "real"):
            folder = work / f"{kind}_{attempt}"
            # A fresh process per run, so the peak memory of children is that run's alone.
            out = subprocess.run(
                [sys.executable, __file__, "--one", kind, "--folder", str(folder)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise SystemExit(out.stderr.strip() or out.stdout.strip())
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
            figures = runs[kind][-1]
            print(
                f"{kind:>5} run {attempt + 1}: {figures['seconds']:.2f} s wall, {figures['cpu_seconds']:.2f} s CPU, "
                f"{figures['peak_bytes'] / 1e6:.0f} MB",
                flush=True,
            )
    medians = {
        kind: {measure: statistics.median(run[measure] for run in results) for measure in results[0]}
        for kind, results in runs.items()
    }
    ratio = medians["real"]["seconds"] / medians["noop"]["seconds"]
    cpu_ratio = medians["real"]["cpu_seconds"] / medians["noop"]["cpu_seconds"]
    print(
        f"median of {args.runs}: pipeline {medians['real']['seconds']:.2f} s, no-op graph "
        f"{medians['noop']['seconds']:.2f} s: {ratio:.2f}x wall ({cpu_ratio:.2f}x CPU)"
    )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "medians": medians, "ratio": ratio, "cpu_ratio": cpu_ratio}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
else:
    # Loaded by Dagster: the module's one Definitions is the no-op graph, built from the real one.
    sys.path.insert(0, str(PROJECT))
    import pipelines.definitions

    defs = noop_definitions(pipelines.definitions.defs)
