"""The project's seed of public rate observations (shared/data/seed): rates and pay quoted from public pages, each
row with its page, in the page's own currency, unit and wording."""

from __future__ import annotations

import io

import polars as pl

from sources.errors import SourceFormatError
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_markup,
    check_rectangular,
    join_problems,
    neutralised,
)

SOURCE = "Vendor rate seed"
COLUMNS = [
    "country_iso3",
    "service_label",
    "rate_low",
    "rate_high",
    "currency",
    "unit",
    "price_type",
    "reference_year",
    "source_name",
    "source_url",
    "note",
]


def parse_observations(data: bytes, file_name: str) -> pl.DataFrame:
    """One row per observation: amounts as numbers (a cell that is not one keeps its row with a `parse_error`)."""
    text = data.decode("utf-8-sig", errors="replace")
    check_not_markup(text, SOURCE, file_name, "HTML or XML page instead of CSV", expected=COLUMNS, found=text[:120])
    check_rectangular(text, SOURCE, file_name)
    # Both seed files end with a line end: one without was cut inside its last line.
    check_line_ends(text, SOURCE, file_name)
    try:
        raw = pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(SOURCE, file_name, f"not a readable CSV ({exc})") from None
    missing = [column for column in COLUMNS if column not in raw.columns]
    if missing:
        raise SourceFormatError(SOURCE, file_name, f"missing columns {missing}", expected=COLUMNS, found=raw.columns)
    # typed column <- the text it is read from, and what that text must be
    readings = {
        "amount_low": ("rate_low", pl.Float64, "a number"),
        "amount_high": ("rate_high", pl.Float64, "a number"),
        "year": ("reference_year", pl.Int32, "a year"),
    }
    typed = raw.with_columns(
        pl.col(source).str.strip_chars().cast(dtype, strict=False).alias(target)
        for target, (source, dtype, _) in readings.items()
    )
    problems = join_problems(
        pl.when(pl.col(target).is_null() & blank_to_null(pl.col(source)).is_not_null()).then(
            pl.format(f"{source} '{{}}' is not {meaning}", pl.col(source))
        )
        for target, (source, _, meaning) in readings.items()
    )
    # The seed is a spreadsheet export too: its free text cannot carry a formula into staging.
    typed = typed.with_columns(neutralised(pl.col(c)) for c in ("service_label", "source_name", "note"))
    return typed.with_columns(parse_error=problems).select(
        "country_iso3",
        "service_label",
        "amount_low",
        "amount_high",
        "currency",
        "unit",
        "price_type",
        pl.col("year").alias("reference_year"),
        "source_name",
        pl.col("source_url").alias("url"),
        "note",
        "parse_error",
    )
