"""Analysts' own vendor quotes, entered in the template ``reference/quote_template.csv`` (CSV or XLSX).

One row per quote. Columns (all required in the header, in any order; extra columns are ignored):

=============  ========  ==================================================================================
column         required  meaning
=============  ========  ==================================================================================
quote_id       yes       the analyst's identifier of the quote, unique within the file
vendor         yes       vendor (BPO provider) name as quoted
country_iso3   yes       delivery country, ISO 3166-1 alpha-3 in upper case (PHL, IND, COL)
function_id    no        one of reference/functions.csv; may be left empty, the service_label being mapped later
service_label  yes       the service in the vendor's own words ("Tier 1 technical support, English"); the
                         staging table VendorRateObservations requires it
rate_low       yes       a positive number in `currency` per `unit`; plain digits with "." as decimal point
                         ("1,250.50" with thousands commas is read too; "12,5" is rejected, not guessed)
rate_high      no        a positive number >= rate_low; empty means a single figure (= rate_low)
currency       yes       ISO 4217 code, three upper-case letters (USD, EUR, PHP)
unit           yes       hour, day, week, month or year (lower case): the period the rate is for
price_type     yes       vendor_billing_rate (what the vendor bills per agent/FTE) or buyer_spend_per_fte
                         (the buyer's total spend per FTE, fees and overheads included)
quote_date     yes       the date the quote was given, ISO yyyy-mm-dd
valid_until    no        the quote's expiry, ISO yyyy-mm-dd, not before quote_date
analyst        no        who entered the quote
note           no        free text: scope, volumes, inclusions
=============  ========  ==================================================================================

``read_quotes`` returns (valid rows, rejected rows). Every non-blank row ends up in exactly one of them: valid
rows are typed (rate_low/rate_high Float64, quote_date/valid_until Date); rejected rows keep every template
value exactly as read (as text) plus ``reject_reason``, all of the row's problems joined by "; ". Both carry
``source_file`` and ``source_row`` (the spreadsheet row number, header = row 1). Rows whose template cells are
all empty are the only ones left out. A file without the template columns, or a CSV with a row of another number
of cells than its header (a line cut short, a comma left unquoted), raises ``SourceFormatError``.

XLSX: the first sheet is read with every cell as text; a cell Excel stored as a date reads as
"yyyy-mm-dd 00:00:00" and is accepted as that date.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import PurePath

import polars as pl

from schemas.vocabulary import RATE_UNITS, VENDOR_PRICES
from sources.errors import SourceFormatError
from sources.spreadsheets import check_workbook
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_markup,
    check_rectangular,
    join_problems,
    neutralised,
)

SOURCE = "Vendor quotes"

TEMPLATE_COLUMNS = (
    "quote_id",
    "vendor",
    "country_iso3",
    "function_id",
    "service_label",
    "rate_low",
    "rate_high",
    "currency",
    "unit",
    "price_type",
    "quote_date",
    "valid_until",
    "analyst",
    "note",
)

VALID_SCHEMA: dict[str, pl.DataType] = {
    "quote_id": pl.String(),
    "vendor": pl.String(),
    "country_iso3": pl.String(),
    "function_id": pl.String(),
    "service_label": pl.String(),
    "rate_low": pl.Float64(),
    "rate_high": pl.Float64(),
    "currency": pl.String(),
    "unit": pl.String(),
    "price_type": pl.String(),
    "quote_date": pl.Date(),
    "valid_until": pl.Date(),
    "analyst": pl.String(),
    "note": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int32(),
}
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    **{c: pl.String() for c in TEMPLATE_COLUMNS},
    "reject_reason": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int32(),
}

_ZIP_MAGIC = b"PK\x03\x04"
_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_GROUPED_NUMBER_RE = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_CODE_RE = r"^[A-Z]{3}$"


def read_quotes(data: bytes, file_name: str, known_functions: set[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(valid rows in VALID_SCHEMA, rejected rows in REJECTED_SCHEMA) of one quote file, CSV or XLSX."""
    sheet = _read_table(data, file_name)
    by_name = {c.strip().lower(): c for c in sheet.columns}
    missing = [c for c in TEMPLATE_COLUMNS if c not in by_name]
    if missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"missing template columns {missing}",
            expected=list(TEMPLATE_COLUMNS),
            found=sheet.columns,
        )

    raw = (
        sheet.select(pl.col(by_name[c]).cast(pl.String).alias(c) for c in TEMPLATE_COLUMNS)
        .with_row_index("source_row", offset=2)
        .with_columns(pl.col("source_row").cast(pl.Int32))
    )
    clean = {c: neutralised(blank_to_null(pl.col(c))) for c in TEMPLATE_COLUMNS}
    raw = raw.filter(~pl.all_horizontal(clean[c].is_null() for c in TEMPLATE_COLUMNS))

    low, high = _number("rate_low"), _number("rate_high")
    quote_date, valid_until = _date("quote_date"), _date("valid_until")
    reasons = [
        _missing("quote_id"),
        pl.when(clean["quote_id"].is_not_null() & clean["quote_id"].is_duplicated()).then(
            pl.format("quote_id '{}' appears more than once in the file", clean["quote_id"])
        ),
        _missing("vendor"),
        _code("country_iso3", "three upper-case letters (ISO 3166 alpha-3)"),
        pl.when(clean["function_id"].is_not_null() & ~clean["function_id"].is_in(sorted(known_functions))).then(
            pl.format("function_id '{}' is not a known function", clean["function_id"])
        ),
        _missing("service_label"),
        _missing("rate_low"),
        _number_error("rate_low", low),
        _number_error("rate_high", high),
        pl.when(low > high).then(
            pl.format("rate_low '{}' is above rate_high '{}'", clean["rate_low"], clean["rate_high"])
        ),
        _code("currency", "three upper-case letters (ISO 4217)"),
        _choice("unit", RATE_UNITS),
        _choice("price_type", VENDOR_PRICES),
        _missing("quote_date"),
        _date_error("quote_date", quote_date),
        pl.when(quote_date > pl.lit(date.today())).then(
            pl.format("quote_date '{}' is in the future", clean["quote_date"])
        ),
        _date_error("valid_until", valid_until),
        pl.when(valid_until < quote_date).then(
            pl.format("valid_until '{}' is before quote_date '{}'", clean["valid_until"], clean["quote_date"])
        ),
    ]
    checked = raw.with_columns(join_problems(reasons).alias("reject_reason"), pl.lit(file_name).alias("source_file"))

    rejected = checked.filter(pl.col("reject_reason").is_not_null()).select(list(REJECTED_SCHEMA))
    valid = checked.filter(pl.col("reject_reason").is_null()).select(
        *(clean[c].alias(c) for c in ("quote_id", "vendor", "country_iso3", "function_id", "service_label")),
        low.alias("rate_low"),
        pl.coalesce(high, low).alias("rate_high"),
        *(clean[c].alias(c) for c in ("currency", "unit", "price_type")),
        quote_date.alias("quote_date"),
        valid_until.alias("valid_until"),
        *(clean[c].alias(c) for c in ("analyst", "note")),
        "source_file",
        "source_row",
    )
    return valid.cast(VALID_SCHEMA), rejected.cast(REJECTED_SCHEMA)


def _read_table(data: bytes, file_name: str) -> pl.DataFrame:
    """Every cell as text: the first sheet of an XLSX (zip magic or .xlsx suffix), else a UTF-8 CSV."""
    suffix = PurePath(file_name).suffix.lower()
    if data[:4] == _ZIP_MAGIC or suffix in (".xlsx", ".xlsm"):
        if data[:4] != _ZIP_MAGIC:
            raise SourceFormatError(
                SOURCE,
                file_name,
                "named like a workbook but not an XLSX (zip) file",
                expected="XLSX workbook",
                found=data[:40],
            )
        check_workbook(data, SOURCE, file_name)
        try:
            # Keep blank rows so that source_row stays the spreadsheet's row number; they are dropped later.
            return pl.read_excel(
                io.BytesIO(data), sheet_id=1, engine="calamine", infer_schema_length=0, drop_empty_rows=False
            )
        except Exception as exc:  # fastexcel raises its own exception types for corrupt or empty workbooks
            raise SourceFormatError(SOURCE, file_name, f"unreadable workbook ({exc})") from exc
    check_not_markup(
        data,
        SOURCE,
        file_name,
        "an HTML or XML page, not a quote file",
        expected=list(TEMPLATE_COLUMNS),
        found=data[:60],
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # "CSV" saved by Excel on Windows
        except UnicodeDecodeError as exc:
            raise SourceFormatError(SOURCE, file_name, f"neither UTF-8 nor Windows-1252 text ({exc})") from exc
    # A row with missing or extra cells is a line cut short or two run together, not a quote with empty cells; the
    # last line may lack its line end (a file typed by hand), so a cut there shows in its field count only.
    check_rectangular(text, SOURCE, file_name)
    check_line_ends(text, SOURCE, file_name, final=False)
    try:
        return pl.read_csv(text.encode("utf-8"), infer_schema_length=0)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable CSV ({exc})", expected=list(TEMPLATE_COLUMNS)) from exc


def _missing(name: str) -> pl.Expr:
    return pl.when(blank_to_null(pl.col(name)).is_null()).then(pl.lit(f"{name} missing"))


def _code(name: str, what: str) -> pl.Expr:
    value = blank_to_null(pl.col(name))
    return (
        pl.when(value.is_null())
        .then(pl.lit(f"{name} missing"))
        .when(~value.str.contains(_CODE_RE))
        .then(pl.format(f"{name} '{{}}' is not {what}", value))
    )


def _choice(name: str, allowed: tuple[str, ...]) -> pl.Expr:
    value = blank_to_null(pl.col(name))
    return (
        pl.when(value.is_null())
        .then(pl.lit(f"{name} missing"))
        .when(~value.is_in(allowed))
        .then(pl.format(f"{name} '{{}}' is not one of {', '.join(allowed)}", value))
    )


def _number(name: str) -> pl.Expr:
    """The value when it is a well-formed, finite, positive number; null otherwise."""
    value = blank_to_null(pl.col(name))
    well_formed = value.str.contains(_NUMBER_RE) | value.str.contains(_GROUPED_NUMBER_RE)
    number = pl.when(well_formed).then(value.str.replace_all(",", "")).cast(pl.Float64, strict=False)
    return pl.when(number > 0).then(number)


def _number_error(name: str, parsed: pl.Expr) -> pl.Expr:
    value = blank_to_null(pl.col(name))
    well_formed = value.str.contains(_NUMBER_RE) | value.str.contains(_GROUPED_NUMBER_RE)
    return (
        pl.when(value.is_not_null() & ~well_formed)
        .then(pl.format(f"{name} '{{}}' is not a number", value))
        .when(value.is_not_null() & parsed.is_null())
        .then(pl.format(f"{name} '{{}}' is not positive", value))
    )


def _date(name: str) -> pl.Expr:
    """ISO date; an Excel date cell read as text ("2024-03-01 00:00:00") counts as its date."""
    value = blank_to_null(pl.col(name)).str.strip_suffix(" 00:00:00")
    return pl.when(value.str.contains(_DATE_RE)).then(value).str.to_date("%Y-%m-%d", strict=False)


def _date_error(name: str, parsed: pl.Expr) -> pl.Expr:
    value = blank_to_null(pl.col(name))
    return pl.when(value.is_not_null() & parsed.is_null()).then(
        pl.format(f"{name} '{{}}' is not a yyyy-mm-dd date", value)
    )
