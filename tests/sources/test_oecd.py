"""OECD average-wages parser against the real SDMX-CSV-with-labels export, plus code-only and broken inputs."""

import polars as pl
import pytest

from sources import oecd
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

FILE = RAW / "oecd" / "OECD_AV_AN_WAGE.csv"

CODES_ONLY = (
    "DATAFLOW,REF_AREA,MEASURE,UNIT_MEASURE,PAY_PERIOD,PRICE_BASE,AGGREGATION_OPERATION,SEX,TIME_PERIOD,"
    "OBS_VALUE,BASE_PER,OBS_STATUS,UNIT_MULT,DECIMALS\n"
    "OECD.ELS.SAE:DSD_EARNINGS@AV_AN_WAGE(1.0),USA,WG,USD_PPP,A,Q,MEAN,_Z,2022,77.4634730,2022,A,3,0\n"
    "OECD.ELS.SAE:DSD_EARNINGS@AV_AN_WAGE(1.0),MEX,WG,USD_PPP,A,Q,MEAN,_Z,2022,n.a.,2022,A,0,0\n"
    "OECD.ELS.SAE:DSD_EARNINGS@AV_AN_WAGE(1.0),CHL,WG,USD_PPP,A,Q,MEAN,_Z,2022,,2022,M,0,0\n"
)


@pytest.fixture(scope="module")
def wages() -> pl.DataFrame:
    return oecd.parse_average_wages(FILE.read_bytes(), FILE.name)


@needs_shared_raw
def test_real_file_shape(wages):
    assert wages.schema == pl.Schema(
        {
            "iso3": pl.String,
            "area_name": pl.String,
            "year": pl.Int32,
            "annual_wage": pl.Float64,
            "unit": pl.String,
            "price_base": pl.String,
            "parse_error": pl.String,
        }
    )
    assert wages.height == 112
    assert wages["iso3"].n_unique() == 39 and "OECD" in set(wages["iso3"])
    assert wages.filter(pl.col("iso3") != "OECD")["iso3"].n_unique() == 38
    assert set(wages["unit"]) == {"USD_PPP"} and set(wages["price_base"]) == {"Q"}
    assert (wages["year"].min(), wages["year"].max()) == (2020, 2022)
    assert wages["parse_error"].null_count() == wages.height and wages["annual_wage"].null_count() == 0


@needs_shared_raw
def test_real_values(wages):
    def get(iso3, year):
        return wages.filter(pl.col("iso3") == iso3, pl.col("year") == year).row(0, named=True)

    bel = get("BEL", 2021)
    assert bel["annual_wage"] == pytest.approx(65520.8213051768) and bel["area_name"] == "Belgium"
    assert get("BEL", 2020)["annual_wage"] == 63677.0
    assert get("USA", 2022)["area_name"] == "United States"
    assert get("OECD", 2022)["annual_wage"] == pytest.approx(53415.84, abs=0.01)
    # Coverage gaps the caller must expect: Türkiye only 2020, Chile 2020-2021.
    years = wages.group_by("iso3").agg(pl.col("year").sort()).rows()
    years = dict(years)
    assert years["TUR"] == [2020] and years["CHL"] == [2020, 2021]
    assert get("TUR", 2020)["area_name"] == "Türkiye"


def test_codes_only_layout_unit_mult_and_bad_values():
    df = oecd.parse_average_wages(CODES_ONLY.encode(), "av_an_wage.csv")
    assert df["area_name"].null_count() == 3
    usa, mex, chl = df.rows(named=True)
    assert usa["annual_wage"] == pytest.approx(77463.473) and usa["parse_error"] is None  # 77.46 x 10**3
    assert mex["annual_wage"] is None and mex["parse_error"] == "annual_wage (OBS_VALUE): cannot parse 'n.a.'"
    assert chl["annual_wage"] is None and chl["parse_error"] is None  # empty cell: just missing
    assert df["year"].to_list() == [2022] * 3


def test_missing_unit_mult_means_units_and_bad_year_is_flagged():
    body = b"REF_AREA,UNIT_MEASURE,PRICE_BASE,TIME_PERIOD,OBS_VALUE\nFRA,USD_PPP,Q,2022-A,55000\n"
    row = oecd.parse_average_wages(body, "x.csv").row(0, named=True)
    assert row["annual_wage"] == 55000.0 and row["year"] is None
    assert row["parse_error"] == "year (TIME_PERIOD): cannot parse '2022-A'"


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "empty"),
        (b"<html><body>NoResultsFound</body></html>", "HTML"),
        (b'<?xml version="1.0"?><message:Error/>', "HTML or XML"),
        (CODES_ONLY.replace("OBS_VALUE", "VALUE").encode(), "missing SDMX-CSV columns"),
    ],
)
def test_layout_problems(body, problem):
    with pytest.raises(SourceFormatError, match=problem) as err:
        oecd.parse_average_wages(body, "OECD_AV_AN_WAGE.csv")
    assert "OECD_AV_AN_WAGE.csv" in str(err.value)


def test_renamed_column_lists_found_columns():
    with pytest.raises(SourceFormatError) as err:
        oecd.parse_average_wages(CODES_ONLY.replace("REF_AREA", "COUNTRY").encode(), "x.csv")
    assert "COUNTRY" in err.value.found and "REF_AREA" in err.value.expected
