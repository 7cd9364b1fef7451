"""Tables exported into a PostgreSQL schema, for BI tools that need a database server rather than a file.

Each table becomes a table of the schema: its columns typed from the polars types, commented with their descriptions,
keyed by the table's unique key, and its rows loaded with COPY. Readers never see half an export: everything is loaded
into a schema of its own in one transaction, which ends by renaming the previous export aside and the new one into its
place, so a reader sees the old schema or the new one, whole. The previous export is dropped after that commit, once
the queries still reading it have finished. A failure at any step rolls the transaction back and leaves the previous
export as it was. Only a schema that an export wrote (its comment starts with MARKER) is ever replaced.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import polars as pl
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

# Every schema an export writes carries this comment, and no other schema is ever renamed or dropped.
MARKER = "bpo-benchmark export"
# PostgreSQL truncates a longer name to 63 bytes, which would make the loading schemas of two exports collide.
NAME_BYTES = 63
SUFFIX_BYTES = len("_retired_") + 8
CONNECT_TIMEOUT_S = 10
# COPY is fed in slices, so a large table never sits in memory whole as text.
ROWS_PER_SLICE = 50_000

SCALAR_TYPES: dict[type[pl.DataType], str] = {
    pl.Boolean: "boolean",
    pl.Int8: "smallint",
    pl.Int16: "smallint",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    # PostgreSQL has no unsigned integers: each takes the narrowest type that holds its whole range.
    pl.UInt8: "smallint",
    pl.UInt16: "integer",
    pl.UInt32: "bigint",
    pl.UInt64: "numeric(20)",
    pl.Float32: "real",
    pl.Float64: "double precision",
    pl.String: "text",
    pl.Date: "date",
}


class PostgresExportError(RuntimeError):
    """The export could not be made; the message names the table or the step, and what PostgreSQL said."""


@dataclass(frozen=True)
class ExportTable:
    """One table to export: its rows, every column's description, its unique key (the primary key), the columns that
    may hold no null, and a comment for the table itself."""

    name: str
    frame: pl.DataFrame
    descriptions: Mapping[str, str]
    key: Sequence[str] = ()
    not_null: Collection[str] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        undescribed = [column for column in self.frame.columns if not self.descriptions.get(column)]
        if undescribed:
            raise ValueError(f"table {self.name}: columns without a description: {undescribed}")
        unknown = [column for column in [*self.key, *self.not_null] if column not in self.frame.columns]
        if unknown:
            raise ValueError(f"table {self.name}: key or not-null columns {unknown} are not among {self.frame.columns}")
        for column, dtype in self.frame.schema.items():
            postgres_type(dtype, f"{self.name}.{column}")


@dataclass(frozen=True)
class ExportResult:
    schema: str
    rows: dict[str, int]
    # Previous exports still being read when the lock timeout ran out: the next export drops them.
    retired_left: list[str] = field(default_factory=list)


def postgres_type(dtype: pl.DataType, where: str) -> str:
    """The PostgreSQL type that holds every value of a polars column `where` (table.column) exactly."""
    if isinstance(dtype, pl.Datetime):
        return "timestamp with time zone" if dtype.time_zone else "timestamp without time zone"
    if isinstance(dtype, pl.List):
        if isinstance(dtype.inner, pl.List):
            raise ValueError(f"{where}: {dtype} is a list of lists, which no PostgreSQL array holds")
        return postgres_type(dtype.inner, where) + "[]"
    found = SCALAR_TYPES.get(dtype.base_type())
    if found is None:
        raise ValueError(f"{where}: no PostgreSQL type is mapped for the polars type {dtype}")
    return found


def _copy_text(frame: pl.DataFrame) -> Iterator[str]:
    """The frame as the CSV that `COPY ... (FORMAT csv)` reads, a slice at a time. Every non-numeric value is quoted,
    so an empty string stays an empty string while a null (an empty field unquoted) is a null; lists are written as
    array literals."""
    lists = [column for column, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    for part in frame.iter_slices(ROWS_PER_SLICE):
        yield part.with_columns(_array_literal(column) for column in lists).write_csv(
            include_header=False, quote_style="non_numeric"
        )


def _array_literal(column: str) -> pl.Expr:
    """A list as PostgreSQL's array input, {"a","b \\"c\\"",NULL}: every element quoted with its backslashes and
    double quotes escaped, a null element as NULL, an empty list as {}; a null list stays null."""
    text = pl.element().cast(pl.String)
    escaped = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    element = pl.when(text.is_null()).then(pl.lit("NULL")).otherwise(pl.concat_str(pl.lit('"'), escaped, pl.lit('"')))
    return pl.concat_str(pl.lit("{"), pl.col(column).list.eval(element).list.join(","), pl.lit("}")).alias(column)


def export(
    url: str,
    schema: str,
    tables: Sequence[ExportTable],
    description: str,
    readers: Sequence[str] = (),
    retired_lock_timeout_s: float = 60,
) -> ExportResult:
    """Replace `schema` in the database at `url` (a libpq URI or key=value string) with `tables`, in one step for
    readers. `description` goes into the schema's comment after MARKER; `readers` are roles granted read access (a new
    schema starts with none, whatever was granted on the previous one)."""
    _check_names(schema, tables)
    suffix = uuid.uuid4().hex[:8]
    loading = f"{schema}_loading_{suffix}"
    with _connect(url) as connection:
        with connection.transaction(), connection.cursor() as cursor:
            # Two exports into one schema at once would race for its name: the second waits for the first.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{MARKER} {schema}"])
            exists = _check_replaceable(cursor, schema)
            with _step(f"schema {loading}", "creating it"):
                cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(loading)))
            rows = {table.name: _load(cursor, loading, table) for table in tables}
            for role in readers:
                _grant(cursor, loading, role)
            _switch(cursor, schema, loading, f"{schema}_retired_{suffix}" if exists else None, description)
        left = _drop_retired(connection, schema, retired_lock_timeout_s)
    return ExportResult(schema=schema, rows=rows, retired_left=left)


def _check_names(schema: str, tables: Sequence[ExportTable]) -> None:
    if not schema or len(schema.encode()) > NAME_BYTES - SUFFIX_BYTES:
        raise PostgresExportError(f"schema name {schema!r}: give 1 to {NAME_BYTES - SUFFIX_BYTES} bytes")
    names = [table.name for table in tables]
    if len(set(names)) != len(names):
        raise PostgresExportError(f"tables named more than once: {sorted({n for n in names if names.count(n) > 1})}")


def _connect(url: str) -> psycopg.Connection:
    try:
        settings = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise PostgresExportError(f"not a PostgreSQL connection URI or key=value string: {exc}") from exc
    settings.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    settings.setdefault("application_name", MARKER)
    try:
        return psycopg.connect(**settings, autocommit=True)
    except psycopg.OperationalError as exc:
        # Named from the parsed settings, never the URI itself, which may hold a password.
        where = ", ".join(f"{key} {settings[key]}" for key in ("host", "port", "dbname", "user") if key in settings)
        raise PostgresExportError(f"cannot connect to PostgreSQL ({where or 'libpq defaults'}): {exc}") from exc


@contextmanager
def _step(subject: str, action: str) -> Iterator[None]:
    """A failed statement as an error naming what it was doing, for which table or schema, and PostgreSQL's reason."""
    try:
        yield
    except psycopg.Error as exc:
        reason = "; ".join(part.rstrip(".") for part in (exc.diag.message_primary, exc.diag.message_detail) if part)
        raise PostgresExportError(
            f"{subject}: {action} failed: {reason or exc}; the previous export is left as it was"
        ) from exc


def _check_replaceable(cursor: psycopg.Cursor, schema: str) -> bool:
    """Whether `schema` exists; an error if it does and an export did not write it (it would be dropped)."""
    cursor.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [schema])
    found = cursor.fetchone()
    if found is not None and not (found[0] or "").startswith(MARKER):
        raise PostgresExportError(
            f"schema {schema} exists and no export wrote it (its comment does not start with {MARKER!r}): "
            "refusing to replace it; export into another schema"
        )
    return found is not None


def _load(cursor: psycopg.Cursor, schema: str, table: ExportTable) -> int:
    """Create, fill, key and comment one table; the number of rows loaded."""
    name = sql.Identifier(schema, table.name)
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}{}").format(
            sql.Identifier(column),
            sql.SQL(postgres_type(dtype, f"{table.name}.{column}")),
            sql.SQL(" NOT NULL" if column in table.not_null else ""),
        )
        for column, dtype in table.frame.schema.items()
    )
    subject = f"table {table.name}"
    with _step(subject, "creating it"):
        cursor.execute(sql.SQL("CREATE TABLE {} ({})").format(name, columns))
    with _step(subject, "loading its rows with COPY"):
        with cursor.copy(sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(name)) as copy:
            for text in _copy_text(table.frame):
                copy.write(text)
        loaded = cursor.rowcount
    if loaded != table.frame.height:
        raise PostgresExportError(f"{subject}: COPY loaded {loaded} rows of {table.frame.height}")
    if table.key:
        # Added after the rows are in: one index build instead of an index updated row by row.
        with _step(subject, f"adding its primary key ({', '.join(table.key)})"):
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
                    name, sql.SQL(", ").join(map(sql.Identifier, table.key))
                )
            )
    comments = [sql.SQL("COMMENT ON TABLE {} IS {}").format(name, sql.Literal(table.comment or None))]
    comments += [
        sql.SQL("COMMENT ON COLUMN {} IS {}").format(sql.Identifier(schema, table.name, column), sql.Literal(text))
        for column, text in table.descriptions.items()
        if column in table.frame.columns
    ]
    with _step(subject, "commenting it"):
        cursor.execute(sql.SQL("; ").join(comments))
    return loaded


def _grant(cursor: psycopg.Cursor, schema: str, role: str) -> None:
    with _step(f"role {role}", "granting it read access"):
        cursor.execute(
            sql.SQL(
                "GRANT USAGE ON SCHEMA {schema} TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"
            ).format(schema=sql.Identifier(schema), role=sql.Identifier(role))
        )


def _switch(cursor: psycopg.Cursor, schema: str, loading: str, retired: str | None, description: str) -> None:
    """The previous export renamed aside and the new one into its place; both take effect together at commit."""
    with _step(f"schema {schema}", "switching to the new export"):
        if retired:
            cursor.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(retired))
            )
        cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(loading), sql.Identifier(schema)))
        cursor.execute(
            sql.SQL("COMMENT ON SCHEMA {} IS {}").format(
                sql.Identifier(schema), sql.Literal(f"{MARKER}: {description}")
            )
        )


def _drop_retired(connection: psycopg.Connection, schema: str, lock_timeout_s: float) -> list[str]:
    """Drop the previous exports of `schema` (this one's, and any an interrupted export left). A drop waits for the
    queries still reading that export; one still waited for after the timeout is left for the next export."""
    prefix = f"{schema}_retired_"
    found = connection.execute(
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) "
        "AND starts_with(coalesce(obj_description(oid, 'pg_namespace'), ''), %s) ORDER BY nspname",
        [prefix, MARKER],
    ).fetchall()
    left = []
    for (retired,) in found:
        try:
            with connection.transaction():
                timeout = sql.Literal(f"{round(lock_timeout_s * 1000)}ms")
                connection.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(timeout))
                connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(retired)))
        except psycopg.errors.LockNotAvailable:
            left.append(retired)
    return left
