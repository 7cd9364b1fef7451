"""ILOSTAT earnings files and label dictionaries, from raw bytes to polars frames.

ILOSTAT data reach us in three layouts that carry the same observations:

* the coded bulk file (``<INDICATOR>.csv.gz`` from the bulk download facility), with upper-case codes;
* the data-explorer export, which has only labels ("Philippines", "Currency: 2021 PPP $"), so codes must be
  recovered through the bulk label dictionaries;
* Gapminder's DDF repackaging, with lower-case codes, no survey column and the value column named after the
  indicator.

Every parser returns the same frame (see ``OUTPUT_SCHEMA``) so that later steps never need to know which layout
a file came in. Bad cells do not stop a parse: the row is kept, the value left null and the reason written to
``parse_error``, so that nothing disappears silently. A file that is not in any known layout raises
``SourceFormatError`` instead, because then no row can be trusted.

No HTTP here: reference/raw_datasets.csv says where the files live.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

import polars as pl

from sources.errors import SourceFormatError
from sources.spreadsheets import gunzip
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_empty,
    check_not_markup,
    check_rectangular,
    first_repeated,
    join_problems,
)

SOURCE = "ILOSTAT"

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "ref_area": pl.String(),
    "indicator": pl.String(),
    "source_label": pl.String(),
    "sex": pl.String(),
    "classif1": pl.String(),
    "classif2": pl.String(),
    "year": pl.Int32(),
    "obs_value": pl.Float64(),
    "obs_status": pl.String(),
    "parse_error": pl.String(),
}

# Only the columns the output is built from are required; the note_* columns and anything ILOSTAT adds later
# are tolerated but not needed.
CODED_COLUMNS = ["ref_area", "source", "indicator", "sex", "classif1", "classif2", "time", "obs_value", "obs_status"]
LABELLED_COLUMNS = [
    "ref_area.label",
    "source.label",
    "sex.label",
    "classif1.label",
    "classif2.label",
    "time",
    "obs_value",
    "obs_status.label",
]
DDF_KEY_COLUMNS = ["ref_area", "sex", "classif1", "classif2", "time"]

# Dimensions whose labels must be turned back into codes for the explorer export.
LABELLED_DIMENSIONS = ["ref_area", "sex", "classif1", "classif2"]

_UTF8_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
# Explorer exports are named "<INDICATOR>-filtered-<date>.csv"; annual indicator ids end in "_A".
_INDICATOR_IN_FILE_NAME = re.compile(r"^[A-Z0-9_]+_A(?=-|\.|$)")
_DDF_VALUE_COLUMN = re.compile(r"^[a-z0-9_]+$")


# --------------------------------------------------------------------------------------------------------------
# Reading bytes
# --------------------------------------------------------------------------------------------------------------


def _decompress_if_gzip(data: bytes, file_name: str) -> bytes:
    """Bulk files are served gzipped, but a proxy or a manual download may already have inflated them."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    return gunzip(data, SOURCE, file_name)


def _read_csv_text(data: bytes, file_name: str) -> pl.DataFrame:
    """Read every cell as text: codes like "0" or years must not be reinterpreted before we check them."""
    data = data.removeprefix(_UTF8_BOM)
    check_not_empty(data, SOURCE, file_name, "file is empty", found=None)
    # ILOSTAT answers unknown indicators and outages with an HTML page and status 200.
    check_not_markup(data, SOURCE, file_name, "file is an HTML or XML page, not a CSV file")
    text = data.decode("utf-8", errors="replace")
    check_rectangular(text, SOURCE, file_name)
    # ILOSTAT ends every file, bulk, explorer export and dictionary, with a line end.
    check_line_ends(text, SOURCE, file_name)
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(SOURCE, file_name, f"file is not a readable CSV ({exc})") from exc
    # Dictionary headers are "code, code.label": the space after the comma is part of what ILOSTAT serves.
    frame.columns = [name.strip() for name in frame.columns]
    return frame.with_columns(blank_to_null(pl.all()))


# --------------------------------------------------------------------------------------------------------------
# Dictionaries
# --------------------------------------------------------------------------------------------------------------


def parse_dictionary(data: bytes, file_name: str) -> pl.DataFrame:
    """Parse a bulk label dictionary such as ``ref_area_en.csv`` into ``code``, ``label``.

    Extra columns (``source_en.csv`` adds ``ref_area``) are dropped: only the code-to-label pairing is needed.
    """
    frame = _read_csv_text(_decompress_if_gzip(data, file_name), file_name)
    expected = ["<code>", "<code>.label"]
    if len(frame.columns) < 2:
        raise SourceFormatError(SOURCE, file_name, "not an ILOSTAT label dictionary", expected, frame.columns)
    code_column, label_column = frame.columns[:2]
    if label_column != f"{code_column}.label":
        raise SourceFormatError(
            SOURCE,
            file_name,
            "not an ILOSTAT label dictionary: the second column must be the first one's '.label'",
            [code_column, f"{code_column}.label"],
            frame.columns,
        )
    pairs = (
        frame.select(pl.col(code_column).alias("code"), pl.col(label_column).alias("label"))
        .with_row_index("line", offset=2)
        .filter(pl.col("code").is_not_null())
    )
    _check_codes_unique(pairs, file_name)
    return pairs.drop("line")


def _check_codes_unique(pairs: pl.DataFrame, file_name: str) -> None:
    """Refuse a dictionary listing a code twice: codes are its key (ILOSTAT never repeats one), and a lookup by code
    could only pick one of the labels. Labels may repeat: source_en.csv names many surveys alike."""
    if repeated := first_repeated(pairs, "code"):
        code, lines, count = repeated
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"code {code!r} is listed {len(lines)} times, on lines {', '.join(map(str, lines))}: "
            f"a dictionary lists each code once ({count} code(s) repeated)",
            found=pairs.filter(pl.col("code").is_duplicated())["code"].unique(maintain_order=True).head(10).to_list(),
        )


# --------------------------------------------------------------------------------------------------------------
# Earnings
# --------------------------------------------------------------------------------------------------------------


def parse_earnings(
    data: bytes,
    file_name: str,
    dictionaries: dict[str, pl.DataFrame] | None = None,
    label_aliases: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Parse an ILOSTAT earnings file in any of the three known layouts into ``OUTPUT_SCHEMA``.

    ``dictionaries`` (keys ``ref_area``, ``sex``, ``classif1``, ``classif2``, optionally ``source`` and
    ``obs_status``; each a ``parse_dictionary`` frame) are required for the label-only explorer export.
    ``label_aliases`` (``dimension``, ``label``, ``code``) covers labels the explorer spells differently from the
    dictionaries, e.g. a newer PPP base year; they never override a dictionary label.
    """
    frame = _read_csv_text(_decompress_if_gzip(data, file_name), file_name)
    columns = set(frame.columns)
    if columns >= set(CODED_COLUMNS):
        parsed = _from_coded(frame, dictionaries)
    elif columns >= set(LABELLED_COLUMNS):
        parsed = _from_labelled(frame, file_name, dictionaries, label_aliases)
    elif (value_column := _ddf_value_column(frame.columns)) is not None:
        parsed = _from_ddf(frame, value_column)
    else:
        raise _layout_error(frame.columns, file_name)
    return _finish(parsed)


def _ddf_value_column(columns: list[str]) -> str | None:
    """A DDF datapoints file is its key columns plus exactly one value column named after the indicator."""
    others = [name for name in columns if name not in DDF_KEY_COLUMNS]
    if set(DDF_KEY_COLUMNS) <= set(columns) and len(others) == 1 and _DDF_VALUE_COLUMN.match(others[0]):
        return others[0]
    return None


def _layout_error(found: list[str], file_name: str) -> SourceFormatError:
    """Name the layout the file most resembles, so a renamed column is easy to spot."""
    layouts = {
        "coded bulk": CODED_COLUMNS,
        "labelled explorer export": LABELLED_COLUMNS,
        "Gapminder DDF": [*DDF_KEY_COLUMNS, "<indicator value column>"],
    }
    name, expected = max(layouts.items(), key=lambda item: len(set(item[1]) & set(found)))
    missing = [column for column in expected if column not in found]
    problem = f"not a known ILOSTAT earnings layout; closest is the {name} layout, missing {missing}"
    return SourceFormatError(SOURCE, file_name, problem, expected, found)


def _from_coded(frame: pl.DataFrame, dictionaries: dict[str, pl.DataFrame] | None) -> pl.DataFrame:
    """The bulk file already holds codes; only the survey code is worth turning into words."""
    source_dictionary = (dictionaries or {}).get("source")
    if source_dictionary is None:
        source_label = pl.col("source")
    else:
        # A survey newer than our dictionary keeps its code: it describes the row, it does not identify it.
        source_label = _lookup(pl.col("source"), source_dictionary["code"], source_dictionary["label"]).fill_null(
            pl.col("source")
        )
    return frame.select(
        pl.col("ref_area").str.to_uppercase(),
        pl.col("indicator").str.to_uppercase(),
        source_label.alias("source_label"),
        pl.col("sex").str.to_uppercase(),
        pl.col("classif1").str.to_uppercase(),
        pl.col("classif2").str.to_uppercase(),
        pl.col("time"),
        pl.col("obs_value"),
        pl.col("obs_status"),
        pl.lit(None, pl.String).alias("label_error"),
    )


def _from_ddf(frame: pl.DataFrame, value_column: str) -> pl.DataFrame:
    """Gapminder lower-cases ILOSTAT codes and drops the survey and status; we restore the case only."""
    return frame.select(
        pl.col("ref_area").str.to_uppercase(),
        # Gapminder names the value column after the indicator without the "_A" (annual) suffix.
        pl.lit(value_column.upper() + "_A", pl.String).alias("indicator"),
        pl.lit(None, pl.String).alias("source_label"),
        pl.col("sex").str.to_uppercase(),
        pl.col("classif1").str.to_uppercase(),
        pl.col("classif2").str.to_uppercase(),
        pl.col("time"),
        pl.col(value_column).alias("obs_value"),
        pl.lit(None, pl.String).alias("obs_status"),
        pl.lit(None, pl.String).alias("label_error"),
    )


def _from_labelled(
    frame: pl.DataFrame,
    file_name: str,
    dictionaries: dict[str, pl.DataFrame] | None,
    label_aliases: pl.DataFrame | None,
) -> pl.DataFrame:
    """Turn explorer labels back into codes; a label we cannot resolve stays visible as a parse error."""
    dictionaries = dictionaries or {}
    missing = [dimension for dimension in LABELLED_DIMENSIONS if dimension not in dictionaries]
    if missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            "the labelled explorer export needs ILOSTAT label dictionaries to recover codes",
            LABELLED_DIMENSIONS,
            sorted(dictionaries),
        )
    aliases = _check_aliases(label_aliases)
    codes = {
        dimension: _label_to_code(f"{dimension}.label", _label_lookup(dimension, dictionaries[dimension], aliases))
        for dimension in LABELLED_DIMENSIONS
    }
    errors = [_label_error(f"{dimension}.label", dimension, code) for dimension, code in codes.items()]
    return frame.select(
        codes["ref_area"].alias("ref_area"),
        pl.lit(_indicator_from_file_name(file_name), pl.String).alias("indicator"),
        pl.col("source.label").alias("source_label"),
        *(codes[dimension].alias(dimension) for dimension in ("sex", "classif1", "classif2")),
        pl.col("time"),
        pl.col("obs_value"),
        _obs_status_from_label(dictionaries.get("obs_status")),
        join_problems(errors).alias("label_error"),
    )


def _check_aliases(label_aliases: pl.DataFrame | None) -> pl.DataFrame:
    columns = {"dimension": pl.String, "label": pl.String, "code": pl.String}
    if label_aliases is None:
        return pl.DataFrame(schema=columns)
    if not set(columns) <= set(label_aliases.columns):
        raise ValueError(f"label_aliases needs columns {list(columns)}; found {label_aliases.columns}")
    return label_aliases.select(pl.col(name).cast(pl.String).str.strip_chars() for name in columns)


def _label_lookup(dimension: str, dictionary: pl.DataFrame, aliases: pl.DataFrame) -> pl.DataFrame:
    """Dictionary labels first, aliases only for labels the dictionary lacks.

    A label claimed by two different codes is dropped from the lookup, because choosing one would be a guess.
    """
    extra = aliases.filter(pl.col("dimension") == dimension).select("code", "label")
    lookup = pl.concat([dictionary.select("code", "label"), extra.join(dictionary, on="label", how="anti")])
    return lookup.unique().filter(~pl.col("label").is_duplicated())


def _label_to_code(label_column: str, lookup: pl.DataFrame) -> pl.Expr:
    return _lookup(pl.col(label_column), lookup["label"], lookup["code"])


def _lookup(column: pl.Expr, keys: pl.Series, values: pl.Series) -> pl.Expr:
    return column.replace_strict(keys, values, default=None, return_dtype=pl.String)


def _label_error(label_column: str, dimension: str, code: pl.Expr) -> pl.Expr:
    label = pl.col(label_column)
    return (
        pl.when(label.is_null())
        .then(pl.lit(f"{label_column} is empty"))
        .when(code.is_null())
        .then(pl.format("{} '{}' is not in the ILOSTAT {} dictionary", pl.lit(label_column), label, pl.lit(dimension)))
    )


def _obs_status_from_label(dictionary: pl.DataFrame | None) -> pl.Expr:
    """Prefer the one-letter status code the bulk file uses; without a dictionary, the label still informs."""
    label = pl.col("obs_status.label")
    if dictionary is None:
        return label.alias("obs_status")
    # A label two codes share is no way back to one code: such a status keeps its label.
    unambiguous = dictionary.filter(~pl.col("label").is_duplicated())
    return _lookup(label, unambiguous["label"], unambiguous["code"]).fill_null(label).alias("obs_status")


def _indicator_from_file_name(file_name: str) -> str | None:
    """The explorer export holds only the indicator's label; its id survives only in the download's name."""
    match = _INDICATOR_IN_FILE_NAME.match(PurePath(file_name).name)
    return match.group(0) if match else None


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Shared tail of all layouts: typed year and value, a combined error message, the output column order."""
    year = pl.col("time").cast(pl.Int32, strict=False)
    value = pl.col("obs_value").cast(pl.Float64, strict=False)
    errors = join_problems(
        [
            pl.col("label_error"),
            pl.when(pl.col("time").is_null()).then(pl.lit("time is empty")),
            pl.when(pl.col("time").is_not_null() & year.is_null()).then(
                pl.format("time '{}' is not a year", pl.col("time"))
            ),
            pl.when(value.is_null()).then(pl.format("obs_value '{}' is not a number", pl.col("obs_value"))),
        ]
    )
    return (
        # An empty value is a gap in ILOSTAT's table, not a defect of the file.
        frame.filter(pl.col("obs_value").is_not_null())
        .with_columns(
            year.alias("year"),
            value.alias("obs_value"),
            errors.alias("parse_error"),
        )
        .select(pl.col(name).cast(dtype) for name, dtype in OUTPUT_SCHEMA.items())
    )
