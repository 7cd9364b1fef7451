"""Published benchmark tables: Hive-partitioned Parquet that documents itself, and a DuckDB catalog of views over it.

A table is a folder `benchmarks/<table>/<column>=<value>/.../part-0.parquet` that polars, DuckDB, pyarrow and Spark read
without this code. Every file carries its columns' descriptions (field metadata `description`), the table's name and its
provenance (schema metadata `bpo.table`, `bpo.provenance`), so a file copied out of the warehouse still says what it is.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import uuid

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from upath import UPath

from storage.atomic import LOCAL_PROTOCOLS

LAYER = "benchmarks"
CATALOG = "bpo.duckdb"
# DuckDB 2.0 writes storage version 69 by default, which every 1.x client (the CLI, JDBC and ODBC drivers BI tools
# bundle) refuses. The catalog holds only views, so it is written in the oldest format 1.0 to 2.x all read (64).
CATALOG_STORAGE_VERSION = "v1.0.0"
# The macro every view reads its files through; see `_locating_macro`.
LOCATOR = "warehouse_file"
# A Hive path keeps a partition column's values but neither its type nor its description, and the column is not in the
# files. Left to guess the type from the values, polars reads buyer code "001" back as the integer 1; so each file also
# carries the partition columns' Arrow schema, serialized the way Arrow stores its own `ARROW:schema`.
PARTITION_SCHEMA = b"bpo.partition_schema"


def published_path(root: UPath, table: str) -> UPath:
    return root / LAYER / table


def write_partitioned(
    root: UPath,
    table: str,
    frame: pl.DataFrame,
    partition_by: list[str],
    descriptions: dict[str, str],
    provenance: dict[str, str],
) -> UPath:
    """Replace the whole table with `frame`: a partition missing from it disappears rather than lingering stale."""
    _check_publishable(table, frame, partition_by, descriptions)
    data = _documented(frame.to_arrow(), table, partition_by, descriptions, provenance)
    target = published_path(root, table)
    if target.protocol in LOCAL_PROTOCOLS:
        _write_then_swap(target, data)
    else:
        _write_in_place(target, data)
    return target


def read_partitioned(root: UPath, table: str) -> pl.DataFrame:
    """The table with its partition columns last (as every Hive reader returns them), in the types they were written."""
    folder = published_path(root, table)
    partitioning = ds.partitioning(_partition_schema(_read_schema(_any_file(root, table))), flavor="hive")
    dataset = ds.dataset(folder.path, filesystem=folder.fs, format="parquet", partitioning=partitioning)
    return pl.from_arrow(dataset.to_table())


def table_provenance(root: UPath, table: str) -> dict[str, str]:
    """The provenance a published table's files carry (storage metadata `bpo.provenance`)."""
    return json.loads(_read_schema(_any_file(root, table)).metadata[b"bpo.provenance"])


def parquet_column_descriptions(path: UPath | str) -> dict[str, str]:
    """Column name -> description as stored in one file of a published table, partition columns included."""
    return _descriptions(_read_schema(UPath(path)))


def catalog_refusal(root: UPath) -> str | None:
    """Why no DuckDB catalog can be built under `root`, or None where one can."""
    if root.protocol in LOCAL_PROTOCOLS:
        return None
    return (
        f"no DuckDB catalog on an object store ({root}): DuckDB opens database files only from a local disk and reads "
        "s3:// through its httpfs extension, which it downloads on first use; read the Parquet of the version that "
        "CURRENT.json names instead"
    )


def build_duckdb_catalog(
    root: UPath, tables: dict[str, list[str]], staging_tables: tuple[str, ...] = (), warehouse: UPath | None = None
) -> UPath:
    """`root/bpo.duckdb`: a view per published table under `root` (name -> its partition columns), for BI tools and
    ad hoc SQL, and one per staging table named in `staging_tables` (evidence an analyst reads beside the benchmarks).

    The views find their files from where the catalog sits, not from absolute paths, so a copied or moved warehouse
    reads its own files (or fails naming the missing path). When `root` is a folder inside `warehouse` (a version),
    a byte copy of the catalog at the warehouse root finds the same files.

    The new catalog is built in a temporary file and renamed over the old one, so a tool holding the old file open
    keeps reading it undisturbed (on Linux the rename leaves its open inode alive) and never sees a half-built catalog.
    """
    refusal = catalog_refusal(root)
    if refusal:
        raise ValueError(refusal)
    warehouse = warehouse or root
    location = os.path.relpath(os.path.abspath(root.path), os.path.abspath(warehouse.path))
    if location.startswith(".."):
        raise ValueError(f"the catalog's folder {root} is not inside the warehouse {warehouse}")
    location = "" if location == "." else location.replace(os.sep, "/") + "/"
    target = root / CATALOG
    temporary = root / f".{CATALOG}.{uuid.uuid4().hex}.tmp"
    # The views are bound as they are created, so the session pretends to be the catalog opened where it will sit.
    config = {"temp_directory": os.path.abspath(target.path) + ".tmp"}
    try:
        with duckdb.connect(":memory:", config=config) as connection:
            connection.execute(
                f"ATTACH {_literal(temporary.path)} AS catalog (STORAGE_VERSION {_literal(CATALOG_STORAGE_VERSION)})"
            )
            connection.execute("USE catalog")
            # One transaction for the whole catalog: a commit per view and per comment cost most of the build.
            connection.execute("BEGIN TRANSACTION")
            connection.execute(_locating_macro(location))
            connection.execute(
                f"COMMENT ON MACRO {LOCATOR} IS "
                + _literal(
                    "The path of a file of this warehouse, found from where bpo.duckdb sits (its default "
                    "temp_directory), so that a copied or moved warehouse reads its own files"
                )
            )
            for table, partition_by in tables.items():
                _create_view(connection, root, location, table, partition_by)
            for table in staging_tables:
                staged = f"{location}staging/{table}/{table}.parquet"
                connection.execute(
                    f"CREATE VIEW {_identifier(table)} AS SELECT * FROM read_parquet({LOCATOR}({_literal(staged)}))"
                )
            connection.execute("COMMIT")
        os.replace(temporary.path, target.path)
    finally:
        # DuckDB writes a `.wal` beside the database until the connection closes cleanly.
        for leftover in (temporary, temporary.with_name(f"{temporary.name}.wal")):
            if leftover.exists():
                leftover.unlink()
    return target


def _locating_macro(location: str) -> str:
    """`warehouse_file(path)`: a path relative to the warehouse made into the path of that file in the warehouse the
    catalog sits in. DuckDB resolves a relative path against the working directory and has no setting for the
    database file's own folder, but its default temp_directory is the database's path plus `.tmp`, in every client
    from 1.0 on. The catalog sits at the warehouse root or at `location` inside it (its version folder). Where
    temp_directory is not that default (set by hand, or the catalog ATTACHed to another database) the macro fails
    saying so, rather than resolve against whatever the working directory holds."""
    here = "current_setting('temp_directory')"
    separator = r"[\\/]"  # a client on Windows gives its path with backslashes
    own_name = re.escape(f"{CATALOG}.tmp") + "$"
    inside = "(" + re.escape(location).replace("/", separator) + ")?" if location else ""
    is_default = _literal(f"(^|{separator}){own_name}")
    warehouse = f"regexp_replace({here}, {_literal(inside + own_name)}, '')"
    problem = " || ".join(
        (
            _literal(
                f"{CATALOG} finds its files from its own path, DuckDB's default temp_directory (<database>.tmp), "
            ),
            _literal("but this session's temp_directory is "),
            here,
            _literal(f": open {CATALOG} itself as the database, not ATTACHed to another, leaving temp_directory unset"),
        )
    )
    return (
        f"CREATE MACRO {LOCATOR}(relative_path) AS CASE WHEN regexp_matches({here}, {is_default}) "
        f"THEN {warehouse} || relative_path ELSE error({problem}) END"
    )


def _check_publishable(table: str, frame: pl.DataFrame, partition_by: list[str], descriptions: dict[str, str]) -> None:
    if frame.is_empty():
        # A partitioned write of no rows writes no files, and then every `**/*.parquet` reader fails with "no files".
        raise ValueError(f"{LAYER}/{table} has no rows: refusing to publish an empty table")
    if not set(partition_by) < set(frame.columns):
        # Partition columns live only in the folder names, so at least one column must be left for the files.
        raise ValueError(f"{LAYER}/{table} can be partitioned by some, not all, of {frame.columns}: {partition_by}")
    undescribed = [column for column in frame.columns if column not in descriptions]
    if undescribed:
        raise ValueError(f"{LAYER}/{table} would publish columns without a description: {undescribed}")


def _documented(
    data: pa.Table, table: str, partition_by: list[str], descriptions: dict[str, str], provenance: dict[str, str]
) -> pa.Table:
    schema = pa.schema([field.with_metadata({"description": descriptions[field.name]}) for field in data.schema])
    # In `partition_by` order, which is the order of the folder levels.
    partition_schema = pa.schema([schema.field(name) for name in partition_by]).serialize()
    schema = schema.with_metadata(
        {
            "bpo.table": table,
            "bpo.provenance": json.dumps(provenance),
            PARTITION_SCHEMA: base64.b64encode(partition_schema.to_pybytes()),
        }
    )
    return pa.Table.from_arrays(data.columns, schema=schema)


def _write_then_swap(target: UPath, data: pa.Table) -> None:
    """On a local disk the new table is written beside the old one and swapped in by renames, so a failed write leaves
    the old table untouched; the temporary folder goes in every case."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        _write_dataset(temporary, data)
        _swap(temporary, target)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def _swap(temporary: UPath, target: UPath) -> None:
    """A rename cannot replace a non-empty folder, so the old table is renamed aside first and deleted last. Readers
    see the old table or the new one, except in the instant between the two renames, when there is none."""
    retired = temporary.with_suffix(".old")
    if target.exists():
        target.rename(retired)
    try:
        temporary.rename(target)
    except BaseException:
        if retired.exists():
            retired.rename(target)
        raise
    if retired.exists():
        shutil.rmtree(retired)


def _write_in_place(target: UPath, data: pa.Table) -> None:
    """An object store has no rename, so the table is replaced in place and a reader may meanwhile see it half-written.
    Its old objects go first: overwriting alone would leave the partitions missing from the new frame behind."""
    if target.exists():
        target.fs.rm(target.path, recursive=True)
    _write_dataset(target, data)


def _write_dataset(folder: UPath, data: pa.Table) -> None:
    partition_schema = _partition_schema(data.schema)
    ds.write_dataset(
        data,
        folder.path,
        filesystem=folder.fs,
        format="parquet",
        partitioning=ds.partitioning(partition_schema, flavor="hive"),
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd", write_statistics=True),
        basename_template="part-{i}.parquet",
        preserve_order=True,  # the same frame writes the same files, so a rerun changes nothing downstream
    )


def _any_file(root: UPath, table: str) -> UPath:
    """Any one file stands for the table: all are written together from one schema."""
    found = next(published_path(root, table).rglob("*.parquet"), None)
    if found is None:
        raise FileNotFoundError(f"table {LAYER}/{table} is not in {root}: materialize it first")
    return found


def _read_schema(file: UPath) -> pa.Schema:
    return pq.read_schema(file.path, filesystem=file.fs)


def _partition_schema(schema: pa.Schema) -> pa.Schema:
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(schema.metadata[PARTITION_SCHEMA])))


def _descriptions(schema: pa.Schema) -> dict[str, str]:
    return {field.name: field.metadata[b"description"].decode() for field in [*schema, *_partition_schema(schema)]}


def _create_view(
    connection: duckdb.DuckDBPyConnection, root: UPath, location: str, table: str, partition_by: list[str]
) -> None:
    """A view over the table's files, typed and commented from their metadata, reading them through the locating
    macro. The columns are listed because DuckDB takes every `key=value` folder of the path for a partition column,
    including any above the warehouse (`/data/run=7/...` would add a column `run`)."""
    schema = _read_schema(_any_file(root, table))
    partition_schema = _partition_schema(schema)
    if partition_schema.names != partition_by:
        raise ValueError(f"{LAYER}/{table} is partitioned by {partition_schema.names}, not {partition_by}")
    columns = ", ".join(_identifier(name) for name in [*schema.names, *partition_by])
    files = f"{location}{LAYER}/{table}/**/*.parquet"
    view = _identifier(table)
    connection.execute(
        f"CREATE VIEW {view} AS SELECT {columns} "
        f"FROM read_parquet({LOCATOR}({_literal(files)}), {_hive_options(connection, partition_schema)})"
    )
    connection.execute(f"COMMENT ON VIEW {view} IS {_literal(schema.metadata[b'bpo.provenance'].decode())}")
    for column, description in _descriptions(schema).items():
        connection.execute(f"COMMENT ON COLUMN {view}.{_identifier(column)} IS {_literal(description)}")


def _hive_options(connection: duckdb.DuckDBPyConnection, partition_schema: pa.Schema) -> str:
    """Partition columns with their written types, which DuckDB would otherwise guess from the folder names."""
    if not partition_schema:
        return "hive_partitioning = false"
    types = connection.from_arrow(partition_schema.empty_table()).types
    pairs = (
        f"{_literal(name)}: {_literal(str(kind))}" for name, kind in zip(partition_schema.names, types, strict=False)
    )
    return "hive_partitioning = true, hive_types = {" + ", ".join(pairs) + "}"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
