"""The `vendor_rate_observations` table: every published or quoted rate, in its own terms and in US$ per productive
hour, mapped to a business function through reference data only."""

from __future__ import annotations

import polars as pl
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset, asset_check

from assets.metadata import column_schema, markdown_table
from assets.staging.common import LAYER, contract_check, known_countries, publish
from assets.staging.reading import current_files
from model.vendor_rates import map_services, normalise, observation_id
from pipelines.resources import PROJECT, ReferenceFiles, Warehouse
from schemas.staging import VendorRateObservations
from sources import vendor_seed

SERVICE_FUNCTIONS = PROJECT / "reference" / "service_functions.csv"
# What makes two observations the same: the same source quoting the same range for the same country and function.
IDENTITY = ["source_name", "url", "country_iso3", "function_id", "amount_low", "amount_high", "currency", "unit"]


def seed_observations(files: dict) -> pl.DataFrame:
    frames = [
        vendor_seed.parse_observations(content, record.raw_file).with_columns(raw_file=pl.lit(record.raw_file))
        for content, record in files.values()
    ]
    return pl.concat(frames).with_columns(
        source=pl.lit("seed"), vendor=pl.lit(None, pl.String), function_id=pl.lit(None, pl.String)
    )


def observations(warehouse: Warehouse, reference: ReferenceFiles) -> pl.DataFrame:
    collected = seed_observations(current_files(warehouse, "vendor_seed"))
    mapped = map_services(collected, pl.read_csv(SERVICE_FUNCTIONS, infer_schema=False))
    parameters = reference.load().cost_parameters
    normalised = normalise(
        mapped, warehouse.read(LAYER, "countries"), warehouse.read(LAYER, "exchange_rates"), parameters
    )
    return (
        normalised.with_columns(observation_id=observation_id(IDENTITY))
        .unique("observation_id", keep="first", maintain_order=True)
        .select(*VendorRateObservations.to_schema().columns, "parse_error")
    )


@asset(
    group_name=LAYER,
    deps=["raw_vendor_seed", "countries", "exchange_rates"],
    kinds={"parquet"},
    description="Vendor rates as published (seed of public pages, pricing pages, GSA CALC, analysts' quotes), with "
    "the service mapped to a function and the amount in US$ per productive hour.",
    metadata={"dagster/column_schema": column_schema(VendorRateObservations)},
)
def vendor_rate_observations(warehouse: Warehouse, reference: ReferenceFiles):
    rows = observations(warehouse, reference)
    countries = warehouse.read(LAYER, "countries")
    return publish(warehouse, "vendor_rate_observations", rows, VendorRateObservations, known_countries(countries, "country_iso3"))


@asset_check(
    asset=vendor_rate_observations,
    description="Service wording that reference/service_functions.csv does not know: listed, never guessed.",
)
def service_wording_is_mapped(warehouse: Warehouse) -> AssetCheckResult:
    known = pl.read_csv(SERVICE_FUNCTIONS, infer_schema=False)["service_label"].str.strip_chars().str.to_lowercase()
    rows = warehouse.read(LAYER, "vendor_rate_observations")
    unknown = rows.filter(
        pl.col("function_id").is_null() & ~pl.col("service_label").str.strip_chars().str.to_lowercase().is_in(known.implode())
    ).select("source_name", "country_iso3", "service_label").unique()
    return AssetCheckResult(
        passed=unknown.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={
            "unmapped_wordings": unknown.height,
            "without_function": int(rows["function_id"].null_count()),
            "wordings": MetadataValue.md(markdown_table(unknown, limit=50)),
        },
    )


definitions: list = [
    vendor_rate_observations,
    contract_check("vendor_rate_observations", VendorRateObservations),
    service_wording_is_mapped,
]
