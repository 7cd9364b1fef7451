"""Contracts of the staging tables: typed, keyed and in range, each row traced to its raw file."""

import pandera.polars as pa
import polars as pl

from schemas.common import ISO3, Traced, iso3_field, year_field
from schemas.vocabulary import (
    CURRENCY_BASES,
    EMPLOYER_COST_DATASETS,
    GOVERNANCE_INDICATORS,
    OBSERVATION_SOURCES,
    OCCUPATIONS,
    PRICE_TYPES,
    RATE_UNITS,
    RAW_MODES,
    SENIORITIES,
)


class Countries(pa.DataFrameModel):
    iso3: pl.String = iso3_field()
    iso2: pl.String = pa.Field(str_matches=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")
    name: pl.String = pa.Field(description="country name (GeoNames)")
    region: pl.String = pa.Field(nullable=True, description="World Bank region; null where the World Bank lists none")
    income_group: pl.String = pa.Field(nullable=True, description="World Bank income group")
    capital: pl.String = pa.Field(nullable=True, description="capital city (GeoNames)")
    capital_lat: pl.Float64 = pa.Field(ge=-90, le=90, nullable=True, description="capital latitude, degrees")
    capital_lon: pl.Float64 = pa.Field(ge=-180, le=180, nullable=True, description="capital longitude, degrees")
    capital_tz: pl.String = pa.Field(nullable=True, description="IANA time zone of the capital")
    utc_offset_hours: pl.Float64 = pa.Field(
        ge=-12, le=14, nullable=True, description="standard-time UTC offset of the capital, hours"
    )
    neighbours: pl.List(pl.String) = pa.Field(description="ISO3 codes of the countries sharing a land border")
    currency_code: pl.String = pa.Field(str_matches=ISO3, nullable=True, description="ISO 4217 currency code")
    raw_files: pl.List(pl.String) = pa.Field(description="raw files this row was built from")

    class Config:
        unique = ["iso3"]
        strict = True


class ExchangeRates(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    lcu_per_usd: pl.Float64 = pa.Field(gt=0, lt=1e7, description="official exchange rate, LCU per US$, period average")

    class Config:
        unique = ["iso3", "year"]
        strict = True


class PppFactors(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    lcu_per_intl_dollar: pl.Float64 = pa.Field(
        gt=0, lt=1e7, description="PPP conversion factor, private consumption, LCU per international $"
    )

    class Config:
        unique = ["iso3", "year"]
        strict = True


class Governance(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    indicator: pl.String = pa.Field(isin=GOVERNANCE_INDICATORS, description="WGI indicator code")
    # WGI estimates are standard-normal units, published between about -2.5 and 2.5.
    value: pl.Float64 = pa.Field(ge=-3.5, le=3.5, description="WGI estimate, standard-normal units")

    class Config:
        unique = ["iso3", "year", "indicator"]
        strict = True


class GdpPerCapita(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    gdp_per_capita_usd: pl.Float64 = pa.Field(gt=0, lt=1e6, description="GDP per capita, current US$")

    class Config:
        unique = ["iso3", "year"]
        strict = True


class Gdp(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    # The largest economy is about 3e13 US$; aggregates (the world, about 1e14) are left out before this contract.
    gdp_usd: pl.Float64 = pa.Field(gt=0, lt=1e14, description="GDP, current US$ (WDI NY.GDP.MKTP.CD)")

    class Config:
        unique = ["iso3", "year"]
        strict = True


class Population(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    population: pl.Int64 = pa.Field(gt=0, lt=2_000_000_000, description="total population (WDI SP.POP.TOTL)")

    class Config:
        unique = ["iso3", "year"]
        strict = True


class EmployerCosts(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    dataset: pl.String = pa.Field(
        isin=EMPLOYER_COST_DATASETS, description="source table of the share (vocabulary EMPLOYER_COST_DATASETS)"
    )
    # Stated shares lie between 0 (no employer contribution the source counts) and about 35 %.
    employer_share_pct: pl.Float64 = pa.Field(
        ge=0,
        le=60,
        description="employer social contributions and payroll taxes, % of total labour cost or compensation",
    )
    measure: pl.String = pa.Field(description="what the share is of, as the source defines it")

    class Config:
        unique = ["iso3", "year", "dataset"]
        strict = True


class Earnings(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    occupation: pl.String = pa.Field(isin=OCCUPATIONS, description="TOTAL, or an ISCO-08 major group 1..9")
    currency_basis: pl.String = pa.Field(isin=CURRENCY_BASES, description="local currency, US$ or PPP $")
    # Below one unit of any currency a month is a misplaced decimal, not a wage (ILOSTAT lists RWA 2024 at 0.003 PPP $).
    monthly_earnings: pl.Float64 = pa.Field(ge=1, description="mean nominal monthly earnings of employees")
    indicator: pl.String = pa.Field(description="ILOSTAT indicator the value comes from")
    source_survey: pl.String = pa.Field(nullable=True, description="survey behind the value, where ILOSTAT states it")

    class Config:
        unique = ["iso3", "year", "occupation", "currency_basis"]
        strict = True


class UsOccupationWages(Traced):
    soc_code: pl.String = pa.Field(str_matches=r"^\d{2}-\d{4}$", description="2018 SOC code")
    year: pl.Int32 = year_field("May reference year of the OEWS estimates")
    title: pl.String = pa.Field(description="occupation title")
    o_group: pl.String = pa.Field(description="OEWS level: total, major, minor, broad or detailed")
    employment: pl.Int64 = pa.Field(ge=0, nullable=True, description="employment, rounded to tens")
    hourly_mean: pl.Float64 = pa.Field(gt=0, lt=500, nullable=True, description="mean hourly wage, US$")
    hourly_median: pl.Float64 = pa.Field(gt=0, lt=500, nullable=True, description="median hourly wage, US$")
    annual_mean: pl.Float64 = pa.Field(gt=0, lt=1e6, nullable=True, description="mean annual wage, US$")
    annual_median: pl.Float64 = pa.Field(gt=0, lt=1e6, nullable=True, description="median annual wage, US$")
    wage_topcoded: pl.Boolean = pa.Field(description="a wage is above the OEWS ceiling and published as '#'")

    class Config:
        unique = ["soc_code", "year"]
        strict = True


class AverageWages(Traced):
    iso3: pl.String = iso3_field()
    year: pl.Int32 = year_field()
    annual_wage: pl.Float64 = pa.Field(gt=0, lt=1e7, description="average annual wage per full-time equivalent")
    unit: pl.String = pa.Field(description="OECD unit and price base, e.g. USD_PPP at constant 2022 prices")

    class Config:
        unique = ["iso3", "year"]
        strict = True


class RawSources(pa.DataFrameModel):
    raw_file: pl.String = pa.Field(str_startswith="raw/", description="path of the raw file under the warehouse root")
    source: pl.String = pa.Field(description="source folder: ilostat, worldbank, geonames, bls_oews, oecd")
    dataset_id: pl.String = pa.Field(description="the publisher's id of the dataset")
    producer: pl.String = pa.Field(description="who publishes the data")
    title: pl.String = pa.Field(description="the dataset's title")
    url: pl.String = pa.Field(
        str_startswith="http", nullable=True, description="where the publisher serves it; null for curated datasets"
    )
    licence: pl.String = pa.Field(description="the publisher's licence")
    retrieved_at: pl.String = pa.Field(description="when the file was fetched (ISO 8601)")
    last_updated: pl.String = pa.Field(nullable=True, description="the source's own last-updated date, where stated")
    mode: pl.String = pa.Field(
        isin=RAW_MODES,
        description="fetched live, copied from the bundled sample, or read from a local folder (analysts' quotes)",
    )
    origin: pl.String = pa.Field(nullable=True, description="for the bundled sample: the file it was extracted from")
    sha256: pl.String = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the stored bytes")
    size_bytes: pl.Int64 = pa.Field(gt=0, description="size of the stored file")

    class Config:
        unique = ["raw_file"]
        strict = True


class VendorRateObservations(pa.DataFrameModel):
    observation_id: pl.String = pa.Field(description="stable id of the observation (hash of what identifies it)")
    source: pl.String = pa.Field(isin=OBSERVATION_SOURCES, description="which kind of source it came from")
    source_name: pl.String = pa.Field(description="publisher of the page, API or quote")
    url: pl.String = pa.Field(nullable=True, description="page the rate was published on (null for analysts' quotes)")
    vendor: pl.String = pa.Field(nullable=True, description="vendor quoting the rate, when known")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="delivery country the rate is for")
    function_id: pl.String = pa.Field(
        nullable=True, description="business function; null when the wording maps to none"
    )
    service_label: pl.String = pa.Field(description="the source's own wording of the service")
    seniority: pl.String = pa.Field(
        isin=SENIORITIES, nullable=True, description="entry, mid or senior where the wording says so (the same map)"
    )
    amount_low: pl.Float64 = pa.Field(gt=0, description="published amount, low end, in `currency` per `unit`")
    amount_high: pl.Float64 = pa.Field(gt=0, description="published amount, high end (= low for a single figure)")
    currency: pl.String = pa.Field(str_matches=ISO3, description="ISO 4217 currency of the published amount")
    unit: pl.String = pa.Field(isin=RATE_UNITS, description="period the amount is for")
    price_type: pl.String = pa.Field(
        isin=PRICE_TYPES,
        description="a vendor's price, a buyer's spend per person, a wage, or a contract ceiling rate",
    )
    reference_year: pl.Int32 = pa.Field(ge=1990, le=2100, nullable=True, description="year stated by the source")
    fx_year: pl.Int32 = pa.Field(ge=1990, le=2100, description="year of the exchange rate used (latest for undated)")
    amount_low_usd: pl.Float64 = pa.Field(gt=0, description="low end in US$ per `unit`, at the `fx_year` rate")
    amount_high_usd: pl.Float64 = pa.Field(gt=0, description="high end in US$ per `unit`, at the `fx_year` rate")
    note: pl.String = pa.Field(nullable=True, description="what a reader must know about the figure")
    raw_files: pl.List(pl.String) = pa.Field(description="raw files the row was read and converted with")

    @pa.dataframe_check(name="low end not above high end")
    def low_not_above_high(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("amount_low") <= pl.col("amount_high"))

    class Config:
        unique = ["observation_id"]
        strict = True
