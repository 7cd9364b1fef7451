"""Materialization metadata shared by every layer: row counts, previews, column schemas and content digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandera.polars as pa
import polars as pl
from dagster import AssetCheckExecutionContext, AssetKey, MetadataValue, TableColumn, TableSchema

# The materialization's record of the bytes its step wrote, once they were held to their contract, and of the
# contracts' code they were held to: a table written under other contracts is validated again.
CONTENT_DIGEST = "content_sha256"
CONTRACTS_DIGEST = "contracts_sha256"
CONTRACTS_SHA256 = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted((Path(__file__).parents[1] / "schemas").glob("*.py")))
).hexdigest()
VALIDATED_WHEN_WRITTEN = (
    "held to the contract when written; the stored bytes are those written (the content digest its materialization "
    "recorded)"
)


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


def recorded_when_written(context: AssetCheckExecutionContext, table: str, digest: str) -> dict | None:
    """The metadata of `table`'s latest materialization if it recorded `digest`, the stored table's digest now, and
    the contracts' code as it is now: then the stored table is byte for byte the one its step held to the same
    contract before writing. None otherwise (a table changed since, written without a digest, or a contract changed
    since), when the table must be validated again."""
    # fetch_materializations reads one record; get_latest_materialization_event costs three times as much.
    records = context.instance.fetch_materializations(AssetKey(table), limit=1).records
    metadata = records[0].asset_materialization.metadata if records else {}
    recorded, contracts = metadata.get(CONTENT_DIGEST), metadata.get(CONTRACTS_DIGEST)
    unchanged = recorded is not None and recorded.value == digest
    return dict(metadata) if unchanged and contracts is not None and contracts.value == CONTRACTS_SHA256 else None


def table_metadata(frame: pl.DataFrame, path: str, digest: str) -> dict:
    return {
        CONTENT_DIGEST: digest,
        CONTRACTS_DIGEST: CONTRACTS_SHA256,
        "dagster/row_count": frame.height,
        "path": MetadataValue.path(path),
        "preview": MetadataValue.md(markdown_table(frame, limit=10)),
    }
