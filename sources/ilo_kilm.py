"""ILO Key Indicators of the Labour Market (KILM, 9th edition), table 15b, from Gapminder's DDF repackaging.

KILM 15b gives hourly compensation costs of all employees in manufacturing, by country and year (33 countries,
1996-2013; the ILO's workbook names The Conference Board's international comparisons as the repository). Its
"social insurance expenditures and labour-related taxes" are the employer's side of compensation: statutory, and
also contractual and private (US employers' health insurance and pensions count), so they are higher than the
OECD's statutory employer contributions where both exist.

The DDF datapoints file is ``country,year,<concept>``. Its country ids are ISO 3166 alpha-3 codes in lower case
(ddf--entities--country.csv lists them: arg ... usa, twn for "Taiwan, China"), so upper-casing them gives the ISO3
code; a code that is no country is rejected downstream by the country check. Values are written as the 32-bit
floats of the ILO's own workbook (19.899999618530273 for 19.9) and kept as they are.
"""

from __future__ import annotations

import re

import polars as pl

from sources.text import blank_to_null, join_problems, read_text_csv, require_columns

SOURCE = "ILO KILM"

SOCIAL_INSURANCE_SHARE = (
    "hourly_social_insurance_expenditures_and_labour_related_taxes_as_percentage_of_total_hourly_compensation_costs"
)
DATAPOINT_COLUMNS = ("country", "year", SOCIAL_INSURANCE_SHARE)
SOCIAL_INSURANCE_MEASURE = (
    "social insurance expenditures and labour-related taxes, % of total hourly compensation costs, "
    "all employees in manufacturing (ILO KILM 15b)"
)
_DDF_ISO3 = re.compile(r"^[a-z]{3}$")


def parse_social_insurance_share(data: bytes, file_name: str) -> pl.DataFrame:
    """iso3, year, employer_share_pct, measure, parse_error; one row per datapoint of the KILM 15b DDF file."""
    frame = read_text_csv(data, SOURCE, file_name, list(DATAPOINT_COLUMNS), "a DDF datapoints CSV")
    require_columns(
        frame.columns,
        DATAPOINT_COLUMNS,
        SOURCE,
        file_name,
        "not the KILM 15b social-insurance share datapoints; missing columns {missing}",
    )

    frame = frame.select(blank_to_null(pl.col(*DATAPOINT_COLUMNS)))
    country, raw_year, raw_share = pl.col("country"), pl.col("year"), pl.col(SOCIAL_INSURANCE_SHARE)
    year, share = raw_year.cast(pl.Int32, strict=False), raw_share.cast(pl.Float64, strict=False)
    is_iso3 = country.str.contains(_DDF_ISO3.pattern).fill_null(False)
    return frame.select(
        pl.when(is_iso3).then(country.str.to_uppercase()).alias("iso3"),
        year.alias("year"),
        share.alias("employer_share_pct"),
        pl.lit(SOCIAL_INSURANCE_MEASURE).alias("measure"),
        join_problems(
            [
                pl.when(~is_iso3).then(pl.format("country: '{}' is not a DDF ISO3 id", country.fill_null(""))),
                _cell_error("year", raw_year, year),
                _cell_error("social-insurance share", raw_share, share),
            ]
        ).alias("parse_error"),
    )


def _cell_error(column: str, raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    return (
        pl.when(raw.is_null())
        .then(pl.lit(f"{column}: empty cell"))
        .when(parsed.is_null())
        .then(pl.format("{}: cannot parse '{}'", pl.lit(column), raw))
    )
