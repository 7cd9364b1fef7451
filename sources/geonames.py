"""GeoNames dumps: countryInfo.txt (country codes, capitals, neighbours) and cities15000 (capitals with timezone).

Both are tab-separated with no quoting; names may hold quote characters, so quoting is disabled. "NA" is a real
code here (Namibia's ISO2, North America's continent), so no text is ever treated as a null marker.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import polars as pl

from sources.errors import SourceFormatError
from sources.spreadsheets import read_member
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_empty,
    check_not_markup,
    check_rectangular,
    join_problems,
)

SOURCE = "GeoNames"


COUNTRY_INFO_COLUMNS = (
    "ISO",
    "ISO3",
    "ISO-Numeric",
    "fips",
    "Country",
    "Capital",
    "Area(in sq km)",
    "Population",
    "Continent",
    "tld",
    "CurrencyCode",
    "CurrencyName",
    "Phone",
    "Postal Code Format",
    "Postal Code Regex",
    "Languages",
    "geonameid",
    "neighbours",
    "EquivalentFipsCode",
)
# The columns this parser reads; the others may be renamed without harm.
COUNTRY_INFO_REQUIRED = (
    "ISO",
    "ISO3",
    "ISO-Numeric",
    "Country",
    "Capital",
    "Population",
    "Continent",
    "CurrencyCode",
    "neighbours",
)

# The standard "geoname" table layout, which has no header line.
CITY_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1_code",
    "admin2_code",
    "admin3_code",
    "admin4_code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
)


def parse_country_info(data: bytes, file_name: str) -> pl.DataFrame:
    """iso2, iso3, iso_numeric, name, capital, continent, currency_code, population, neighbours_iso2, parse_error."""
    text = _decode(data, file_name)
    header = _country_info_header(text, file_name)
    missing = [c for c in COUNTRY_INFO_REQUIRED if c not in header]
    if missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            "missing columns in the '#ISO' header line",
            expected=list(COUNTRY_INFO_COLUMNS),
            found=header,
        )
    _check_complete(text, file_name, comment_prefix="#")
    frame = _read_tsv(text, file_name, comment_prefix="#")
    if frame.width != len(header):
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"data rows have {frame.width} fields, the header {len(header)}",
            expected=header,
            found=frame.columns,
        )
    frame.columns = header

    population = _int(pl.col("Population"))
    neighbours = blank_to_null(pl.col("neighbours"))
    return frame.select(
        blank_to_null(pl.col("ISO")).alias("iso2"),
        blank_to_null(pl.col("ISO3")).alias("iso3"),
        blank_to_null(pl.col("ISO-Numeric")).alias("iso_numeric"),
        blank_to_null(pl.col("Country")).alias("name"),
        blank_to_null(pl.col("Capital")).alias("capital"),
        blank_to_null(pl.col("Continent")).alias("continent"),
        blank_to_null(pl.col("CurrencyCode")).alias("currency_code"),
        population.alias("population"),
        # Islands have no land borders: an empty list, not null, so callers need no null check.
        pl.when(neighbours.is_null())
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(neighbours.str.split(",").list.eval(pl.element().str.strip_chars()))
        .alias("neighbours_iso2"),
        _error_if_unparsed("population", pl.col("Population"), population).alias("parse_error"),
    )


def parse_cities(data: bytes, file_name: str, feature_codes: tuple[str, ...] | None = ("PPLC",)) -> pl.DataFrame:
    """geonameid, name, asciiname, latitude, longitude, feature_code, country_iso2, population, timezone, parse_error.

    Accepts the served zip or its plain .txt member; keeps only `feature_codes` (capitals by default), or all
    rows when None.
    """
    if data[:4] == b"PK\x03\x04":
        data = _unzip_txt(data, file_name)
    text = _decode(data, file_name)
    _check_complete(text, file_name)
    frame = _read_tsv(text, file_name)
    if frame.width != len(CITY_COLUMNS):
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"rows have {frame.width} tab-separated fields, not 19",
            expected=list(CITY_COLUMNS),
            found=frame.width,
        )
    frame.columns = list(CITY_COLUMNS)
    if feature_codes is not None:
        frame = frame.filter(pl.col("feature_code").str.strip_chars().is_in(list(feature_codes)))

    geonameid, population = _int(pl.col("geonameid")), _int(pl.col("population"))
    latitude, longitude = _float(pl.col("latitude")), _float(pl.col("longitude"))
    return frame.select(
        geonameid.alias("geonameid"),
        pl.col("name"),
        pl.col("asciiname"),
        latitude.alias("latitude"),
        longitude.alias("longitude"),
        blank_to_null(pl.col("feature_code")).alias("feature_code"),
        blank_to_null(pl.col("country_code")).alias("country_iso2"),
        population.alias("population"),
        blank_to_null(pl.col("timezone")).alias("timezone"),
        join_problems(
            [
                _error_if_unparsed("geonameid", pl.col("geonameid"), geonameid),
                _error_if_unparsed("latitude", pl.col("latitude"), latitude),
                _error_if_unparsed("longitude", pl.col("longitude"), longitude),
                _error_if_unparsed("population", pl.col("population"), population),
            ]
        ).alias("parse_error"),
    )


def _country_info_header(text: str, file_name: str) -> list[str]:
    """The last '#' line before the first data line; only the comment preamble is scanned."""
    last_comment = None
    for line in text.splitlines():
        if line.startswith("#"):
            last_comment = line
        elif line.strip():
            break
    if last_comment is None or not last_comment.startswith("#ISO\t"):
        raise SourceFormatError(
            SOURCE,
            file_name,
            "no '#ISO<TAB>ISO3...' header comment before the data",
            expected=list(COUNTRY_INFO_COLUMNS),
            found=last_comment,
        )
    return [c.strip() for c in last_comment[1:].split("\t")]


def _unzip_txt(data: bytes, file_name: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
            if len(names) != 1:
                raise SourceFormatError(
                    SOURCE,
                    file_name,
                    "expected one .txt member in the zip",
                    expected=["cities15000.txt"],
                    found=archive.namelist(),
                )
            return read_member(archive, names[0], SOURCE, file_name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise SourceFormatError(
            SOURCE, file_name, f"truncated or corrupt zip ({exc})", expected=["cities15000.txt"]
        ) from exc


def _decode(data: bytes, file_name: str) -> str:
    check_not_empty(data, SOURCE, file_name, expected="tab-separated text")
    text = data.decode("utf-8-sig", errors="replace")
    check_not_markup(
        text,
        SOURCE,
        file_name,
        "HTML or XML page instead of tab-separated text",
        expected="tab-separated text",
        found=text.lstrip()[:120],
    )
    return text


def _check_complete(text: str, file_name: str, comment_prefix: str | None = None) -> None:
    """Refuse a dump with a line of fewer or more fields than its first data line, or cut inside its last line.

    polars would fill a short line's last cells with nulls (a country's lost neighbours, a capital's lost time zone)
    and fail on a long one with no line named. GeoNames ends every dump with a line end.
    """
    check_rectangular(text, SOURCE, file_name, "\t", quoted=False, header=False, comment_prefix=comment_prefix)
    check_line_ends(text, SOURCE, file_name)


def _read_tsv(text: str, file_name: str, comment_prefix: str | None = None) -> pl.DataFrame:
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator="\t",
            has_header=False,
            quote_char=None,
            comment_prefix=comment_prefix,
            infer_schema=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable tab-separated text ({exc})") from exc
    # Blank lines (countryInfo.txt ends with one) come back as all-null rows: they are not records.
    return frame.filter(pl.any_horizontal(blank_to_null(pl.all()).is_not_null()))


def _int(expr: pl.Expr) -> pl.Expr:
    return blank_to_null(expr).cast(pl.Int64, strict=False)


def _float(expr: pl.Expr) -> pl.Expr:
    return blank_to_null(expr).cast(pl.Float64, strict=False)


def _error_if_unparsed(column: str, raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """'<column>: cannot parse '<raw>'' when a non-empty cell did not convert, else null."""
    present = blank_to_null(raw)
    return (
        pl.when(present.is_not_null() & parsed.is_null())
        .then(pl.format("{}: cannot parse '{}'", pl.lit(column), present))
        .otherwise(None)
    )
