"""OECD Taxing Wages as tabulated by the Tax Foundation (Table 1): the real table, then damaged copies of it."""

import polars as pl
import pytest

from sources import oecd
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

FILE = RAW / "oecd" / "taxing_wages_2021" / "Table1.csv"
HEADER = (
    '"ISO3","Country","ISO2","Rank","Tax Wedge in % (As a Share of Labor Cost)","Income Tax in %",'
    '"Employee Payroll Taxes in %","Employer Payroll Taxes in %","Total Average Annual Labor Cost per Employee in $"\n'
)


def parse(body: str, name: str = "Table1.csv") -> pl.DataFrame:
    return oecd.parse_taxing_wages_table(body.encode(), name, 2021)


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return oecd.parse_taxing_wages_table(FILE.read_bytes(), FILE.name, 2021)


@needs_shared_raw
def test_real_table_shape(table):
    assert table.schema == pl.Schema(
        {
            "iso3": pl.String,
            "country": pl.String,
            "year": pl.Int32,
            "employer_share_pct": pl.Float64,
            "measure": pl.String,
            "parse_error": pl.String,
        }
    )
    # 38 OECD countries and the OECD average, which callers filter.
    assert table.height == 39 and table["iso3"].n_unique() == 39 and "OAVG" in set(table["iso3"])
    assert table["parse_error"].null_count() == table.height and table["employer_share_pct"].null_count() == 0
    assert set(table["year"]) == {2021} and table["measure"].n_unique() == 1


@needs_shared_raw
def test_real_values_as_stated(table):
    share = dict(zip(table["iso3"], table["employer_share_pct"], strict=True))
    assert share["DEU"] == 16.649302 and share["POL"] == 14.059637 and share["MEX"] == 10.468531
    assert share["USA"] == 7.524731 and share["IRL"] == 9.950473 and share["CZE"] == 25.261584
    # Kept as stated: Colombia's employer contributions are non-tax compulsory payments to the OECD.
    assert share["COL"] == 0.0
    assert table.filter(iso3="COL")["parse_error"].item() is None


@needs_shared_raw
def test_the_column_read_is_the_employer_part_of_the_tax_wedge():
    """Income tax + employee + employer payroll taxes = the tax wedge: a swapped column would break it everywhere.
    The table's own exceptions: the US parts exceed its wedge by 2.06 points, Denmark's by 0.11 (the OECD average
    by 0.06), as published."""
    raw = pl.read_csv(FILE)
    parsed = oecd.parse_taxing_wages_table(FILE.read_bytes(), FILE.name, 2021)
    joined = raw.join(parsed, left_on="ISO3", right_on="iso3")
    parts = pl.col("Income Tax in %") + pl.col("Employee Payroll Taxes in %") + pl.col("employer_share_pct")
    gap = joined.select("ISO3", (parts - pl.col("Tax Wedge in % (As a Share of Labor Cost)")).alias("gap"))
    assert set(gap.filter(pl.col("gap").abs() > 1e-5)["ISO3"]) == {"USA", "DNK", "OAVG"}
    assert gap.filter(ISO3="USA")["gap"].item() == pytest.approx(2.056496, abs=1e-6)


def test_bad_and_empty_cells_keep_their_rows_with_the_reason():
    body = (
        HEADER + '"POL","Poland","PL",23,34.85,5.47,15.32,n/a,41866.9\n"MEX","Mexico","MX",35,19.6,7.9,1.2,,15618.9\n'
    )
    pol, mex = parse(body).rows(named=True)
    assert pol["employer_share_pct"] is None
    assert pol["parse_error"] == "Employer Payroll Taxes in %: cannot parse 'n/a'"
    assert mex["employer_share_pct"] is None and mex["parse_error"] == "Employer Payroll Taxes in %: empty cell"


@pytest.mark.parametrize(
    "body, problem",
    [
        ("", "empty"),
        ("<!DOCTYPE html><html><body>Not Found</body></html>", "HTML"),
        (
            HEADER.replace("Employer Payroll Taxes in %", "Employer SSC in %") + '"DEU","Germany"' + "," * 7 + "\n",
            "missing columns",
        ),
    ],
)
def test_layout_problems_name_the_source_and_file(body, problem):
    with pytest.raises(SourceFormatError, match=problem) as err:
        parse(body, "Table1.csv")
    assert str(err.value).startswith("OECD Taxing Wages (Tax Foundation table): Table1.csv: ")


def test_a_renamed_column_lists_expected_and_found():
    with pytest.raises(SourceFormatError) as err:
        parse(HEADER.replace('"ISO3"', '"Code"') + '"DEU","Germany"' + "," * 7 + "\n")
    assert "ISO3" in err.value.expected and "Code" in err.value.found and "ISO3" not in err.value.found
