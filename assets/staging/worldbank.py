"""Staging tables from World Bank WDI indicators: exchange rates, PPP factors, GDP per capita, governance, GDP and
population."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import StagingTable, staging_tables
from schemas.staging import ExchangeRates, Gdp, GdpPerCapita, Governance, Population, PppFactors
from sources import worldbank

TRACE = ["raw_file", "parse_error"]


def indicator_rows(files: dict, dataset_ids: list[str]) -> pl.DataFrame:
    """The indicators' values for countries (aggregates such as WLD or EUU left out), traced to their raw files."""
    aggregates = country_metadata(files).filter("is_aggregate")["country_code"]
    frames = []
    for dataset_id in dataset_ids:
        if dataset_id not in files:
            raise FileNotFoundError(
                f"raw/worldbank: the current pull has no file of {dataset_id}; {sorted(files)} only"
            )
        content, record = files[dataset_id]
        name = record.raw_file.rsplit("/", 1)[-1]
        data = worldbank.unpack_indicator_zip(content, name)["data"] if name.endswith(".zip") else content
        frames.append(worldbank.parse_indicator(data, name).with_columns(raw_file=pl.lit(record.raw_file)))
    return (
        pl.concat(frames).filter(~pl.col("country_code").is_in(aggregates.implode())).rename({"country_code": "iso3"})
    )


def country_metadata(files: dict) -> pl.DataFrame:
    content, record = files["country_metadata"]
    name = record.raw_file.rsplit("/", 1)[-1]
    data = worldbank.unpack_indicator_zip(content, name)["country_metadata"] if name.endswith(".zip") else content
    return worldbank.parse_country_metadata(data, name).with_columns(raw_file=pl.lit(record.raw_file))


def indicator_table(
    table: str,
    dataset_ids: list[str],
    columns: list,
    contract: type[pa.DataFrameModel],
    description: str,
    revised_within_bound: str | None = None,
) -> StagingTable:
    def rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
        return indicator_rows(loaded["raw_worldbank"], dataset_ids).select(*columns, *TRACE)

    return StagingTable(
        table, contract, rows, description, country_column="iso3", revised_within_bound=revised_within_bound
    )


value = pl.col("value")

# The World Bank's tables switch together: one file of a pull that breaks leaves all six as they were.
definitions: list = staging_tables(
    indicator_table(
        "exchange_rates",
        ["PA.NUS.FCRF"],
        ["iso3", "year", value.alias("lcu_per_usd")],
        ExchangeRates,
        "Official exchange rate (WDI PA.NUS.FCRF), LCU per US$, period average, by country and year.",
        # Year-on-year moves of 48x are history (Argentina 1989), so a new pull is compared with the stored rates.
        revised_within_bound="lcu_per_usd",
    ),
    indicator_table(
        "ppp_factors",
        ["PA.NUS.PRVT.PP"],
        ["iso3", "year", value.alias("lcu_per_intl_dollar")],
        PppFactors,
        "PPP conversion factor for private consumption (WDI PA.NUS.PRVT.PP), LCU per international $.",
    ),
    indicator_table(
        "gdp_per_capita",
        ["NY.GDP.PCAP.CD"],
        ["iso3", "year", value.alias("gdp_per_capita_usd")],
        GdpPerCapita,
        "GDP per capita in current US$ (WDI NY.GDP.PCAP.CD), by country and year.",
    ),
    indicator_table(
        "governance",
        ["PV.EST", "RL.EST"],
        ["iso3", "year", pl.col("indicator_code").alias("indicator"), "value"],
        Governance,
        "Worldwide Governance Indicators: political stability (PV.EST) and rule of law (RL.EST).",
    ),
    # GDP and population (the datahub.io long copy in the sample, the served zip live) give GDP per capita for the
    # years the GDP-per-capita file does not reach.
    indicator_table(
        "gdp",
        ["NY.GDP.MKTP.CD"],
        ["iso3", "year", value.alias("gdp_usd")],
        Gdp,
        "GDP in current US$ (WDI NY.GDP.MKTP.CD), by country and year.",
    ),
    indicator_table(
        "population",
        ["SP.POP.TOTL"],
        # A head count: a fractional value would be no population figure, and is left null (so rejected), not rounded.
        [
            "iso3",
            "year",
            pl.when(value.is_finite() & (value == value.round()) & (value.abs() < 1e15))
            .then(value.cast(pl.Int64))
            .alias("population"),
        ],
        Population,
        "Total population (WDI SP.POP.TOTL), by country and year.",
    ),
    inputs=["raw_worldbank", "countries"],
    name="worldbank_tables",
)
