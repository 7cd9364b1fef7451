"""Atomic writes leave either the old file or the new one; a replaced link points at the old target or the new one."""

import os

import pytest
from upath import UPath

from storage.atomic import replace_link, write_atomic, write_bytes_atomic


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary_file(tmp_path):
    target = UPath(tmp_path) / "raw" / "worldbank" / "CURRENT.json"
    write_bytes_atomic(target, b'{"PA.NUS.FCRF": "raw/worldbank/2026-01-05/fx.csv"}')

    def broken_write(handle):
        handle.write(b'{"PA.NUS.FCRF": "raw/wor')
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, broken_write)

    assert target.read_bytes() == b'{"PA.NUS.FCRF": "raw/worldbank/2026-01-05/fx.csv"}'
    assert [p.name for p in target.parent.iterdir()] == ["CURRENT.json"]


def test_a_replaced_link_points_at_its_new_target_and_leaves_nothing_beside_it(tmp_path):
    for name in ("old", "new"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "table.parquet").write_text(name)

    replace_link(tmp_path / "current", "old")
    replace_link(tmp_path / "current", "new")

    assert os.readlink(tmp_path / "current") == "new"
    assert (tmp_path / "current" / "table.parquet").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "new", "old"]
