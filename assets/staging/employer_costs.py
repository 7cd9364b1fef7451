"""The `employer_costs` table: employer social contributions and payroll taxes as a share of labour cost, by
country, year and source table, each as its source states it (the model chooses between them)."""

from __future__ import annotations

from functools import partial

import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import staging_table
from schemas.staging import EmployerCosts
from sources import ilo_kilm, oecd

# Dataset ids in the catalogue, and the `dataset` value (schemas/vocabulary.py EMPLOYER_COST_DATASETS) of each.
TAXING_WAGES = ("raw_oecd_taxing_wages", "taxing_wages_2021_table1", "oecd_taxing_wages")
KILM = ("raw_ilo_kilm", "KILM15b_social_insurance_share", "ilo_kilm15")
# The Tax Foundation's table states no year: it tabulates OECD Taxing Wages 2021 (its report "A Comparison of the
# Tax Burden on Labor in the OECD, 2022"; the dataset id above says the same).
TAXING_WAGES_YEAR = 2021
# The table's OECD average row, which is not a country.
AGGREGATES = ["OAVG"]


def employer_cost_rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    taxing_wages = _read(loaded, TAXING_WAGES, partial(oecd.parse_taxing_wages_table, year=TAXING_WAGES_YEAR))
    # Colombia's 0 is kept as stated: the OECD counts its employer contributions as non-tax compulsory payments, so
    # Taxing Wages shows no employer *tax*, not no employer cost. The model decides what to do with such zeros.
    taxing_wages = taxing_wages.filter(~pl.col("iso3").is_in(AGGREGATES).fill_null(False))
    kilm = _read(loaded, KILM, ilo_kilm.parse_social_insurance_share)
    return pl.concat([taxing_wages, kilm])


def _read(loaded: dict, dataset: tuple[str, str, str], parse) -> pl.DataFrame:
    raw_asset, dataset_id, name = dataset
    content, record = loaded[raw_asset][dataset_id]
    return parse(content, record.raw_file).select(
        "iso3",
        "year",
        pl.lit(name).alias("dataset"),
        "employer_share_pct",
        "measure",
        pl.lit(record.raw_file).alias("raw_file"),
        "parse_error",
    )


definitions = staging_table(
    "employer_costs",
    EmployerCosts,
    inputs=["raw_oecd_taxing_wages", "raw_ilo_kilm", "countries"],
    build=employer_cost_rows,
    country_column="iso3",
    description=(
        "Employer social contributions and payroll taxes as a % of total labour cost (OECD Taxing Wages 2021, "
        "single worker at the average wage) or of total hourly compensation costs in manufacturing (ILO KILM 15b, "
        "1996-2013), by country, year and source table, as the sources state them; `measure` says which."
    ),
)
