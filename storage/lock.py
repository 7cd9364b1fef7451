"""One run at a time per warehouse: a lock on `<warehouse>/.lock`, held for the run (by each of its processes).

A second run fails at once, saying which run holds the warehouse. The lock is the operating system's (flock), so a
killed run releases it with its process. While holding it a run knows no other run is writing, so it removes the
temporary files that killed runs left behind. Under the multiprocess executor each step's process holds it while the
step runs, so between two steps of a run nothing does; and object stores have no such lock. In both cases the
instance must queue runs one at a time (the README says so).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import ClassVar

from upath import UPath

from storage.atomic import LOCAL_PROTOCOLS


class WarehouseBusyError(RuntimeError):
    """Another run is writing this warehouse."""


class WarehouseLock:
    # (warehouse, run id) -> open lock file. Dagster sets a resource up once per use in a run (the warehouse and the IO
    # managers that depend on it), so the same run may ask again; it already holds the lock.
    _held: ClassVar[dict[tuple[str, str], int]] = {}

    @classmethod
    def acquire(cls, root: UPath, run_id: str) -> None:
        if root.protocol not in LOCAL_PROTOCOLS or (str(root), run_id) in cls._held:
            return
        Path(root.path).mkdir(parents=True, exist_ok=True)
        descriptor = os.open(os.path.join(root.path, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        # The run holds the lock shared, so that each process of one run (a multiprocess executor's steps) can hold it
        # too; deciding who may take it is done under the warehouse folder's own exclusive lock, briefly.
        folder = os.open(root.path, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(descriptor, 200, 0).decode(errors="replace").strip()
                if not holder.startswith(f"run {run_id},"):
                    os.close(descriptor)
                    raise WarehouseBusyError(
                        f"{root} is being written by another run ({holder or 'unknown'}); wait for it to end, or use "
                        "another BPO_WAREHOUSE"
                    ) from None
                fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)  # another process of this run holds it
            else:
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, f"run {run_id}, process {os.getpid()}".encode(), 0)
                # The run's first process: no process of any run is writing, so leftovers are dead runs' files.
                remove_leftovers(Path(root.path))
                fcntl.flock(descriptor, fcntl.LOCK_SH)
        finally:
            os.close(folder)
        cls._held[(str(root), run_id)] = descriptor

    @classmethod
    def release(cls, root: UPath, run_id: str) -> None:
        descriptor = cls._held.pop((str(root), run_id), None)
        if descriptor is not None:
            os.close(descriptor)


def remove_leftovers(root: Path) -> None:
    """Temporary files and folders of runs that died mid-write: every writer here names them `.<name>.<hex>.tmp`, and
    a table being swapped sets its old folder aside as `.<name>.<hex>.old`."""
    for pattern in (".*.tmp", ".*.old"):
        for leftover in list(root.rglob(pattern)):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
