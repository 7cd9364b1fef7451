"""The closing summary that `python3 tasks.py pipeline` prints after the run."""

import subprocess
import sys

import polars as pl

from pipelines.summary import run_summary


def test_the_summary_counts_each_table_written_and_names_every_check_that_did_not_pass(sample_run, warehouse):
    _, result = sample_run
    summary = run_summary(result.all_events, str(warehouse))
    tier_rows = pl.read_parquet(str(warehouse / "benchmarks" / "tier_function_benchmarks"), hive_partitioning=True)
    assert f"  tier_function_benchmarks: {tier_rows.height:,} rows" in summary.splitlines()
    failed = sorted(e.check_name for e in result.get_asset_check_evaluations() if not e.passed)
    listed = [line.split()[0] for line in summary.splitlines() if line.endswith(("(warn)", "(error)"))]
    assert listed == failed
    evaluated = len(result.get_asset_check_evaluations())
    assert (
        f"{len(failed)} of {evaluated} checks did not pass:" if failed else f"all {evaluated} checks passed"
    ) in summary
    assert summary.splitlines()[-1].startswith(f"outputs: {warehouse} ")
    assert "bpo.duckdb is the catalog" in summary
    assert "no DuckDB catalog on an object store" in run_summary(result.all_events, "s3://bucket/bpo")


def test_the_summary_of_an_instance_without_runs_says_so(tmp_path):
    (tmp_path / "dagster.yaml").touch()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.summary"],
        env={"DAGSTER_HOME": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert f"no run in the Dagster instance at {tmp_path}" in done.stderr
