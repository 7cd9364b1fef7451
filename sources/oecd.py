"""OECD average annual wages (dataflow DSD_EARNINGS@AV_AN_WAGE) from SDMX-CSV, with or without label columns.

The "csvfilewithlabels" layout puts a label column after each code column ("REF_AREA", "Reference area", ...);
the plain "csvfile" layout has codes only. Both carry UNIT_MULT, the power of ten OBS_VALUE is expressed in.
"""

from __future__ import annotations

import polars as pl

from sources.text import blank_to_null, join_problems, read_text_csv, require_columns

SOURCE = "OECD"

REQUIRED = ("REF_AREA", "UNIT_MEASURE", "PRICE_BASE", "TIME_PERIOD", "OBS_VALUE")
AREA_LABEL = "Reference area"


def parse_average_wages(data: bytes, file_name: str) -> pl.DataFrame:
    """iso3, area_name, year, annual_wage (x 10**UNIT_MULT), unit, price_base, parse_error; one row per observation.

    The "OECD" aggregate row is kept; callers that want countries only filter it.
    """
    frame = read_text_csv(data, SOURCE, file_name, list(REQUIRED), "SDMX-CSV")
    require_columns(
        frame.columns,
        REQUIRED,
        SOURCE,
        file_name,
        "missing SDMX-CSV columns {missing}",
        expected=[*list(REQUIRED), "UNIT_MULT"],
    )

    frame = frame.select(blank_to_null(pl.all()))
    has_mult = "UNIT_MULT" in frame.columns
    obs = pl.col("OBS_VALUE").cast(pl.Float64, strict=False)
    year = pl.col("TIME_PERIOD").cast(pl.Int32, strict=False)
    mult = pl.col("UNIT_MULT").cast(pl.Int32, strict=False) if has_mult else pl.lit(0, dtype=pl.Int32)
    errors = [
        _error("year (TIME_PERIOD)", pl.col("TIME_PERIOD"), year),
        _error("annual_wage (OBS_VALUE)", pl.col("OBS_VALUE"), obs),
    ]
    if has_mult:
        errors.append(_error("UNIT_MULT", pl.col("UNIT_MULT"), mult))

    return frame.select(
        pl.col("REF_AREA").alias("iso3"),
        (pl.col(AREA_LABEL) if AREA_LABEL in frame.columns else pl.lit(None, dtype=pl.String)).alias("area_name"),
        year.alias("year"),
        # An absent UNIT_MULT means units (10**0); an unparseable one leaves the wage null, not wrongly scaled.
        (obs * pl.lit(10.0).pow(mult)).alias("annual_wage"),
        pl.col("UNIT_MEASURE").alias("unit"),
        pl.col("PRICE_BASE").alias("price_base"),
        join_problems(errors).alias("parse_error"),
    )


def _error(column: str, raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    return (
        pl.when(raw.is_not_null() & parsed.is_null())
        .then(pl.format("{}: cannot parse '{}'", pl.lit(column), raw))
        .otherwise(None)
    )


# --------------------------------------------------------------------------------------------------------------
# Taxing Wages, as tabulated by the Tax Foundation
# --------------------------------------------------------------------------------------------------------------

TAXING_WAGES_SOURCE = "OECD Taxing Wages (Tax Foundation table)"
# Table 1 of the Tax Foundation's "A Comparison of the Tax Burden on Labor in the OECD" (repository
# TaxFoundation/tax-burden-on-labor, final-outputs/Table1.csv): one row per OECD country plus the OECD average (OAVG),
# the shares in percent of total labour cost. Only the columns read are required.
TAXING_WAGES_ISO3, TAXING_WAGES_EMPLOYER = "ISO3", "Employer Payroll Taxes in %"
TAXING_WAGES_REQUIRED = (TAXING_WAGES_ISO3, "Country", TAXING_WAGES_EMPLOYER)
TAXING_WAGES_MEASURE = (
    "employer social security contributions and payroll taxes, % of total labour cost, "
    "single worker at 100% of the average wage (OECD Taxing Wages)"
)


def parse_taxing_wages_table(data: bytes, file_name: str, year: int) -> pl.DataFrame:
    """iso3, country, year, employer_share_pct, measure, parse_error; one row per line of the table.

    The table states no year: the caller passes the Taxing Wages year it tabulates. Shares are kept as stated,
    zeros included. A 0 means no employer contribution the OECD counts as a tax, not no employer cost: Colombia's
    employer contributions are non-tax compulsory payments in Taxing Wages (Chile, Denmark and New Zealand show 0
    too). The OECD average row (OAVG) is kept; callers that want countries filter it.
    """
    frame = read_text_csv(data, TAXING_WAGES_SOURCE, file_name, list(TAXING_WAGES_REQUIRED), "CSV")
    require_columns(frame.columns, TAXING_WAGES_REQUIRED, TAXING_WAGES_SOURCE, file_name, "missing columns {missing}")

    frame = frame.select(blank_to_null(pl.col(*TAXING_WAGES_REQUIRED)))
    raw_share = pl.col(TAXING_WAGES_EMPLOYER)
    share = raw_share.cast(pl.Float64, strict=False)
    return frame.select(
        pl.col(TAXING_WAGES_ISO3).alias("iso3"),
        pl.col("Country").alias("country"),
        pl.lit(year, dtype=pl.Int32).alias("year"),
        share.alias("employer_share_pct"),
        pl.lit(TAXING_WAGES_MEASURE).alias("measure"),
        join_problems(
            [
                pl.when(pl.col(TAXING_WAGES_ISO3).is_null()).then(pl.lit(f"{TAXING_WAGES_ISO3}: empty cell")),
                pl.when(raw_share.is_null()).then(pl.lit(f"{TAXING_WAGES_EMPLOYER}: empty cell")),
                _error(TAXING_WAGES_EMPLOYER, raw_share, share),
            ]
        ).alias("parse_error"),
    )
