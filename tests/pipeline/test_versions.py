"""Run-level commits: a run's tables become current together, after its checks, or not at all; an unchanged rerun adds
no version; what changed is published with its reason; one run at a time; a reader never sees an error."""

import json
import threading

import duckdb
import pytest
from upath import UPath

from storage import versions
from storage.lock import WarehouseBusyError, WarehouseLock
from storage.published import read_partitioned
from tests.pipeline.conftest import PUBLISHED_TABLES, REFERENCE, reference_with, run

PUBLISH = [*PUBLISHED_TABLES, "bpo_catalog", "current_version"]


def pointer(root):
    return json.loads((root / "CURRENT.json").read_text())


def test_a_rerun_on_unchanged_inputs_adds_no_version(copy_of):
    before = pointer(copy_of)

    assert run(copy_of, selection=PUBLISH).success

    assert pointer(copy_of) == before
    assert [p.name for p in (copy_of / "versions").iterdir()] == [before["version"]]


def test_a_changed_parameter_commits_a_new_version_and_says_what_changed(copy_of, tmp_path):
    before = pointer(copy_of)["version"]
    parameters = (REFERENCE.path / "cost_parameters.csv").read_text()
    reference = reference_with(
        tmp_path / "reference",
        cost_parameters=parameters + "overhead_per_seat_usd_year,country,PHL,1200,US$ per FTE per year,a test value\n",
    )

    assert run(copy_of, selection=PUBLISH, reference=reference).success

    now = pointer(copy_of)
    assert now["version"] != before and [c["version"] for c in now["committed"]] == [before, now["version"]]
    assert (copy_of / "benchmarks").resolve().parent.name == now["version"]
    changes = read_partitioned(copy_of, "benchmark_changes")
    phl = changes.filter(table="location_function_costs", change="changed")
    assert phl.height > 0 and set(phl["key"].str.split("/").list.get(1)) == {"PHL"}
    assert (phl["new_value"] > phl["old_value"]).all()
    assert phl["reason"].str.contains("reference file cost_parameters.csv changed").all()


def test_a_run_whose_blocking_check_fails_switches_nothing(copy_of, tmp_path):
    before = {p: p.read_bytes() for p in copy_of.glob("benchmarks/**/*.parquet")}
    catalog = (copy_of / "bpo.duckdb").read_bytes()
    # A buyer with no delivery location anywhere near: the complete-tiers check blocks the version.
    reference = reference_with(tmp_path / "reference", buyers="buyer_iso3,note\nUSA,default\nKIR,no tiers\n")

    result = run(copy_of, selection=PUBLISH, reference=reference)

    assert not result.success
    assert {p: p.read_bytes() for p in copy_of.glob("benchmarks/**/*.parquet")} == before
    assert (copy_of / "bpo.duckdb").read_bytes() == catalog


def test_retention_keeps_the_newest_versions_and_prunes_dead_ones(tmp_path):
    root = UPath(tmp_path)
    (root / "versions" / "dead-run").mkdir(parents=True)
    versions.prune(root, keep={"kept"})
    assert not (root / "versions" / "dead-run").exists()


def test_a_second_run_on_the_same_warehouse_is_refused_naming_the_first(tmp_path):
    root = UPath(tmp_path)
    WarehouseLock.acquire(root, "run-a")
    try:
        with pytest.raises(WarehouseBusyError, match="being written by another run \\(run run-a"):
            WarehouseLock.acquire(UPath(str(tmp_path)), "run-b")
    finally:
        WarehouseLock.release(root, "run-a")
    WarehouseLock.acquire(root, "run-b")
    WarehouseLock.release(root, "run-b")


def test_taking_the_lock_removes_what_killed_runs_left(tmp_path):
    root = UPath(tmp_path)
    (root / "staging" / "earnings").mkdir(parents=True)
    leftover = root / "staging" / "earnings" / ".earnings.parquet.0a1b.tmp"
    leftover.write_bytes(b"half")
    (root / "versions" / "x" / "benchmarks" / ".vendor_rates.0a1b.tmp").mkdir(parents=True)
    WarehouseLock.acquire(root, "run-c")
    WarehouseLock.release(root, "run-c")
    assert not leftover.exists() and not (root / "versions" / "x" / "benchmarks" / ".vendor_rates.0a1b.tmp").exists()


def test_a_reader_of_the_catalog_sees_no_error_while_versions_are_committed(copy_of, tmp_path):
    errors, queries, stop = [], [0], threading.Event()
    tables = [t for t in PUBLISHED_TABLES]

    def read():
        while not stop.is_set():
            try:
                with duckdb.connect(str(copy_of / "bpo.duckdb"), read_only=True) as db:
                    for table in tables:
                        db.execute(f"SELECT count(*) FROM {table}").fetchone()
                        queries[0] += 1
            except Exception as exc:
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        parameters = (REFERENCE.path / "cost_parameters.csv").read_text()
        for n, overhead in enumerate((600, 900, 1500)):
            reference = reference_with(
                tmp_path / f"reference{n}",
                cost_parameters=parameters + f"overhead_per_seat_usd_year,country,IND,{overhead},US$,a test value\n",
            )
            assert run(copy_of, selection=PUBLISH, reference=reference).success
    finally:
        stop.set()
        reader.join()
    assert queries[0] > 0 and errors == []
    assert len(pointer(copy_of)["committed"]) == 4
