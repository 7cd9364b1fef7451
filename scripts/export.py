"""Export the current published version to CSV files and one Excel workbook, for readers without DuckDB or Python.

    python3 tasks.py export      # from the warehouse of BPO_WAREHOUSE (default ./warehouse) into <warehouse>/exports/

Writes `exports/<table>.csv` for every published table (list cells joined by "; ") and `exports/bpo_benchmarks.xlsx`
with a sheet per table and a `data_dictionary` sheet (table, column, type, meaning) read from the contracts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl
import xlsxwriter
from upath import UPath

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from assets.benchmarks import TABLES  # noqa: E402
from storage import versions  # noqa: E402

# Excel caps a sheet name at 31 characters.
SHEET_NAME_LENGTH = 31


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """List cells as text: CSV and Excel hold one value a cell."""
    return frame.with_columns(
        pl.col(c).list.join("; ") for c, dtype in frame.schema.items() if dtype == pl.List(pl.String)
    )


def dictionary() -> pl.DataFrame:
    rows = [
        (table, name, str(column.dtype), column.description or "")
        for table, (model, _) in TABLES.items()
        for name, column in model.to_schema().columns.items()
    ]
    return pl.DataFrame(rows, schema=["table", "column", "type", "meaning"], orient="row")


def export(root: UPath, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    tables = {table: flat(versions.read_table(root, None, table)) for table in TABLES}
    written = []
    for table, frame in tables.items():
        path = target / f"{table}.csv"
        frame.write_csv(path)
        written.append(path)
    workbook = target / "bpo_benchmarks.xlsx"
    with xlsxwriter.Workbook(workbook) as book:
        for table, frame in tables.items():
            frame.write_excel(book, worksheet=table[:SHEET_NAME_LENGTH], autofit=True)
        dictionary().write_excel(book, worksheet="data_dictionary", autofit=True)
    return [*written, workbook]


def main() -> int:
    root = UPath(os.environ.get("BPO_WAREHOUSE", str(PROJECT / "warehouse")))
    try:
        written = export(root, Path(root.path) / "exports")
    except FileNotFoundError as exc:
        print(f"error: {exc}; run python3 tasks.py pipeline first", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {written[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
