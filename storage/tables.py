"""Parquet tables of the staging layer, one folder per table, and a step's tables switched together.

A staging step writes the tables of one source (their rejects included) at once. On a local disk:

    staging/<table>/<table>.parquet     what readers open: `staging/<table>` is a link, set once, to
                                        `_steps/<step>/current/<table>`
    staging/_steps/<step>/current       a link to the step's last write, replaced by one rename
    staging/_steps/<step>/<write>/<table>/<table>.parquet   one write of the step's tables, never changed after
    staging/_steps/<step>/.<write>.tmp/                     a write in progress; a killed run's is removed under the
                                                            warehouse lock (storage.lock)

Replacing `current` switches every table of the step in one atomic step, in the manner of the published versions'
`benchmarks` link (storage.versions): after a kill at any moment, a step's stored tables are all from its last write
or all from the one before. A write is deleted once `current` has left it.

An object store has neither links nor rename: there each table is put whole where readers look, one after another,
once every table of the step is ready, so a run killed between two puts leaves a step's tables from two runs until the
step runs again. Every file names the run that wrote it in its Parquet metadata (`bpo.run`), so that a reader can tell.
"""

from __future__ import annotations

import os
import shutil
import uuid
from functools import partial
from pathlib import Path
from typing import IO

import polars as pl
from upath import UPath

from storage.atomic import LOCAL_PROTOCOLS, replace_link, write_atomic

STEPS = "_steps"
CURRENT = "current"


def table_path(root: UPath, layer: str, table: str) -> UPath:
    return root / layer / table / f"{table}.parquet"


def write_tables(
    root: UPath, layer: str, step: str, frames: dict[str, pl.DataFrame], stamp: dict[str, str]
) -> dict[str, UPath]:
    """Store `frames` (table -> rows), the tables of `step`, so that they replace its stored tables together. Each
    file carries `stamp` and its table's name (`bpo.table`) in its Parquet metadata. Returns where readers find them."""
    if root.protocol in LOCAL_PROTOCOLS:
        _switch_step(Path(root.path) / layer, step, frames, stamp)
    else:
        for table, frame in frames.items():
            write_atomic(table_path(root, layer, table), partial(_write_parquet, frame, {**stamp, "bpo.table": table}))
    return {table: table_path(root, layer, table) for table in frames}


def read_table(root: UPath, layer: str, table: str) -> pl.DataFrame:
    path = table_path(root, layer, table)
    if not path.exists():
        raise FileNotFoundError(f"table {layer}/{table} is not in {root}: materialize it first")
    with path.open("rb") as handle:
        return pl.read_parquet(handle)


def _write_parquet(frame: pl.DataFrame, metadata: dict[str, str], target: IO[bytes] | Path) -> None:
    frame.write_parquet(target, compression="zstd", statistics=True, metadata=metadata)


def _switch_step(folder: Path, step: str, frames: dict[str, pl.DataFrame], stamp: dict[str, str]) -> None:
    """Write the step's tables into a folder of their own, then point the step's `current` link at it."""
    steps = folder / STEPS / step
    write = uuid.uuid4().hex
    # No clean-up on failure here: a failed or killed write leaves only this hidden folder, which readers never
    # reach and the next run removes under the lock, as it does every writer's `.<name>.<hex>.tmp`.
    building = steps / f".{write}.tmp"
    for table, frame in frames.items():
        (building / table).mkdir(parents=True)
        _write_parquet(frame, {**stamp, "bpo.table": table}, building / table / f"{table}.parquet")
    os.replace(building, steps / write)
    _link_tables(folder, step, list(frames))
    replace_link(steps / CURRENT, write)
    for entry in steps.iterdir():
        if entry.name in (CURRENT, write):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _link_tables(folder: Path, step: str, tables: list[str]) -> None:
    """Give each table its link `<table> -> _steps/<step>/current/<table>` before `current` switches, so that a step's
    new tables appear together too. A table folder written in place (the layout before steps switched) is set aside
    first, every one of the step's before any link: a run killed in between leaves those tables missing, which the
    step's next run repairs and a reader is told, never some of them old and some new."""
    links = {folder / table: os.path.join(STEPS, step, CURRENT, table) for table in tables}
    in_place = [link for link in links if link.is_dir() and not link.is_symlink()]
    set_aside = [link.rename(link.with_name(f".{link.name}.{uuid.uuid4().hex}.old")) for link in in_place]
    for link, target in links.items():
        if not link.is_symlink() or os.readlink(link) != target:
            replace_link(link, target)
    for old in set_aside:
        shutil.rmtree(old)
