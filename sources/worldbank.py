"""World Bank WDI bulk CSV: the served zip, its wide indicator table and its country metadata, as polars frames.

The bulk download is `API_<ID>_DS2_en_csv_v2_<n>.zip`, holding the data file (a 4-line preamble, then one column
per year from 1960) and two metadata files. Copies re-saved by a spreadsheet lose the preamble and the quoting,
and some vintages write values in E-notation, so the header is found by its content and every value is read as
text and converted by polars. The datahub.io copies of WDI series (github.com/datasets) are long instead, one row per
country and year: Country Name, Country Code, Year, Value; `parse_indicator` reads both layouts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
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
    require_columns,
)

SOURCE = "World Bank WDI"

ID_COLUMNS = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
# The datahub.io long layout: no indicator column (the file is named after its series) and one year per row.
LONG_COLUMNS = ("Country Name", "Country Code", "Year", "Value")
METADATA_COLUMNS = ("Country Code", "Region", "IncomeGroup", "SpecialNotes")
ZIP_MEMBERS = {"data": "API_", "country_metadata": "Metadata_Country_", "indicator_metadata": "Metadata_Indicator_"}

# The header is the first line that starts with the two id columns, quoted (as served) or not (re-saved).
_HEADER_RE = re.compile(r'^\ufeff?"?Country Name"?\s*,\s*"?Country Code"?', re.MULTILINE)
_LAST_UPDATED_RE = re.compile(r'^\ufeff?"?Last Updated Date"?\s*,\s*"?(\d{4}-\d{2}-\d{2})"?', re.MULTILINE)
_YEAR_RE = re.compile(r"^\d{4}$")
# The preamble is a few short lines; never scan a whole file looking for a header.
_PREAMBLE_SCAN_CHARS = 4096


def unpack_indicator_zip(data: bytes, file_name: str) -> dict[str, bytes]:
    """Return the bytes of the data, country-metadata and indicator-metadata members of a served zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"not a readable zip archive ({exc})",
            expected=[p + "*.csv" for p in ZIP_MEMBERS.values()],
            found=_head(data),
        ) from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        out: dict[str, bytes] = {}
        for key, prefix in ZIP_MEMBERS.items():
            matches = [n for n in names if n.rsplit("/", 1)[-1].startswith(prefix) and n.lower().endswith(".csv")]
            if len(matches) != 1:
                raise SourceFormatError(
                    SOURCE,
                    file_name,
                    f"expected exactly one {prefix}*.csv member",
                    expected=[p + "*.csv" for p in ZIP_MEMBERS.values()],
                    found=names,
                )
            try:
                out[key] = read_member(archive, matches[0], SOURCE, file_name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
                # NotImplementedError: a method zipfile lacks (Deflate64); RuntimeError: an encrypted member.
                raise SourceFormatError(
                    SOURCE, file_name, f"member {matches[0]} is truncated or corrupt ({exc})"
                ) from exc
    return out


def last_updated(data: bytes, file_name: str = "") -> dt.date | None:
    """The preamble's "Last Updated Date", or None for re-saved copies that dropped the preamble. Takes the served
    zip as well as the bare CSV."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        data = unpack_indicator_zip(data, file_name)["data"]
    text = data[:_PREAMBLE_SCAN_CHARS].decode("utf-8-sig", errors="replace")
    header = _HEADER_RE.search(text)
    match = _LAST_UPDATED_RE.search(text, 0, header.start() if header else len(text))
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_indicator(data: bytes, file_name: str) -> pl.DataFrame:
    """Long frame, one row per non-empty cell: country_code, country_name, indicator_code, year, value, parse_error."""
    text = _decode(data, file_name)
    header = _HEADER_RE.search(text, 0, _PREAMBLE_SCAN_CHARS)
    if header is None:
        raise SourceFormatError(
            SOURCE,
            file_name,
            "no header line starting with Country Name, Country Code",
            expected=[*list(ID_COLUMNS), "1960", "..."],
            found=_first_lines(text),
        )
    wide = _read_csv(text[header.start() :], file_name)
    columns = [c.strip() for c in wide.columns]
    wide.columns = columns
    missing = [c for c in ID_COLUMNS if c not in columns]
    if missing and columns == list(LONG_COLUMNS):
        return _from_long(wide)
    years = [c for c in columns if _YEAR_RE.match(c)]
    if missing or not years:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"missing columns (nor is it the long layout {', '.join(LONG_COLUMNS)})" if missing else "no year columns",
            expected=[*list(ID_COLUMNS), "1960", "..."],
            found=columns,
        )

    raw = pl.col("raw")
    long = (
        wide.select(*ID_COLUMNS, *years)
        .unpivot(index=list(ID_COLUMNS), on=years, variable_name="year", value_name="raw")
        .with_columns(blank_to_null(raw))
        .filter(raw.is_not_null())
    )
    value = raw.cast(pl.Float64, strict=False)
    return long.select(
        pl.col("Country Code").str.strip_chars().alias("country_code"),
        pl.col("Country Name").str.strip_chars().alias("country_name"),
        pl.col("Indicator Code").str.strip_chars().alias("indicator_code"),
        pl.col("year").cast(pl.Int32),
        value.alias("value"),
        pl.when(value.is_null())
        .then(pl.format("value: cannot parse '{}' as a number", raw))
        .otherwise(None)
        .cast(pl.String)
        .alias("parse_error"),
    )


def _from_long(frame: pl.DataFrame) -> pl.DataFrame:
    """The datahub.io layout, one row per country and year. It names no indicator (indicator_code is null: the
    catalogue row says which series the file is); an empty value is no row, as an empty cell of the wide layout."""
    raw, raw_year = blank_to_null(pl.col("Value")), blank_to_null(pl.col("Year"))
    value, year = raw.cast(pl.Float64, strict=False), raw_year.cast(pl.Int32, strict=False)
    return frame.filter(raw.is_not_null()).select(
        pl.col("Country Code").str.strip_chars().alias("country_code"),
        pl.col("Country Name").str.strip_chars().alias("country_name"),
        pl.lit(None, dtype=pl.String).alias("indicator_code"),
        year.alias("year"),
        value.alias("value"),
        join_problems(
            [
                pl.when(year.is_null()).then(pl.format("Year: cannot parse '{}' as a year", raw_year.fill_null(""))),
                pl.when(value.is_null()).then(pl.format("value: cannot parse '{}' as a number", raw)),
            ]
        ).alias("parse_error"),
    )


def parse_country_metadata(data: bytes, file_name: str) -> pl.DataFrame:
    """country_code, region, income_group, special_notes, is_aggregate (no Region: WLD, EUU...), parse_error."""
    text = _decode(data, file_name)
    frame = _read_csv(text, file_name)
    frame.columns = [c.strip() for c in frame.columns]
    require_columns(frame.columns, METADATA_COLUMNS, SOURCE, file_name, "missing columns")

    code, region = blank_to_null(pl.col("Country Code")), blank_to_null(pl.col("Region"))
    return frame.filter(code.is_not_null()).select(
        code.alias("country_code"),
        region.alias("region"),
        blank_to_null(pl.col("IncomeGroup")).alias("income_group"),
        blank_to_null(pl.col("SpecialNotes")).alias("special_notes"),
        # Aggregates (regions, income groups, WLD) are the rows with no Region.
        region.is_null().alias("is_aggregate"),
        pl.lit(None, dtype=pl.String).alias("parse_error"),
    )


def _decode(data: bytes, file_name: str) -> str:
    """UTF-8 text without BOM; an empty body or an HTML error page is a layout problem, not data."""
    check_not_empty(data, SOURCE, file_name, expected="CSV text")
    text = data.decode("utf-8-sig", errors="replace")
    check_not_markup(
        text, SOURCE, file_name, "HTML or XML page instead of CSV", expected="CSV text", found=_first_lines(text)
    )
    # Not every WDI file ends with a line end (a datahub.io copy and a re-saved file do not), so only bare carriage
    # returns are refused here. A cut last line is then seen by its field count: the served wide files end each line
    # with an empty column, so any cut loses a field. It is not seen where the last cell holds a number (the long
    # layout's Value): "2061" cut from "20615..." is a shorter number no check of the file can tell from a true one.
    check_line_ends(text, SOURCE, file_name, final=False)
    return text


def _read_csv(text: str, file_name: str) -> pl.DataFrame:
    # All columns as text: values are converted by expressions so bad cells become parse_error, not a failure.
    check_rectangular(text, SOURCE, file_name)
    try:
        return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, truncate_ragged_lines=True)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable CSV ({exc})") from exc


def _first_lines(text: str, n: int = 3) -> list[str]:
    return [line[:120] for line in text.splitlines()[:n]]


def _head(data: bytes) -> str:
    return data[:60].decode("utf-8", errors="replace")
