"""The small steps every parser in sources/ takes on raw text: one definition each, so all sources agree.

* Refuse a file that holds no data (empty, or an HTML/XML page) before parsing it, naming the file.
* Refuse text that is not UTF-8 where a replacement character would silently change a name, naming the line.
* Refuse a file cut short: a record with another number of fields than the header, a last line without its line end,
  or classic-Mac line ends (a bare carriage return) that a CSV reader takes for one long header line.
* Refuse a file lacking a required column, naming the missing ones.
* Read a blank cell as a missing value.
* Join a row's problems into one ``parse_error``, null when there are none.

The wording of each error stays with its parser: it knows what the file should have been.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import polars as pl

from sources.errors import SourceFormatError


def check_not_empty(
    data: bytes, source: str, file_name: str, problem: str = "empty file", expected=None, found="0 bytes"
) -> None:
    """Raise SourceFormatError when `data` is nothing but whitespace.

    An interrupted download or a placeholder file must stop the parse with the file's name; a CSV reader would
    give an unhelpful "empty CSV" error, or an empty frame that looks like a publisher with no data. A byte-order
    mark counts as content: strip it first where a BOM-only file must count as empty.
    """
    if not data.strip():
        raise SourceFormatError(source, file_name, problem, expected, found)


def check_not_markup(
    content: bytes | str, source: str, file_name: str, problem: str, expected=None, found=None
) -> None:
    """Raise SourceFormatError when `content` starts, after whitespace, with "<": an HTML or XML page.

    Publishers answer unknown ids, outages and sign-in walls with an HTML page (SDMX servers with an XML error
    message) and HTTP status 200, so the download "succeeds"; read as CSV or JSON it would give one garbage
    column or a baffling parse error instead of saying what went wrong. A byte-order mark is not skipped: pass
    text decoded with "utf-8-sig", or bytes the BOM was removed from.
    """
    if content.lstrip()[:1] in ("<", b"<"):
        raise SourceFormatError(source, file_name, problem, expected, found)


def blank_to_null(text: pl.Expr) -> pl.Expr:
    """`text` with surrounding whitespace removed, and null where nothing is left.

    Files write a missing value as an empty cell, a quoted "" or a few spaces; all three must be the same null,
    so that a check for missing values and a cast to a number treat them alike.
    """
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def join_problems(problems: Iterable[pl.Expr]) -> pl.Expr:
    """The non-null messages among `problems`, joined by "; ", or null when a row has none.

    A row can be wrong in several ways and all of them are reported at once. concat_str gives "" when every
    part is null; a clean row must have a null parse_error, so that ``is_null()`` means "no problem".
    """
    joined = pl.concat_str(problems, separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


# A spreadsheet takes a cell starting with one of these for a formula (=cmd|' /C calc'!A0 runs a program in Excel).
FORMULA_STARTS = ("=", "+", "-", "@")


def neutralised(text: pl.Expr) -> pl.Expr:
    """`text` with a leading apostrophe where it would start a formula and is not a number, so that a cell read from
    someone's spreadsheet cannot become a formula in an analyst's, through staging and the catalog."""
    formula = text.str.starts_with(FORMULA_STARTS[0])
    for start in FORMULA_STARTS[1:]:
        formula = formula | text.str.starts_with(start)
    number = text.str.replace_all(",", "").cast(pl.Float64, strict=False).is_not_null()
    return pl.when(formula & ~number).then(text.str.replace(r"^", "'")).otherwise(text)


def read_text_csv(data: bytes, source: str, file_name: str, expected: list[str], what: str) -> pl.DataFrame:
    """A CSV file read with every cell as text (numbers are converted by expressions, so that a bad cell becomes a
    parse_error of its row, not a failure of the file) and its column names trimmed. An empty file, an HTML or XML
    page (`what` names what it should have been), an unreadable CSV or one cut short fails naming the file. For
    publishers that end every file with a line end."""
    check_not_empty(data, source, file_name, expected=expected)
    text = data.decode("utf-8-sig", errors="replace")
    check_not_markup(
        text, source, file_name, f"HTML or XML page instead of {what}", expected=expected, found=text.lstrip()[:120]
    )
    check_rectangular(text, source, file_name)
    check_line_ends(text, source, file_name)
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(source, file_name, f"unreadable CSV ({exc})", expected=expected) from exc
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def require_columns(
    found: list[str],
    required: Iterable[str],
    source: str,
    file_name: str,
    problem: str,
    expected: list[str] | None = None,
) -> None:
    """Refuse a file whose columns `found` lack any of `required`; `problem` may name them as {missing}."""
    required = list(required)
    missing = [c for c in required if c not in found]
    if missing:
        raise SourceFormatError(
            source, file_name, problem.format(missing=missing), expected=expected or required, found=found
        )


def check_rectangular(
    text: str,
    source: str,
    file_name: str,
    delimiter: str = ",",
    *,
    quoted: bool = True,
    header: bool = True,
    comment_prefix: str | None = None,
) -> None:
    """Refuse a CSV whose records do not all have the header's number of fields: a file cut mid-line, or a line lost
    its end, would otherwise be read with its last cells empty (CSV readers fill short records with nulls).

    `quoted=False` reads quote characters as text (GeoNames' tab-separated dumps have no quoting, and names hold
    quotes); a file with `header=False` is held to its first record instead; lines starting with `comment_prefix`
    are skipped. Blank lines are no records. Numbers count records from 1, the header included (lines when unquoted).
    Text holding NUL characters (UTF-16 read as UTF-8, or binary data) is refused first: its fields cannot be counted.
    """
    if "\x00" in text:
        raise SourceFormatError(
            source,
            file_name,
            "NUL characters in the text: UTF-16 or binary data, not UTF-8 text",
            expected="UTF-8 text",
        )
    dialect = {"delimiter": delimiter} if quoted else {"delimiter": delimiter, "quoting": csv.QUOTE_NONE}
    unit = "record" if quoted else "line"
    records = (
        (number, record)
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), **dialect), start=1)
        if record and not (comment_prefix and record[0].startswith(comment_prefix))
    )
    try:
        first = next(records, None)
        if first is None:
            return
        first_number, first_record = first
        mismatch = next(((number, record) for number, record in records if len(record) != len(first_record)), None)
    except csv.Error as exc:  # a field longer than the reader allows
        raise SourceFormatError(source, file_name, f"unreadable CSV ({exc})") from None
    if mismatch:
        number, record = mismatch
        held_to = f"the header {len(first_record)}" if header else f"{unit} {first_number} {len(first_record)}"
        raise SourceFormatError(
            source,
            file_name,
            f"{unit} {number} has {len(record)} fields, {held_to}: a line cut short or run together",
            expected=len(first_record),
            found=delimiter.join(record)[:120],
        )


def check_line_ends(text: str, source: str, file_name: str, final: bool = True) -> None:
    """Refuse text whose lines end with a bare carriage return and, when `final`, text whose last line has no line end.

    A file with classic-Mac line ends ("\\r" alone) is one long header line to polars: no rows and no error. A
    publisher that ends every file with a line end serves no file without one: that file was cut inside its last
    line, and the cut last cell can read as a plausible number (3093.3 cut to 30) that no field count notices.
    Pass `final=False` for files that may legitimately lack the last line end (the World Bank's datahub copies,
    files typed by people); a cut there is seen by the field count only.
    """
    if "\r" in text and "\n" not in text:
        raise SourceFormatError(
            source,
            file_name,
            "lines end with a bare carriage return (classic Mac line ends), which CSV readers take for one line",
            expected="LF or CRLF line ends",
        )
    if final and text and not text.endswith("\n"):
        last_line = text.count("\n") + 1
        raise SourceFormatError(
            source,
            file_name,
            f"no line end after line {last_line}: the file was cut inside its last line",
            expected="a line end after the last line, as the publisher writes it",
            found=text[text.rfind("\n") + 1 :][-120:],
        )


def decode_utf8(data: bytes, source: str, file_name: str) -> str:
    """`data` as UTF-8 text without its byte-order mark; refuse other encodings, naming the line of the first byte
    that is not UTF-8, rather than read them with replacement characters (a name or a selector silently changed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceFormatError(
            source,
            file_name,
            f"not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line}",
            expected="UTF-8 text",
        ) from None


def first_repeated(frame: pl.DataFrame, key: str, line: str = "line") -> tuple[object, list[int], int] | None:
    """The first value of `key` found on more than one row, with the `line` numbers of its rows and how many values
    repeat; None where every value is unique. Callers word the refusal for their key."""
    repeated = frame.filter(pl.col(key).is_duplicated()).group_by(key, maintain_order=True).agg(pl.col(line))
    if repeated.is_empty():
        return None
    value, lines = repeated.row(0)
    return value, lines, repeated.height
