"""World Bank WDI parsers against the real bulk files in ../shared/data/raw/worldbank and small broken inputs."""

import io
import zipfile
from datetime import date

import polars as pl
import pytest

from sources import worldbank as wb
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

WB = RAW / "worldbank"

FCRF = "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv"
PPP_SERVED = "API_PA.NUS.PRVT.PP_DS2_en_csv_v2_4354097.csv"
PPP_RESAVED = "ppp_private_consumption_2025_resaved/API_PA.NUS.PRVT.PP_DS2_en_csv_v2_14409.csv"
RL = "API_RL.EST_DS2_en_csv_v2_5814.csv"
GDP = "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_5728786.csv"
PV = "API_PV.EST_DS2_en_csv_v2_7919.csv"


def parse(name: str) -> pl.DataFrame:
    return wb.parse_indicator((WB / name).read_bytes(), name)


def value(df: pl.DataFrame, code: str, year: int) -> float:
    return df.filter(pl.col("country_code") == code, pl.col("year") == year)["value"].item()


@needs_shared_raw
def test_served_exchange_rate_file():
    df = parse(FCRF)
    assert df.schema == pl.Schema(
        {
            "country_code": pl.String,
            "country_name": pl.String,
            "indicator_code": pl.String,
            "year": pl.Int32,
            "value": pl.Float64,
            "parse_error": pl.String,
        }
    )
    assert value(df, "PHL", 2022) == pytest.approx(54.477785837205, rel=1e-12)
    assert df["indicator_code"].unique().to_list() == ["PA.NUS.FCRF"]
    assert (df["year"].min(), df["year"].max()) == (1960, 2024)
    assert df["parse_error"].null_count() == df.height
    # One row per non-empty cell, at most 266 economies/aggregates x 65 years.
    assert 10_000 < df.height < 266 * 65
    assert df.filter(pl.col("value").is_null()).height == 0


@needs_shared_raw
def test_last_updated_from_preamble_and_none_when_resaved():
    assert wb.last_updated((WB / FCRF).read_bytes()) == date(2025, 7, 1)
    assert wb.last_updated((WB / PPP_SERVED).read_bytes()) == date(2022, 7, 20)
    assert wb.last_updated((WB / RL).read_bytes()) == date(2026, 3, 11)  # unquoted preamble
    assert wb.last_updated((WB / PPP_RESAVED).read_bytes()) is None
    assert wb.last_updated((WB / GDP).read_bytes()) is None


@needs_shared_raw
def test_served_and_resaved_ppp_files_both_parse_and_agree():
    served, resaved = parse(PPP_SERVED), parse(PPP_RESAVED)
    assert (served["year"].max(), resaved["year"].max()) == (2021, 2023)
    # Quoting is gone in the re-saved file, but names with commas are still one field.
    assert resaved.filter(pl.col("country_code") == "KOR")["country_name"][0] == "Korea, Rep."
    assert value(resaved, "ABW", 1990) == pytest.approx(1.332509291)
    assert resaved["parse_error"].null_count() == resaved.height
    assert value(resaved, "PHL", 2021) > 0 and value(served, "PHL", 2021) > 0


@needs_shared_raw
def test_e_notation_values_parse():
    df = parse(RL)
    assert df["parse_error"].null_count() == df.height
    text = (WB / RL).read_text(encoding="utf-8-sig")
    assert "E-2" in text
    small = df.filter(pl.col("value").abs() < 0.1)
    assert small.height > 50  # the E-2 / E-3 cells
    assert df["value"].is_between(-3, 3).all()  # WGI estimates lie within about +-2.5


@needs_shared_raw
def test_gdp_file_without_preamble_but_quoted():
    df = parse(GDP)
    assert df["country_code"].n_unique() > 250
    assert (df["year"].min(), df["year"].max()) == (1960, 2022)


@needs_shared_raw
def test_country_metadata_aggregates():
    name = "Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv"
    meta = wb.parse_country_metadata((WB / name).read_bytes(), name)
    assert meta.columns == ["country_code", "region", "income_group", "special_notes", "is_aggregate", "parse_error"]
    assert meta.height == 265
    flags = dict(zip(meta["country_code"], meta["is_aggregate"], strict=False))
    assert flags["WLD"] and flags["EUU"] and flags["HIC"]
    assert not flags["PHL"] and not flags["XKX"] and not flags["CHI"]
    assert meta["is_aggregate"].sum() == 48
    phl = meta.filter(pl.col("country_code") == "PHL").row(0, named=True)
    assert phl["region"] == "East Asia & Pacific" and phl["income_group"] == "Lower middle income"
    # SpecialNotes spans several lines inside quotes and must stay one row.
    assert "fiscal year" in meta.filter(pl.col("country_code") == "AFG")["special_notes"][0]


@needs_shared_raw
def test_unpack_indicator_zip_built_from_real_files():
    members = {
        "API_PV.EST_DS2_en_csv_v2_7919.csv": (WB / PV).read_bytes(),
        "Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv": (
            WB / "Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv"
        ).read_bytes(),
        "Metadata_Indicator_API_PV.EST_DS2_en_csv_v2_7919.csv": (
            WB / "Metadata_Indicator_API_PV.EST_DS2_en_csv_v2_7919.csv"
        ).read_bytes(),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    parts = wb.unpack_indicator_zip(buf.getvalue(), "API_PV.EST_DS2_en_csv_v2_7919.zip")
    assert set(parts) == {"data", "country_metadata", "indicator_metadata"}
    assert parts["data"] == members["API_PV.EST_DS2_en_csv_v2_7919.csv"]
    assert wb.parse_indicator(parts["data"], "x")["indicator_code"].unique().to_list() == ["PV.EST"]

    with pytest.raises(SourceFormatError, match="zip"):
        wb.unpack_indicator_zip(buf.getvalue()[: len(buf.getvalue()) // 2], "truncated.zip")


def test_zip_missing_member_and_not_a_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("API_X_DS2.csv", "a")
    with pytest.raises(SourceFormatError, match="Metadata_Country_") as err:
        wb.unpack_indicator_zip(buf.getvalue(), "x.zip")
    assert err.value.found == ["API_X_DS2.csv"]
    with pytest.raises(SourceFormatError, match="not a readable zip"):
        wb.unpack_indicator_zip(b"<html>rate limited</html>", "x.zip")


SMALL = (
    '"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n'
    '"Country Name","Country Code","Indicator Name","Indicator Code","2021","2022",\n'
    '"Philippines","PHL","Official exchange rate","PA.NUS.FCRF","49.25","abc",\n'
    '"Aruba","ABW","Official exchange rate","PA.NUS.FCRF","","1.79",\n'
)


def test_unparseable_value_keeps_row_with_parse_error_and_empty_cells_are_dropped():
    df = wb.parse_indicator(SMALL.encode(), "small.csv")
    assert df.height == 3  # ABW 2021 is empty: not a row
    bad = df.filter(pl.col("country_code") == "PHL", pl.col("year") == 2022).row(0, named=True)
    assert bad["value"] is None
    assert "value" in bad["parse_error"] and "abc" in bad["parse_error"]
    assert df.filter(pl.col("parse_error").is_null())["value"].to_list() == [49.25, 1.79]


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>Error</body></html>", "HTML"),
        (SMALL.replace('"Country Code"', '"Code"').encode(), "header"),
        (SMALL.replace('"Indicator Code"', '"Indicator"').encode(), "missing columns"),
        (b'"Country Name","Country Code","Indicator Name","Indicator Code"\n"A","B","C","D"\n', "no year columns"),
    ],
)
def test_layout_problems_raise(body, problem):
    with pytest.raises(SourceFormatError, match=problem) as err:
        wb.parse_indicator(body, "API_bad.csv")
    assert "API_bad.csv" in str(err.value) and "World Bank WDI" in str(err.value)


def test_renamed_metadata_column_names_expected_and_found():
    body = b'"Country Code","Region","Income Group","SpecialNotes","TableName",\n"PHL","EAP","LMC","","Philippines",\n'
    with pytest.raises(SourceFormatError) as err:
        wb.parse_country_metadata(body, "Metadata_Country_x.csv")
    assert "IncomeGroup" in err.value.expected and "Income Group" in err.value.found


# The datahub.io copies of WDI series (worldbank/2025): one row per country and year.
GDP_LONG = "2025/gdp_NY.GDP.MKTP.CD.csv"
POPULATION_LONG = "2025/population_SP.POP.TOTL.csv"
LONG = "Country Name,Country Code,Year,Value\n"


@needs_shared_raw
def test_long_layout_gdp_and_population():
    gdp, population = parse(GDP_LONG), parse(POPULATION_LONG)
    assert gdp.columns == parse(FCRF).columns and gdp.schema == parse(FCRF).schema
    assert (gdp.height, population.height) == (13979, 17195)
    for frame in (gdp, population):
        assert frame["parse_error"].null_count() == frame.height and frame["value"].null_count() == 0
        assert frame["indicator_code"].null_count() == frame.height  # the long layout names no indicator
    assert (gdp["year"].max(), population["year"].max()) == (2023, 2024)
    assert value(gdp, "USA", 2023) == 27360935000000.0 and value(population, "USA", 2023) == 336806231
    assert value(gdp, "PHL", 2023) == pytest.approx(437146372729.94244) and value(population, "PHL", 2023) == 114891199
    # Aggregates are rows too, as in the wide layout; names with commas stay one field.
    assert {"WLD", "EUU", "HIC"} <= set(gdp["country_code"])
    assert gdp.filter(pl.col("country_code") == "KOR")["country_name"][0] == "Korea, Rep."
    # GDP / population is GDP per capita: the same inputs as NY.GDP.PCAP.CD (whose file here ends in 2022).
    assert value(gdp, "USA", 2023) / value(population, "USA", 2023) == pytest.approx(81236.43, abs=0.01)


def test_long_layout_bad_cells_and_empty_values():
    body = LONG + "Philippines,PHL,2023,4.37e11\nAruba,ABW,2O23,1.79\nChad,TCD,2023,n/a\nCuba,CUB,2023,\n"
    df = wb.parse_indicator(body.encode(), "gdp.csv")
    assert df.height == 3  # an empty value is no row, as an empty cell of the wide layout
    phl, abw, tcd = df.rows(named=True)
    assert phl["value"] == 4.37e11 and phl["year"] == 2023 and phl["parse_error"] is None
    assert abw["year"] is None and abw["parse_error"] == "Year: cannot parse '2O23' as a year"
    assert tcd["value"] is None and tcd["parse_error"] == "value: cannot parse 'n/a' as a number"


def test_long_layout_with_a_renamed_column_names_both_layouts():
    with pytest.raises(SourceFormatError, match="missing columns .*long layout") as err:
        wb.parse_indicator((LONG.replace("Value", "GDP") + "Philippines,PHL,2023,1\n").encode(), "gdp.csv")
    assert "gdp.csv" in str(err.value) and "GDP" in err.value.found
