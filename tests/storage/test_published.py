"""Published tables: Hive-partitioned, self-describing, replaced whole; the DuckDB catalog views them."""

import json
import re
import shutil

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal
from upath import UPath

from storage.published import (
    build_duckdb_catalog,
    catalog_refusal,
    parquet_column_descriptions,
    published_path,
    read_partitioned,
    write_partitioned,
)

PARTITION_BY = ["buyer_iso3", "year"]
DESCRIPTIONS = {
    "year": "calendar year the cost refers to",
    "buyer_iso3": "ISO 3166-1 alpha-3 code of the buyer's country",
    "function_id": "BPO function, as in reference/functions.csv",
    "cost": "fully loaded cost per FTE-year, US$",
}
PROVENANCE = {"model": "model.costs", "run_id": "run-1"}


def costs(buyers: tuple[str, ...] = ("USA", "GBR"), years: tuple[int, ...] = (2023, 2024)) -> pl.DataFrame:
    rows = [
        (year, buyer, function, 1000.0 * year + len(buyer + function))
        for year in years
        for buyer in buyers
        for function in ("F01", "F02")
    ]
    return pl.DataFrame(
        rows,
        schema={"year": pl.Int32, "buyer_iso3": pl.String, "function_id": pl.String, "cost": pl.Float64},
        orient="row",
    )


def publish(root: UPath, frame: pl.DataFrame, table: str = "location_costs") -> UPath:
    return write_partitioned(root, table, frame, PARTITION_BY, DESCRIPTIONS, PROVENANCE)


def files(folder: UPath) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*.parquet"))


def hidden_entries(root: UPath) -> list[str]:
    return [path.name for path in root.rglob(".*")]


def sort(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(costs().columns).sort([*PARTITION_BY, "function_id"])


@pytest.fixture(params=["local", "memory"])
def root(request, tmp_path) -> UPath:
    return UPath(tmp_path) if request.param == "local" else UPath(f"memory://bpo-{tmp_path.name}")


def test_writes_one_hive_folder_per_partition_without_the_partition_columns_in_the_files(root):
    folder = publish(root, costs())

    assert folder == root / "benchmarks" / "location_costs"
    assert files(folder) == [
        f"buyer_iso3={buyer}/year={year}/part-0.parquet" for buyer in ("GBR", "USA") for year in (2023, 2024)
    ]
    assert pq.read_schema((folder / files(folder)[0]).path, filesystem=folder.fs).names == ["function_id", "cost"]


def test_reads_back_the_same_values_and_types(root):
    publish(root, costs())

    assert_frame_equal(sort(read_partitioned(root, "location_costs")), sort(costs()))


def test_partition_values_that_look_like_numbers_keep_their_written_type(root):
    frame = costs(buyers=["001", "002"])
    publish(root, frame)

    assert_frame_equal(sort(read_partitioned(root, "location_costs")), sort(frame))


def test_files_carry_descriptions_provenance_zstd_and_statistics(tmp_path):
    folder = publish(UPath(tmp_path), costs())
    file = folder / "buyer_iso3=USA" / "year=2023" / "part-0.parquet"

    stored = parquet_column_descriptions(file)
    assert list(stored) == ["function_id", "cost", *PARTITION_BY] and stored == DESCRIPTIONS
    schema = pq.read_schema(file)
    assert json.loads(schema.metadata[b"bpo.provenance"]) == PROVENANCE
    assert schema.metadata[b"bpo.table"] == b"location_costs"
    assert schema.field("cost").metadata[b"description"] == DESCRIPTIONS["cost"].encode()
    row_group = pq.ParquetFile(file).metadata.row_group(0)
    for index in range(row_group.num_columns):
        assert row_group.column(index).compression == "ZSTD"
        assert row_group.column(index).statistics is not None and row_group.column(index).statistics.has_min_max


def test_polars_and_duckdb_read_the_folder_with_typed_partition_columns(tmp_path):
    files_glob = str(publish(UPath(tmp_path), costs())) + "/**/*.parquet"

    from_polars = pl.scan_parquet(files_glob, hive_partitioning=True).collect()
    assert from_polars.schema["year"] == pl.Int64 and from_polars.schema["buyer_iso3"] == pl.String
    assert_frame_equal(sort(from_polars), sort(costs()), check_dtypes=False)

    from_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{files_glob}', hive_partitioning = true)")
    types = dict(zip(from_duckdb.columns, map(str, from_duckdb.types), strict=False))
    assert types["year"] == "BIGINT" and types["buyer_iso3"] == "VARCHAR"
    assert_frame_equal(sort(from_duckdb.pl()), sort(costs()), check_dtypes=False)


def test_rewriting_with_fewer_partitions_leaves_none_stale(root):
    publish(root, costs(buyers=["USA", "GBR", "PHL"]))
    publish(root, costs(buyers=["PHL"], years=[2024]))

    assert files(published_path(root, "location_costs")) == ["buyer_iso3=PHL/year=2024/part-0.parquet"]
    assert read_partitioned(root, "location_costs").height == 2
    assert hidden_entries(root) == []


def test_a_failed_write_keeps_the_previous_table_and_leaves_no_temporary_folder(tmp_path, monkeypatch):
    root = UPath(tmp_path)
    publish(root, costs())
    before = files(published_path(root, "location_costs"))
    write_dataset = ds.write_dataset

    def write_half_then_fail(data, base_dir, **options):
        write_dataset(data.slice(0, 1), base_dir, **options)
        raise OSError("disk full")

    monkeypatch.setattr(ds, "write_dataset", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        publish(root, costs(buyers=["PHL"]))
    monkeypatch.undo()

    assert files(published_path(root, "location_costs")) == before
    assert_frame_equal(sort(read_partitioned(root, "location_costs")), sort(costs()))
    assert hidden_entries(root) == []


def test_a_failed_swap_puts_the_previous_table_back(tmp_path, monkeypatch):
    root = UPath(tmp_path)
    publish(root, costs())
    rename = UPath.rename

    def refuse_to_rename_the_new_table_in(self, target):
        if self.name.endswith(".tmp"):
            raise OSError("rename failed")
        return rename(self, target)

    monkeypatch.setattr(type(root), "rename", refuse_to_rename_the_new_table_in)
    with pytest.raises(OSError, match="rename failed"):
        publish(root, costs(buyers=["PHL"]))
    monkeypatch.undo()

    assert_frame_equal(sort(read_partitioned(root, "location_costs")), sort(costs()))
    assert hidden_entries(root) == []


def test_an_unpartitioned_table_is_a_single_file(root):
    folder = write_partitioned(root, "relativities", costs(), [], DESCRIPTIONS, PROVENANCE)

    assert files(folder) == ["part-0.parquet"]
    assert_frame_equal(sort(read_partitioned(root, "relativities")), sort(costs()))


def test_refuses_an_empty_table_a_table_of_partition_columns_only_or_an_undescribed_column(tmp_path):
    with pytest.raises(ValueError, match="no rows"):
        publish(UPath(tmp_path), costs().clear())
    with pytest.raises(ValueError, match="some, not all"):
        publish(UPath(tmp_path), costs().select(PARTITION_BY))
    with pytest.raises(ValueError, match=r"without a description: \['region'\]"):
        publish(UPath(tmp_path), costs().with_columns(region=pl.lit("NA")))


def test_reading_a_table_never_written_names_it(root):
    with pytest.raises(FileNotFoundError, match="benchmarks/location_costs"):
        read_partitioned(root, "location_costs")


def catalog_rows(catalog: UPath, sql: str) -> list[tuple]:
    with duckdb.connect(catalog.path, read_only=True) as connection:
        return connection.sql(sql).fetchall()


def test_the_catalog_has_a_typed_commented_view_per_table(tmp_path):
    root = UPath(tmp_path)
    publish(root, costs(buyers=["001", "USA"]))
    publish(root, costs(buyers=["PHL"]), table="nearshore_costs")

    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY, "nearshore_costs": PARTITION_BY})

    assert catalog == root / "bpo.duckdb"
    assert catalog_rows(catalog, "SELECT count(*) FROM location_costs") == [(8,)]
    assert catalog_rows(catalog, "SELECT DISTINCT buyer_iso3 FROM nearshore_costs") == [("PHL",)]
    assert catalog_rows(catalog, "SELECT count(*) FROM location_costs WHERE buyer_iso3 = '001' AND year = 2024") == [
        (2,)
    ]
    columns = catalog_rows(
        catalog, "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = 'location_costs'"
    )
    assert {name: kind for name, kind, _ in columns} == {
        "function_id": "VARCHAR",
        "cost": "DOUBLE",
        "buyer_iso3": "VARCHAR",
        "year": "INTEGER",
    }
    assert {name: comment for name, _, comment in columns} == DESCRIPTIONS
    [(comment,)] = catalog_rows(catalog, "SELECT comment FROM duckdb_views() WHERE view_name = 'location_costs'")
    assert json.loads(comment) == PROVENANCE
    assert hidden_entries(root) == []


def test_the_catalog_views_ignore_key_value_folders_above_the_warehouse(tmp_path):
    root = UPath(tmp_path) / "run=7"
    publish(root, costs())
    write_partitioned(root, "relativities", costs(), [], DESCRIPTIONS, PROVENANCE)

    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY, "relativities": []})

    columns = (
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() WHERE NOT internal "
        "GROUP BY table_name"
    )
    assert dict(catalog_rows(catalog, columns)) == {
        "location_costs": ["function_id", "cost", "buyer_iso3", "year"],
        "relativities": ["year", "buyer_iso3", "function_id", "cost"],
    }
    assert catalog_rows(catalog, "SELECT count(*) FROM relativities") == [(8,)]


def test_the_catalog_is_written_in_the_storage_format_every_duckdb_1x_reads(tmp_path):
    root = UPath(tmp_path)
    publish(root, costs())
    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY})

    header = (tmp_path / catalog.name).read_bytes()[8:20]
    # DuckDB 1.0 and 1.1 read storage version 64 only; later versions read it too. 2.0 writes 69 unless told.
    assert header[:4] == b"DUCK" and int.from_bytes(header[4:], "little") == 64


def test_a_moved_catalog_reads_the_files_beside_it_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    publish(UPath("warehouse"), costs())
    build_duckdb_catalog(UPath("warehouse"), {"location_costs": PARTITION_BY})
    (tmp_path / "warehouse").rename(tmp_path / "moved")
    (tmp_path / "warehouse").mkdir()  # an empty warehouse where the old one was

    monkeypatch.chdir("/")
    assert catalog_rows(UPath(tmp_path) / "moved" / "bpo.duckdb", "SELECT count(*) FROM location_costs") == [(8,)]


def test_a_copied_catalog_never_reads_the_original_warehouse(tmp_path, monkeypatch):
    original, copy = UPath(tmp_path) / "original", UPath(tmp_path) / "copy"
    publish(original, costs())
    build_duckdb_catalog(original, {"location_costs": PARTITION_BY})
    shutil.copytree(original.path, copy.path)
    publish(original, costs(buyers=("PHL",), years=(2024,)))

    monkeypatch.chdir(original.path)  # where a path relative to the working directory would find the original
    assert catalog_rows(copy / "bpo.duckdb", "SELECT count(*) FROM location_costs") == [(8,)]
    shutil.rmtree(original.path)
    assert catalog_rows(copy / "bpo.duckdb", "SELECT count(*) FROM location_costs") == [(8,)]


def test_a_catalog_missing_its_files_fails_naming_the_path(tmp_path):
    root = UPath(tmp_path)
    publish(root, costs())
    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY})
    shutil.rmtree(published_path(root, "location_costs").path)

    missing = f"{tmp_path}/benchmarks/location_costs/**/*.parquet"
    with pytest.raises(duckdb.IOException, match=re.escape(missing)):
        catalog_rows(catalog, "SELECT count(*) FROM location_costs")


def test_a_version_catalog_copied_to_the_warehouse_root_reads_the_same_files(tmp_path):
    warehouse = UPath(tmp_path)
    version = warehouse / "versions" / "run-1"
    publish(version, costs())
    catalog = build_duckdb_catalog(version, {"location_costs": PARTITION_BY}, warehouse=warehouse)
    shutil.copyfile(catalog.path, (warehouse / "bpo.duckdb").path)

    for opened in (catalog, warehouse / "bpo.duckdb"):
        assert catalog_rows(opened, "SELECT count(*) FROM location_costs") == [(8,)]
    [(sql,)] = catalog_rows(catalog, "SELECT sql FROM duckdb_views() WHERE view_name = 'location_costs'")
    assert "warehouse_file('versions/run-1/benchmarks/location_costs/**/*.parquet')" in sql
    with pytest.raises(ValueError, match="not inside the warehouse"):
        build_duckdb_catalog(version, {"location_costs": PARTITION_BY}, warehouse=warehouse / "elsewhere")


@pytest.mark.parametrize(
    "opening",
    [
        "SET temp_directory = '/tmp/spill'; SELECT count(*) FROM location_costs",
        "ATTACH '{catalog}' AS bpo (READ_ONLY); SELECT count(*) FROM bpo.location_costs",
    ],
    ids=["temp_directory set", "attached"],
)
def test_a_session_that_hides_where_the_catalog_is_gets_an_error_saying_so(tmp_path, opening):
    root = UPath(tmp_path)
    publish(root, costs())
    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY})

    database = catalog.path if opening.startswith("SET") else ":memory:"
    with duckdb.connect(database) as connection, pytest.raises(duckdb.Error, match="open bpo.duckdb itself"):
        for statement in opening.format(catalog=catalog.path).split("; "):
            connection.execute(statement)


def test_a_rebuild_replaces_the_catalog_under_an_open_reader(tmp_path):
    root = UPath(tmp_path)
    publish(root, costs())
    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY})
    reader = duckdb.connect(catalog.path, read_only=True)

    publish(root, costs(buyers=["PHL"], years=[2024]))
    publish(root, costs(), table="nearshore_costs")
    build_duckdb_catalog(root, {"location_costs": PARTITION_BY, "nearshore_costs": PARTITION_BY})

    # The old catalog keeps working (its views read the current files), but knows only the old views.
    assert reader.sql("SELECT count(*) FROM location_costs").fetchall() == [(2,)]
    assert reader.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall() == [("location_costs",)]
    # DuckDB shares one database instance per path within a process: close it before opening the new file.
    reader.close()
    assert catalog_rows(catalog, "SELECT count(*) FROM nearshore_costs") == [(8,)]
    assert hidden_entries(root) == []


def test_a_failed_catalog_build_keeps_the_previous_catalog(tmp_path):
    root = UPath(tmp_path)
    publish(root, costs())
    catalog = build_duckdb_catalog(root, {"location_costs": PARTITION_BY})

    with pytest.raises(FileNotFoundError, match="benchmarks/missing"):
        build_duckdb_catalog(root, {"location_costs": PARTITION_BY, "missing": ["year"]})
    with pytest.raises(ValueError, match=r"partitioned by \['buyer_iso3', 'year'\], not \['year'\]"):
        build_duckdb_catalog(root, {"location_costs": ["year"]})

    assert catalog_rows(catalog, "SELECT view_name FROM duckdb_views() WHERE NOT internal") == [("location_costs",)]
    assert hidden_entries(root) == []


def test_no_catalog_is_built_on_an_object_store():
    with pytest.raises(ValueError, match="no DuckDB catalog on an object store"):
        build_duckdb_catalog(UPath("memory://bpo"), {"location_costs": PARTITION_BY})
    assert catalog_refusal(UPath("memory://bpo")).startswith("no DuckDB catalog")
    assert catalog_refusal(UPath("/tmp/bpo")) is None
