"""BLS OEWS national cross-industry estimates (national_MYYYY_dl.xlsx inside oesmYYnat.zip) as a polars frame.

Every cell is read as text: calamine would otherwise type a column from its first rows and silently null the
"*" and "#" masks further down. BLS masks mean "not available" ("*", "**") and "top-coded" ("#": hourly >= $115,
annual >= $239,200 in recent years); both become null without a parse_error, and "#" sets wage_topcoded.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import fastexcel
import polars as pl

from sources.errors import SourceFormatError
from sources.spreadsheets import check_workbook, read_member
from sources.text import join_problems

SOURCE = "BLS OEWS"

# Output name -> accepted header names, lower case; older BLS files used lower-case or OCC_GROUP / GROUP.
COLUMNS = {
    "soc_code": ("occ_code",),
    "title": ("occ_title",),
    "o_group": ("o_group", "occ_group", "group"),
    "employment": ("tot_emp",),
    "hourly_mean": ("h_mean",),
    "hourly_median": ("h_median",),
    "annual_mean": ("a_mean",),
    "annual_median": ("a_median",),
}
WAGE_COLUMNS = ("hourly_mean", "hourly_median", "annual_mean", "annual_median")
NOT_AVAILABLE = ("*", "**")
TOP_CODED = "#"

_YEAR_RE = re.compile(r"national_M(\d{4})_dl", re.IGNORECASE)
_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def unpack_national_zip(data: bytes, file_name: str) -> bytes:
    """The national_MYYYY_dl.xlsx member of oesmYYnat.zip (it may sit in a folder inside the zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            members = [n for n in names if _YEAR_RE.search(n.rsplit("/", 1)[-1]) and n.lower().endswith(".xlsx")]
            if len(members) != 1:
                raise SourceFormatError(
                    SOURCE,
                    file_name,
                    "expected one national_MYYYY_dl.xlsx member",
                    expected=["national_MYYYY_dl.xlsx"],
                    found=names,
                )
            return read_member(archive, members[0], SOURCE, file_name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # NotImplementedError: a compression method zipfile lacks (Deflate64); RuntimeError: an encrypted member.
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"truncated or corrupt zip ({exc})",
            expected=["national_MYYYY_dl.xlsx"],
            found=data[:40],
        ) from exc


def parse_national(data: bytes, file_name: str, year: int | None = None) -> pl.DataFrame:
    """soc_code, title, o_group, year, employment, hourly_/annual_ mean/median, wage_topcoded, parse_error.

    One row per occupation row of the sheet (all O_GROUP levels: total, major, minor, broad, detailed; a broad
    group with a single occupation appears twice, once per level). `year` defaults to the one in the file name.
    """
    if year is None:
        match = _YEAR_RE.search(file_name)
        if match is None:
            raise SourceFormatError(
                SOURCE,
                file_name,
                "cannot tell the survey year: pass year= or keep the name",
                expected="national_MYYYY_dl.xlsx",
                found=file_name,
            )
        year = int(match.group(1))
    sheet = _read_sheet(data, file_name)

    by_lower = {c.strip().lower(): c for c in sheet.columns}
    source_of: dict[str, str] = {}
    for out, aliases in COLUMNS.items():
        found = next((by_lower[a] for a in aliases if a in by_lower), None)
        if found is not None:
            source_of[out] = found
    missing = [aliases[0].upper() for out, aliases in COLUMNS.items() if out not in source_of]
    if missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"missing columns {missing}",
            expected=[a[0].upper() for a in COLUMNS.values()],
            found=sheet.columns,
        )

    frame = sheet.select(pl.col(src).str.strip_chars().alias(out) for out, src in source_of.items())
    frame = frame.filter(pl.col("soc_code").is_not_null() & (pl.col("soc_code") != ""))

    numbers = {name: _number(name) for name in ("employment", *WAGE_COLUMNS)}
    errors = [_error(name, source_of[name], numbers[name]) for name in numbers]
    return frame.select(
        "soc_code",
        "title",
        "o_group",
        pl.lit(year, dtype=pl.Int32).alias("year"),
        numbers["employment"].round(0).cast(pl.Int64).alias("employment"),
        *(numbers[name].alias(name) for name in WAGE_COLUMNS),
        pl.any_horizontal(pl.col(name).eq(TOP_CODED).fill_null(False) for name in WAGE_COLUMNS).alias("wage_topcoded"),
        join_problems(errors).alias("parse_error"),
    )


def _read_sheet(data: bytes, file_name: str) -> pl.DataFrame:
    """The sheet whose name starts with "national", every cell as text."""
    if data[:4] not in (_ZIP_MAGIC, _OLE_MAGIC):
        raise SourceFormatError(
            SOURCE, file_name, "not an Excel workbook", expected="national_MYYYY_dl.xlsx", found=data[:60]
        )
    check_workbook(data, SOURCE, file_name)
    try:
        names = fastexcel.read_excel(data).sheet_names
    except Exception as exc:  # fastexcel raises its own exception types for corrupt workbooks
        raise SourceFormatError(SOURCE, file_name, f"unreadable workbook ({exc})") from exc
    sheets = [n for n in names if n.strip().lower().startswith("national")]
    if not sheets:
        raise SourceFormatError(
            SOURCE, file_name, "no sheet named national*", expected=["national_MYYYY_dl"], found=names
        )
    try:
        return pl.read_excel(io.BytesIO(data), sheet_name=sheets[0], engine="calamine", infer_schema_length=0)
    except Exception as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable sheet {sheets[0]} ({exc})") from exc


def _number(name: str) -> pl.Expr:
    """Float from text; masks and empty cells become null (thousands separators tolerated)."""
    raw = pl.col(name)
    return (
        pl.when(raw.is_in([*NOT_AVAILABLE, TOP_CODED, ""]))
        .then(None)
        .otherwise(raw.str.replace_all(",", ""))
        .cast(pl.Float64, strict=False)
    )


def _error(name: str, header: str, parsed: pl.Expr) -> pl.Expr:
    """Names both the output column and the sheet's header, e.g. "hourly_mean (H_MEAN): cannot parse 'n/a'"."""
    raw = pl.col(name)
    unparsed = raw.is_not_null() & ~raw.is_in([*NOT_AVAILABLE, TOP_CODED, ""]) & parsed.is_null()
    return (
        pl.when(unparsed)
        .then(pl.format("{} ({}): cannot parse '{}'", pl.lit(name), pl.lit(header), raw))
        .otherwise(None)
    )
