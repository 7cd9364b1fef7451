"""Kill the pipeline at random moments and prove that readers never see a damaged or mixed version.

    python scripts/kill_loop.py --kills 20            # the full proof (about 4 minutes)
    python scripts/kill_loop.py --kills 3 --quiet     # the short version .ci/run runs

Each round starts a whole run of the bundled sample into one warehouse, kills its process group with SIGKILL after a
random delay, and checks the published state: CURRENT.json names a committed version whose VERSION.json and tables
are all readable, the `benchmarks` link points at it, and every view of `bpo.duckdb` answers. A last run goes to the
end; after it no temporary file of a killed run and no uncommitted version may remain. Exits 1 on any violation.
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

PROJECT = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).with_name("dagster")


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


def leftovers(warehouse: Path) -> list[str]:
    committed = {entry["version"] for entry in json.loads((warehouse / "CURRENT.json").read_text())["committed"]}
    found = [str(p) for pattern in (".*.tmp", ".*.old") for p in warehouse.rglob(pattern)]
    found += [str(p) for p in (warehouse / "versions").iterdir() if p.name not in committed]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--max-delay", type=float, default=14.0, help="seconds; a whole run takes about 11")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quiet", action="store_true")
    arguments = parser.parse_args()
    chance = random.Random(arguments.seed)
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
            found = violations(warehouse)
            problems += [f"round {round_number} (killed after {delay:.1f} s): {p}" for p in found]
            if not arguments.quiet:
                print(f"round {round_number}: killed after {delay:.1f} s, {found or 'ok'}", flush=True)
        last = start(warehouse, home)
        if last.wait() != 0:
            problems.append("the run after the kills failed")
        else:
            problems += violations(warehouse) + [f"left behind: {p}" for p in leftovers(warehouse)]
        kills = arguments.kills - finished
        print(f"kill loop: {kills} kills, {finished} runs that ended before their kill, {len(problems)} violations")
        for problem in problems:
            print(f"  {problem}")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
