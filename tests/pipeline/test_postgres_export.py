"""The PostgreSQL export against a real server the tests start (tests.local_postgres): every table the catalog serves,
equal to its Parquet, typed, commented and keyed; a second export switching whole under a reader; a failed one
leaving the previous export as it was."""

import sys
import threading
from datetime import UTC, date, datetime

import duckdb
import polars as pl
import psycopg
import pytest
from polars.testing import assert_frame_equal

from storage import postgres as postgres_export
from storage.postgres import MARKER, ExportTable, PostgresExportError, export, postgres_type
from storage.published import CATALOG
from tests.local_postgres import NoServer, running_server
from tests.shared_data import PROJECT

sys.path.insert(0, str(PROJECT / "scripts"))
from export_postgres import main, tables_to_export


@pytest.fixture(scope="module")
def postgres():
    try:
        with running_server() as url:
            yield url
    except NoServer as exc:
        pytest.skip(f"no PostgreSQL server can be started here: {exc}")


@pytest.fixture(scope="module")
def published(warehouse):
    """The sample warehouse's tables as the export takes them, and the description of their version."""
    return tables_to_export(warehouse)


def query(url: str, statement: str, *params) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(statement, params or None).fetchall()


def run_sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def read_back(url: str, schema: str, table: ExportTable, types: pl.Schema | None = None) -> pl.DataFrame:
    """The exported table's rows, in the polars types `types` (default: the frame exported)."""
    types = types or table.frame.schema
    columns = ", ".join(f'"{column}"' for column in types)
    rows = query(url, f'SELECT {columns} FROM "{schema}"."{table.name}"')
    return pl.DataFrame(rows, schema=types, orient="row")


def row_counts(url: str, schema: str) -> dict[str, int]:
    tables = [name for (name,) in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", schema)]
    return {table: query(url, f'SELECT count(*) FROM "{schema}"."{table}"')[0][0] for table in tables}


def schemas(url: str) -> set[str]:
    return {name for (name,) in query(url, "SELECT nspname FROM pg_namespace")}


def test_every_table_the_catalog_serves_is_exported_equal_typed_commented_and_keyed(warehouse, postgres, published):
    tables, description = published
    export(postgres, "bpo", tables, description)

    with duckdb.connect(str(warehouse / CATALOG), read_only=True) as catalog:
        views = {
            name for (name,) in catalog.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
        # What a DuckDB reader of the catalog gets, read apart from the export's own reading of the Parquet.
        served = {table.name: catalog.sql(f'SELECT * FROM "{table.name}"').pl() for table in tables}
        catalog_comments = dict(
            ((table, column), comment)
            for table, column, comment in catalog.execute(
                "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL"
            ).fetchall()
        )
    assert set(row_counts(postgres, "bpo")) == views
    for table in tables:
        expected = served[table.name].sort(table.key)
        assert_frame_equal(
            read_back(postgres, "bpo", table, expected.schema).sort(table.key), expected, check_exact=True
        )
    comments = {
        (table, column): comment
        for table, column, comment in query(
            postgres,
            "SELECT c.relname, a.attname, col_description(c.oid, a.attnum) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = 'bpo' AND c.relkind = 'r' AND a.attnum > 0",
        )
    }
    assert None not in comments.values()
    # The published views carry the descriptions their Parquet files hold: the export says the same.
    assert {key: comments[key] for key in catalog_comments} == catalog_comments
    keys = {
        table: columns
        for table, columns in query(
            postgres,
            "SELECT c.relname, array_agg(a.attname ORDER BY k.ordinality) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality) "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE n.nspname = 'bpo' AND i.indisprimary GROUP BY c.relname",
        )
    }
    assert keys == {table.name: list(table.key) for table in tables}
    assert keys["employer_on_costs"] == ["country_iso3"]  # a key declared on its column, not in the contract's Config
    types = dict(
        query(
            postgres,
            "SELECT column_name, format_type(atttypid, atttypmod) FROM information_schema.columns "
            "JOIN pg_attribute ON attrelid = 'bpo.tier_function_benchmarks'::regclass AND attname = column_name "
            "WHERE table_schema = 'bpo' AND table_name = 'tier_function_benchmarks'",
        )
    )
    assert types["cheapest_countries"] == "text[]"
    assert types["year"] == "integer"
    assert types["cost_per_hour_p50_usd"] == "double precision"
    assert types["n_countries"] == "bigint"  # UInt32 does not fit PostgreSQL's integer
    (schema_comment,) = query(postgres, "SELECT obj_description('bpo'::regnamespace, 'pg_namespace')")[0]
    assert schema_comment == f"{MARKER}: {description}"
    (table_comment,) = query(postgres, "SELECT obj_description('bpo.vendor_rates'::regclass, 'pg_class')")[0]
    assert '"producer"' in table_comment


def one_row_short(tables: list[ExportTable]) -> list[ExportTable]:
    """Every table one row short, so a reader's counts tell which export it saw."""
    return [ExportTable(t.name, t.frame.slice(1), t.descriptions, t.key, t.not_null, t.comment) for t in tables]


def test_until_it_commits_a_second_export_is_invisible_and_the_first_whole(postgres, published, monkeypatch):
    tables, description = published
    first = export(postgres, "staged", tables, description).rows
    readings = []

    def read_after(step):
        def step_then_read(*args, **kwargs):
            result = step(*args, **kwargs)
            readings.append((step.__name__, row_counts(postgres, "staged")))
            return result

        return step_then_read

    # A reader on another connection looks after every table loaded and after the switch, before the commit.
    monkeypatch.setattr(postgres_export, "_load", read_after(postgres_export._load))
    monkeypatch.setattr(postgres_export, "_switch", read_after(postgres_export._switch))
    second = export(postgres, "staged", one_row_short(tables), description).rows

    assert [step for step, _ in readings] == ["_load"] * len(tables) + ["_switch"]
    assert all(counts == first for _, counts in readings)
    assert row_counts(postgres, "staged") == second != first


def test_a_second_export_replaces_the_first_whole_under_a_reader_in_a_loop(postgres, published):
    tables, description = published
    first = export(postgres, "switching", tables, description).rows
    shorter = one_row_short(tables)
    second = {t.name: t.frame.height for t in shorter}
    union = " UNION ALL ".join(f"SELECT '{t.name}', count(*) FROM switching.\"{t.name}\"" for t in tables)
    seen, errors, first_seen, stop = [], [], threading.Event(), threading.Event()

    def read_in_a_loop():
        with psycopg.connect(postgres, autocommit=True) as reader:
            while not stop.is_set():
                try:
                    seen.append(dict(reader.execute(union).fetchall()))
                except psycopg.Error as exc:
                    errors.append(exc)
                first_seen.set()

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        assert first_seen.wait(timeout=30)
        during = len(seen)
        export(postgres, "switching", shorter, description)
        during = len(seen) - during
        after = len(seen)
        while len(seen) < after + 3 and reader.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        reader.join(timeout=30)

    assert errors == []
    assert during > 0  # the reader read while the second export loaded
    for reading in seen:
        assert set(reading) == set(second)
        assert all(reading[t] in (first[t], second[t]) for t in reading), reading
    assert seen[0] == first and seen[-1] == second
    assert not {name for name in schemas(postgres) if name.startswith("switching_")}


def test_a_reader_still_reading_the_previous_export_keeps_it_until_the_next_export(postgres, published):
    tables, description = published
    export(postgres, "kept", tables[:2], description)
    table = tables[0].name
    with psycopg.connect(postgres) as reader:  # a transaction open on the previous export's table
        before = reader.execute(f'SELECT count(*) FROM kept."{table}"').fetchone()
        result = export(postgres, "kept", tables[:2], description, retired_lock_timeout_s=0.2)
        (retired,) = result.retired_left
        assert reader.execute(f'SELECT count(*) FROM "{retired}"."{table}"').fetchone() == before
    export(postgres, "kept", tables[:2], description)
    assert retired not in schemas(postgres)


def with_table(tables: list[ExportTable], name: str, frame: pl.DataFrame) -> list[ExportTable]:
    return [
        ExportTable(name, frame, t.descriptions, t.key, t.not_null, t.comment) if t.name == name else t for t in tables
    ]


@pytest.mark.parametrize(
    ("table", "break_it", "error"),
    [
        ("location_tiers", lambda frame: pl.concat([frame, frame.head(1)]), r"adding its primary key \(buyer_iso3, "),
        (
            "vendor_rates",
            lambda frame: frame.with_columns(basis=pl.lit(None, pl.String)),
            "loading its rows with COPY failed: null value",
        ),
    ],
    ids=["duplicate key", "null in a NOT NULL column"],
)
def test_a_table_that_fails_to_load_leaves_the_previous_export_as_it_was(postgres, published, table, break_it, error):
    tables, description = published
    export(postgres, "failing", tables, description)
    comment = "SELECT obj_description('failing'::regnamespace, 'pg_namespace')"
    before = row_counts(postgres, "failing"), query(postgres, comment)
    frame = next(t.frame for t in tables if t.name == table)

    with pytest.raises(PostgresExportError, match=f"^table {table}: {error}.*the previous export is left as it was$"):
        export(postgres, "failing", with_table(tables, table, break_it(frame)), "a broken export")

    assert (row_counts(postgres, "failing"), query(postgres, comment)) == before
    assert not {name for name in schemas(postgres) if name.startswith("failing_")}


def test_the_command_names_an_unreachable_server_and_changes_nothing(
    warehouse, postgres, published, monkeypatch, capsys
):
    tables, description = published
    export(postgres, "unreached", tables[:1], description)
    before = row_counts(postgres, "unreached")
    monkeypatch.setenv("BPO_WAREHOUSE", str(warehouse))

    monkeypatch.delenv("BPO_POSTGRES_URL", raising=False)
    assert main([]) == 2
    assert "set BPO_POSTGRES_URL" in capsys.readouterr().err

    monkeypatch.setenv("BPO_POSTGRES_URL", "postgresql://bpo:secret@127.0.0.1:1/postgres")
    assert main(["--schema", "unreached"]) == 1
    error = capsys.readouterr().err
    assert "cannot connect to PostgreSQL (host 127.0.0.1, port 1, dbname postgres, user bpo)" in error
    assert "secret" not in error
    assert row_counts(postgres, "unreached") == before

    monkeypatch.setenv("BPO_POSTGRES_URL", postgres)
    assert main(["--schema", "unreached"]) == 0
    assert "into schema unreached" in capsys.readouterr().out
    assert row_counts(postgres, "unreached") == {t.name: t.frame.height for t in tables}


def test_a_schema_no_export_wrote_is_never_replaced(postgres, published):
    tables, description = published
    run_sql(postgres, "CREATE SCHEMA analytics; CREATE TABLE analytics.own (id integer)")

    with pytest.raises(PostgresExportError, match="schema analytics exists and no export wrote it"):
        export(postgres, "analytics", tables[:1], description)

    assert row_counts(postgres, "analytics") == {"own": 0}


def test_readers_named_keep_read_access_across_exports(postgres, published):
    tables, description = published
    run_sql(postgres, "CREATE ROLE bi_reader LOGIN")
    as_reader = postgres.replace("bpo@", "bi_reader@")
    for _ in range(2):
        export(postgres, "shared", tables[:1], description, readers=["bi_reader"])
        assert query(as_reader, f'SELECT count(*) FROM shared."{tables[0].name}"') == [(tables[0].frame.height,)]

    with pytest.raises(PostgresExportError, match="role nobody_here: granting it read access failed"):
        export(postgres, "shared", tables[:1], description, readers=["nobody_here"])


def test_every_mapped_type_and_awkward_text_comes_back_as_it_went(postgres):
    awkward = ["", 'say "hi", then\nleave', "back\\slash", "{braces}", "NULL", "\\.", "naïve ✓"]
    frame = pl.DataFrame(
        {
            "text": awkward,
            "texts": [[], ["a", None], ['"quoted", comma'], ["{x}", "\\", "NULL"], None, [""], ["ü"]],
            "floats": [[0.1, None], [], None, [1e300], [-0.0], [1 / 3], [2.5]],
            "small": pl.Series([-128, 127, None, 0, 1, 2, 3], dtype=pl.Int8),
            "wide": pl.Series([2**63 - 1, -(2**63), 0, None, 1, 2, 3], dtype=pl.Int64),
            "unsigned": pl.Series([2**64 - 1, 0, None, 1, 2, 3, 4], dtype=pl.UInt64),
            "single": pl.Series([0.1, 1e38, None, -0.0, 1.5, 2.5, 3.5], dtype=pl.Float32),
            "double": [1 / 3, 5e-324, None, 1e308, -2.0, 0.1, 0.2],
            "flag": [True, False, None, True, False, True, False],
            "day": [date(2024, 2, 29), None, date(1, 1, 1), date(9999, 12, 31)] + [date(2000, 1, 1)] * 3,
            "moment": [datetime(2024, 1, 2, 3, 4, 5, 123456), None] + [datetime(1970, 1, 1)] * 5,
            "instant": [datetime(2024, 6, 30, 23, 59, 59, 999999, tzinfo=UTC), None]
            + [datetime(2000, 1, 1, tzinfo=UTC)] * 5,
        }
    ).with_row_index("id")
    table = ExportTable("awkward", frame, {column: f"the {column}" for column in frame.columns}, key=["id"])

    export(postgres, "types", [table], "every type")

    assert_frame_equal(read_back(postgres, "types", table).sort("id"), frame, check_exact=True)


def test_a_column_no_postgresql_type_holds_is_refused_naming_it():
    assert postgres_type(pl.List(pl.UInt32), "t.c") == "bigint[]"
    with pytest.raises(
        ValueError, match=r"scenario_costs\.detail: no PostgreSQL type is mapped for the polars type Struct"
    ):
        ExportTable("scenario_costs", pl.DataFrame({"detail": [{"a": 1}]}), {"detail": "a struct"})
    with pytest.raises(ValueError, match=r"t\.nested: .* is a list of lists"):
        postgres_type(pl.List(pl.List(pl.String)), "t.nested")
    with pytest.raises(PostgresExportError, match="schema name 'x{47}': give 1 to 46 bytes"):
        export("postgresql://nobody@127.0.0.1:1/none", "x" * 47, [], "too long a name")
    with pytest.raises(ValueError, match=r"table t: columns without a description: \['b'\]"):
        ExportTable("t", pl.DataFrame({"a": [1], "b": [2]}), {"a": "described"})
