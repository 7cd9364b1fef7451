"""The `us_occupation_wages` table: BLS OEWS national wages of every occupation, one row per SOC code and year."""

from __future__ import annotations

import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import staging_table
from schemas.staging import UsOccupationWages
from sources import bls_oews

KEY = ["soc_code", "year"]
# An occupation's mean wage moving by more than this factor from one May to the next is a unit or scale error in a
# file (cents for dollars, a column shifted), not the labour market: those rows are rejected, and a file with mostly
# such rows refuses the table.
MAX_YEAR_ON_YEAR = 2.0
YEAR_ON_YEAR = {
    f"hourly mean within {MAX_YEAR_ON_YEAR:g}x of the previous year's": (
        pl.col("hourly_mean") / pl.col("hourly_mean").shift(1).over("soc_code", order_by="year")
    )
    .is_between(1 / MAX_YEAR_ON_YEAR, MAX_YEAR_ON_YEAR)
    .fill_null(True)
}


def without_redundant_broad_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """OEWS lists a code twice when a broad occupation holds a single detailed one (13-1020 in 2023); the two rows
    carry the same figures, so the detailed one is kept. Any other repeated code stays, to be rejected as a
    duplicate."""
    detailed = rows.filter(pl.col("o_group") == "detailed").select(KEY).unique().with_columns(has_detailed=True)
    return (
        rows.join(detailed, on=KEY, how="left")
        .filter(~((pl.col("o_group") == "broad") & pl.col("has_detailed").fill_null(False)))
        .drop("has_detailed")
    )


def occupation_wage_rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    frames = []
    for dataset_id, (content, record) in loaded["raw_bls_oews"].items():
        name = record.raw_file.rsplit("/", 1)[-1]
        workbook = bls_oews.unpack_national_zip(content, name) if name.endswith(".zip") else content
        year = int(dataset_id.removeprefix("national_M"))
        frames.append(bls_oews.parse_national(workbook, name, year).with_columns(raw_file=pl.lit(record.raw_file)))
    return without_redundant_broad_rows(pl.concat(frames)).select(*UsOccupationWages.to_schema().columns, "parse_error")


definitions = staging_table(
    "us_occupation_wages",
    UsOccupationWages,
    inputs=["raw_bls_oews"],
    build=occupation_wage_rows,
    rules=YEAR_ON_YEAR,
    description="US BLS OEWS national cross-industry estimates: employment and mean and median wages by SOC "
    "occupation, per May reference year.",
)
