"""Atomic table writes leave either the old file or the new one."""

import polars as pl
import pytest
from upath import UPath

from storage.tables import read_table, table_path, write_table


def test_a_failed_write_keeps_the_previous_table_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    root = UPath(tmp_path)
    write_table(root, "staging", "exchange_rates", pl.DataFrame({"iso3": ["PHL"], "lcu_per_usd": [54.48]}))

    def broken_write(self, handle, **_):
        handle.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken_write)
    with pytest.raises(OSError, match="disk full"):
        write_table(root, "staging", "exchange_rates", pl.DataFrame({"iso3": ["USA"], "lcu_per_usd": [1.0]}))
    monkeypatch.undo()

    assert read_table(root, "staging", "exchange_rates")["iso3"].to_list() == ["PHL"]
    assert [p.name for p in table_path(root, "staging", "exchange_rates").parent.iterdir()] == [
        "exchange_rates.parquet"
    ]


def test_reading_a_table_never_written_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="staging/earnings"):
        read_table(UPath(tmp_path), "staging", "earnings")
