"""The `earnings` table: ILOSTAT mean monthly earnings by ISCO-08 major group, and national means, per currency basis.

Two indicators feed it: earnings by occupation (EAR_4MTH_SEX_OCU_CUR_NB_A) and earnings by area type
(EAR_4MTH_SEX_GEO_CUR_NB_A), whose national row is the country's mean. Where both give the total for the same
country, year and currency, the occupation indicator's is kept, so that its groups and its total come from one survey.
"""

from __future__ import annotations

import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import staging_table
from schemas.staging import Earnings
from schemas.vocabulary import CURRENCY_BASES, ISCO08_MAJOR_GROUPS, NATIONAL_INDICATOR, OCCUPATION_INDICATOR
from sources import ilostat

DICTIONARIES = ("ref_area", "sex", "classif1", "classif2")
# The benchmark's vocabulary: all employees (both sexes), the total or an ISCO-08 major group, three currencies.
OCCUPATIONS = {"OCU_ISCO08_TOTAL": "TOTAL", "GEO_COV_NAT": "TOTAL"} | {
    f"OCU_ISCO08_{g}": g for g in ISCO08_MAJOR_GROUPS
}
CURRENCIES = {f"CUR_TYPE_{basis}": basis for basis in CURRENCY_BASES}
KEY = ["iso3", "year", "occupation", "currency_basis"]


def earnings_rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    files = loaded["raw_ilostat"]
    dictionaries = {}
    for dimension in DICTIONARIES:
        content, record = files[f"dic_{dimension}"]
        dictionaries[dimension] = ilostat.parse_dictionary(content, record.raw_file)
    aliases = reference.label_aliases()
    frames = {}
    for indicator in (OCCUPATION_INDICATOR, NATIONAL_INDICATOR):
        content, record = files[indicator]
        parsed = ilostat.parse_earnings(content, record.raw_file, dictionaries, aliases)
        frames[indicator] = parsed.filter(
            pl.col("parse_error").is_not_null()
            | (
                (pl.col("sex") == "SEX_T")
                & pl.col("classif1").is_in(list(OCCUPATIONS))
                & pl.col("classif2").is_in(list(CURRENCIES))
            )
        ).select(
            pl.col("ref_area").alias("iso3"),
            "year",
            pl.col("classif1").replace_strict(OCCUPATIONS, default=None).alias("occupation"),
            pl.col("classif2").replace_strict(CURRENCIES, default=None).alias("currency_basis"),
            pl.col("obs_value").alias("monthly_earnings"),
            pl.lit(indicator).alias("indicator"),
            pl.col("source_label").alias("source_survey"),
            pl.lit(record.raw_file).alias("raw_file"),
            "parse_error",
        )
    by_occupation = frames[OCCUPATION_INDICATOR]
    national_only = frames[NATIONAL_INDICATOR].join(by_occupation.select(KEY), on=KEY, how="anti", nulls_equal=False)
    return pl.concat([by_occupation, national_only])


definitions = staging_table(
    "earnings",
    Earnings,
    inputs=["raw_ilostat", "countries"],
    build=earnings_rows,
    country_column="iso3",
    description="ILOSTAT mean monthly earnings of employees: national mean (TOTAL) and ISCO-08 major groups 1..9, "
    "in local currency, US$ and PPP $.",
)
