"""What every staging table does alike: hold the frame to its contract, keep the rejects, write atomically, and
check the stored table with a blocking asset check. `staging_table` makes the asset and its check from the table's
name, contract, declared inputs and the function that builds its rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandera.polars as pa
import polars as pl
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetIn,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset_check,
    multi_asset,
)

from assets.metadata import CONTENT_DIGEST, VALIDATED_WHEN_WRITTEN, column_schema, recorded_when_written, table_metadata
from assets.resources import ReferenceFiles, Warehouse
from schemas.contract import Checked, ContractError, hold_to_contract, lost_keys, validate_stored

LAYER = "staging"
IO_MANAGER = "staging_tables"
# A table's rows from its loaded inputs (raw file sets and staging tables, by asset name) and the reference files.
Build = Callable[[dict[str, Any], ReferenceFiles], pl.DataFrame]
# Above this share of rejected rows a file is more likely broken than a few of its rows: refuse the table whole, so
# the last good table stays in place.
MAX_REJECT_SHARE = 0.5
# A figure a publisher states for a past key (an exchange rate for 2015) is revised by a few per cent at most; one
# moved by more than this factor against the stored table is a unit change or a shifted column in the new release
# (a redenomination the other sources do not follow), so its row is rejected.
MAX_REVISION = 1.5


def known_countries(countries: pl.DataFrame, column: str = "iso3") -> dict[str, pl.Expr]:
    return {"unknown country code": pl.col(column).is_in(countries["iso3"].implode())}


def publish(
    warehouse: Warehouse,
    table: str,
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    rules: dict[str, pl.Expr] | None = None,
    guard_volume: bool = True,
) -> MaterializeResult:
    """Write the rows that keep the contract to `table` and the others to `table__rejects`, with the reason."""
    stored = stored_table(warehouse, table) if guard_volume else None
    [result] = write(warehouse, table, {table: check(table, frame, model, rules, stored)})
    return result


def check(
    table: str,
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    rules: dict[str, pl.Expr] | None,
    stored: pl.DataFrame | None,
) -> Checked:
    """The rows that keep the contract and the rejects; raise ContractError, leaving the stored table as it was,
    when the table as a whole cannot be right (no row kept, a file mostly rejected, or, against `stored` where the
    volume is guarded, too many keys lost)."""
    checked = hold_to_contract(frame, model, table, rules)
    broken = mostly_rejected_files(frame, checked.rejects)
    if checked.valid.is_empty() or broken:
        raise ContractError(
            f"{table}: {'; '.join(broken) or 'no row keeps the contract'} ({checked.reject_counts()}); "
            "the stored table was left as it was"
        )
    if stored is not None:
        check_volume(table, checked.valid, model, frame, stored)
    return checked


def write(warehouse: Warehouse, step: str, checked: dict[str, Checked]) -> list[MaterializeResult]:
    """Store the step's tables, each beside its `__rejects`; they replace the stored ones together (storage.tables)."""
    frames = {}
    for table, result in checked.items():
        frames |= {table: result.valid, f"{table}__rejects": result.rejects}
    paths = warehouse.write(LAYER, step, frames)
    return [
        MaterializeResult(
            asset_key=table,
            metadata={
                **table_metadata(result.valid, paths[table], warehouse.digest(LAYER, table)),
                "rejected_rows": result.rejects.height,
                "rejects_by_rule": MetadataValue.json(result.reject_counts()),
            },
        )
        for table, result in checked.items()
    ]


def check_expected_rows(frames: Any, loaded: dict[str, Any], catalogue: pl.DataFrame) -> None:
    """Refuse a raw file that gave fewer rows than its catalogue row's `min_rows` (a file cut short on its first
    ingest, when there is no stored table to compare with), naming the file, the expected and the found. Only the
    files the step's tables were read from count: a step may take a source's pull and read one file of it."""
    expected = dict(
        catalogue.filter(pl.col("min_rows").is_not_null())
        .select(pl.format("{}/{}", "source", "dataset_id"), pl.col("min_rows").cast(pl.Int64))
        .iter_rows()
    )
    files = {
        record.raw_file: expected[f"{record.source}/{dataset_id}"]
        for files in loaded.values()
        if isinstance(files, dict)
        for dataset_id, (_, record) in files.items()
        if f"{record.source}/{dataset_id}" in expected
    }
    if not files:
        return
    rows: dict[str, int] = {}
    for frame in frames:
        source = pl.col("raw_file") if "raw_file" in frame.columns else pl.col("raw_files").list.first()
        for file, count in frame.group_by(source.alias("file")).len().iter_rows():
            rows[file] = rows.get(file, 0) + count
    short = [
        f"{file} gave {rows[file]:,} rows, fewer than {least:,}"
        for file, least in files.items()
        if file in rows and rows[file] < least
    ]
    if short:
        raise ContractError(
            f"{'; '.join(short)} (min_rows in reference/raw_datasets.csv): a file cut short? Nothing was stored"
        )


def stored_table(warehouse: Warehouse, table: str) -> pl.DataFrame | None:
    """The table as stored by the last run that wrote it, or None before the first."""
    try:
        return warehouse.read(LAYER, table)
    except FileNotFoundError:
        return None


def check_volume(
    table: str, valid: pl.DataFrame, model: type[pa.DataFrameModel], frame: pl.DataFrame, stored: pl.DataFrame
) -> None:
    """Refuse a table that lost too many of the stored table's keys (schemas.contract.MAX_KEY_LOSS), naming the
    numbers and the raw files it was read from. To accept a smaller release on purpose, delete the stored table."""
    if loss := lost_keys(stored, valid, model):
        source = pl.col("raw_file") if "raw_file" in frame.columns else pl.col("raw_files").list.first()
        files = ", ".join(frame.select(source.unique().sort()).to_series().drop_nulls().to_list())
        raise ContractError(
            f"{table}: {loss} in the stored table, read from {files}: a file cut short? The stored table was left "
            "as it was"
        )


# Analysts type their quotes row by row: a file of mostly bad rows is a list of rejects to fix, not a drifted layout.
ROW_BY_ROW_FILES = "raw/vendor_quotes/"


def mostly_rejected_files(frame: pl.DataFrame, rejects: pl.DataFrame) -> list[str]:
    """The publishers' raw files more than MAX_REJECT_SHARE of whose rows were rejected, each with its counts."""
    source = pl.col("raw_file") if "raw_file" in frame.columns else pl.col("raw_files").list.first()
    totals = frame.group_by(source.alias("file")).agg(rows=pl.len())
    rejected = rejects.group_by(source.alias("file")).agg(rejected=pl.len())
    over = totals.join(rejected, on="file").filter(
        (pl.col("rejected") > MAX_REJECT_SHARE * pl.col("rows")) & ~pl.col("file").str.starts_with(ROW_BY_ROW_FILES)
    )
    return [
        f"{rejected} of {rows} rows of {file} break the contract"
        for file, rows, rejected in over.sort("file").iter_rows()
    ]


@dataclass(frozen=True)
class StagingTable:
    """One staging table: its name, contract, how its rows are built, and the row rules beyond the contract. With
    `country_column`, rows whose code is not in the staging `countries` table (then an input) are rejected."""

    name: str
    contract: type[pa.DataFrameModel]
    build: Build
    description: str
    country_column: str | None = None
    rules: dict[str, pl.Expr] | None = None
    guard_volume: bool = True
    revised_within_bound: str | None = None  # a value column that may not move beyond MAX_REVISION between pulls


def revision_name(table: StagingTable) -> str:
    key = ", ".join(table.contract.to_schema().unique)
    return f"{table.revised_within_bound} within {MAX_REVISION:g}x of the stored table's value for the same {key}"


def revision_rule(table: StagingTable, frame: pl.DataFrame, stored: pl.DataFrame) -> dict[str, pl.Expr]:
    """The rule that holds each row's `table.revised_within_bound` within MAX_REVISION of the stored table's value for
    the same key (a new key has nothing to compare with)."""
    column, key = table.revised_within_bound, table.contract.to_schema().unique
    # The stored values in the frame's row order (a left join keeping it), as the rule is evaluated row by row.
    before = frame.select(key).join(stored.select(*key, column), on=key, how="left", maintain_order="left")[column]
    ratio = pl.col(column) / before
    return {revision_name(table): ratio.is_between(1 / MAX_REVISION, MAX_REVISION) | ratio.is_null()}


def keeping_stored_where_revised(checked: Checked, table: StagingTable, stored: pl.DataFrame) -> Checked:
    """The stored row stays for each key whose new value the revision rule rejected: the last good rate, rather than
    none (with none, the next pull would have nothing to compare with and take the bad value)."""
    key = table.contract.to_schema().unique
    revised = checked.rejects.filter(pl.col("reject_rules").list.contains(revision_name(table))).select(key)
    kept = stored.join(revised, on=key, how="semi").join(checked.valid, on=key, how="anti")
    return Checked(valid=pl.concat([checked.valid, kept.select(checked.valid.columns)]), rejects=checked.rejects)


def staging_tables(*tables: StagingTable, inputs: list[str], name: str | None = None) -> list:
    """The step writing the tables of one source from `inputs`, and a blocking contract check per table. The tables
    switch together: every one is built and held to its contract before any is written, so a source whose one table
    fails leaves all of them as they were, and then all are replaced in one atomic step (storage.tables)."""
    step = name or tables[0].name

    @multi_asset(
        name=step,
        group_name=LAYER,
        ins={key: AssetIn(key) for key in inputs},
        specs=[
            AssetSpec(
                table.name,
                description=table.description,
                kinds={"parquet"},
                metadata={"dagster/column_schema": column_schema(table.contract)},
                deps=inputs,
            ).with_io_manager_key(IO_MANAGER)
            for table in tables
        ],
    )
    def _tables(warehouse: Warehouse, reference: ReferenceFiles, **loaded: Any):
        frames = {table.name: table.build(loaded, reference) for table in tables}
        check_expected_rows(frames.values(), loaded, reference.catalogue())
        checked = {}
        for table in tables:
            countries = known_countries(loaded["countries"], table.country_column) if table.country_column else {}
            rules = countries | (table.rules or {})
            frame = frames[table.name]
            # Read once for both guards that compare with it: the volume and the revisions.
            needed = table.guard_volume or table.revised_within_bound
            stored = stored_table(warehouse, table.name) if needed else None
            revised = table.revised_within_bound and stored is not None
            if revised:
                rules |= revision_rule(table, frame, stored)
            result = check(table.name, frame, table.contract, rules, stored if table.guard_volume else None)
            checked[table.name] = keeping_stored_where_revised(result, table, stored) if revised else result
        yield from write(warehouse, step, checked)

    return [_tables, *(contract_check(table.name, table.contract) for table in tables)]


def staging_table(table: str, contract: type[pa.DataFrameModel], *, inputs: list[str], **options: Any) -> list:
    """The step writing one table (see StagingTable for the options) and its blocking contract check."""
    return staging_tables(StagingTable(table, contract, **options), inputs=inputs)


def contract_check(table: str, model: type[pa.DataFrameModel]) -> AssetChecksDefinition:
    """Blocking check of the stored table against its contract, with the rejects counted by rule."""

    @asset_check(
        asset=table,
        name=f"{table}_keeps_contract",
        blocking=True,
        description=f"The stored {table} table satisfies the {model.__name__} contract (keys, types, ranges, nulls).",
    )
    def _check(context, warehouse: Warehouse) -> AssetCheckResult:
        digest = warehouse.digest(LAYER, table)
        if written := recorded_when_written(context, table, digest):
            return AssetCheckResult(
                passed=True,
                description=VALIDATED_WHEN_WRITTEN,
                metadata={
                    "rows": written["dagster/row_count"],
                    "rejected_rows": written["rejected_rows"],
                    "rejects_by_rule": written["rejects_by_rule"],
                    CONTENT_DIGEST: digest,
                },
            )
        frame = warehouse.read(LAYER, table)
        rejects = warehouse.read(LAYER, f"{table}__rejects")
        problems = validate_stored(frame, model)
        by_rule = (
            rejects.select(pl.col("reject_rules").explode().value_counts(sort=True)).unnest("reject_rules")
            if not rejects.is_empty()
            else pl.DataFrame({"reject_rules": [], "count": []})
        )
        return AssetCheckResult(
            passed=not problems,
            description="; ".join(problems) or None,
            metadata={
                "rows": frame.height,
                "rejected_rows": rejects.height,
                "rejects_by_rule": MetadataValue.json(dict(by_rule.iter_rows())),
                CONTENT_DIGEST: digest,
            },
        )

    return _check
