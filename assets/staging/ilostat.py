"""The `earnings` table: ILOSTAT mean monthly earnings by ISCO-08 major group, and national means, per currency basis.

Two indicators feed it: earnings by occupation (EAR_4MTH_SEX_OCU_CUR_NB_A) and earnings by area type
(EAR_4MTH_SEX_GEO_CUR_NB_A), whose national row is the country's mean. Where both give the total for the same
country, year and currency, the occupation indicator's is kept, so that its groups and its total come from one survey.
"""

from __future__ import annotations

import polars as pl
from dagster import asset

from assets.metadata import column_schema
from assets.staging.common import LAYER, contract_check, known_countries, publish
from assets.staging.reading import current_files
from pipelines.resources import PROJECT, Warehouse
from schemas.staging import Earnings
from sources import ilostat

LABEL_ALIASES = PROJECT / "reference" / "ilostat_label_aliases.csv"
OCCUPATION_INDICATOR, NATIONAL_INDICATOR = "EAR_4MTH_SEX_OCU_CUR_NB_A", "EAR_4MTH_SEX_GEO_CUR_NB_A"
DICTIONARIES = ("ref_area", "sex", "classif1", "classif2")
# The benchmark's vocabulary: all employees (both sexes), the total or an ISCO-08 major group, three currencies.
OCCUPATIONS = {"OCU_ISCO08_TOTAL": "TOTAL", "GEO_COV_NAT": "TOTAL"} | {f"OCU_ISCO08_{g}": g for g in "123456789"}
CURRENCIES = {"CUR_TYPE_LCU": "LCU", "CUR_TYPE_USD": "USD", "CUR_TYPE_PPP": "PPP"}
KEY = ["iso3", "year", "occupation", "currency_basis"]


def earnings_rows(files: dict) -> pl.DataFrame:
    dictionaries = {}
    for dimension in DICTIONARIES:
        content, record = files[f"dic_{dimension}"]
        dictionaries[dimension] = ilostat.parse_dictionary(content, record.raw_file)
    aliases = pl.read_csv(LABEL_ALIASES).select("dimension", "label", "code")
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


@asset(
    group_name=LAYER,
    deps=["raw_ilostat", "countries"],
    kinds={"parquet"},
    description="ILOSTAT mean monthly earnings of employees: national mean (TOTAL) and ISCO-08 major groups 1..9, "
    "in local currency, US$ and PPP $.",
    metadata={"dagster/column_schema": column_schema(Earnings)},
)
def earnings(warehouse: Warehouse):
    rows = earnings_rows(current_files(warehouse, "ilostat"))
    countries = warehouse.read(LAYER, "countries")
    return publish(warehouse, "earnings", rows, Earnings, known_countries(countries))


definitions: list = [earnings, contract_check("earnings", Earnings)]
