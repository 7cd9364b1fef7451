"""The export: every published table as CSV and as a sheet of one workbook, with the data dictionary."""

import sys

import openpyxl
import polars as pl

from tests.shared_data import PROJECT

sys.path.insert(0, str(PROJECT / "scripts"))
from export import export

from tests.pipeline.conftest import PUBLISHED_TABLES


def test_every_published_table_is_exported_as_csv_and_as_a_sheet(warehouse, tmp_path):
    written = export(warehouse, tmp_path)

    assert {p.name for p in written} == {f"{t}.csv" for t in PUBLISHED_TABLES} | {"bpo_benchmarks.xlsx"}
    tiers = pl.read_csv(tmp_path / "tier_function_benchmarks.csv")
    usa = tiers.filter(buyer_iso3="USA", year=2023, function_id="customer_support", tier="offshore").row(0, named=True)
    assert len(usa["cheapest_countries"].split("; ")) == len(usa["cheapest_country_names"].split("; ")) == 3
    book = openpyxl.load_workbook(tmp_path / "bpo_benchmarks.xlsx", read_only=True)
    assert set(book.sheetnames) == {t[:31] for t in PUBLISHED_TABLES} | {"data_dictionary"}
    dictionary = [row for row in book["data_dictionary"].iter_rows(values_only=True)]
    assert ("location_scorecard", "composite_score") in {(r[0], r[1]) for r in dictionary}
