"""The catalog as BI users meet it: the README's queries in a DuckDB 1.x client (the duckdb-cli wheel in the lock) and
in the current Python package, and a copied warehouse that reads its own files, never the original's."""

import csv
import io
import re
import shlex
import shutil
import subprocess
import sys

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.pipeline.conftest import PUBLISHED_TABLES
from tests.shared_data import PROJECT

# The 1.x command line, run through its wheel's module so the test does not depend on where scripts are installed.
CLI = [sys.executable, "-m", "duckdb_cli"]


def readme_examples() -> tuple[list[str], str]:
    """The shell command and the Python code of the README's "Reading the published tables"."""
    section = (PROJECT / "README.md").read_text().split("## Reading the published tables")[1].split("\n## ")[0]
    shell = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    python = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    return shlex.split(shell.replace("\\\n", " ")), python


def cli(*arguments: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *arguments], cwd=cwd, capture_output=True, text=True, timeout=120)


def cli_rows(catalog, sql: str, cwd) -> list[list[str]]:
    answer = cli("-readonly", "-csv", str(catalog), sql, cwd=cwd)
    assert answer.returncode == 0, answer.stderr
    return list(csv.reader(io.StringIO(answer.stdout)))[1:]


def view_counts(catalog) -> dict[str, int]:
    with duckdb.connect(str(catalog), read_only=True) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in PUBLISHED_TABLES}


@pytest.fixture
def project_folder(warehouse, tmp_path):
    """A folder where `warehouse` is the shared warehouse, as it is in a clone after `tasks.py pipeline`."""
    (tmp_path / "warehouse").symlink_to(str(warehouse))
    return tmp_path


def test_the_cli_in_the_lock_is_a_duckdb_1x():
    version = cli("--version", cwd=PROJECT)
    assert version.returncode == 0 and version.stdout.startswith("v1."), version.stdout + version.stderr


def test_the_readme_command_line_query_runs_in_the_1x_cli_as_in_the_current_duckdb(project_folder):
    command, _ = readme_examples()
    assert command[0] == ".venv/bin/duckdb", "the README's example no longer runs the CLI of the lock"
    shown = cli(*command[1:], cwd=project_folder)
    assert shown.returncode == 0, shown.stderr

    sql = command[-1]
    from_cli = cli_rows("warehouse/bpo.duckdb", sql, cwd=project_folder)
    with duckdb.connect(str(project_folder / "warehouse" / "bpo.duckdb"), read_only=True) as connection:
        from_python = connection.sql(sql).fetchall()
    assert len(from_cli) == len(from_python) > 0
    assert [row[:2] for row in from_cli] == [[function, tier] for function, tier, *_ in from_python]
    assert all(function in shown.stdout for function, *_ in from_python)


def test_the_readme_python_query_runs_in_the_current_duckdb_and_the_1x_cli(project_folder, monkeypatch):
    _, code = readme_examples()
    monkeypatch.chdir(project_folder)
    namespace: dict = {}
    exec(code, namespace)

    costs = namespace["costs"]
    assert costs.height > 0 and set(costs["country_iso3"]) == {"PHL"}
    sql = re.search(r'db\.sql\("(.*?)"\)', code).group(1)
    assert len(cli_rows("warehouse/bpo.duckdb", sql, cwd=project_folder)) == costs.height


def test_a_copied_warehouse_reads_its_own_files_never_the_originals(copy_of, tmp_path):
    original = copy_of
    copy = tmp_path / "elsewhere" / "warehouse"
    shutil.copytree(str(original), str(copy), symlinks=True)
    expected = view_counts(original / "bpo.duckdb")
    # The original changes: one file of vendor_rates is there twice.
    part = next((original / "benchmarks" / "vendor_rates").rglob("*.parquet"))
    pq.write_table(pq.read_table(part.path), part.with_name("part-1.parquet").path)
    added = pq.read_metadata(part.path).num_rows

    assert view_counts(original / "bpo.duckdb")["vendor_rates"] == expected["vendor_rates"] + added
    assert view_counts(copy / "bpo.duckdb") == expected
    # From the original's folder too, where a path relative to the working directory would read the original.
    sql = "SELECT count(*) FROM vendor_rates"
    assert cli_rows(copy / "bpo.duckdb", sql, cwd=original) == [[str(expected["vendor_rates"])]]

    shutil.rmtree(str(original))
    assert view_counts(copy / "bpo.duckdb") == expected
    assert cli_rows(copy / "bpo.duckdb", sql, cwd=tmp_path) == [[str(expected["vendor_rates"])]]


def test_a_copy_missing_a_table_fails_naming_the_missing_path(copy_of):
    current = (copy_of / "benchmarks").resolve() / "vendor_rates"
    shutil.rmtree(str(current))

    with pytest.raises(duckdb.IOException, match=re.escape(f"{current}/**/*.parquet")):
        view_counts(copy_of / "bpo.duckdb")
    failed = cli("-readonly", str(copy_of / "bpo.duckdb"), "SELECT count(*) FROM vendor_rates", cwd=copy_of)
    assert failed.returncode != 0 and "versions/" in failed.stderr and "/benchmarks/vendor_rates/" in failed.stderr


def test_the_catalog_attached_to_another_database_refuses_to_guess_where_it_is(warehouse):
    sql = f"ATTACH '{warehouse / 'bpo.duckdb'}' AS bpo (READ_ONLY); SELECT count(*) FROM bpo.vendor_rates"
    failed = cli("-c", sql, cwd=warehouse)
    assert failed.returncode != 0 and "open bpo.duckdb itself as the database" in failed.stderr
