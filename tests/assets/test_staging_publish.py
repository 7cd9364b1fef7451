"""Publishing a staging table: rejects kept, a table refused whole when one of its files is mostly rejected, and a
source's tables replaced together."""

import polars as pl
import pytest
from upath import UPath

from assets.resources import Warehouse
from assets.staging.common import publish, write
from schemas.contract import Checked, ContractError
from schemas.staging import ExchangeRates
from storage.tables import read_table, table_path


def rates(files: list[str], values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "iso3": [f"A{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(len(values))],
            "year": pl.Series([2022] * len(values), dtype=pl.Int32),
            "lcu_per_usd": values,
            "raw_file": files,
            "parse_error": pl.Series([None] * len(values), dtype=pl.String),
        }
    )


def test_a_few_bad_rows_go_to_the_rejects_and_the_rest_is_published(tmp_path):
    warehouse = Warehouse(root=str(tmp_path))
    publish(warehouse, "exchange_rates", rates(["raw/a.csv"] * 4, [1.0, 2.0, 3.0, -1.0]), ExchangeRates)
    assert read_table(UPath(tmp_path), "staging", "exchange_rates").height == 3
    assert read_table(UPath(tmp_path), "staging", "exchange_rates__rejects")["lcu_per_usd"].to_list() == [-1.0]


def test_one_mostly_rejected_file_refuses_the_table_and_names_the_file(tmp_path):
    warehouse = Warehouse(root=str(tmp_path))
    files = ["raw/a.csv"] * 10 + ["raw/b.csv"] * 4
    values = [1.0] * 10 + [1.0, -1.0, -2.0, -3.0]  # 3 of 14 rows overall, but 3 of b.csv's 4
    with pytest.raises(ContractError, match="3 of 4 rows of raw/b.csv break the contract"):
        publish(warehouse, "exchange_rates", rates(files, values), ExchangeRates)
    assert not table_path(UPath(tmp_path), "staging", "exchange_rates").exists()


def test_an_oews_file_in_the_wrong_unit_is_rejected_row_by_row_against_the_year_before(tmp_path):
    from assets.staging.bls_oews import YEAR_ON_YEAR

    codes = [f"43-{n:04d}" for n in range(10)]
    frame = pl.DataFrame(
        {
            "soc_code": codes * 2,
            "year": pl.Series([2022] * 10 + [2023] * 10, dtype=pl.Int32),
            "hourly_mean": [20.0] * 10 + [210.0] * 10,  # 2023 typed in dimes
        }
    )
    flagged = frame.with_columns(ok=next(iter(YEAR_ON_YEAR.values())))
    assert flagged.filter(year=2022)["ok"].all() and not flagged.filter(year=2023)["ok"].any()


def test_a_rate_moved_beyond_the_revision_bound_is_rejected_and_the_stored_one_kept_for_every_later_pull(tmp_path):
    from assets.staging.common import StagingTable, keeping_stored_where_revised, revision_rule, stored_table
    from schemas.contract import hold_to_contract

    warehouse = Warehouse(root=str(tmp_path))
    table = StagingTable("exchange_rates", ExchangeRates, None, "", revised_within_bound="lcu_per_usd")

    def pull(values: list[float], file: str) -> pl.DataFrame:
        frame, stored = rates([file] * len(values), values), stored_table(warehouse, "exchange_rates")
        rules = revision_rule(table, frame, stored) if stored is not None else {}
        checked = hold_to_contract(frame, ExchangeRates, "exchange_rates", rules)
        checked = keeping_stored_where_revised(checked, table, stored) if stored is not None else checked
        write(warehouse, "exchange_rates", {"exchange_rates": checked})
        return read_table(UPath(tmp_path), "staging", "exchange_rates__rejects")

    assert pull([1.0, 2.0, 3.0, 4.0], "raw/2025/fx.csv").is_empty()  # a first pull has nothing to compare with
    # The next release states the second country's rate in a unit 1,000 times smaller and revises the first by 2 %.
    rejects = pull([1.02, 2000.0, 3.0, 4.0, 5.0], "raw/2026/fx.csv")
    assert rejects["lcu_per_usd"].to_list() == [2000.0]
    assert rejects["reject_reason"][0] == "lcu_per_usd within 1.5x of the stored table's value for the same iso3, year"
    stored = read_table(UPath(tmp_path), "staging", "exchange_rates").sort("iso3")
    assert stored["lcu_per_usd"].to_list() == [1.02, 2.0, 3.0, 4.0, 5.0]  # the last good rate stays
    assert stored.filter(lcu_per_usd=2.0)["raw_file"].to_list() == ["raw/2025/fx.csv"]
    # A third pull with the same bad value is compared with the kept rate, not let in for want of one.
    assert pull([1.02, 2000.0, 3.0, 4.0, 5.0], "raw/2027/fx.csv")["lcu_per_usd"].to_list() == [2000.0]


def test_a_write_failing_between_two_tables_of_a_source_leaves_every_table_of_it_as_it_was(tmp_path, monkeypatch):
    warehouse, root = Warehouse(root=str(tmp_path)), UPath(tmp_path)
    tables = ("exchange_rates", "ppp_factors")

    def pull(value: float) -> dict[str, Checked]:
        return {table: Checked(rates(["raw/a.csv"] * 2, [value] * 2), rates([], [])) for table in tables}

    def stored() -> dict[str, list[float]]:
        return {table: read_table(root, "staging", table)["lcu_per_usd"].to_list() for table in tables}

    write(warehouse, "worldbank_tables", pull(1.0))
    written, write_parquet = [], pl.DataFrame.write_parquet

    def disk_full_at_the_second_table(frame, target, **options):
        written.append(target)
        if len(written) == 3:  # exchange_rates and its rejects were written
            raise OSError("No space left on device")
        write_parquet(frame, target, **options)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", disk_full_at_the_second_table)
    with pytest.raises(OSError, match="No space left"):
        write(warehouse, "worldbank_tables", pull(2.0))
    monkeypatch.undo()

    assert stored() == {table: [1.0, 1.0] for table in tables}
    results = write(warehouse, "worldbank_tables", pull(3.0))
    assert stored() == {table: [3.0, 3.0] for table in tables}
    assert [r.metadata["path"].value for r in results] == [str(table_path(root, "staging", t)) for t in tables]
