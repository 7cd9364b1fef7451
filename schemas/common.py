"""Columns and checks that several tables share."""

import pandera.polars as pa
import polars as pl

ISO3 = r"^[A-Z]{3}$"
# Years the sources cover: WDI starts in 1960, and nothing is published for a year that has not begun.
YEAR_RANGE = {"ge": 1960, "le": 2100}


def iso3_field(description: str = "ISO 3166-1 alpha-3 code of the country") -> pa.Field:
    return pa.Field(str_matches=ISO3, description=description)


def year_field(description: str = "calendar year the value refers to") -> pa.Field:
    return pa.Field(**YEAR_RANGE, description=description)


class Traced(pa.DataFrameModel):
    """Every staging row names the raw file it came from, relative to the warehouse root."""

    raw_file: pl.String = pa.Field(str_startswith="raw/", description="raw file this row was read from")
