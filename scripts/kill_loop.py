"""Kill the pipeline at random moments and prove that readers never see a damaged or mixed version.

    python scripts/kill_loop.py --kills 20            # the full proof (about 4 minutes)
    python scripts/kill_loop.py --kills 3 --quiet     # the short version .ci/run runs

Each round starts a whole run of the bundled sample into one warehouse, kills its process group with SIGKILL after a
random delay, and checks the published state: CURRENT.json names a committed version whose VERSION.json and tables
are all readable, the `benchmarks` link points at it, and every view of `bpo.duckdb` answers; and the staging state:
the tables of each staging step (a source's tables, rejects included) are all missing or all written by one run, as
each file's `bpo.run` metadata says. A last run goes to the end; after it every staging table is that run's, and no
temporary file of a killed run, no uncommitted version and no superseded staging write may remain. Exits 1 on any
violation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).with_name("dagster")
sys.path.insert(0, str(PROJECT))
from storage.tables import CURRENT, STEPS, table_path  # noqa: E402


def staging_steps() -> dict[str, list[str]]:
    """The tables each staging step writes together (rejects included), as the definitions group them."""
    from dagster import AssetsDefinition

    from pipelines.definitions import all_assets

    return {
        definition.node_def.name: [
            name for key in definition.keys for name in (key.path[-1], f"{key.path[-1]}__rejects")
        ]
        for definition in all_assets
        if isinstance(definition, AssetsDefinition) and set(definition.group_names_by_key.values()) == {"staging"}
    }


def start(warehouse: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "BPO_WAREHOUSE": str(warehouse), "DAGSTER_HOME": str(home)}
    command = [str(DAGSTER), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*"]
    return subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def violations(warehouse: Path) -> list[str]:
    """What is wrong with the published state, if anything."""
    pointer = warehouse / "CURRENT.json"
    if not pointer.exists():
        return [] if not (warehouse / "bpo.duckdb").exists() else ["a catalog without a current version"]
    current = json.loads(pointer.read_text())["version"]
    version = warehouse / "versions" / current
    problems = []
    if not (version / "VERSION.json").exists():
        problems.append(f"current version {current} has no VERSION.json")
    link = warehouse / "benchmarks"
    if link.resolve() != (version / "benchmarks").resolve():
        problems.append(f"benchmarks points at {link.resolve()}, not at {current}")
    try:
        with duckdb.connect(str(warehouse / "bpo.duckdb"), read_only=True) as catalog:
            views = [
                row[0] for row in catalog.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
            ]
            for view in views:
                catalog.execute(f'SELECT count(*) FROM "{view}"').fetchone()
                files = catalog.execute(f"SELECT sql FROM duckdb_views() WHERE view_name = '{view}'").fetchone()[0]
                if "versions/" in files and f"versions/{current}/" not in files:
                    problems.append(f"view {view} reads another version than the current {current}")
    except duckdb.Error as exc:
        problems.append(f"the catalog fails: {exc}")
    return problems


def staging_runs(warehouse: Path, steps: dict[str, list[str]]) -> dict[str, dict[str, str | None]]:
    """Per staging step, the run that wrote each of its stored tables (None where the table is missing)."""
    runs: dict[str, dict[str, str | None]] = {}
    for step, tables in steps.items():
        paths = {table: table_path(warehouse, "staging", table) for table in tables}
        runs[step] = {t: pl.read_parquet_metadata(p).get("bpo.run") if p.exists() else None for t, p in paths.items()}
    return runs


def mixed_staging(warehouse: Path, steps: dict[str, list[str]]) -> list[str]:
    """The staging steps whose stored tables are not all from one run (or not all there, or not all missing)."""
    try:
        runs = staging_runs(warehouse, steps)
    except Exception as exc:  # an unreadable table is a violation to report, like a failing view
        return [f"a staging table cannot be read: {exc}"]
    return [
        f"staging step {step} mixes runs: {tables}" for step, tables in runs.items() if len(set(tables.values())) > 1
    ]


def leftovers(warehouse: Path) -> list[str]:
    committed = {entry["version"] for entry in json.loads((warehouse / "CURRENT.json").read_text())["committed"]}
    found = [str(p) for pattern in (".*.tmp", ".*.old") for p in warehouse.rglob(pattern)]
    found += [str(p) for p in (warehouse / "versions").iterdir() if p.name not in committed]
    for step in (warehouse / "staging" / STEPS).iterdir():
        current = os.readlink(step / CURRENT)
        found += [str(p) for p in step.iterdir() if p.name not in (CURRENT, current)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--max-delay", type=float, default=14.0, help="seconds; a whole run takes about 11")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quiet", action="store_true")
    arguments = parser.parse_args()
    chance = random.Random(arguments.seed)
    steps = staging_steps()
    with tempfile.TemporaryDirectory() as folder:
        warehouse, home = Path(folder) / "warehouse", Path(folder) / "home"
        home.mkdir()
        problems, finished = [], 0
        for round_number in range(1, arguments.kills + 1):
            process = start(warehouse, home)
            delay = chance.uniform(0.5, arguments.max_delay)
            time.sleep(delay)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                finished += 1
            process.wait()
            found = violations(warehouse) + mixed_staging(warehouse, steps)
            problems += [f"round {round_number} (killed after {delay:.1f} s): {p}" for p in found]
            if not arguments.quiet:
                print(f"round {round_number}: killed after {delay:.1f} s, {found or 'ok'}", flush=True)
        last = start(warehouse, home)
        if last.wait() != 0:
            problems.append("the run after the kills failed")
        else:
            problems += violations(warehouse) + mixed_staging(warehouse, steps)
            problems += [f"left behind: {p}" for p in leftovers(warehouse)]
            writers = {run for tables in staging_runs(warehouse, steps).values() for run in tables.values()}
            if len(writers) != 1 or None in writers:
                problems.append(f"after the last run, staging tables come from {sorted(map(str, writers))}, not it")
        kills = arguments.kills - finished
        print(f"kill loop: {kills} kills, {finished} runs that ended before their kill, {len(problems)} violations")
        for problem in problems:
            print(f"  {problem}")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
