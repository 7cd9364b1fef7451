"""Materialization metadata shared by every layer: row counts, previews and column schemas."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from dagster import MetadataValue, TableColumn, TableSchema


def markdown_table(frame: pl.DataFrame, limit: int = 20) -> str:
    shown = frame.head(limit)
    header = "| " + " | ".join(shown.columns) + " |\n|" + "---|" * shown.width + "\n"
    body = "".join("| " + " | ".join("" if v is None else str(v) for v in row) + " |\n" for row in shown.iter_rows())
    more = f"\n… and {frame.height - limit} more rows" if frame.height > limit else ""
    return header + body + more


def column_schema(model: type[pa.DataFrameModel]) -> TableSchema:
    """The Dagster column schema of a table, read from its pandera contract."""
    schema = model.to_schema()
    return TableSchema(
        columns=[
            TableColumn(name=name, type=str(column.dtype), description=column.description)
            for name, column in schema.columns.items()
        ]
    )


def table_metadata(frame: pl.DataFrame, path: str) -> dict:
    return {
        "dagster/row_count": frame.height,
        "path": MetadataValue.path(path),
        "preview": MetadataValue.md(markdown_table(frame, limit=10)),
    }
