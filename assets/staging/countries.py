"""The `countries` table: GeoNames identity, capital, time zone and land borders, with World Bank region and
income group. Other staging tables check their country codes against it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from assets.resources import ReferenceFiles
from assets.staging.common import staging_table
from assets.staging.worldbank import country_metadata
from schemas.staging import Countries
from sources import geonames

# A fixed year keeps the table reproducible; January and July straddle every daylight-saving period.
OFFSET_REFERENCE_DATES = (datetime(2025, 1, 15, 12), datetime(2025, 7, 15, 12))


def standard_utc_offset_hours(zone: str) -> float:
    """Standard time is the smaller of the winter and summer offsets, in either hemisphere."""
    tz = ZoneInfo(zone)
    return min(tz.utcoffset(moment).total_seconds() for moment in OFFSET_REFERENCE_DATES) / 3600


def capitals(info: pl.DataFrame, cities: pl.DataFrame) -> pl.DataFrame:
    """Pick each country's capital among GeoNames PPLC places: the one named as in countryInfo, else the largest."""
    places = cities.filter(pl.col("parse_error").is_null()).select(
        pl.col("country_iso2").alias("iso2"),
        pl.col("name").alias("place"),
        "asciiname",
        pl.col("latitude").alias("capital_lat"),
        pl.col("longitude").alias("capital_lon"),
        pl.col("timezone").alias("capital_tz"),
        "population",
    )
    return (
        info.select("iso2", "capital")
        .join(places, on="iso2", how="inner")
        .with_columns(named=(pl.col("place") == pl.col("capital")) | (pl.col("asciiname") == pl.col("capital")))
        .sort(["iso2", "named", "population"], descending=[False, True, True], nulls_last=True)
        .unique("iso2", keep="first", maintain_order=True)
        .select("iso2", "capital_lat", "capital_lon", "capital_tz")
    )


def build_countries(info: pl.DataFrame, cities: pl.DataFrame, wb_metadata: pl.DataFrame) -> pl.DataFrame:
    iso2_to_iso3 = dict(zip(info["iso2"].to_list(), info["iso3"].to_list(), strict=False))
    capital_rows = capitals(info, cities)
    offsets = {zone: standard_utc_offset_hours(zone) for zone in capital_rows["capital_tz"].drop_nulls().unique()}
    regions = wb_metadata.filter(~pl.col("is_aggregate")).select(
        pl.col("country_code").alias("iso3"), "region", "income_group", pl.col("raw_file").alias("wb_file")
    )
    return (
        info.join(capital_rows, on="iso2", how="left")
        .join(regions, on="iso3", how="left")
        .with_columns(
            utc_offset_hours=pl.col("capital_tz").replace_strict(offsets, default=None, return_dtype=pl.Float64),
            neighbours=pl.col("neighbours_iso2")
            .list.eval(pl.element().replace_strict(iso2_to_iso3, default=None))
            .list.drop_nulls(),
            raw_files=pl.concat_list(
                "info_file", pl.when(pl.col("capital_tz").is_not_null()).then("cities_file"), "wb_file"
            ).list.drop_nulls(),
        )
        .select(*Countries.to_schema().columns, "parse_error")
    )


def country_rows(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    geo = loaded["raw_geonames"]
    (info_bytes, info_record), (cities_bytes, cities_record) = geo["countryInfo"], geo["cities15000"]
    info = geonames.parse_country_info(info_bytes, info_record.raw_file).with_columns(
        info_file=pl.lit(info_record.raw_file), cities_file=pl.lit(cities_record.raw_file)
    )
    cities = geonames.parse_cities(cities_bytes, cities_record.raw_file)
    return build_countries(info, cities, country_metadata(loaded["raw_worldbank"]))


definitions = staging_table(
    "countries",
    Countries,
    inputs=["raw_geonames", "raw_worldbank"],
    build=country_rows,
    description="One row per country: ISO codes, name, World Bank region and income group, capital with coordinates "
    "and IANA time zone, standard UTC offset, land neighbours and currency.",
)
