"""ILO KILM 15b (social insurance and labour-related taxes as % of compensation), Gapminder DDF: the real file, the
ILO's own workbook it came from, and damaged or wrong files."""

import csv

import openpyxl
import polars as pl
import pytest

from sources import ilo_kilm
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

KILM = RAW / "ilo_kilm15"
FILE = KILM / (
    "ddf--datapoints--hourly_social_insurance_expenditures_and_labour_related_taxes_as_percentage_of_total_hourly_"
    "compensation_costs--by--country--year.csv"
)
# A sibling file of the same dataset: the direct-pay share, the complement of the one we read.
DIRECT_PAY = KILM / (
    "ddf--datapoints--total_hourly_direct_pay_as_percentage_of_total_hourly_compensation_costs--by--country--year.csv"
)
HEADER = f"country,year,{ilo_kilm.SOCIAL_INSURANCE_SHARE}\n"


@pytest.fixture(scope="module")
def shares() -> pl.DataFrame:
    return ilo_kilm.parse_social_insurance_share(FILE.read_bytes(), FILE.name)


@needs_shared_raw
def test_real_file_shape(shares):
    assert shares.schema == pl.Schema(
        {
            "iso3": pl.String,
            "year": pl.Int32,
            "employer_share_pct": pl.Float64,
            "measure": pl.String,
            "parse_error": pl.String,
        }
    )
    assert shares.height == 586 and shares["parse_error"].null_count() == shares.height
    assert (shares["year"].min(), shares["year"].max()) == (1996, 2013)
    assert shares["employer_share_pct"].is_between(3, 35).all()


@needs_shared_raw
def test_ddf_ids_are_the_entities_iso3_codes(shares):
    with (KILM / "ddf--entities--country.csv").open(newline="") as handle:
        entities = {row["country"].upper() for row in csv.DictReader(handle)}
    assert set(shares["iso3"]) == entities and len(entities) == 33 and {"PHL", "TWN", "MEX"} <= entities


@needs_shared_raw
def test_real_values_2013(shares):
    latest = dict(shares.filter(year=2013).select("iso3", "employer_share_pct").iter_rows())
    expected = {"MEX": 30.4, "PHL": 7.9, "DEU": 21.7, "IRL": 16.7, "POL": 16.6, "USA": 23.9}
    assert {iso3: latest[iso3] for iso3 in expected} == pytest.approx(expected, abs=1e-5)


@needs_shared_raw
def test_every_value_equals_the_ilo_workbook(shares):
    """The DDF file is Gapminder's; the ILO's kilm15.xlsx, beside it, holds the same 586 values (sheet KILM 15b)."""
    book = openpyxl.load_workbook(KILM / "kilm15.xlsx", read_only=True)
    rows = list(book["KILM 15b"].iter_rows(values_only=True))
    header = rows[2]
    code, year = header.index("Country (code)"), header.index("Year")
    share = header.index(
        "Hourly social insurance expenditures and labour-related taxes as % of total hourly compensation costs"
    )
    workbook = {(r[code], r[year]): r[share] for r in rows[3:] if r[code] and r[share] is not None}
    parsed = {(iso3, y): v for iso3, y, v in shares.select("iso3", "year", "employer_share_pct").iter_rows()}
    assert parsed == workbook


@needs_shared_raw
def test_the_wrong_file_of_the_dataset_is_refused_naming_it():
    with pytest.raises(SourceFormatError) as err:
        ilo_kilm.parse_social_insurance_share(DIRECT_PAY.read_bytes(), DIRECT_PAY.name)
    assert str(err.value).startswith(f"ILO KILM: {DIRECT_PAY.name}: ")
    assert ilo_kilm.SOCIAL_INSURANCE_SHARE in err.value.expected
    assert "total_hourly_direct_pay_as_percentage_of_total_hourly_compensation_costs" in err.value.found


def test_bad_cells_keep_their_rows_with_every_reason():
    body = HEADER + "phl,2013,7.9\nph,20x3,\nusa,2013,n/a\n"
    good, bad, usa = ilo_kilm.parse_social_insurance_share(body.encode(), "kilm.csv").rows(named=True)
    assert (good["iso3"], good["year"], good["employer_share_pct"], good["parse_error"]) == ("PHL", 2013, 7.9, None)
    assert bad["iso3"] is None and bad["parse_error"] == (
        "country: 'ph' is not a DDF ISO3 id; year: cannot parse '20x3'; social-insurance share: empty cell"
    )
    assert usa["employer_share_pct"] is None and usa["parse_error"] == "social-insurance share: cannot parse 'n/a'"


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "empty"),
        (b"<html><body>404</body></html>", "HTML"),
        (HEADER.replace("year", "time").encode() + b"phl,2013,7.9\n", "missing columns \\['year'\\]"),
    ],
)
def test_layout_problems_name_the_source_and_file(body, problem):
    with pytest.raises(SourceFormatError, match=problem) as err:
        ilo_kilm.parse_social_insurance_share(body, "kilm15.csv")
    assert "ILO KILM: kilm15.csv" in str(err.value)
