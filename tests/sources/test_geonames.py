"""GeoNames parsers against the real countryInfo.txt and cities15000.zip, plus small broken inputs."""

import io
import zipfile

import polars as pl
import pytest

from sources import geonames as gn
from sources.errors import SourceFormatError
from tests.shared_data import RAW, needs_shared_raw

GN = RAW / "geonames"

HEADER = "#ISO\t" + "\t".join(gn.COUNTRY_INFO_COLUMNS[1:])


@pytest.fixture(scope="module")
def countries() -> pl.DataFrame:
    return gn.parse_country_info((GN / "countryInfo.txt").read_bytes(), "countryInfo.txt")


@pytest.fixture(scope="module")
def cities_zip() -> bytes:
    return (GN / "cities15000.zip").read_bytes()


@needs_shared_raw
def test_country_info_rows_and_types(countries):
    assert countries.schema == pl.Schema(
        {
            "iso2": pl.String,
            "iso3": pl.String,
            "iso_numeric": pl.String,
            "name": pl.String,
            "capital": pl.String,
            "continent": pl.String,
            "currency_code": pl.String,
            "population": pl.Int64,
            "neighbours_iso2": pl.List(pl.String),
            "parse_error": pl.String,
        }
    )
    # 252 records; the file's 253rd non-comment line is a trailing blank line.
    assert countries.height == 252
    assert countries["iso2"].null_count() == 0 and countries["iso2"].n_unique() == 252
    assert countries["parse_error"].null_count() == countries.height


@needs_shared_raw
def test_namibia_and_north_america_keep_na(countries):
    nam = countries.filter(pl.col("iso3") == "NAM").row(0, named=True)
    assert nam["iso2"] == "NA" and nam["name"] == "Namibia" and nam["capital"] == "Windhoek"
    assert countries.filter(pl.col("iso2") == "US")["continent"].item() == "NA"


@needs_shared_raw
def test_neighbours(countries):
    by_iso3 = dict(zip(countries["iso3"], countries["neighbours_iso2"].to_list(), strict=False))
    assert by_iso3["PHL"] == []
    assert by_iso3["USA"] == ["CA", "MX", "CU"]  # GeoNames lists Cuba (Guantanamo) as a US land neighbour
    assert "ZA" in by_iso3["NAM"]
    phl = countries.filter(pl.col("iso3") == "PHL").row(0, named=True)
    assert (phl["capital"], phl["currency_code"], phl["population"]) == ("Manila", "PHP", 106651922)


@needs_shared_raw
def test_kosovo_uses_xkx(countries):
    assert countries.filter(pl.col("iso2") == "XK")["iso3"].item() == "XKX"


@needs_shared_raw
def test_capitals_from_zip(cities_zip):
    capitals = gn.parse_cities(cities_zip, "cities15000.zip")
    assert capitals.height == 241
    assert capitals["country_iso2"].n_unique() == 241  # one PPLC per country in this vintage
    assert set(capitals["feature_code"]) == {"PPLC"}
    manila = capitals.filter(pl.col("country_iso2") == "PH").row(0, named=True)
    assert manila["name"] == "Manila" and manila["timezone"] == "Asia/Manila"
    assert manila["latitude"] == pytest.approx(14.6042, abs=1e-3)
    assert manila["longitude"] == pytest.approx(120.98, abs=0.05)
    assert capitals["parse_error"].null_count() == capitals.height


@needs_shared_raw
def test_all_cities_and_plain_txt(cities_zip):
    with zipfile.ZipFile(io.BytesIO(cities_zip)) as z:
        txt = z.read("cities15000.txt")
    everything = gn.parse_cities(txt, "cities15000.txt", feature_codes=None)
    assert everything.height == 32847
    assert everything["country_iso2"].n_unique() == 244
    assert everything["geonameid"].null_count() == 0
    # Both capitals and seats of first-order divisions when asked for.
    two = gn.parse_cities(txt, "cities15000.txt", feature_codes=("PPLC", "PPLA"))
    assert set(two["feature_code"]) == {"PPLC", "PPLA"} and two.height > 241


def test_quotes_in_names_do_not_break_rows_and_bad_numbers_are_flagged():
    row1 = [
        "1",
        'Ke "Old" Town',
        "Ke Old Town",
        "",
        "10.5",
        "20.25",
        "P",
        "PPLC",
        "XX",
        "",
        "",
        "",
        "",
        "",
        "15000",
        "",
        "5",
        "Etc/UTC",
        "2024-01-01",
    ]
    row2 = [
        "2",
        "O'Brien",
        "O'Brien",
        '"a,b"',
        "north",
        "1.0",
        "P",
        "PPLC",
        "YY",
        "",
        "",
        "",
        "",
        "",
        "many",
        "",
        "5",
        "Etc/UTC",
        "2024-01-01",
    ]
    row3 = ["3", "Village", "Village", "", "1", "1", "P", "PPL", "YY"] + [""] * 5 + ["20000", "", "1", "", ""]
    body = "".join("\t".join(r) + "\n" for r in (row1, row2, row3)).encode()
    df = gn.parse_cities(body, "mini.txt")
    assert df["name"].to_list() == ['Ke "Old" Town', "O'Brien"]  # the PPL row is filtered out
    bad = df.row(1, named=True)
    assert bad["latitude"] is None and bad["population"] is None
    assert (
        "latitude: cannot parse 'north'" in bad["parse_error"]
        and "population: cannot parse 'many'" in bad["parse_error"]
    )
    assert df.row(0, named=True)["parse_error"] is None


def test_country_info_unparseable_population_and_empty_neighbours():
    body = (
        f"# comment\n{HEADER}\n"
        "NA\tNAM\t516\tWA\tNamibia\tWindhoek\t825418\tlots\tAF\t.na\tNAD\tDollar\t264\t\t\ten\t3355338\tZA,BW\t\n"
        "PH\tPHL\t608\tRP\tPhilippines\tManila\t300000\t106651922\tAS\t.ph\tPHP\tPeso\t63\t\t\ttl\t1694008\t\t\n"
    )
    df = gn.parse_country_info(body.encode(), "countryInfo.txt")
    nam, phl = df.row(0, named=True), df.row(1, named=True)
    assert nam["iso2"] == "NA" and nam["population"] is None and nam["parse_error"] == "population: cannot parse 'lots'"
    assert nam["neighbours_iso2"] == ["ZA", "BW"] and phl["neighbours_iso2"] == []
    assert phl["parse_error"] is None


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "empty"),
        (b"<html><head><title>503</title></head></html>", "HTML"),
        (b"NA\tNAM\t516\n", "header"),  # header comment stripped, as a later copy of the file did
        (("#" + HEADER[1:].replace("neighbours", "borders") + "\nNA\tNAM\n").encode(), "missing columns"),
    ],
)
def test_country_info_layout_problems(body, problem):
    with pytest.raises(SourceFormatError, match=problem) as err:
        gn.parse_country_info(body, "countryInfo.txt")
    assert "countryInfo.txt" in str(err.value)


def test_cities_layout_problems():
    with pytest.raises(SourceFormatError, match="19"):
        gn.parse_cities(b"1\tname\tascii\n", "cities15000.txt")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cities15000.txt", "1\t" * 5000)
    with pytest.raises(SourceFormatError, match="zip"):
        gn.parse_cities(buf.getvalue()[:-40], "cities15000.zip")
