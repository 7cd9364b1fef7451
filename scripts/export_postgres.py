"""Export the current published version into a PostgreSQL schema, for BI tools that need a database server.

    BPO_POSTGRES_URL=postgresql://user:password@host:5432/analytics python3 tasks.py export-postgres
    python3 tasks.py export-postgres --schema bpo --grant-to bi_reader

Every table the catalog `bpo.duckdb` serves (the published tables and the staging evidence) becomes a table of the
schema, with its columns' descriptions as comments and its contract's unique key as primary key, and readers see the
new export in one step (storage.postgres). Settings, from the environment unless given as options: BPO_POSTGRES_URL
(a libpq URI or key=value string; required), BPO_POSTGRES_SCHEMA (default `bpo`), BPO_POSTGRES_READERS (roles granted
read access, comma-separated) and BPO_WAREHOUSE (default ./warehouse).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandera.polars as pa
import polars as pl
from upath import UPath

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from assets.benchmarks import TABLES  # noqa: E402
from assets.publish import EVIDENCE  # noqa: E402
from storage import versions  # noqa: E402
from storage.postgres import ExportTable, PostgresExportError, export  # noqa: E402
from storage.published import read_partitioned, table_provenance  # noqa: E402
from storage.tables import read_table  # noqa: E402


def tables_to_export(root: UPath) -> tuple[list[ExportTable], str]:
    """The current version's tables, as the catalog serves them, and a description of where they come from."""
    version = versions.current(root)["version"]
    if version is None:
        raise FileNotFoundError(f"no published version in {root}")
    # One version throughout, even if a run commits another meanwhile.
    base = versions.version_root(root, version)
    tables = [
        from_contract(table, read_partitioned(base, table), model, json.dumps(table_provenance(base, table)))
        for table, (model, _) in TABLES.items()
    ]
    for table, model in EVIDENCE.items():
        comment = f"staging/{table} as of published version {version}: the evidence behind the benchmarks"
        tables.append(from_contract(table, read_table(base, "staging", table), model, comment))
    exported_at = datetime.now(UTC).isoformat(timespec="seconds")
    return tables, f"published version {version} of {root}, exported {exported_at}"


def from_contract(table: str, frame: pl.DataFrame, model: type[pa.DataFrameModel], comment: str) -> ExportTable:
    """The table with its contract's descriptions, unique key and non-nullable columns."""
    schema = model.to_schema()
    key = schema.unique or [name for name, column in schema.columns.items() if column.unique]
    return ExportTable(
        name=table,
        frame=frame,
        descriptions={name: column.description for name, column in schema.columns.items()},
        key=key,
        not_null=[name for name, column in schema.columns.items() if not column.nullable],
        comment=comment,
    )


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 tasks.py export-postgres", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--schema",
        default=os.environ.get("BPO_POSTGRES_SCHEMA", "bpo"),
        help="the schema to replace (default: $BPO_POSTGRES_SCHEMA, else bpo)",
    )
    parser.add_argument(
        "--grant-to",
        default=os.environ.get("BPO_POSTGRES_READERS", ""),
        metavar="ROLES",
        help="roles granted read access to the new schema, comma-separated (default: $BPO_POSTGRES_READERS)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = arguments(argv)
    url = os.environ.get("BPO_POSTGRES_URL")
    if not url:
        print(
            "error: set BPO_POSTGRES_URL to the database, e.g. postgresql://user:password@host:5432/db", file=sys.stderr
        )
        return 2
    root = UPath(os.environ.get("BPO_WAREHOUSE", str(PROJECT / "warehouse")))
    try:
        tables, description = tables_to_export(root)
    except FileNotFoundError as exc:
        print(f"error: {exc}; run python3 tasks.py pipeline first", file=sys.stderr)
        return 1
    except ValueError as exc:  # a table its contract does not describe
        print(f"error: {exc}", file=sys.stderr)
        return 1
    readers = [role.strip() for role in options.grant_to.split(",") if role.strip()]
    try:
        result = export(url, options.schema, tables, description, readers)
    except PostgresExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"exported {len(result.rows)} tables, {sum(result.rows.values())} rows, into schema {result.schema}")
    for retired in result.retired_left:
        print(f"note: {retired}, the previous export, is still being read; the next export drops it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
