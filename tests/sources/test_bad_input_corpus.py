"""A corpus of bad inputs for every source parser (issue "Never publish a wrong benchmark").

Each case is one parser fed one bad input, built in memory from the real sample files in data/sample (cut, re-encoded,
corrupted, edited) or from a small literal, and states its expected outcome:

* Refused: a SourceError (SourceFormatError, PageStructureError) or ValueError whose message names the source, the
  file and what was expected; never a bare polars, csv, zip, zlib or JSON exception.
* Flagged: the row is kept, its numbers left null, and parse_error (reject_reason for quotes) names the problem.
* Rejected: the parser keeps the value as the file states it and the staging contract the rows are held to rejects
  the row with a reason naming the rule (ranges, duplicate keys): the value never reaches a published table.
* Neutralised: a cell that would be a formula in a spreadsheet comes back inert (a leading apostrophe, or not
  evaluated).
* Unchanged: the input is harmless (a BOM, CRLF, a gzip wrapper, a decodable encoding, a hostile but inert name) and
  parses exactly as the clean file; or it is a file cut at a line end, which no parser can tell from a shorter file,
  and every row it gives is exactly a row of the clean parse, no wrong number (the staging volume guard catches the
  lost rows). A file cut inside its last line is no such file: publishers that end every file with a line end have
  theirs refused without one, the others have a cut last line refused by its field count.

A case taking more than MAX_SECONDS fails: a parser must not stall on bad input.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandera.polars as pa
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assets.staging import bls_oews as bls_staging
from assets.staging import employer_costs as employer_staging
from assets.staging import ilostat as ilostat_staging
from assets.staging import oecd as oecd_staging
from assets.staging import worldbank as worldbank_staging
from schemas.contract import hold_to_contract
from schemas.staging import AverageWages, Earnings, EmployerCosts, ExchangeRates, Gdp, UsOccupationWages
from schemas.vocabulary import NATIONAL_INDICATOR, OCCUPATION_INDICATOR
from sources import (
    bls_oews,
    geonames,
    gsa_calc,
    ilo_kilm,
    ilostat,
    oecd,
    pricing_pages,
    vendor_quotes,
    vendor_seed,
    worldbank,
)
from sources.errors import SourceError
from sources.rate_text import ParsedRate, parse_rate_text

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE = PROJECT / "data" / "sample"
FIXTURES = PROJECT / "tests" / "fixtures"
MAX_SECONDS = 5.0

ILO_DDF = "ddf--datapoints--ear_4mth_sex_ocu_cur_nb--by--ref_area--sex--classif1--classif2--time.sex_t-isco08.csv"
ILO_GEO = "EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv"
WDI_WIDE = "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv"
WDI_LONG = "gdp_NY.GDP.MKTP.CD.csv"
WDI_META = "Metadata_Country_API_RL.EST_DS2_en_csv_v2_5814.csv"
WDI_ZIP = "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.zip"
OEWS = "national_M2023_dl.xlsx"
OECD_FILE = "OECD_AV_AN_WAGE.csv"
KILM = (
    "ddf--datapoints--hourly_social_insurance_expenditures_and_labour_related_taxes_as_percentage_of_total_hourly_"
    "compensation_costs--by--country--year.csv"
)
RATES_URL = "https://api.gsa.gov/acquisition/calc/v3/api/ceilingrates/?page=1&page_size=15"
BOM = b"\xef\xbb\xbf"


# --- building bad inputs ----------------------------------------------------------------------------------------


@cache
def sample(path: str) -> bytes:
    return (SAMPLE / path).read_bytes()


def head(data: bytes, lines: int) -> bytes:
    """The first `lines` lines, each with its line end: a file cut at a line end."""
    return b"".join(data.splitlines(keepends=True)[:lines])


def line_with(data: bytes, text: bytes) -> bytes:
    """The first line of `data` holding `text`, with its line end."""
    return next(line for line in data.splitlines(keepends=True) if text in line)


def cut_in_line(data: bytes, line: int, after: bytes) -> bytes:
    """The file cut inside line `line` (0 = the first line), just after the first `after` in that line."""
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:line]) + lines[line][: lines[line].index(after) + len(after)]


def cut_in_last_line(data: bytes, drop: int) -> bytes:
    """The file without its last line end and the `drop` bytes before it: a download cut inside its last line."""
    return data.rstrip(b"\r\n")[:-drop]


def last_line_number(data: bytes) -> int:
    """The number of the last line of a file that ends with a line end (blank lines at the end not counted)."""
    return data.rstrip(b"\r\n").count(b"\n") + 1


def with_fields(data: bytes, line: int, keep: int, separator: bytes) -> bytes:
    """The file with line `line` (0 = the first line) keeping only its first `keep` fields: a line cut short, its
    line end kept (unquoted lines only)."""
    lines = data.splitlines(keepends=True)
    body = lines[line].rstrip(b"\r\n")
    lines[line] = separator.join(body.split(separator)[:keep]) + lines[line][len(body) :]
    return b"".join(lines)


def run_together(data: bytes, line: int) -> bytes:
    """The file with line `line` (0 = the first line) and the next one joined: a line end lost."""
    lines = data.splitlines(keepends=True)
    lines[line] = lines[line].rstrip(b"\r\n")
    return b"".join(lines)


def reencoded(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8-sig").encode(encoding)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def flipped(data: bytes, start: int, length: int = 200) -> bytes:
    """`data` with `length` bytes from `start` inverted: a corrupt download of the right size."""
    return data[:start] + bytes(b ^ 0xFF for b in data[start : start + length]) + data[start + length :]


def rewritten(data: bytes, edit: Callable[[list[str], list[list[str]]], list[list[str]]]) -> bytes:
    """A CSV read, edited by `edit(header, rows)` and written back (quoting as needed, "\\n" line ends)."""
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *edit(header, rows)])
    return out.getvalue().encode()


def edited(data: bytes, row: int, **cells: str) -> bytes:
    """The CSV with the cells of data row `row` (0 = first row after the header) replaced."""

    def edit(header, rows):
        rows[row] = [cells.get(name, value) for name, value in zip(header, rows[row], strict=True)]
        return rows

    return rewritten(data, edit)


def with_copy(data: bytes, row: int, **cells: str) -> bytes:
    """The CSV with a copy of data row `row` appended, the given cells changed: a duplicate key."""

    def edit(header, rows):
        return [*rows, [cells.get(name, value) for name, value in zip(header, rows[row], strict=True)]]

    return rewritten(data, edit)


@cache
def zip_bomb_workbook() -> bytes:
    """A small, valid workbook plus a member of zeros that decompresses past spreadsheets.MAX_UNCOMPRESSED_BYTES."""
    source = zipfile.ZipFile(io.BytesIO(oews_workbook([OEWS_ROW])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(192):  # 201 MB of zeros, under 1 MB compressed
                member.write(chunk)
    return buffer.getvalue()


def whole_sheet_declared(workbook: bytes) -> bytes:
    """The workbook with its first sheet declaring the range A1:XFD1048576 (17 billion cells)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    return zipped(members)


def record(raw_file: str) -> SimpleNamespace:
    """The part of a raw-zone provenance record the staging builders read."""
    return SimpleNamespace(raw_file=raw_file)


# --- expected outcomes ------------------------------------------------------------------------------------------


def timed(run: Callable[[], object]):
    """`run()`, failing the case (past any pytest.raises) when it took MAX_SECONDS or more."""
    started = time.monotonic()
    try:
        return run()
    finally:
        if (elapsed := time.monotonic() - started) >= MAX_SECONDS:
            pytest.fail(f"took {elapsed:.1f} s: a parser must not stall on bad input")


@dataclass(frozen=True)
class Refused:
    """A clear error naming the source and the file (None: the function is given no file name) and saying what was
    wrong or expected (`problem`, a regex); never a bare exception of a library."""

    source: str
    file: str | None
    problem: str
    kind = "error"

    def verify(self, run: Callable[[], object]) -> None:
        with pytest.raises(Exception) as info:  # any type: a bare library exception is reported below, by name
            timed(run)
        error = info.value
        bare = not isinstance(error, SourceError | ValueError) or isinstance(error, UnicodeError | json.JSONDecodeError)
        assert not bare, f"bare {type(error).__module__}.{type(error).__name__}: {error}"
        message = str(error)
        assert self.source in message, f"source {self.source!r} not named: {message}"
        assert self.file is None or self.file in message, f"file {self.file!r} not named: {message}"
        assert re.search(self.problem, message), f"{self.problem!r} not in: {message}"


@dataclass(frozen=True)
class Flagged:
    """Rows kept whose `column` matches `problem`, with the numbers in `nulls` left null rather than guessed."""

    problem: str
    nulls: tuple[str, ...] = ()
    column: str = "parse_error"
    kind = "flagged"

    def verify(self, run: Callable[[], object]) -> None:
        frame = timed(run)
        hits = frame.filter(pl.col(self.column).str.contains(self.problem))
        assert hits.height, f"no row has {self.column} matching {self.problem!r}: {frame[self.column].unique()}"
        for name in self.nulls:
            assert hits[name].null_count() == hits.height, f"{name} was given a value: {hits[name].to_list()}"


@dataclass(frozen=True)
class QuoteRejected:
    """read_quotes puts the quote in its rejected rows, with a reason matching `problem`, and not in its valid rows."""

    quote_id: str
    problem: str
    kind = "flagged"

    def verify(self, run: Callable[[], object]) -> None:
        valid, rejected = timed(run)
        assert self.quote_id not in valid["quote_id"].to_list()
        rows = rejected.filter(pl.col("quote_id") == self.quote_id)
        assert rows.height and all(re.search(self.problem, r) for r in rows["reject_reason"]), rows


@dataclass(frozen=True)
class Rejected:
    """`run` gives the staging rows built from the bad file; its contract rejects a row with a reason matching `rule`.
    The offending value is in the file as stated: ranges and keys are the contract's to judge."""

    contract: type[pa.DataFrameModel]
    rule: str
    kind = "rejected"

    def verify(self, run: Callable[[], object]) -> None:
        checked = hold_to_contract(timed(run), self.contract, self.contract.__name__)
        reasons = checked.rejects["reject_reason"].to_list()
        assert any(re.search(self.rule, reason) for reason in reasons), f"{self.rule!r} not in {reasons}"


@dataclass(frozen=True)
class Neutralised:
    """`column` of the parsed rows holds `value`, the formula made inert; None: a formula cell of a one-row workbook,
    read as empty (never evaluated)."""

    column: str
    value: str | None
    kind = "neutralised"

    def verify(self, run: Callable[[], object]) -> None:
        values = timed(run)[self.column].to_list()
        assert values == [None] if self.value is None else self.value in values, values


@dataclass(frozen=True)
class Unchanged:
    """Exactly the parse of the clean file (`clean`), or with `part` fewer rows, each exactly a row of the clean parse
    (a file cut at a line end); the columns in `text_only` may differ (names decoded from another encoding), no number
    or code may."""

    clean: Callable[[], pl.DataFrame]
    part: bool = False
    text_only: tuple[str, ...] = ()
    kind = "unchanged"

    def verify(self, run: Callable[[], object]) -> None:
        got, want = timed(run).drop(self.text_only), self.clean().drop(self.text_only)
        if not self.part:
            assert_frame_equal(got, want)
            return
        assert got.schema == want.schema
        assert got.height < want.height
        extra = rows_of(got) - rows_of(want)
        assert not extra, f"rows the clean file does not have: {list(extra)[:3]}"


def rows_of(frame: pl.DataFrame) -> Counter:
    return Counter(tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in frame.rows())


@dataclass(frozen=True)
class Verbatim:
    """A hostile name (quotes, tabs-looking text) kept exactly as written in `column`, the other columns as in the
    clean parse: no field shifted."""

    clean: Callable[[], pl.DataFrame]
    column: str
    value: str
    kind = "unchanged"

    def verify(self, run: Callable[[], object]) -> None:
        got = timed(run)
        assert self.value in got[self.column].to_list()
        assert_frame_equal(got.drop(self.column), self.clean().drop(self.column))


@dataclass(frozen=True)
class Equals:
    """The parse is exactly `value`: the input, odd as it looks, says this and nothing else."""

    value: object
    kind = "unchanged"

    def verify(self, run: Callable[[], object]) -> None:
        assert timed(run) == self.value


@dataclass(frozen=True)
class Case:
    parser: str
    name: str
    run: Callable[[], object]
    expect: Refused | Flagged | QuoteRejected | Rejected | Neutralised | Unchanged | Verbatim | Equals


CASES: list[Case] = []


def case(parser: str, name: str, run: Callable[[], object], expect) -> None:
    CASES.append(Case(parser, name, run, expect))


# --- ILOSTAT ----------------------------------------------------------------------------------------------------

ILO = "ILOSTAT"
REF_AREA = "ref_area_en.csv"
REF = sample(f"ilostat/{REF_AREA}")
DDF = sample(f"ilostat/{ILO_DDF}")
GEO = sample(f"ilostat/{ILO_GEO}")
DDF_ROW = b"abw,sex_t,ocu_isco08_1,cur_type_usd,2010,3364.25\n"
LABEL_ALIASES = pl.read_csv(PROJECT / "reference" / "ilostat_label_aliases.csv").select("dimension", "label", "code")


def ilo_dictionary(data: bytes) -> pl.DataFrame:
    return ilostat.parse_dictionary(data, REF_AREA)


@cache
def ilo_dictionaries() -> dict[str, pl.DataFrame]:
    names = ilostat_staging.DICTIONARIES
    return {name: ilostat.parse_dictionary(sample(f"ilostat/{name}_en.csv"), f"{name}_en.csv") for name in names}


def ilo_ddf(data: bytes) -> pl.DataFrame:
    return ilostat.parse_earnings(data, ILO_DDF)


def ilo_geo(data: bytes, dictionaries: dict | None = None) -> pl.DataFrame:
    return ilostat.parse_earnings(data, ILO_GEO, dictionaries or ilo_dictionaries(), LABEL_ALIASES)


def ddf_value(value: bytes) -> bytes:
    """The DDF file with the value of one row (ABW, ISCO-08 group 1, US$, 2010) replaced."""
    return DDF.replace(DDF_ROW, DDF_ROW.replace(b"3364.25", value))


STATUSES = b'"B","Break in series"\n"U","Unreliable"\n'
CODED_NAME = "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz"
CODED = (
    b"ref_area,source,indicator,sex,classif1,classif2,time,obs_value,obs_status\n"
    b"PHL,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_T,OCU_ISCO08_4,CUR_TYPE_USD,2018,313.44,\n"
)
SOURCE_DIC = "source_en.csv"
SOURCES = b'source, source.label\n"BA:5","LFS - Labour Force Survey"\n'


def status_dictionary(rows: bytes) -> pl.DataFrame:
    """An obs_status dictionary of `rows`, as ILOSTAT writes it."""
    return ilostat.parse_dictionary(b"obs_status, obs_status.label\n" + rows, "obs_status_en.csv")


def earnings_rows(ddf: bytes) -> pl.DataFrame:
    """The staging `earnings` rows built from a (bad) occupation file and the clean national file."""
    names = ilostat_staging.DICTIONARIES
    files = {f"dic_{n}": (sample(f"ilostat/{n}_en.csv"), record(f"raw/ilostat/{n}_en.csv")) for n in names}
    files[OCCUPATION_INDICATOR] = (ddf, record(f"raw/ilostat/{ILO_DDF}"))
    files[NATIONAL_INDICATOR] = (GEO, record(f"raw/ilostat/{ILO_GEO}"))
    reference = SimpleNamespace(label_aliases=lambda: LABEL_ALIASES)
    return ilostat_staging.earnings_rows({"raw_ilostat": files}, reference)


def ilo_dictionary_clean() -> pl.DataFrame:
    return ilo_dictionary(REF)


@cache
def ilo_ddf_clean() -> pl.DataFrame:
    return ilo_ddf(DDF)


@cache
def ilo_geo_clean() -> pl.DataFrame:
    return ilo_geo(GEO)


P = "ilostat.parse_dictionary"
case(P, "empty", lambda: ilo_dictionary(b""), Refused(ILO, REF_AREA, "file is empty"))
case(P, "bom-only", lambda: ilo_dictionary(BOM), Refused(ILO, REF_AREA, "file is empty"))
case(P, "whitespace-only", lambda: ilo_dictionary(b" \n\n"), Refused(ILO, REF_AREA, "file is empty"))
case(P, "header-only", lambda: ilo_dictionary(head(REF, 1)), Unchanged(ilo_dictionary_clean, part=True))
case(P, "cut-at-line-end", lambda: ilo_dictionary(head(REF, 40)), Unchanged(ilo_dictionary_clean, part=True))
case(
    P,
    "cut-mid-line-in-a-quoted-label",
    lambda: ilo_dictionary(cut_in_line(REF, 40, b'","')),
    Refused(ILO, REF_AREA, "no line end after line 41: the file was cut inside its last line"),
)
case(
    P,
    "latin-1",
    lambda: ilo_dictionary(REF.replace("’".encode(), b"'").decode("utf-8-sig").encode("latin-1")),
    Refused(ILO, REF_AREA, "not a readable CSV.*utf-8"),
)
case(P, "windows-1252", lambda: ilo_dictionary(reencoded(REF, "cp1252")), Refused(ILO, REF_AREA, "utf-8"))
case(P, "utf-16", lambda: ilo_dictionary(reencoded(REF, "utf-16")), Refused(ILO, REF_AREA, "NUL characters.*UTF-16"))
case(P, "gzip", lambda: ilo_dictionary(gzip.compress(REF)), Unchanged(ilo_dictionary_clean))
case(
    P, "gzip-cut", lambda: ilo_dictionary(gzip.compress(REF)[:900]), Refused(ILO, REF_AREA, "gzip archive is truncated")
)
case(
    P,
    "gzip-corrupt",
    lambda: ilo_dictionary(flipped(gzip.compress(REF), 500)),
    Refused(ILO, REF_AREA, "gzip archive is truncated or corrupt"),
)
case(
    P,
    "html-page",
    lambda: ilo_dictionary(b"<!DOCTYPE html><html>Not found</html>"),
    Refused(ILO, REF_AREA, "HTML or XML page"),
)
case(
    P,
    "cut-inside-the-last-label",
    lambda: ilo_dictionary(cut_in_last_line(REF, 5)),
    Refused(ILO, REF_AREA, f"no line end after line {last_line_number(REF)}: the file was cut inside its last line"),
)
case(
    P,
    "repeated-code",
    lambda: ilo_dictionary(REF + b'"X01","World (again)"\n'),
    Refused(ILO, REF_AREA, f"code 'X01' is listed 2 times, on lines 2, {last_line_number(REF) + 1}"),
)
case(
    P,
    "second-column-not-the-label",
    lambda: ilo_dictionary(REF.replace(b"ref_area.label", b"label", 1)),
    Refused(ILO, REF_AREA, r"the second column must be the first one's '\.label'"),
)

P = "ilostat.parse_earnings"
case(P, "ddf-empty", lambda: ilo_ddf(b""), Refused(ILO, ILO_DDF, "file is empty"))
case(P, "ddf-header-only", lambda: ilo_ddf(head(DDF, 1)), Unchanged(ilo_ddf_clean, part=True))
case(P, "ddf-cut-at-line-end", lambda: ilo_ddf(head(DDF, 100)), Unchanged(ilo_ddf_clean, part=True))
case(
    P,
    "ddf-cut-mid-line",
    lambda: ilo_ddf(cut_in_line(DDF, 8, b"cur_type_")),
    Refused(ILO, ILO_DDF, "record 9 has 4 fields, the header 6: a line cut short"),
)
case(P, "ddf-gzip", lambda: ilo_ddf(gzip.compress(DDF)), Unchanged(ilo_ddf_clean))
case(
    P, "ddf-gzip-cut", lambda: ilo_ddf(gzip.compress(DDF)[:20_000]), Refused(ILO, ILO_DDF, "gzip archive is truncated")
)
case(P, "ddf-utf-16", lambda: ilo_ddf(reencoded(DDF, "utf-16")), Refused(ILO, ILO_DDF, "NUL characters.*UTF-16"))
case(
    P,
    "ddf-cut-inside-the-last-value",
    lambda: ilo_ddf(cut_in_last_line(DDF, 4)),  # the last value, 597.43, would read as 59
    Refused(ILO, ILO_DDF, f"no line end after line {last_line_number(DDF)}: the file was cut inside its last line"),
)
case(
    P,
    "ddf-gzip-cut-inside-the-last-value",
    lambda: ilo_ddf(gzip.compress(cut_in_last_line(DDF, 4))),
    Refused(ILO, ILO_DDF, f"no line end after line {last_line_number(DDF)}"),
)
case(
    P,
    "ddf-bare-carriage-returns",
    lambda: ilo_ddf(DDF.replace(b"\n", b"\r")),
    Refused(ILO, ILO_DDF, "lines end with a bare carriage return"),
)
case(P, "ddf-bom", lambda: ilo_ddf(BOM + DDF), Unchanged(ilo_ddf_clean))
case(P, "ddf-crlf", lambda: ilo_ddf(DDF.replace(b"\n", b"\r\n")), Unchanged(ilo_ddf_clean))
case(
    P, "ddf-html-page", lambda: ilo_ddf(b"<html><body>Indicator not found</body></html>"), Refused(ILO, ILO_DDF, "HTML")
)
case(
    P,
    "ddf-key-column-renamed",
    lambda: ilo_ddf(DDF.replace(b",time,", b",year,", 1)),
    Refused(ILO, ILO_DDF, r"not a known ILOSTAT earnings layout; closest is .* missing \[.*'time'"),
)
case(
    P,
    "ddf-thousands-separator",
    lambda: ilo_ddf(ddf_value(b'"3,364.25"')),
    Flagged("obs_value '3,364.25' is not a number", nulls=("obs_value",)),
)
case(
    P,
    "ddf-not-a-number",
    lambda: ilo_ddf(ddf_value(b"n/a")),
    Flagged("obs_value 'n/a' is not a number", ("obs_value",)),
)
case(
    P,
    "ddf-monthly-period",
    lambda: ilo_ddf(DDF.replace(DDF_ROW, DDF_ROW.replace(b",2010,", b",2010M01,"))),
    Flagged("time '2010M01' is not a year", nulls=("year",)),
)
case(
    P,
    "ddf-empty-time",
    lambda: ilo_ddf(DDF.replace(DDF_ROW, DDF_ROW.replace(b",2010,", b",,"))),
    Flagged("time is empty", nulls=("year",)),
)
case(
    P,
    "ddf-negative-earnings",
    lambda: earnings_rows(ddf_value(b"-5")),
    Rejected(Earnings, r"monthly_earnings greater_than_or_equal_to\(1\) failed on -5"),
)
case(
    P,
    "ddf-misplaced-decimal",
    lambda: earnings_rows(ddf_value(b"0.003")),
    Rejected(Earnings, r"monthly_earnings greater_than_or_equal_to\(1\) failed on 0.003"),
)
case(
    P,
    "ddf-duplicate-key",
    lambda: earnings_rows(DDF + DDF_ROW.replace(b"3364.25", b"4100")),
    Rejected(Earnings, "uniqueness"),
)
case(
    P,
    "explorer-without-dictionaries",
    lambda: ilostat.parse_earnings(GEO, ILO_GEO),
    Refused(ILO, ILO_GEO, "the labelled explorer export needs ILOSTAT label dictionaries"),
)
case(P, "explorer-without-bom", lambda: ilo_geo(GEO.removeprefix(BOM)), Unchanged(ilo_geo_clean))
case(
    P,
    "explorer-latin-1",
    lambda: ilo_geo(reencoded(GEO, "latin-1")),
    Refused(ILO, ILO_GEO, "not a readable CSV.*utf-8"),
)
case(P, "explorer-windows-1252", lambda: ilo_geo(reencoded(GEO, "cp1252")), Refused(ILO, ILO_GEO, "utf-8"))
case(P, "explorer-utf-16", lambda: ilo_geo(reencoded(GEO, "utf-16")), Refused(ILO, ILO_GEO, "NUL characters.*UTF-16"))
case(
    P,
    "explorer-cut-mid-line",
    lambda: ilo_geo(cut_in_line(GEO, 30, b'","Average monthly')),
    Refused(ILO, ILO_GEO, "record 31 has 3 fields, the header 11: a line cut short"),
)
case(P, "explorer-cut-at-line-end", lambda: ilo_geo(head(GEO, 30)), Unchanged(ilo_geo_clean, part=True))
case(
    P,
    "explorer-unknown-country",
    lambda: ilo_geo(edited(GEO, 0, **{"ref_area.label": "Narnia"})),
    Flagged("ref_area.label 'Narnia' is not in the ILOSTAT ref_area dictionary", nulls=("ref_area",)),
)
case(
    P,
    "explorer-unknown-currency-label",
    lambda: ilo_geo(edited(GEO, 0, **{"classif2.label": "Currency: Doubloons"})),
    Flagged("classif2.label 'Currency: Doubloons' is not in the ILOSTAT classif2 dictionary", nulls=("classif2",)),
)
case(
    P,
    "explorer-label-claimed-by-two-codes",
    lambda: ilo_geo(GEO, ilo_dictionaries() | {"ref_area": ilo_dictionary(REF + b'"XAF","Afghanistan"\n')}),
    Flagged("'Afghanistan' is not in the ILOSTAT ref_area dictionary", nulls=("ref_area",)),
)
case(
    P,
    "explorer-status-label-claimed-by-two-codes",
    lambda: ilo_geo(GEO, ilo_dictionaries() | {"obs_status": status_dictionary(STATUSES + b'"X","Break in series"\n')}),
    Unchanged(lambda: ilo_geo(GEO, ilo_dictionaries() | {"obs_status": status_dictionary(b'"U","Unreliable"\n')})),
)
case(
    P,
    "coded-with-a-source-code-listed-twice",
    lambda: ilostat.parse_earnings(
        CODED, CODED_NAME, {"source": ilostat.parse_dictionary(SOURCES + b'"BA:5","Labour force survey"\n', SOURCE_DIC)}
    ),
    Refused(ILO, SOURCE_DIC, "code 'BA:5' is listed 2 times, on lines 2, 3"),
)
case(
    P,
    "explorer-missing-value-marker",
    lambda: ilo_geo(edited(GEO, 0, obs_value="..")),
    Flagged(r"obs_value '\.\.' is not a number", nulls=("obs_value",)),
)
case(
    P,
    "coded-value-column-renamed",
    lambda: ilostat.parse_earnings(
        b"ref_area,source,indicator,sex,classif1,classif2,time,value,obs_status\n"
        b"PHL,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_T,OCU_ISCO08_4,CUR_TYPE_USD,2018,313.44,\n",
        "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz",
    ),
    Refused(ILO, "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz", r"closest is the coded bulk layout, missing \['obs_value'\]"),
)


# --- World Bank WDI ---------------------------------------------------------------------------------------------

WB = "World Bank WDI"
WIDE = sample(f"worldbank/{WDI_WIDE}")
LONG = sample(f"worldbank/{WDI_LONG}")
META = sample(f"worldbank/{WDI_META}")
INDICATOR_META_NAME = "Metadata_Indicator_API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv"
INDICATOR_META = b'"INDICATOR_CODE","INDICATOR_NAME","SOURCE_NOTE","SOURCE_ORGANIZATION",\n'
SERVED = {WDI_WIDE: WIDE, WDI_META: META, INDICATOR_META_NAME: INDICATOR_META}


def wdi_wide(data: bytes) -> pl.DataFrame:
    return worldbank.parse_indicator(data, WDI_WIDE)


def wdi_long(data: bytes) -> pl.DataFrame:
    return worldbank.parse_indicator(data, WDI_LONG)


def wdi_meta(data: bytes) -> pl.DataFrame:
    return worldbank.parse_country_metadata(data, WDI_META)


def wdi_unzipped(data: bytes) -> pl.DataFrame:
    return wdi_wide(worldbank.unpack_indicator_zip(data, WDI_ZIP)["data"])


@cache
def wdi_wide_clean() -> pl.DataFrame:
    return wdi_wide(WIDE)


@cache
def wdi_long_clean() -> pl.DataFrame:
    return wdi_long(LONG)


def wdi_meta_clean() -> pl.DataFrame:
    return wdi_meta(META)


def wdi_cell(code: str, year: str, value: str) -> bytes:
    """The wide file with the cell of country `code` and `year` set to `value`."""
    lines = WIDE.decode("utf-8-sig").splitlines(keepends=True)
    header = next(csv.reader([lines[4]]))
    for number, line in enumerate(lines):
        row = next(csv.reader([line]), [])
        if row[1:2] == [code]:
            row[header.index(year)] = value
            out = io.StringIO()
            csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(row)
            lines[number] = out.getvalue()
    return ("\ufeff" + "".join(lines)).encode()


def wdi_rows(data: bytes, dataset_id: str, name: str, column: str) -> pl.DataFrame:
    """The staging rows of one WDI indicator table built from a (bad) file, as assets.staging.worldbank builds them."""
    files = {
        "country_metadata": (META, record(f"raw/worldbank/{WDI_META}")),
        dataset_id: (data, record(f"raw/worldbank/{name}")),
    }
    rows = worldbank_staging.indicator_rows(files, [dataset_id])
    return rows.select("iso3", "year", pl.col("value").alias(column), "raw_file", "parse_error")


def exchange_rates(data: bytes) -> pl.DataFrame:
    return wdi_rows(data, "PA.NUS.FCRF", WDI_WIDE, "lcu_per_usd")


def gdp(data: bytes) -> pl.DataFrame:
    return wdi_rows(data, "NY.GDP.MKTP.CD", WDI_LONG, "gdp_usd")


DEU_2020 = b"Germany,DEU,2020,3887727161914.4077"
CIV_UTF8 = WIDE.replace(b"Cote d'Ivoire", "Côte d'Ivoire".encode())

P = "worldbank.parse_indicator"
case(P, "empty", lambda: wdi_wide(b""), Refused(WB, WDI_WIDE, "empty file; expected 'CSV text'"))
case(P, "bom-only", lambda: wdi_wide(BOM), Refused(WB, WDI_WIDE, "no header line starting with Country Name"))
case(P, "cut-in-the-preamble", lambda: wdi_wide(head(WIDE, 3)), Refused(WB, WDI_WIDE, "no header line"))
case(P, "header-only", lambda: wdi_wide(head(WIDE, 5)), Unchanged(wdi_wide_clean, part=True))
case(P, "cut-at-line-end", lambda: wdi_wide(head(WIDE, 50)), Unchanged(wdi_wide_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: wdi_wide(cut_in_line(WIDE, 60, b'"4.0')),
    Refused(WB, WDI_WIDE, r"record 57 has \d+ fields, the header 70: a line cut short"),
)
case(P, "utf-16", lambda: wdi_wide(reencoded(WIDE, "utf-16")), Refused(WB, WDI_WIDE, "no header line"))
case(P, "without-bom", lambda: wdi_wide(WIDE.removeprefix(BOM)), Unchanged(wdi_wide_clean))
case(P, "without-the-last-line-end", lambda: wdi_wide(WIDE.rstrip(b"\n")), Unchanged(wdi_wide_clean))
case(
    P,
    "cut-inside-the-last-line",
    lambda: wdi_wide(cut_in_last_line(WIDE, 40)),
    Refused(WB, WDI_WIDE, rf"record {last_line_number(WIDE) - 4} has \d+ fields, the header 70"),
)
case(P, "crlf", lambda: wdi_wide(WIDE.replace(b"\n", b"\r\n")), Unchanged(wdi_wide_clean))
case(
    P,
    "latin-1-country-name",
    lambda: wdi_wide(reencoded(CIV_UTF8, "latin-1")),
    Unchanged(lambda: wdi_wide(CIV_UTF8), text_only=("country_name",)),
)
case(
    P, "html-page", lambda: wdi_wide(b"\n<html><title>Error</title></html>"), Refused(WB, WDI_WIDE, "HTML or XML page")
)
case(
    P,
    "code-column-missing",
    lambda: wdi_wide(WIDE.replace(b'"Indicator Code",', b'"Indicator",', 1)),
    Refused(WB, WDI_WIDE, "missing columns"),
)
case(
    P,
    "no-year-columns",
    lambda: wdi_wide(b'"Country Name","Country Code","Indicator Name","Indicator Code"\n"Aruba","ABW","x","y"\n'),
    Refused(WB, WDI_WIDE, "no year columns"),
)
case(
    P,
    "decimal-comma",
    lambda: wdi_wide(wdi_cell("DEU", "2020", "0,876")),
    Flagged("value: cannot parse '0,876' as a number", nulls=("value",)),
)
case(
    P,
    "missing-value-marker",
    lambda: wdi_wide(wdi_cell("DEU", "2020", "..")),
    Flagged(r"value: cannot parse '\.\.' as a number", nulls=("value",)),
)
case(
    P,
    "negative-exchange-rate",
    lambda: exchange_rates(wdi_cell("DEU", "2020", "-5")),
    Rejected(ExchangeRates, r"lcu_per_usd greater_than\(0\) failed on -5"),
)
case(
    P,
    "exchange-rate-mis-scaled",
    lambda: exchange_rates(wdi_cell("DEU", "2020", "876000000")),
    Rejected(ExchangeRates, r"lcu_per_usd less_than\(.*failed on 876000000"),
)
case(
    P,
    "exchange-rate-overflow",
    lambda: exchange_rates(wdi_cell("DEU", "2020", "1e400")),
    Rejected(ExchangeRates, r"lcu_per_usd less_than\(.*failed on inf"),
)
case(
    P,
    "duplicate-country",
    lambda: exchange_rates(WIDE + line_with(WIDE, b'"Germany","DEU"')),
    Rejected(ExchangeRates, "uniqueness"),
)
case(P, "long-header-only", lambda: wdi_long(head(LONG, 1)), Unchanged(wdi_long_clean, part=True))
case(P, "long-cut-at-line-end", lambda: wdi_long(head(LONG, 300)), Unchanged(wdi_long_clean, part=True))
case(
    P,
    "long-cut-mid-line",
    lambda: wdi_long(cut_in_line(LONG, 20, b"AFG,20")),
    Refused(WB, WDI_LONG, "record 21 has 3 fields, the header 4"),
)
case(P, "long-utf-16", lambda: wdi_long(reencoded(LONG, "utf-16")), Refused(WB, WDI_LONG, "no header line"))
case(
    P,
    "long-year-not-a-year",
    lambda: wdi_long(LONG.replace(DEU_2020, DEU_2020.replace(b",2020,", b",20x0,"))),
    Flagged("Year: cannot parse '20x0' as a year", nulls=("year",)),
)
case(
    P,
    "long-negative-gdp",
    lambda: gdp(LONG.replace(DEU_2020, b"Germany,DEU,2020,-3887727161914.4077")),
    Rejected(Gdp, r"gdp_usd greater_than\(0\) failed on -3887727161914"),
)
case(
    P, "long-duplicate-key", lambda: gdp(LONG + b"\n" + DEU_2020.replace(b"3887", b"3111")), Rejected(Gdp, "uniqueness")
)

P = "worldbank.parse_country_metadata"
case(P, "empty", lambda: wdi_meta(b""), Refused(WB, WDI_META, "empty file"))
case(P, "header-only", lambda: wdi_meta(head(META, 1)), Unchanged(wdi_meta_clean, part=True))
case(P, "cut-at-line-end", lambda: wdi_meta(head(META, 20)), Unchanged(wdi_meta_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: wdi_meta(cut_in_line(META, 20, b'","')),
    Refused(WB, WDI_META, "has 2 fields, the header 6: a line cut short"),
)
case(P, "without-bom", lambda: wdi_meta(META.removeprefix(BOM)), Unchanged(wdi_meta_clean))
case(P, "html-page", lambda: wdi_meta(b"<!doctype html><p>Sign in</p>"), Refused(WB, WDI_META, "HTML or XML page"))
case(
    P,
    "region-column-missing",
    lambda: wdi_meta(META.replace(b'"Region"', b'"Area"', 1)),
    Refused(WB, WDI_META, "missing columns; expected .*'Region'"),
)

P = "worldbank.unpack_indicator_zip"
case(P, "empty", lambda: wdi_unzipped(b""), Refused(WB, WDI_ZIP, "not a readable zip archive"))
case(P, "cut-inside-the-zip", lambda: wdi_unzipped(zipped(SERVED)[:50_000]), Refused(WB, WDI_ZIP, "not a readable zip"))
case(P, "cut-at-the-end", lambda: wdi_unzipped(zipped(SERVED)[:-10]), Refused(WB, WDI_ZIP, "not a readable zip"))
case(P, "csv-instead-of-zip", lambda: wdi_unzipped(WIDE), Refused(WB, WDI_ZIP, "not a readable zip archive"))
case(
    P,
    "member-corrupt",
    lambda: wdi_unzipped(flipped(zipped(SERVED), 300)),
    Refused(WB, WDI_ZIP, f"member {re.escape(WDI_WIDE)} is truncated"),
)
case(
    P,
    "country-metadata-missing",
    lambda: wdi_unzipped(zipped({WDI_WIDE: WIDE, INDICATOR_META_NAME: INDICATOR_META})),
    Refused(WB, WDI_ZIP, r"expected exactly one Metadata_Country_\*\.csv member"),
)
case(
    P,
    "two-data-members",
    lambda: wdi_unzipped(zipped(SERVED | {"API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1.csv": WIDE})),
    Refused(WB, WDI_ZIP, r"expected exactly one API_\*\.csv member"),
)
case(
    P,
    "member-names-leaving-the-folder",
    lambda: wdi_unzipped(zipped({f"../../{name}": content for name, content in SERVED.items()})),
    Unchanged(wdi_wide_clean),
)


# --- GeoNames ---------------------------------------------------------------------------------------------------

GN = "GeoNames"
COUNTRY_INFO = sample("geonames/countryInfo.txt")
CITIES_ZIP = sample("geonames/cities15000.zip")
CITIES = zipfile.ZipFile(io.BytesIO(CITIES_ZIP)).read("cities15000.txt")
FIRST_COUNTRY = 50  # line of Andorra, the first data line after the comment preamble
ALAND_UTF8 = COUNTRY_INFO.replace(b"Aland Islands", "Åland Islands".encode())


def country_info(data: bytes) -> pl.DataFrame:
    return geonames.parse_country_info(data, "countryInfo.txt")


def cities(data: bytes, name: str = "cities15000.zip") -> pl.DataFrame:
    return geonames.parse_cities(data, name, feature_codes=None)


def country_info_clean() -> pl.DataFrame:
    return country_info(COUNTRY_INFO)


@cache
def cities_clean() -> pl.DataFrame:
    return cities(CITIES_ZIP)


def tsv_cell(data: bytes, line: int, column: int, value: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    cells = lines[line].split(b"\t")
    cells[column] = value
    lines[line] = b"\t".join(cells)
    return b"".join(lines)


P = "geonames.parse_country_info"
case(P, "empty", lambda: country_info(b""), Refused(GN, "countryInfo.txt", "empty file"))
case(
    P,
    "comments-only",
    lambda: country_info(head(COUNTRY_INFO, FIRST_COUNTRY)),
    Refused(GN, "countryInfo.txt", "unreadable tab-separated text"),
)
case(
    P,
    "header-comment-missing",
    lambda: country_info(COUNTRY_INFO.replace(b"#ISO\t", b"#\t", 1)),
    Refused(GN, "countryInfo.txt", "no '#ISO<TAB>ISO3...' header comment"),
)
case(
    P,
    "population-column-renamed",
    lambda: country_info(COUNTRY_INFO.replace(b"\tPopulation\t", b"\tInhabitants\t", 1)),
    Refused(GN, "countryInfo.txt", "missing columns in the '#ISO' header line"),
)
case(P, "cut-at-line-end", lambda: country_info(head(COUNTRY_INFO, 80)), Unchanged(country_info_clean, part=True))
case(P, "utf-16", lambda: country_info(reencoded(COUNTRY_INFO, "utf-16")), Refused(GN, "countryInfo.txt", "#ISO"))
case(
    P,
    "line-cut-short",
    lambda: country_info(with_fields(COUNTRY_INFO, FIRST_COUNTRY + 1, 16, b"\t")),
    Refused(GN, "countryInfo.txt", f"line {FIRST_COUNTRY + 2} has 16 fields, line {FIRST_COUNTRY + 1} 19"),
)
case(
    P,
    "lines-run-together",
    lambda: country_info(run_together(COUNTRY_INFO, FIRST_COUNTRY + 1)),
    Refused(GN, "countryInfo.txt", f"line {FIRST_COUNTRY + 2} has 37 fields, line {FIRST_COUNTRY + 1} 19"),
)
case(
    P,
    "cut-inside-the-last-line",
    lambda: country_info(cut_in_last_line(COUNTRY_INFO, 2)),
    Refused(GN, "countryInfo.txt", f"line {last_line_number(COUNTRY_INFO)} has 18 fields"),
)
case(P, "bom", lambda: country_info(BOM + COUNTRY_INFO), Unchanged(country_info_clean))
case(P, "crlf", lambda: country_info(COUNTRY_INFO.replace(b"\n", b"\r\n")), Unchanged(country_info_clean))
case(
    P,
    "latin-1-country-name",
    lambda: country_info(reencoded(ALAND_UTF8, "latin-1")),
    Unchanged(lambda: country_info(ALAND_UTF8), text_only=("name",)),
)
case(P, "html-page", lambda: country_info(b"  <html>503</html>"), Refused(GN, "countryInfo.txt", "HTML or XML page"))
case(
    P,
    "population-not-a-number",
    lambda: country_info(tsv_cell(COUNTRY_INFO, FIRST_COUNTRY, 7, b"lots")),
    Flagged("population: cannot parse 'lots'", nulls=("population",)),
)
case(
    P,
    "population-overflow",
    lambda: country_info(tsv_cell(COUNTRY_INFO, FIRST_COUNTRY, 7, b"1e400")),
    Flagged("population: cannot parse '1e400'", nulls=("population",)),
)
case(
    P,
    "name-with-quotes",
    lambda: country_info(tsv_cell(COUNTRY_INFO, FIRST_COUNTRY, 4, b'"Andorra" \'la\' "Vella')),
    Verbatim(country_info_clean, "name", '"Andorra" \'la\' "Vella'),
)

P = "geonames.parse_cities"
case(P, "empty", lambda: cities(b""), Refused(GN, "cities15000.zip", "empty file"))
case(P, "zip-cut", lambda: cities(CITIES_ZIP[: len(CITIES_ZIP) // 2]), Refused(GN, "cities15000.zip", "truncated"))
case(
    P, "zip-corrupt", lambda: cities(flipped(CITIES_ZIP, 1000)), Refused(GN, "cities15000.zip", "truncated or corrupt")
)
case(
    P,
    "zip-two-members",
    lambda: cities(zipped({"cities15000.txt": CITIES, "cities500.txt": CITIES})),
    Refused(GN, "cities15000.zip", r"expected one \.txt member"),
)
case(
    P,
    "zip-no-txt-member",
    lambda: cities(zipped({"cities15000.csv": CITIES})),
    Refused(GN, "cities15000.zip", r"expected one \.txt member"),
)
case(P, "zip-member-empty", lambda: cities(zipped({"cities15000.txt": b""})), Refused(GN, "cities15000.zip", "empty"))
case(P, "not-zipped", lambda: cities(CITIES, "cities15000.txt"), Unchanged(cities_clean))
case(
    P,
    "cut-at-line-end",
    lambda: cities(zipped({"cities15000.txt": head(CITIES, 100)})),
    Unchanged(cities_clean, part=True),
)
case(
    P,
    "utf-16",
    lambda: cities(reencoded(CITIES, "utf-16"), "cities15000.txt"),
    Refused(GN, "cities15000.txt", "NUL characters.*UTF-16"),
)
case(
    P,
    "comma-separated",
    lambda: cities(b"3041563,Andorra la Vella,Andorra la Vella\n", "cities15000.txt"),
    Refused(GN, "cities15000.txt", "rows have 1 tab-separated fields, not 19"),
)
case(
    P,
    "line-cut-short",
    lambda: cities(zipped({"cities15000.txt": with_fields(CITIES, 5, 17, b"\t")})),
    Refused(GN, "cities15000.zip", "line 6 has 17 fields, line 1 19: a line cut short"),
)
case(
    P,
    "cut-inside-the-last-line",
    lambda: cities(zipped({"cities15000.txt": cut_in_last_line(CITIES, 3)})),
    Refused(GN, "cities15000.zip", f"no line end after line {last_line_number(CITIES)}"),
)
case(
    P,
    "latitude-not-a-number",
    lambda: cities(tsv_cell(CITIES, 0, 4, b"north"), "cities15000.txt"),
    Flagged("latitude: cannot parse 'north'", nulls=("latitude",)),
)
case(
    P,
    "geonameid-not-a-number",
    lambda: cities(tsv_cell(CITIES, 0, 0, b"30415a"), "cities15000.txt"),
    Flagged("geonameid: cannot parse '30415a'", nulls=("geonameid",)),
)
case(
    P,
    "name-with-quotes",
    lambda: cities(tsv_cell(CITIES, 0, 1, b'Andorra "la" \'Vella'), "cities15000.txt"),
    Verbatim(cities_clean, "name", 'Andorra "la" \'Vella'),
)


# --- BLS OEWS ---------------------------------------------------------------------------------------------------

OE = "BLS OEWS"
OEWS_SAMPLE = sample(f"bls_oews/{OEWS}")
OEWS_HEADER = ["AREA", "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN", "A_MEDIAN"]
OEWS_ROW = [99, "43-4051", "Customer Service Representatives", "detailed", 2858710, 20.59, 42830, 19.08, 39680]


def oews_row(**cells) -> list:
    return [cells.get(name.lower(), value) for name, value in zip(OEWS_HEADER, OEWS_ROW, strict=True)]


def oews_workbook(rows: list[list], header: list[str] = OEWS_HEADER, sheet: str = "national_M2023_dl") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def oews(data: bytes, name: str = OEWS) -> pl.DataFrame:
    return bls_oews.parse_national(data, name)


def oews_unzipped(data: bytes) -> pl.DataFrame:
    return oews(bls_oews.unpack_national_zip(data, "oesm23nat.zip"))


def oews_one_row_clean() -> pl.DataFrame:
    return oews(oews_workbook([OEWS_ROW]))


def occupation_wages(workbook: bytes) -> pl.DataFrame:
    """The staging `us_occupation_wages` rows built from a (bad) workbook, as assets.staging.bls_oews builds them."""
    files = {"national_M2023": (workbook, record(f"raw/bls_oews/{OEWS}"))}
    return bls_staging.occupation_wage_rows({"raw_bls_oews": files}, None)


P = "bls_oews.parse_national"
case(P, "empty", lambda: oews(b""), Refused(OE, OEWS, "not an Excel workbook"))
case(
    P,
    "csv-instead-of-xlsx",
    lambda: oews(b"OCC_CODE,OCC_TITLE\n00-0000,All\n"),
    Refused(OE, OEWS, "not an Excel workbook"),
)
case(P, "cut-inside-the-zip", lambda: oews(OEWS_SAMPLE[:100_000]), Refused(OE, OEWS, "not an XLSX zip"))
case(P, "cut-at-the-end", lambda: oews(OEWS_SAMPLE[:-10]), Refused(OE, OEWS, "not an XLSX zip"))
case(P, "old-xls-header", lambda: oews(b"\xd0\xcf\x11\xe0" + bytes(600)), Refused(OE, OEWS, "unreadable workbook"))
case(
    P,
    "no-year-in-the-name",
    lambda: oews(OEWS_SAMPLE, "national.xlsx"),
    Refused(OE, "national.xlsx", "cannot tell the survey year"),
)
case(
    P,
    "sheet-renamed",
    lambda: oews(oews_workbook([OEWS_ROW], sheet="Sheet1")),
    Refused(OE, OEWS, r"no sheet named national\*"),
)
case(
    P,
    "column-missing",
    lambda: oews(oews_workbook([OEWS_ROW[:-1]], header=OEWS_HEADER[:-1])),
    Refused(OE, OEWS, r"missing columns \['A_MEDIAN'\]"),
)
case(
    P,
    "empty-sheet",
    lambda: oews(oews_workbook([], header=[])),
    Refused(OE, OEWS, "unreadable sheet national_M2023_dl"),
)
case(P, "header-only", lambda: oews(oews_workbook([])), Unchanged(oews_one_row_clean, part=True))
case(
    P,
    "sheet-declaring-A1:XFD1048576",
    lambda: oews(whole_sheet_declared(oews_workbook([OEWS_ROW]))),
    Refused(OE, OEWS, "declares 1,048,576 x 16,384 cells"),
)
case(P, "zip-bomb-member", lambda: oews(zip_bomb_workbook()), Refused(OE, OEWS, "decompresses to 201,"))
case(
    P,
    "formula-wage-cell",
    lambda: oews(oews_workbook([oews_row(h_mean="=A_MEAN/2080")])),
    Neutralised("hourly_mean", None),
)
case(
    P,
    "formula-title-cell",
    lambda: oews(oews_workbook([oews_row(occ_title='=HYPERLINK("https://example.test","x")')])),
    Neutralised("title", None),
)
case(
    P,
    "wage-not-a-number",
    lambda: oews(oews_workbook([oews_row(h_mean="n/a")])),
    Flagged(r"hourly_mean \(H_MEAN\): cannot parse 'n/a'", nulls=("hourly_mean",)),
)
case(
    P,
    "negative-wage",
    lambda: occupation_wages(oews_workbook([oews_row(h_mean=-20.59)])),
    Rejected(UsOccupationWages, r"hourly_mean greater_than\(0\) failed on -20.59"),
)
case(
    P,
    "wage-in-cents",
    lambda: occupation_wages(oews_workbook([oews_row(h_mean=2059)])),
    Rejected(UsOccupationWages, r"hourly_mean less_than\(500\) failed on 2059"),
)
case(
    P,
    "wage-overflow",
    lambda: occupation_wages(oews_workbook([oews_row(a_mean="1e400")])),
    Rejected(UsOccupationWages, r"annual_mean less_than\(.*failed on inf"),
)
case(
    P,
    "duplicate-occupation",
    lambda: occupation_wages(oews_workbook([OEWS_ROW, oews_row(h_mean=25.0)])),
    Rejected(UsOccupationWages, "uniqueness"),
)

P = "bls_oews.unpack_national_zip"
case(P, "empty", lambda: oews_unzipped(b""), Refused(OE, "oesm23nat.zip", "truncated"))
case(
    P,
    "cut-inside-the-zip",
    lambda: oews_unzipped(zipped({f"oesm23nat/{OEWS}": OEWS_SAMPLE})[:100_000]),
    Refused(OE, "oesm23nat.zip", "truncated"),
)
case(
    P,
    "member-corrupt",
    lambda: oews_unzipped(flipped(zipped({f"oesm23nat/{OEWS}": OEWS_SAMPLE}), 3000)),
    Refused(OE, "oesm23nat.zip", "truncated"),
)
case(
    P,
    "no-workbook-member",
    lambda: oews_unzipped(zipped({"oesm23nat/readme.txt": b"field descriptions"})),
    Refused(OE, "oesm23nat.zip", "expected one national_MYYYY_dl.xlsx member"),
)
case(
    P,
    "two-workbook-members",
    lambda: oews_unzipped(zipped({OEWS: OEWS_SAMPLE, "national_M2022_dl.xlsx": OEWS_SAMPLE})),
    Refused(OE, "oesm23nat.zip", "expected one national_MYYYY_dl.xlsx member"),
)
case(
    P,
    "member-names-leaving-the-folder",
    lambda: oews_unzipped(zipped({f"../../{OEWS}": oews_workbook([OEWS_ROW])})),
    Unchanged(oews_one_row_clean),
)


# --- OECD average wages, Taxing Wages, ILO KILM -----------------------------------------------------------------

OE_SRC = "OECD"
TW_SRC = "OECD Taxing Wages (Tax Foundation table)"
KI_SRC = "ILO KILM"
AV_WAGE = sample(f"oecd/{OECD_FILE}")
TABLE1 = sample("oecd_taxing_wages/Table1.csv")
KILM_DATA = sample(f"ilo_kilm/{KILM}")
SHARE = ilo_kilm.SOCIAL_INSURANCE_SHARE
EMPLOYER = "Employer Payroll Taxes in %"


def average_wages(data: bytes) -> pl.DataFrame:
    return oecd.parse_average_wages(data, OECD_FILE)


def taxing_wages(data: bytes) -> pl.DataFrame:
    return oecd.parse_taxing_wages_table(data, "Table1.csv", 2021)


def kilm(data: bytes) -> pl.DataFrame:
    return ilo_kilm.parse_social_insurance_share(data, KILM)


@cache
def average_wages_clean() -> pl.DataFrame:
    return average_wages(AV_WAGE)


def taxing_wages_clean() -> pl.DataFrame:
    return taxing_wages(TABLE1)


def kilm_clean() -> pl.DataFrame:
    return kilm(KILM_DATA)


def average_wage_rows(data: bytes) -> pl.DataFrame:
    """The staging `average_wages` rows built from a (bad) file, as assets.staging.oecd builds them."""
    files = {"AV_AN_WAGE": (data, record(f"raw/oecd/{OECD_FILE}"))}
    return oecd_staging.average_wage_rows({"raw_oecd": files}, None)


def employer_cost_rows(table1: bytes = TABLE1, kilm_data: bytes = KILM_DATA) -> pl.DataFrame:
    """The staging `employer_costs` rows built from (bad) Taxing Wages and KILM files."""
    loaded = {
        "raw_oecd_taxing_wages": {"taxing_wages_2021_table1": (table1, record("raw/oecd_taxing_wages/Table1.csv"))},
        "raw_ilo_kilm": {"KILM15b_social_insurance_share": (kilm_data, record(f"raw/ilo_kilm/{KILM}"))},
    }
    return employer_staging.employer_cost_rows(loaded, None)


P = "oecd.parse_average_wages"
case(P, "empty", lambda: average_wages(b""), Refused(OE_SRC, OECD_FILE, "empty file; expected .*'OBS_VALUE'"))
case(P, "bom-only", lambda: average_wages(BOM), Refused(OE_SRC, OECD_FILE, "unreadable CSV"))
case(P, "whitespace-only", lambda: average_wages(b"\n  \n"), Refused(OE_SRC, OECD_FILE, "empty file"))
case(P, "header-only", lambda: average_wages(head(AV_WAGE, 1)), Unchanged(average_wages_clean, part=True))
case(P, "cut-at-line-end", lambda: average_wages(head(AV_WAGE, 40)), Unchanged(average_wages_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: average_wages(cut_in_line(AV_WAGE, 40, b"Wages,")),
    Refused(OE_SRC, OECD_FILE, "record 41 has 9 fields, the header 30"),
)
case(
    P,
    "utf-16",
    lambda: average_wages(reencoded(AV_WAGE, "utf-16")),
    Refused(OE_SRC, OECD_FILE, "NUL characters.*UTF-16"),
)
case(
    P,
    "cut-inside-the-last-line",
    lambda: average_wages(cut_in_last_line(AV_WAGE, 2)),
    Refused(OE_SRC, OECD_FILE, f"no line end after line {last_line_number(AV_WAGE)}"),
)
case(
    P,
    "latin-1-area-name",
    lambda: average_wages(reencoded(AV_WAGE, "latin-1")),
    Unchanged(average_wages_clean, text_only=("area_name",)),
)
case(P, "bom", lambda: average_wages(BOM + AV_WAGE), Unchanged(average_wages_clean))
case(P, "crlf", lambda: average_wages(AV_WAGE.replace(b"\n", b"\r\n")), Unchanged(average_wages_clean))
case(P, "html-page", lambda: average_wages(b"<html>Rate limit</html>"), Refused(OE_SRC, OECD_FILE, "HTML or XML page"))
case(
    P,
    "sdmx-error-message",
    lambda: average_wages(b'<?xml version="1.0"?><message:Error>NoResultsFound</message:Error>'),
    Refused(OE_SRC, OECD_FILE, "HTML or XML page instead of SDMX-CSV"),
)
case(
    P,
    "value-column-missing",
    lambda: average_wages(AV_WAGE.replace(b"OBS_VALUE", b"VALUE", 1)),
    Refused(OE_SRC, OECD_FILE, r"missing SDMX-CSV columns \['OBS_VALUE'\]"),
)
case(
    P,
    "value-not-a-number",
    lambda: average_wages(edited(AV_WAGE, 0, OBS_VALUE="n/a")),
    Flagged(r"annual_wage \(OBS_VALUE\): cannot parse 'n/a'", nulls=("annual_wage",)),
)
case(
    P,
    "quarterly-period",
    lambda: average_wages(edited(AV_WAGE, 0, TIME_PERIOD="2020-Q1")),
    Flagged(r"year \(TIME_PERIOD\): cannot parse '2020-Q1'", nulls=("year",)),
)
case(
    P,
    "unit-multiplier-not-a-number",
    lambda: average_wages(edited(AV_WAGE, 0, UNIT_MULT="k")),
    Flagged("UNIT_MULT: cannot parse 'k'", nulls=("annual_wage",)),
)
case(
    P,
    "unit-multiplier-thousands",
    lambda: average_wage_rows(edited(AV_WAGE, 0, UNIT_MULT="3")),
    Rejected(AverageWages, r"annual_wage less_than\(.*failed on 63677000"),
)
case(
    P,
    "unit-multiplier-overflow",
    lambda: average_wage_rows(edited(AV_WAGE, 0, UNIT_MULT="400")),
    Rejected(AverageWages, r"annual_wage less_than\(.*failed on inf"),
)
case(
    P,
    "negative-wage",
    lambda: average_wage_rows(edited(AV_WAGE, 0, OBS_VALUE="-63677")),
    Rejected(AverageWages, r"annual_wage greater_than\(0\) failed on -63677"),
)
case(
    P,
    "duplicate-key",
    lambda: average_wage_rows(with_copy(AV_WAGE, 0, OBS_VALUE="70000")),
    Rejected(AverageWages, "uniqueness"),
)

P = "oecd.parse_taxing_wages_table"
case(P, "empty", lambda: taxing_wages(b""), Refused(TW_SRC, "Table1.csv", "empty file"))
case(P, "bom-only", lambda: taxing_wages(BOM), Refused(TW_SRC, "Table1.csv", "unreadable CSV"))
case(P, "header-only", lambda: taxing_wages(head(TABLE1, 1)), Unchanged(taxing_wages_clean, part=True))
case(P, "cut-at-line-end", lambda: taxing_wages(head(TABLE1, 12)), Unchanged(taxing_wages_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: taxing_wages(cut_in_line(TABLE1, 12, b",")),
    Refused(TW_SRC, "Table1.csv", "record 13 has 2 fields, the header 9"),
)
case(
    P,
    "cut-inside-the-last-line",
    lambda: taxing_wages(cut_in_last_line(TABLE1, 3)),
    Refused(TW_SRC, "Table1.csv", f"no line end after line {last_line_number(TABLE1)}"),
)
case(P, "bom", lambda: taxing_wages(BOM + TABLE1), Unchanged(taxing_wages_clean))
case(P, "crlf", lambda: taxing_wages(TABLE1.replace(b"\n", b"\r\n")), Unchanged(taxing_wages_clean))
case(P, "latin-1", lambda: taxing_wages(reencoded(TABLE1, "latin-1")), Unchanged(taxing_wages_clean))
case(P, "html-page", lambda: taxing_wages(b"<!DOCTYPE html>"), Refused(TW_SRC, "Table1.csv", "HTML or XML page"))
case(
    P,
    "share-column-renamed",
    lambda: taxing_wages(TABLE1.replace(b"Employer Payroll Taxes in %", b"Employer Taxes", 1)),
    Refused(TW_SRC, "Table1.csv", r"missing columns \['Employer Payroll Taxes in %'\]"),
)
case(
    P,
    "decimal-comma",
    lambda: taxing_wages(edited(TABLE1, 0, **{EMPLOYER: "5,04"})),
    Flagged("Employer Payroll Taxes in %: cannot parse '5,04'", nulls=("employer_share_pct",)),
)
case(
    P,
    "share-empty",
    lambda: taxing_wages(edited(TABLE1, 0, **{EMPLOYER: ""})),
    Flagged("Employer Payroll Taxes in %: empty cell", nulls=("employer_share_pct",)),
)
case(P, "iso3-empty", lambda: taxing_wages(edited(TABLE1, 0, ISO3="")), Flagged("ISO3: empty cell", nulls=("iso3",)))
case(
    P,
    "share-above-100",
    lambda: employer_cost_rows(table1=edited(TABLE1, 0, **{EMPLOYER: "150"})),
    Rejected(EmployerCosts, r"employer_share_pct less_than_or_equal_to\(60\) failed on 150"),
)
case(
    P,
    "negative-share",
    lambda: employer_cost_rows(table1=edited(TABLE1, 0, **{EMPLOYER: "-5"})),
    Rejected(EmployerCosts, r"employer_share_pct greater_than_or_equal_to\(0\) failed on -5"),
)
case(
    P,
    "duplicate-country",
    lambda: employer_cost_rows(table1=with_copy(TABLE1, 0, **{EMPLOYER: "6.1"})),
    Rejected(EmployerCosts, "uniqueness"),
)

P = "ilo_kilm.parse_social_insurance_share"
case(P, "empty", lambda: kilm(b""), Refused(KI_SRC, KILM, "empty file"))
case(P, "header-only", lambda: kilm(head(KILM_DATA, 1)), Unchanged(kilm_clean, part=True))
case(P, "cut-at-line-end", lambda: kilm(head(KILM_DATA, 100)), Unchanged(kilm_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: kilm(cut_in_line(KILM_DATA, 100, b",")),
    Refused(KI_SRC, KILM, "record 101 has 2 fields, the header 3"),
)
case(P, "utf-16", lambda: kilm(reencoded(KILM_DATA, "utf-16")), Refused(KI_SRC, KILM, "NUL characters.*UTF-16"))
case(
    P,
    "cut-inside-the-last-value",
    lambda: kilm(cut_in_last_line(KILM_DATA, 16)),  # the last share, 23.899999618530273, would read as 23
    Refused(KI_SRC, KILM, f"no line end after line {last_line_number(KILM_DATA)}"),
)
case(P, "bom", lambda: kilm(BOM + KILM_DATA), Unchanged(kilm_clean))
case(P, "crlf", lambda: kilm(KILM_DATA.replace(b"\n", b"\r\n")), Unchanged(kilm_clean))
case(P, "html-page", lambda: kilm(b"<html></html>"), Refused(KI_SRC, KILM, "HTML or XML page instead of a DDF"))
case(
    P,
    "share-column-renamed",
    lambda: kilm(KILM_DATA.replace(SHARE.encode(), b"share", 1)),
    Refused(KI_SRC, KILM, "not the KILM 15b social-insurance share datapoints; missing columns"),
)
case(
    P,
    "country-name-instead-of-id",
    lambda: kilm(edited(KILM_DATA, 0, country="Argentina")),
    Flagged("country: 'Argentina' is not a DDF ISO3 id", nulls=("iso3",)),
)
case(
    P,
    "year-with-decimals",
    lambda: kilm(edited(KILM_DATA, 0, year="1996.0")),
    Flagged("year: cannot parse '1996.0'", nulls=("year",)),
)
case(
    P,
    "share-not-a-number",
    lambda: kilm(edited(KILM_DATA, 0, **{SHARE: "n/a"})),
    Flagged("social-insurance share: cannot parse 'n/a'", nulls=("employer_share_pct",)),
)
case(
    P,
    "share-mis-scaled",
    lambda: employer_cost_rows(kilm_data=edited(KILM_DATA, 0, **{SHARE: "1990"})),
    Rejected(EmployerCosts, r"employer_share_pct less_than_or_equal_to\(60\) failed on 1990"),
)
case(
    P,
    "duplicate-key",
    lambda: employer_cost_rows(kilm_data=with_copy(KILM_DATA, 0, **{SHARE: "21.5"})),
    Rejected(EmployerCosts, "uniqueness"),
)


# --- Vendor rate seed, analysts' quotes -------------------------------------------------------------------------

SEED_SRC = "Vendor rate seed"
SEED_NAME = "vendor_rates_public.csv"
WAGES_NAME = "wage_observations_public.csv"
SEED = sample(f"vendor_seed/{SEED_NAME}")
SEED_WAGES = sample(f"vendor_seed/{WAGES_NAME}")
# Header and the rows naming "Máspormás" and "Reporte Índigo": text Latin-1 and Windows-1252 can encode.
SEED_MEXICO = b"".join(
    line
    for n, line in enumerate(SEED_WAGES.splitlines(keepends=True))
    if n == 0 or (b"\xc3" in line[:200] and line.startswith(b"MEX"))
)
FORMULA = "=cmd|' /C calc'!A0"


def seed(data: bytes, name: str = SEED_NAME) -> pl.DataFrame:
    return vendor_seed.parse_observations(data, name)


@cache
def seed_clean() -> pl.DataFrame:
    return seed(SEED)


P = "vendor_seed.parse_observations"
case(P, "empty", lambda: seed(b""), Refused(SEED_SRC, SEED_NAME, "not a readable CSV"))
case(P, "bom-only", lambda: seed(BOM), Refused(SEED_SRC, SEED_NAME, "not a readable CSV"))
case(P, "header-only", lambda: seed(head(SEED, 1)), Unchanged(seed_clean, part=True))
case(P, "cut-at-line-end", lambda: seed(head(SEED, 30)), Unchanged(seed_clean, part=True))
case(
    P,
    "cut-mid-line",
    lambda: seed(cut_in_line(SEED, 30, b",USD,")),
    Refused(SEED_SRC, SEED_NAME, "record 31 has 6 fields, the header 11"),
)
case(
    P,
    "latin-1",
    lambda: seed(reencoded(SEED_MEXICO, "latin-1"), WAGES_NAME),
    Refused(SEED_SRC, WAGES_NAME, "not a readable CSV.*utf-8"),
)
case(
    P,
    "windows-1252",
    lambda: seed(reencoded(SEED_MEXICO, "cp1252"), WAGES_NAME),
    Refused(SEED_SRC, WAGES_NAME, "not a readable CSV.*utf-8"),
)
case(P, "utf-16", lambda: seed(reencoded(SEED, "utf-16")), Refused(SEED_SRC, SEED_NAME, "NUL characters.*UTF-16"))
case(
    P,
    "cut-inside-the-last-line",
    lambda: seed(cut_in_last_line(SEED, 10)),
    Refused(SEED_SRC, SEED_NAME, f"no line end after line {last_line_number(SEED)}"),
)
case(P, "bom", lambda: seed(BOM + SEED), Unchanged(seed_clean))
case(P, "crlf", lambda: seed(SEED.replace(b"\n", b"\r\n")), Unchanged(seed_clean))
case(
    P,
    "html-page",
    lambda: seed(b"<html><body>moved</body></html>"),
    Refused(SEED_SRC, SEED_NAME, "HTML or XML page instead of CSV"),
)
case(
    P,
    "column-missing",
    lambda: seed(SEED.replace(b",rate_high,", b",rate_max,", 1)),
    Refused(SEED_SRC, SEED_NAME, r"missing columns \['rate_high'\]"),
)
case(
    P,
    "rate-in-words",
    lambda: seed(edited(SEED, 0, rate_low="twelve")),
    Flagged("rate_low 'twelve' is not a number", nulls=("amount_low",)),
)
case(
    P,
    "decimal-comma",
    lambda: seed(edited(SEED, 0, rate_high="12,5")),
    Flagged("rate_high '12,5' is not a number", nulls=("amount_high",)),
)
case(
    P,
    "year-approximate",
    lambda: seed(edited(SEED, 0, reference_year="c. 2020")),
    Flagged("reference_year 'c. 2020' is not a year", nulls=("reference_year",)),
)
case(
    P,
    "formula-service-label",
    lambda: seed(edited(SEED, 0, service_label=FORMULA)),
    Neutralised("service_label", "'" + FORMULA),
)
case(
    P,
    "formula-source-name",
    lambda: seed(edited(SEED, 0, source_name="@SUM(A1:A9)")),
    Neutralised("source_name", "'@SUM(A1:A9)"),
)
case(
    P,
    "phone-number-note",
    lambda: seed(edited(SEED, 0, note="+44 20 7946 0000")),
    Neutralised("note", "'+44 20 7946 0000"),
)

QU = "Vendor quotes"
GOOD_QUOTES = (FIXTURES / "quotes" / "good_quotes.csv").read_bytes()
CAFE_QUOTES = GOOD_QUOTES.replace(b"Example Vendor A", "Café Vendor A".encode()).replace(
    b"Made-up figures for tests", "Made-up figures at 9 €/h".encode()
)
KNOWN_FUNCTIONS = set(pl.read_csv(PROJECT / "reference" / "functions.csv")["function_id"])
QUOTE = {
    "quote_id": "Q-1",
    "vendor": "Example Vendor A",
    "country_iso3": "PHL",
    "function_id": "customer_support",
    "service_label": "Inbound voice support",
    "rate_low": "8.50",
    "rate_high": "11",
    "currency": "USD",
    "unit": "hour",
    "price_type": "vendor_billing_rate",
    "quote_date": "2025-03-14",
    "valid_until": "2025-06-30",
    "analyst": "Test Analyst",
    "note": "",
}


def quotes(data: bytes, name: str = "quotes.csv") -> tuple[pl.DataFrame, pl.DataFrame]:
    return vendor_quotes.read_quotes(data, name, KNOWN_FUNCTIONS)


def valid_quotes(data: bytes, name: str = "quotes.csv") -> pl.DataFrame:
    return quotes(data, name)[0]


def quotes_csv(*changes: dict[str, str]) -> bytes:
    """A quote file with one row per `changes`: the template row Q-1 with those cells changed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(vendor_quotes.TEMPLATE_COLUMNS)
    writer.writerows([[(QUOTE | change)[c] for c in vendor_quotes.TEMPLATE_COLUMNS] for change in changes])
    return out.getvalue().encode()


def quotes_workbook(*changes: dict[str, object], as_text: tuple[str, ...] = ()) -> bytes:
    """A quote workbook like quotes_csv; a cell starting with "=" is a formula, unless its column is in `as_text`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(vendor_quotes.TEMPLATE_COLUMNS))
    for change in changes:
        sheet.append([(QUOTE | change)[c] or None for c in vendor_quotes.TEMPLATE_COLUMNS])
    for column in as_text:
        for row in range(2, len(changes) + 2):
            sheet.cell(row=row, column=vendor_quotes.TEMPLATE_COLUMNS.index(column) + 1).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_quotes_clean() -> pl.DataFrame:
    return valid_quotes(GOOD_QUOTES)


def cafe_quotes_clean() -> pl.DataFrame:
    return valid_quotes(CAFE_QUOTES)


def one_quote_workbook_clean() -> pl.DataFrame:
    return valid_quotes(quotes_workbook({}), "quotes.xlsx")


P = "vendor_quotes.read_quotes"
case(P, "csv-empty", lambda: quotes(b""), Refused(QU, "quotes.csv", "unreadable CSV"))
case(P, "csv-whitespace-only", lambda: quotes(b"  \n"), Refused(QU, "quotes.csv", "missing template columns"))
case(P, "csv-header-only", lambda: valid_quotes(head(GOOD_QUOTES, 1)), Unchanged(good_quotes_clean, part=True))
case(P, "csv-cut-at-line-end", lambda: valid_quotes(head(GOOD_QUOTES, 3)), Unchanged(good_quotes_clean, part=True))
case(
    P,
    "csv-cut-mid-line-in-a-quoted-cell",
    lambda: quotes(cut_in_line(GOOD_QUOTES, 1, b'"Inbound voice')),
    Refused(QU, "quotes.csv", "record 2 has 5 fields, the header 14: a line cut short"),
)
case(
    P,
    "csv-row-cut-short",
    lambda: quotes(GOOD_QUOTES.replace(b"2025-04-02,,Test Analyst,\n", b"2025-04-02\n")),
    Refused(QU, "quotes.csv", "record 3 has 11 fields, the header 14: a line cut short"),
)
case(
    P,
    "csv-unquoted-comma-in-a-cell",
    lambda: quotes(GOOD_QUOTES.replace(b"Example Vendor B", b"Example Vendor B, Inc.")),
    Refused(QU, "quotes.csv", "record 3 has 15 fields, the header 14"),
)
case(P, "csv-without-the-last-line-end", lambda: valid_quotes(GOOD_QUOTES.rstrip()), Unchanged(good_quotes_clean))
case(
    P,
    "csv-bare-carriage-returns",
    lambda: quotes(GOOD_QUOTES.replace(b"\n", b"\r")),
    Refused(QU, "quotes.csv", "lines end with a bare carriage return"),
)
case(
    P,
    "csv-utf-16",
    lambda: quotes(reencoded(GOOD_QUOTES, "utf-16")),
    Refused(QU, "quotes.csv", "NUL characters.*UTF-16"),
)
case(
    P,
    "csv-latin-1",
    lambda: valid_quotes(reencoded(CAFE_QUOTES.replace("€".encode(), b"EUR"), "latin-1")),
    Unchanged(lambda: valid_quotes(CAFE_QUOTES.replace("€".encode(), b"EUR"))),
)
case(P, "csv-windows-1252", lambda: valid_quotes(reencoded(CAFE_QUOTES, "cp1252")), Unchanged(cafe_quotes_clean))
case(P, "csv-bom", lambda: valid_quotes(BOM + GOOD_QUOTES), Unchanged(good_quotes_clean))
case(P, "csv-crlf", lambda: valid_quotes(GOOD_QUOTES.replace(b"\n", b"\r\n")), Unchanged(good_quotes_clean))
case(P, "csv-html-page", lambda: quotes(b"<!doctype html><html></html>"), Refused(QU, "quotes.csv", "HTML or XML page"))
case(
    P,
    "csv-column-renamed",
    lambda: quotes(GOOD_QUOTES.replace(b"rate_low", b"rate_min", 1)),
    Refused(QU, "quotes.csv", r"missing template columns \['rate_low'\]"),
)
for label, rate, problem in [
    ("decimal-comma", "12,5", "rate_low '12,5' is not a number"),
    ("exponent", "1e3", "rate_low '1e3' is not a number"),
    ("nan", "NaN", "rate_low 'NaN' is not a number"),
    ("infinity", "inf", "rate_low 'inf' is not a number"),
    ("negative", "-5", "rate_low '-5' is not positive"),
    ("zero", "0", "rate_low '0' is not positive"),
]:
    case(P, f"rate-{label}", partial(quotes, quotes_csv({"rate_low": rate})), QuoteRejected("Q-1", re.escape(problem)))
for label, change, problem in [
    ("low-above-high", {"rate_low": "12", "rate_high": "8"}, "rate_low '12' is above rate_high '8'"),
    ("unknown-function", {"function_id": "legal_services"}, "function_id 'legal_services' is not a known function"),
    ("unknown-unit", {"unit": "fortnight"}, "unit 'fortnight' is not one of hour, day"),
    ("lower-case-currency", {"currency": "usd"}, "currency 'usd' is not three upper-case letters"),
    ("country-name", {"country_iso3": "Philippines"}, "country_iso3 'Philippines' is not three upper-case"),
    ("impossible-date", {"quote_date": "2025-02-30"}, "quote_date '2025-02-30' is not a yyyy-mm-dd date"),
    ("day-first-date", {"quote_date": "14/03/2025"}, "quote_date '14/03/2025' is not a yyyy-mm-dd date"),
    ("future-date", {"quote_date": "2099-01-01", "valid_until": ""}, "quote_date '2099-01-01' is in the future"),
    ("expired-before-quoted", {"valid_until": "2025-01-01"}, "valid_until '2025-01-01' is before quote_date"),
    ("vendor-missing", {"vendor": ""}, "vendor missing"),
]:
    case(P, label, partial(quotes, quotes_csv(change)), QuoteRejected("Q-1", re.escape(problem)))
case(
    P,
    "duplicate-quote-id",
    lambda: quotes(quotes_csv({}, {"rate_low": "9"})),
    QuoteRejected("Q-1", "quote_id 'Q-1' appears more than once in the file"),
)
case(P, "formula-vendor", lambda: valid_quotes(quotes_csv({"vendor": FORMULA})), Neutralised("vendor", "'" + FORMULA))
case(
    P,
    "formula-note",
    lambda: valid_quotes(quotes_csv({"note": '@HYPERLINK("https://example.test")'})),
    Neutralised("note", '\'@HYPERLINK("https://example.test")'),
)
case(
    P,
    "xlsx-sheet-declaring-A1:XFD1048576",
    lambda: quotes(whole_sheet_declared(quotes_workbook({})), "quotes.xlsx"),
    Refused(QU, "quotes.xlsx", "declares 1,048,576 x 16,384 cells"),
)
case(
    P,
    "xlsx-zip-bomb-member",
    lambda: quotes(zip_bomb_workbook(), "quotes.xlsx"),
    Refused(QU, "quotes.xlsx", "decompresses to"),
)
case(
    P,
    "xlsx-cut-inside-the-zip",
    lambda: quotes(quotes_workbook({})[:3000], "quotes.xlsx"),
    Refused(QU, "quotes.xlsx", "not an XLSX zip"),
)
case(
    P,
    "xlsx-csv-bytes",
    lambda: quotes(quotes_csv({}), "quotes.xlsx"),
    Refused(QU, "quotes.xlsx", r"named like a workbook but not an XLSX \(zip\) file"),
)
case(
    P,
    "xlsx-empty-sheet",
    lambda: quotes(oews_workbook([], header=[], sheet="Quotes"), "quotes.xlsx"),
    Refused(QU, "quotes.xlsx", "unreadable workbook"),
)
case(
    P,
    "xlsx-header-only",
    lambda: valid_quotes(quotes_workbook(), "q.xlsx"),
    Unchanged(one_quote_workbook_clean, part=True),
)
case(
    P,
    "xlsx-formula-rate",
    lambda: quotes(quotes_workbook({"rate_low": "=2*5"}), "quotes.xlsx"),
    QuoteRejected("Q-1", "rate_low missing"),
)
case(
    P,
    "xlsx-formula-vendor",
    lambda: quotes(quotes_workbook({"vendor": '=HYPERLINK("https://example.test","Vendor")'}), "quotes.xlsx"),
    QuoteRejected("Q-1", "vendor missing"),
)
case(
    P,
    "xlsx-formula-text-cell",
    lambda: valid_quotes(quotes_workbook({"vendor": FORMULA}, as_text=("vendor",)), "quotes.xlsx"),
    Neutralised("vendor", "'" + FORMULA),
)
case(
    P,
    "xlsx-date-with-time",
    lambda: quotes(quotes_workbook({"quote_date": datetime(2025, 3, 14, 13, 45)}), "quotes.xlsx"),
    QuoteRejected("Q-1", "quote_date '2025-03-14 13:45:00' is not a yyyy-mm-dd date"),
)


# --- GSA CALC ---------------------------------------------------------------------------------------------------

GSA = "GSA CALC"
S70_NAME = "s70_sample.csv"
S70 = sample(f"gsa_calc/{S70_NAME}")
S70_CAFE = S70.replace(b"Pink Frog Interactive", "Pink Frög Interactive".encode())
PAGE1 = (FIXTURES / "gsa_calc" / "ceilingrates_page1.json").read_bytes()
FIRST_PRICE = b'"current_price": 125.44,'
PRICE_HEADER = re.escape("current_price (PRICE OFFERED TO GSA (including IFF))")


def price_list(data: bytes) -> pl.DataFrame:
    return gsa_calc.parse_price_list(data, S70_NAME)


def rates_page(data: bytes, url: str = RATES_URL) -> pl.DataFrame:
    return gsa_calc.parse_rates_page(data, url)[0]


@cache
def price_list_clean() -> pl.DataFrame:
    return price_list(S70)


def rates_page_clean() -> pl.DataFrame:
    return rates_page(PAGE1)


def page_with(old: bytes, new: bytes) -> bytes:
    assert old in PAGE1
    return PAGE1.replace(old, new, 1)


P = "gsa_calc.parse_price_list"
case(P, "empty", lambda: price_list(b""), Refused(GSA, S70_NAME, "unreadable CSV"))
case(P, "bom-only", lambda: price_list(BOM), Refused(GSA, S70_NAME, "unreadable CSV"))
case(P, "header-only", lambda: price_list(head(S70, 1)), Unchanged(price_list_clean, part=True))
case(P, "header-and-instructions-only", lambda: price_list(head(S70, 2)), Unchanged(price_list_clean, part=True))
case(P, "cut-at-line-end", lambda: price_list(head(S70, 8)), Unchanged(price_list_clean, part=True))
case(
    P,
    "cut-mid-line-in-a-quoted-cell",
    lambda: price_list(cut_in_line(S70, 8, b'"Pink')),
    Refused(GSA, S70_NAME, "record 9 has 8 fields, the header 14"),
)
case(
    P,
    "cut-mid-line-before-the-price",
    lambda: price_list(cut_in_line(S70, 8, b"Bachelors,5,")),
    Refused(GSA, S70_NAME, "record 9 has 5 fields, the header 14: a line cut short"),
)
case(
    P,
    "cut-inside-the-last-line",
    lambda: price_list(cut_in_last_line(S70, 3)),
    Refused(GSA, S70_NAME, f"no line end after line {last_line_number(S70)}"),
)
case(
    P,
    "row-without-its-contract-dates",
    lambda: price_list(S70.replace(b",1,4/29/15,4/28/20\r\n", b",1\r\n", 1)),
    Refused(GSA, S70_NAME, "record 12 has 12 fields, the header 14: a line cut short"),
)
case(
    P,
    "price-with-an-unquoted-thousands-comma",
    lambda: price_list(S70.replace(b",$134.01,", b",$1,134.01,")),  # was read as $1, every later cell shifted
    Refused(GSA, S70_NAME, "record 21 has 15 fields, the header 14"),
)
case(
    P,
    "bare-carriage-returns",
    lambda: price_list(S70.replace(b"\r\n", b"\r")),
    Refused(GSA, S70_NAME, "lines end with a bare carriage return"),
)
case(
    P,
    "windows-1252",
    lambda: price_list(reencoded(S70_CAFE, "cp1252")),
    Unchanged(lambda: price_list(S70_CAFE)),
)
case(P, "latin-1", lambda: price_list(reencoded(S70_CAFE, "latin-1")), Unchanged(lambda: price_list(S70_CAFE)))
case(P, "utf-16", lambda: price_list(reencoded(S70, "utf-16")), Refused(GSA, S70_NAME, "NUL characters.*UTF-16"))
case(P, "bom", lambda: price_list(BOM + S70), Unchanged(price_list_clean))
case(P, "lf-line-ends", lambda: price_list(S70.replace(b"\r\n", b"\n")), Unchanged(price_list_clean))
case(P, "html-page", lambda: price_list(b"<html><body>Login</body></html>"), Refused(GSA, S70_NAME, "HTML or XML page"))
case(
    P,
    "price-column-renamed",
    lambda: price_list(S70.replace(b"PRICE OFFERED TO GSA", b"PRICE", 1)),
    Refused(GSA, S70_NAME, r"missing price-list columns \['price offered to gsa'\]"),
)
for label, price, problem in [
    ("not-a-number", "N/A", "cannot parse 'N/A'"),
    ("decimal-comma", "$125,44", "cannot parse '125,44'"),
    ("infinity", "inf", "cannot parse 'inf'"),
    ("negative", "-$125.44", "not positive '-125.44'"),
    ("zero", "$0.00", "not positive '0.00'"),
]:
    case(
        P,
        f"price-{label}",
        partial(price_list, edited(S70, 1, **{"PRICE OFFERED TO GSA (including IFF)": price})),
        Flagged(PRICE_HEADER + ": " + re.escape(problem), nulls=("current_price",)),
    )
case(
    P,
    "unit-not-hourly",
    lambda: price_list(edited(S70, 1, **{"UNIT OF ISSUE (e.g. Hour, Task, Sq ft)": "Day"})),
    Flagged(r"unit_of_issue: 'Day' is not Hour \(price '\$125.44' is not hourly\)", nulls=("current_price",)),
)
case(
    P,
    "years-not-whole",
    lambda: price_list(edited(S70, 1, **{"MINIMUM YEARS OF EXPERIENCE": "3.5"})),
    Flagged("min_years_experience: cannot parse '3.5'", nulls=("min_years_experience",)),
)
case(
    P,
    "date-impossible",
    lambda: price_list(edited(S70, 1, **{"CONTRACT START DATE ": "13/45/20"})),
    Flagged("contract_start: cannot parse '13/45/20'", nulls=("contract_start",)),
)

P = "gsa_calc.parse_rates_page"
case(P, "empty", lambda: rates_page(b""), Refused(GSA, RATES_URL, "not JSON"))
case(P, "cut-in-half", lambda: rates_page(PAGE1[: len(PAGE1) // 2]), Refused(GSA, RATES_URL, "not JSON"))
case(P, "cut-before-the-last-brace", lambda: rates_page(PAGE1.rstrip()[:-1]), Refused(GSA, RATES_URL, "not JSON"))
case(P, "utf-16", lambda: rates_page(reencoded(PAGE1, "utf-16")), Unchanged(rates_page_clean))
case(P, "bom", lambda: rates_page(BOM + PAGE1), Unchanged(rates_page_clean))
case(
    P,
    "latin-1-byte",
    lambda: rates_page(page_with(b'"Pink Frog Interactive', b'"Pink Fr\xf6g Interactive')),
    Refused(GSA, RATES_URL, "not JSON"),
)
case(
    P,
    "html-page",
    lambda: rates_page(b"\n<html>Service Unavailable</html>"),
    Refused(GSA, RATES_URL, "HTML or XML page"),
)
case(P, "json-list", lambda: rates_page(b"[]"), Refused(GSA, RATES_URL, "JSON is not an object"))
case(P, "json-null", lambda: rates_page(b"null"), Refused(GSA, RATES_URL, "JSON is not an object"))
case(
    P,
    "json-error-object",
    lambda: rates_page(b'{"error": "API key"}'),
    Refused(GSA, RATES_URL, "without the rates keys"),
)
case(
    P,
    "hits-without-total",
    lambda: rates_page(b'{"hits": {"hits": []}}'),
    Refused(GSA, RATES_URL, "hits without hits.hits or hits.total"),
)
case(
    P,
    "hit-without-source",
    lambda: rates_page(b'{"hits": {"total": 1, "hits": [{"_id": "1"}]}}'),
    Refused(GSA, RATES_URL, r"hits without _source at positions \[0\]"),
)
case(
    P,
    "total-not-a-number",
    lambda: rates_page(b'{"hits": {"total": {"value": "many"}, "hits": []}}'),
    Refused(GSA, RATES_URL, "hits.total.value is not a number"),
)
case(
    P,
    "legacy-results-not-objects",
    lambda: rates_page(b'{"count": 2, "next": null, "results": [1, 2]}'),
    Refused(GSA, RATES_URL, "results is not a list of objects"),
)
case(
    P,
    "page-number-not-a-number",
    lambda: rates_page(PAGE1, RATES_URL.replace("page=1", "page=one")),
    Refused(GSA, "page=one", "page or page_size in the URL is not a number"),
)
for label, literal, shown in [
    ("nan", b"NaN", "nan"),
    ("infinity", b"Infinity", "inf"),
    ("overflow", b"1e400", "inf"),
    ("text", b'"call us"', "call us"),
]:
    case(
        P,
        f"price-{label}",
        partial(rates_page, page_with(FIRST_PRICE, b'"current_price": ' + literal + b",")),
        Flagged(f"current_price: cannot parse '{shown}'", nulls=("current_price",)),
    )
case(
    P,
    "price-negative",
    lambda: rates_page(page_with(FIRST_PRICE, b'"current_price": -125.44,')),
    Flagged("current_price: not positive '-125.44'", nulls=("current_price",)),
)
case(
    P,
    "years-as-text",
    lambda: rates_page(page_with(b'"min_years_experience": 5,', b'"min_years_experience": "five",')),
    Flagged("min_years_experience: cannot parse 'five'", nulls=("min_years_experience",)),
)


# --- Vendor pricing pages and their rate text -------------------------------------------------------------------

PP = "Vendor pricing pages"
SPEC_FILE = "reference/pricing_pages.csv"
HARBOR_PAGE = (FIXTURES / "pricing_pages" / "harbor_rates.html").read_bytes()
HARBOR = pricing_pages.PageSpec(
    page_id="harbor-pricing",
    url="https://harbor.example/pricing",
    row_selector="table.rates tr",
    service_selector="td.service",
    rate_selector="td.rate",
    vendor="Harbor Outsourcing",
    country_iso3="PHL",
)
LOCATIONS = pricing_pages.PageSpec(
    page_id="meridian-locations",
    url="https://meridian.example/locations",
    row_selector="tr",
    service_selector="td.role",
    rate_selector="td.rate",
    vendor="Meridian Staffing",
    country_selector="td.country",
)
SPEC_HEADER = (
    b"page_id,url,row_selector,service_selector,rate_selector,vendor,price_type,country_iso3,country_selector,"
    b"default_currency,default_unit\n"
)
SPEC_ROW = (
    b"harbor-pricing,https://harbor.example/pricing,table.rates tr,td.service,td.rate,Harbor Outsourcing,,PHL,,,\n"
)
# The Harbor page without its charset declaration and with a euro price: its encoding must be sniffed.
EURO_PAGE = HARBOR_PAGE.replace(b'<meta charset="utf-8">', b"").replace(b"$6.50/hr", "€6.50/hr".encode())


def page(html: bytes, spec: pricing_pages.PageSpec = HARBOR) -> pl.DataFrame:
    return pricing_pages.extract_rates(spec, html, {"Philippines": "PHL", "Colombia": "COL"})


def page_clean() -> pl.DataFrame:
    return page(HARBOR_PAGE)


def rate_cell(text: str) -> bytes:
    return (
        f'<table class="rates"><tr><td class="service">Support</td><td class="rate">{text}</td></tr></table>'.encode()
    )


def page_specs(data: bytes) -> list[pricing_pages.PageSpec]:
    return pricing_pages.load_page_specs(data, SPEC_FILE)


P = "pricing_pages.load_page_specs"
case(P, "empty", lambda: page_specs(b""), Refused(PP, SPEC_FILE, "empty page spec file"))
case(P, "whitespace-only", lambda: page_specs(b" \n"), Refused(PP, SPEC_FILE, "empty page spec file"))
case(
    P,
    "cut-mid-line-in-a-required-cell",
    lambda: page_specs(SPEC_HEADER + cut_in_line(SPEC_ROW, 0, b"td.service,")),
    Refused(PP, SPEC_FILE, "record 2 has 5 fields, the header 11: a line cut short"),
)
case(
    P,
    "row-cut-short",
    lambda: page_specs(SPEC_HEADER + SPEC_ROW.replace(b",PHL,,,\n", b",PHL\n")),
    Refused(PP, SPEC_FILE, "record 2 has 8 fields, the header 11: a line cut short"),
)
case(
    P,
    "latin-1",
    lambda: page_specs(
        SPEC_HEADER + SPEC_ROW.replace(b"Harbor Outsourcing", "Harbor Outsourcing Fr\u00f6g".encode("latin-1"))
    ),
    Refused(PP, SPEC_FILE, "not UTF-8 text: byte 0xF6 on line 2"),
)
case(
    P,
    "utf-16",
    lambda: page_specs(reencoded(SPEC_HEADER + SPEC_ROW, "utf-16")),
    Refused(PP, SPEC_FILE, "not UTF-8 text: byte 0xFF on line 1"),
)
case(
    P,
    "cr-line-ends",
    lambda: page_specs((SPEC_HEADER + SPEC_ROW).replace(b"\n", b"\r")),
    Refused(PP, SPEC_FILE, "lines end with a bare carriage return"),
)
case(P, "html-page", lambda: page_specs(b"<html>\n</html>\n"), Refused(PP, SPEC_FILE, r"unknown \['<html>'\]"))
case(
    P,
    "column-misspelt",
    lambda: page_specs(SPEC_HEADER.replace(b"country_iso3", b"contry_iso3") + SPEC_ROW),
    Refused(PP, SPEC_FILE, r"unknown \['contry_iso3'\]"),
)
case(
    P,
    "column-missing",
    lambda: page_specs(SPEC_HEADER.replace(b"vendor,", b"") + SPEC_ROW.replace(b"Harbor Outsourcing,", b"")),
    Refused(PP, SPEC_FILE, r"missing \['vendor'\]"),
)
case(
    P,
    "duplicate-page-id",
    lambda: page_specs(
        SPEC_HEADER + SPEC_ROW + SPEC_ROW.replace(b"https://harbor.example/pricing", b"https://x.test/")
    ),
    Refused(PP, SPEC_FILE, "page_id 'harbor-pricing' is used on lines 2, 3: one page_id a page"),
)
case(
    P,
    "country-name-for-a-code",
    lambda: page_specs(SPEC_HEADER + SPEC_ROW.replace(b",PHL,", b",Philippines,")),
    Refused(PP, SPEC_FILE, "line 2: page spec 'harbor-pricing': country_iso3 must be an ISO3 code"),
)
case(
    P,
    "two-country-sources",
    lambda: page_specs(SPEC_HEADER + SPEC_ROW.replace(b",PHL,,", b",PHL,td.country,")),
    Refused(PP, SPEC_FILE, "line 2: page spec 'harbor-pricing': set exactly one of country_iso3 and country_selector"),
)

P = "pricing_pages.extract_rates"
case(P, "empty", lambda: page(b""), Refused(PP, "harbor-pricing: https://harbor.example/pricing", "found nothing"))
case(
    P,
    "json-instead-of-html",
    lambda: page(b'{"rates": []}'),
    Refused(PP, "https://harbor.example/pricing", "found nothing"),
)
case(P, "binary", lambda: page(bytes(range(256)) * 8), Refused(PP, "https://harbor.example/pricing", "found nothing"))
case(
    P,
    "cut-before-the-table",
    lambda: page(HARBOR_PAGE[: HARBOR_PAGE.index(b'<table class="rates">')]),
    Refused(PP, "https://harbor.example/pricing", "row selector 'table.rates tr' found nothing"),
)
case(
    P,
    "cut-inside-a-rate",
    lambda: page(HARBOR_PAGE[: HARBOR_PAGE.index(b"$7 - $10") + 4]),
    Flagged("rate text '\\$7 -': no time unit", nulls=("rate_low", "rate_high")),
)
case(
    P,
    "redesigned-rate-cells",
    lambda: page(HARBOR_PAGE.replace(b'class="rate"', b'class="price"')),
    Refused(PP, "https://harbor.example/pricing", "rate selector 'td.rate' found nothing in any of the 6 rows"),
)
case(P, "utf-16", lambda: page(reencoded(HARBOR_PAGE, "utf-16")), Unchanged(page_clean))
case(P, "bom", lambda: page(BOM + HARBOR_PAGE), Unchanged(page_clean))
case(P, "windows-1252-undeclared", lambda: page(reencoded(EURO_PAGE, "cp1252")), Unchanged(lambda: page(EURO_PAGE)))
case(
    P,
    "script-in-a-rate-cell",
    lambda: page(rate_cell("$8/hr<script>document.write('$1 per hour')</script>")),
    Unchanged(lambda: page(rate_cell("$8/hr"))),
)
case(
    P,
    "deeply-nested-markup",
    lambda: page(b"<div>" * 10_000 + rate_cell("$8/hr") + b"</div>" * 10_000),
    Unchanged(lambda: page(rate_cell("$8/hr"))),
)
for label, text, problem in [
    ("range-reversed", "$12-$8/hr", "the low end 12 is above the high end 8"),
    ("negative", "-$5/hr", "negative amount"),
    ("two-currencies", "$8/hr or €7/hr", r"several currencies \(EUR, USD\)"),
    ("ambiguous-symbol", "¥1,000/hr", "ambiguous currency symbol '¥'"),
    ("unknown-currency", "XYZ 10/hr", "unknown currency 'XYZ'"),
    ("exponent", "$1e3/hr", "figures '1' and '3' are not joined"),
    ("no-figure", "Ask for a quote", "no number found"),
    ("no-unit", "$2,400", "no time unit"),
]:
    case(P, f"rate-{label}", partial(page, rate_cell(text)), Flagged(problem, nulls=("rate_low", "rate_high", "unit")))
case(
    P,
    "unknown-country",
    lambda: page(
        b'<table><tr><td class="country">Narnia</td><td class="role">Support</td><td class="rate">$8/hr</td></tr>'
        b'<tr><td class="country">phl</td><td class="role">Support</td><td class="rate">$8/hr</td></tr></table>',
        LOCATIONS,
    ),
    Flagged("country 'Narnia' is neither an ISO3 code nor a name in country_names", nulls=("country_iso3",)),
)

RT = "rate text"
P = "rate_text.parse_rate_text"
for label, text, problem in [
    ("empty", "", "the text is empty"),
    ("blank", " \t\n", "the text is empty"),
    ("nul", "\x00", "no number found"),
    ("three-figures", "$8-12-16/hr", r"3 figures \('8', '12', '16'\)"),
    ("two-units", "$8/hr and $9/day", r"several time units \(hour, day\)"),
    ("two-codes", "USD 8 EUR/hr", r"several currencies \(EUR, USD\)"),
    ("ambiguous-kr", "kr 100/hr", "ambiguous currency symbol 'kr'"),
    ("glued-minus", "$-5/hr", "negative amount"),
    ("reversed-range", "$12 to $8 per hour", "the low end 12 is above the high end 8"),
    ("unit-unknown", "$8 per fortnight", "no time unit"),
    ("long-run-of-figures", "1 " * 20_000, "longer than 300 characters: not one rate"),
]:
    case(P, label, partial(parse_rate_text, text, None, None), Refused(RT, None, problem))
case(
    P,
    "default-currency-not-a-code",
    lambda: parse_rate_text("8/hr", "usd"),
    Refused("default_currency", None, "must be an ISO 4217 code such as 'USD', not 'usd'"),
)
case(
    P,
    "default-unit-unknown",
    lambda: parse_rate_text("$8", None, "fortnight"),
    Refused("default_unit", None, "must be one of hour, day, week, month, year, not 'fortnight'"),
)
case(
    P,
    "long-run-of-symbols",
    lambda: parse_rate_text("$" * 50_000 + "8/hr"),
    Refused(RT, None, "longer than 300 characters: not one rate"),
)
case(P, "full-width-digit", lambda: parse_rate_text("$８/hr"), Equals(ParsedRate(8.0, 8.0, "USD", "hour")))


@pytest.mark.parametrize("bad", CASES, ids=lambda c: f"{c.parser}-{c.name}")
def test_bad_input(bad: Case) -> None:
    bad.expect.verify(bad.run)
