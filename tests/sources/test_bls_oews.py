"""BLS OEWS national parser against the real 2020-2024 workbooks, plus tiny workbooks built with openpyxl."""

import io
import zipfile

import openpyxl
import polars as pl
import pytest

from sources import bls_oews as bls
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

BLS = RAW / "bls_oews"

TARGETS = ["43-4051", "43-3031", "15-1232", "43-9021", "15-1252", "43-3051", "43-4161", "13-2011"]
HEADER = ["AREA", "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN", "A_MEDIAN"]


def parse_year(year: int) -> pl.DataFrame:
    name = f"national_M{year}_dl.xlsx"
    return bls.parse_national((BLS / name).read_bytes(), name)


def workbook(header, rows, sheet="national_M2023_dl") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.create_sheet("Field Descriptions")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@needs_shared_raw
def test_2023_bookkeeping_clerks():
    df = parse_year(2023)
    assert df.height == 1403
    row = df.filter(pl.col("soc_code") == "43-3031").row(0, named=True)
    assert row["title"].startswith("Bookkeeping, Accounting, and Auditing Clerks")
    assert (row["year"], row["o_group"], row["employment"]) == (2023, "detailed", 1501910)
    assert row["hourly_mean"] == pytest.approx(23.84)
    assert (row["hourly_median"], row["annual_mean"], row["annual_median"]) == (22.81, 49580.0, 47440.0)
    assert row["wage_topcoded"] is False and row["parse_error"] is None
    assert set(TARGETS) <= set(df["soc_code"])


@needs_shared_raw
def test_masks_become_null_without_parse_error():
    df = parse_year(2023)
    assert df["parse_error"].null_count() == df.height
    # "#" top-coded medians: null value, flagged.
    top = df.filter(pl.col("wage_topcoded"))
    assert top.height == 17 and top["hourly_median"].null_count() == top.height
    # "*" hourly wages for annual-only occupations: null, not flagged.
    annual_only = df.filter(pl.col("hourly_mean").is_null() & ~pl.col("wage_topcoded"))
    assert annual_only.height > 50 and annual_only["annual_mean"].null_count() < annual_only.height
    total = df.filter(pl.col("o_group") == "total").row(0, named=True)
    assert total["soc_code"] == "00-0000" and total["employment"] > 150_000_000


@needs_shared_raw
def test_2020_file_lacks_pct_rpt_and_15_1252():
    df = parse_year(2020)
    assert df.height == 1329
    assert (df["year"] == 2020).all()
    assert "15-1252" not in set(df["soc_code"]) and "15-1256" in set(df["soc_code"])
    # TOT_EMP "**" (estimate not released) is a mask, not a parse error.
    assert df["employment"].null_count() == 1 and df["parse_error"].null_count() == df.height


@needs_shared_raw
@pytest.mark.parametrize("year, rows", [(2021, 1403), (2022, 1402), (2024, 1403)])
def test_other_years_parse(year, rows):
    df = parse_year(year)
    assert df.height == rows and set(TARGETS) <= set(df["soc_code"])


@needs_shared_raw
def test_unpack_national_zip_and_year_override():
    xlsx = (BLS / "national_M2023_dl.xlsx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("oesm23nat/national_M2023_dl.xlsx", xlsx)
        z.writestr("oesm23nat/field_descriptions.xlsx", b"x")
    member = bls.unpack_national_zip(buf.getvalue(), "oesm23nat.zip")
    assert member == xlsx
    assert (bls.parse_national(member, "download.bin", year=2023)["year"] == 2023).all()
    with pytest.raises(SourceFormatError, match="zip"):
        bls.unpack_national_zip(buf.getvalue()[:1000], "oesm23nat.zip")


def test_lower_case_headers_numbers_as_floats_and_bad_values():
    header = [h.lower() for h in HEADER]
    rows = [
        [99, "43-3031", "Bookkeeping Clerks", "detailed", 1501910, 23.84, 49580, 22.81, 47440],
        [99, "29-1022", "Oral Surgeons", "detailed", "5000", "*", "360240", "#", "#"],
        [99, "11-1011", "Chief Executives", "detailed", "n/a", "abc", "*", "#", "#"],
    ]
    df = bls.parse_national(workbook(header, rows), "national_M2023_dl.xlsx")
    assert df["year"].to_list() == [2023] * 3
    ok, top, bad = df.rows(named=True)
    assert (ok["employment"], ok["hourly_mean"], ok["annual_median"]) == (1501910, 23.84, 47440.0)
    assert ok["parse_error"] is None and not ok["wage_topcoded"]
    assert top["hourly_mean"] is None and top["annual_mean"] == 360240.0 and top["wage_topcoded"]
    assert top["parse_error"] is None
    assert bad["employment"] is None and bad["hourly_mean"] is None
    assert "employment (tot_emp): cannot parse 'n/a'" in bad["parse_error"]
    assert "hourly_mean (h_mean): cannot parse 'abc'" in bad["parse_error"]


def test_renamed_column_raises():
    header = [h if h != "H_MEAN" else "HOURLY_MEAN" for h in HEADER]
    with pytest.raises(SourceFormatError, match="H_MEAN") as err:
        bls.parse_national(
            workbook(header, [[99, "43-3031", "x", "detailed", 1, 2, 3, 4, 5]]), "national_M2023_dl.xlsx"
        )
    assert "HOURLY_MEAN" in err.value.found and "national_M2023_dl.xlsx" in str(err.value)


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"<!DOCTYPE html><html><body>Access Denied</body></html>", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
        (b"PK\x03\x04garbage", "unreadable workbook"),
    ],
)
def test_non_xlsx_raises(body, problem):
    with pytest.raises(SourceFormatError, match=problem):
        bls.parse_national(body, "national_M2023_dl.xlsx")


def test_missing_national_sheet_and_unknown_year():
    with pytest.raises(SourceFormatError, match="no sheet named national") as err:
        bls.parse_national(workbook(HEADER, [], sheet="All May 2023 data"), "national_M2023_dl.xlsx")
    assert "All May 2023 data" in err.value.found
    with pytest.raises(SourceFormatError, match="year"):
        bls.parse_national(workbook(HEADER, []), "download.xlsx")
