"""Holding frames to their contracts: bad rows are set aside with their reason, bad tables are refused whole."""

import polars as pl
import pytest

from schemas.contract import ContractError, hold_to_contract, validate_stored
from schemas.staging import ExchangeRates

RAW = "raw/worldbank/2026-11-01/fx.csv"


def rates(**columns) -> pl.DataFrame:
    base = {
        "iso3": ["PHL", "IND", "USA"],
        "year": pl.Series([2022, 2022, 2022], dtype=pl.Int32),
        "lcu_per_usd": [54.4778, 78.6, 1.0],
        "raw_file": [RAW] * 3,
        "parse_error": pl.Series([None, None, None], dtype=pl.String),
    }
    return pl.DataFrame(base | columns)


def test_a_clean_frame_passes_whole():
    checked = hold_to_contract(rates(), ExchangeRates, "exchange_rates")
    assert checked.valid.height == 3 and checked.rejects.is_empty()
    assert "parse_error" not in checked.valid.columns


def test_duplicate_keys_are_all_rejected_since_neither_can_be_preferred():
    frame = rates(iso3=["PHL", "PHL", "USA"])
    checked = hold_to_contract(frame, ExchangeRates, "exchange_rates")
    assert checked.valid["iso3"].to_list() == ["USA"]
    assert checked.reject_counts() == {"duplicate key": 2}


def test_a_value_that_could_not_be_read_is_rejected_with_the_parsers_words():
    frame = rates(lcu_per_usd=[None, 78.6, 1.0], parse_error=["2022: cannot parse 'n/a' as a number", None, None])
    checked = hold_to_contract(frame, ExchangeRates, "exchange_rates")
    reject = checked.rejects.row(0, named=True)
    assert reject["iso3"] == "PHL" and "cannot parse 'n/a'" in reject["reject_reason"]
    assert set(reject["reject_rules"]) == {"parse_error", "lcu_per_usd: not_nullable"}


def test_values_out_of_range_and_unknown_countries_are_rejected():
    frame = rates(iso3=["PHL", "XXX", "USA"], lcu_per_usd=[-1.0, 78.6, 1.0])
    known = {"unknown country code": pl.col("iso3").is_in(["PHL", "USA"])}
    checked = hold_to_contract(frame, ExchangeRates, "exchange_rates", known)
    assert checked.valid["iso3"].to_list() == ["USA"]
    assert checked.reject_counts() == {"lcu_per_usd: greater_than(0)": 1, "unknown country code": 1}
    assert "failed on -1.0" in checked.rejects.filter(pl.col("iso3") == "PHL")["reject_reason"][0]


def test_a_missing_column_refuses_the_whole_frame_and_names_it():
    with pytest.raises(ContractError, match="exchange_rates: .*lcu_per_usd"):
        hold_to_contract(rates().drop("lcu_per_usd"), ExchangeRates, "exchange_rates")


def test_a_wrong_type_refuses_the_whole_frame():
    with pytest.raises(ContractError, match="year"):
        hold_to_contract(rates(year=["2022", "2022", "2022"]), ExchangeRates, "exchange_rates")


def test_validate_stored_reports_problems_of_a_stored_table():
    assert validate_stored(rates().drop("parse_error"), ExchangeRates) == []
    problems = validate_stored(rates(iso3=["PHL", "PHL", "USA"]).drop("parse_error"), ExchangeRates)
    assert any("uniqueness" in p for p in problems)
    assert validate_stored(rates().drop("parse_error").clear(), ExchangeRates) == ["the table has no rows"]


def test_a_table_losing_more_than_a_fifth_of_its_keys_is_named_and_a_smaller_loss_is_not():
    from schemas.contract import lost_keys
    from schemas.staging import ExchangeRates

    before = pl.DataFrame({"iso3": [f"A{i:02d}" for i in range(10)], "year": [2022] * 10})
    assert lost_keys(before, before.head(8), ExchangeRates) is None
    assert lost_keys(before, before.head(7), ExchangeRates) == "7 keys against 10 before, a loss of 30% (more than 20%)"
