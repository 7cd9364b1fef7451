"""The warehouse lock across processes: the processes of one run share it (a multiprocess executor's steps), another
run is refused, and only a run's first process removes dead runs' leftovers (a sibling step's files are live)."""

import subprocess
import sys

import pytest
from upath import UPath

from storage.lock import WarehouseBusyError, WarehouseLock

HOLD = """
import sys
from upath import UPath
from storage.lock import WarehouseLock
WarehouseLock.acquire(UPath(sys.argv[1]), "run-a")
print("held", flush=True)
sys.stdin.readline()
"""


def test_a_runs_second_process_shares_the_lock_keeps_live_files_and_another_run_is_refused(tmp_path):
    root = UPath(str(tmp_path))
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout.readline().strip() == "held"
        sibling_file = tmp_path / ".table.abc123.tmp"  # a file the first process's step is writing
        sibling_file.write_text("half written")

        WarehouseLock.acquire(root, "run-a")  # the same run's second process
        assert sibling_file.exists()
        with pytest.raises(WarehouseBusyError, match=r"being written by another run \(run run-a, process \d+\)"):
            WarehouseLock.acquire(root, "run-b")
        WarehouseLock.release(root, "run-a")
    finally:
        first.communicate("\n", timeout=30)

    WarehouseLock.acquire(root, "run-b")  # every process of run-a ended: its leftovers are a dead run's
    try:
        assert not sibling_file.exists()
    finally:
        WarehouseLock.release(root, "run-b")
