"""A staging step's tables switch together: a process killed at any point of a write leaves the step's stored tables
all as they were or all new, never a mix, and the next run under the lock removes what the killed one left."""

import io
import os
import shutil
from contextlib import contextmanager, suppress
from pathlib import Path

import polars as pl
import pytest
from upath import UPath

from storage.lock import WarehouseLock
from storage.tables import CURRENT, STEPS, read_table, table_path, write_tables

# The World Bank step's tables, each beside its rejects.
TABLES = [name for table in ("exchange_rates", "gdp", "population") for name in (table, f"{table}__rejects")]
STEP = "worldbank_tables"


class Killed(BaseException):
    """The process dying at this point: nothing after it runs, not even a `finally` clean-up that catches Exception."""


def frames(run: str) -> dict[str, pl.DataFrame]:
    return {table: pl.DataFrame({"iso3": ["PHL", "IND"], "run": [run, run]}) for table in TABLES}


def stored_runs(root: UPath) -> dict[str, str | None]:
    """Which run each table of the step was stored by, as its rows say (None where the table is missing)."""
    runs = {}
    for table in TABLES:
        try:
            runs[table] = read_table(root, "staging", table)["run"].unique().item()
        except FileNotFoundError:
            runs[table] = None
    return runs


@contextmanager
def killed_after(operations: int):
    """Kill the write (raise Killed) instead of its file-system operation number `operations` (0 is the first):
    each folder made, rename, link, deletion and Parquet file written counts one, and a Parquet file being written
    when the kill comes is left half written."""
    done = [0]
    write_parquet = pl.DataFrame.write_parquet

    def fatal() -> bool:
        done[0] += 1
        return done[0] > operations

    def counted(original):
        def operation(*args, **kwargs):
            if fatal():
                raise Killed
            return original(*args, **kwargs)

        return operation

    def half_written(frame, target, **options):
        if not fatal():
            return write_parquet(frame, target, **options)
        whole = io.BytesIO()
        write_parquet(frame, whole, **options)
        Path(target).write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
        raise Killed

    with pytest.MonkeyPatch.context() as patch:
        for name in ("mkdir", "rename", "replace", "symlink", "unlink", "rmdir"):
            patch.setattr(os, name, counted(getattr(os, name)))
        patch.setattr(pl.DataFrame, "write_parquet", half_written)
        yield done


def kill_at_every_point(root_for, prepare) -> list[dict[str, str | None]]:
    """For each point of a write of run `new` over what `prepare` stored, a fresh warehouse killed there: the stored
    runs it leaves, and (checked here) the next run, under the lock, leaves nothing of the killed one behind."""
    outcomes = []
    for point in range(1000):
        root = root_for(point)
        prepare(root)
        with killed_after(point) as done, suppress(Killed):
            write_tables(root, "staging", STEP, frames("new"), {"bpo.run": "new"})
        outcomes.append(stored_runs(root))
        WarehouseLock.acquire(root, f"next-{point}")
        WarehouseLock.release(root, f"next-{point}")
        write_tables(root, "staging", STEP, frames("next"), {"bpo.run": "next"})
        steps = Path(root.path) / "staging" / STEPS / STEP
        assert sorted(p.name for p in steps.iterdir()) == sorted([CURRENT, os.readlink(steps / CURRENT)])
        assert not list((Path(root.path) / "staging").rglob(".*")), f"left behind after a kill at point {point}"
        if done[0] <= point:  # the write ended before its kill: every point has been tried
            return outcomes
    raise AssertionError("a write of a step never ended")


def test_a_step_killed_at_any_point_leaves_its_tables_all_old_or_all_new(tmp_path):
    outcomes = kill_at_every_point(
        lambda point: UPath(tmp_path / str(point)),
        lambda root: write_tables(root, "staging", STEP, frames("old"), {"bpo.run": "old"}),
    )

    mixed = [(point, runs) for point, runs in enumerate(outcomes) if len(set(runs.values())) != 1]
    assert not mixed
    # The kills fell before the switch and after it (the last point is the write that ended).
    assert [set(runs.values()) for runs in outcomes[:-1]].count({"old"}) > len(TABLES)
    assert {"new"} in [set(runs.values()) for runs in outcomes[:-1]] and set(outcomes[-1].values()) == {"new"}


def test_a_first_write_makes_a_steps_tables_appear_together(tmp_path):
    outcomes = kill_at_every_point(lambda point: UPath(tmp_path / str(point)), lambda root: None)

    assert all(set(runs.values()) in ({None}, {"new"}) for runs in outcomes)


def test_tables_written_in_place_by_an_older_layout_are_never_mixed_with_new_ones(tmp_path):
    """The first switch of a warehouse written table by table: each table is old or missing until the switch, never
    new beside an old one (a missing table names itself to a reader and the step's next run writes it)."""

    def in_place(root: UPath) -> None:
        for table, frame in frames("old").items():
            table_path(root, "staging", table).parent.mkdir(parents=True)
            frame.write_parquet(table_path(root, "staging", table).path)

    outcomes = kill_at_every_point(lambda point: UPath(tmp_path / str(point)), in_place)

    assert all(set(runs.values()) <= {"old", None} or set(runs.values()) == {"new"} for runs in outcomes)
    assert set(outcomes[0].values()) == {"old"} and set(outcomes[-1].values()) == {"new"}


def test_each_write_replaces_the_one_before_and_every_file_names_its_run(tmp_path):
    root = UPath(tmp_path)
    for run in ("run-1", "run-2"):
        paths = write_tables(root, "staging", STEP, frames(run), {"bpo.run": run, "bpo.step": STEP})

    assert paths == {table: table_path(root, "staging", table) for table in TABLES}
    metadata = pl.read_parquet_metadata(paths["gdp"].path)
    assert (metadata["bpo.run"], metadata["bpo.step"], metadata["bpo.table"]) == ("run-2", STEP, "gdp")
    steps = tmp_path / "staging" / STEPS / STEP
    assert len(list(steps.iterdir())) == 2  # `current` and the write it points at; run-1's is gone
    # The layout readers knew is kept: `staging/<table>/<table>.parquet` opens the current table.
    assert pl.read_parquet(tmp_path / "staging" / "gdp" / "gdp.parquet")["run"].to_list() == ["run-2", "run-2"]


def test_a_copied_warehouse_reads_its_own_tables(tmp_path):
    write_tables(UPath(tmp_path / "a"), "staging", STEP, frames("run-1"), {"bpo.run": "run-1"})
    shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True)
    write_tables(UPath(tmp_path / "a"), "staging", STEP, frames("run-2"), {"bpo.run": "run-2"})

    assert set(stored_runs(UPath(tmp_path / "b")).values()) == {"run-1"}


def test_on_an_object_store_each_table_is_put_where_readers_look(tmp_path):
    root = UPath("memory://warehouse-tables-test")
    try:
        write_tables(root, "staging", STEP, frames("run-1"), {"bpo.run": "run-1"})

        assert set(stored_runs(root).values()) == {"run-1"}
        assert sorted(p.name for p in (root / "staging").iterdir()) == sorted(TABLES)  # no links, no step folders
        with table_path(root, "staging", "gdp").open("rb") as handle:
            assert pl.read_parquet_metadata(handle)["bpo.run"] == "run-1"
    finally:
        root.fs.rm(root.path, recursive=True)


def test_reading_a_table_never_written_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="staging/earnings"):
        read_table(UPath(tmp_path), "staging", "earnings")
