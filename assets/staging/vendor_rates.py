"""The `vendor_rate_observations` table: every published or quoted rate, in its own terms and in US$ per productive
hour, mapped to a business function through reference data only."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset, asset_check

from assets.metadata import column_schema, markdown_table
from assets.raw import GSA_KEYWORDS
from assets.staging.common import LAYER, contract_check, known_countries, publish
from assets.staging.reading import current_files
from model.vendor_rates import map_services, normalise, observation_id
from pipelines.resources import PROJECT, ReferenceFiles, SourceAccess, Warehouse
from schemas.staging import VendorRateObservations
from sources import gsa_calc, pricing_pages, vendor_quotes, vendor_seed

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


def gsa_observations(files: dict) -> pl.DataFrame:
    """GSA CALC ceiling rates: API pages (JSON) in live mode, a schedule price list (CSV) in the bundled sample."""
    keywords = gsa_calc.read_keywords(GSA_KEYWORDS.read_bytes(), str(GSA_KEYWORDS))
    frames = []
    for content, record in files.values():
        parse = (
            gsa_calc.parse_price_list
            if record.raw_file.endswith(".csv")
            else lambda d, n: gsa_calc.parse_rates_page(d, n)[0]
        )
        rates = gsa_calc.map_categories(parse(content, record.raw_file), keywords)
        frames.append(
            rates.select(
                pl.lit("gsa_calc").alias("source"),
                pl.lit("GSA CALC").alias("source_name"),
                pl.lit(record.url).alias("url"),
                pl.col("vendor_name").alias("vendor"),
                pl.lit("USA").alias("country_iso3"),
                pl.col("labor_category").alias("service_label"),
                "function_id",
                pl.col("current_price").alias("amount_low"),
                pl.col("current_price").alias("amount_high"),
                pl.lit("USD").alias("currency"),
                pl.lit("hour").alias("unit"),
                pl.lit("ceiling_rate").alias("price_type"),
                pl.col("contract_start").dt.year().cast(pl.Int32).alias("reference_year"),
                pl.format("GSA schedule {} contract ceiling rate", "schedule").alias("note"),
                pl.lit(record.raw_file).alias("raw_file"),
                "parse_error",
            )
        )
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def page_observations(files: dict, specs_csv: bytes, countries: pl.DataFrame) -> pl.DataFrame:
    """Rates scraped from the pricing pages of the latest live pull (none in snapshot mode)."""
    specs = {spec.page_id: spec for spec in pricing_pages.load_page_specs(specs_csv)}
    names = dict(zip(countries["name"].to_list(), countries["iso3"].to_list(), strict=False))
    frames = [
        pricing_pages.extract_rates(specs[page_id], content, names).select(
            pl.lit("pricing_page").alias("source"),
            pl.col("vendor").alias("source_name"),
            "url",
            "vendor",
            "country_iso3",
            "service_label",
            pl.lit(None, pl.String).alias("function_id"),
            pl.col("rate_low").alias("amount_low"),
            pl.col("rate_high").alias("amount_high"),
            "currency",
            "unit",
            "price_type",
            # A page states no year: its rates are the ones on offer when it was fetched.
            pl.lit(int(record.retrieved_at[:4]), pl.Int32).alias("reference_year"),
            pl.format("rate text '{}'", "rate_text").alias("note"),
            pl.lit(record.raw_file).alias("raw_file"),
            "parse_error",
        )
        for page_id, (content, record) in files.items()
    ]
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def quote_observations(files: dict, function_ids: set[str]) -> pl.DataFrame:
    """Analysts' quotes; a row the template reader rejects keeps its reason as a parse error, so that it lands in the
    rejects with its raw values instead of disappearing."""
    frames = []
    for content, record in files.values():
        valid, rejected = vendor_quotes.read_quotes(content, record.raw_file, function_ids)
        for rows, reason in ((valid, pl.lit(None, pl.String)), (rejected, pl.col("reject_reason"))):
            frames.append(
                rows.select(
                    pl.lit("analyst_quote").alias("source"),
                    pl.format("analyst quote {} ({})", "quote_id", "analyst").alias("source_name"),
                    pl.lit(None, pl.String).alias("url"),
                    "vendor",
                    "country_iso3",
                    "service_label",
                    "function_id",
                    pl.col("rate_low").cast(pl.Float64, strict=False).alias("amount_low"),
                    pl.coalesce(
                        pl.col("rate_high").cast(pl.Float64, strict=False),
                        pl.col("rate_low").cast(pl.Float64, strict=False),
                    ).alias("amount_high"),
                    "currency",
                    "unit",
                    "price_type",
                    pl.col("quote_date")
                    .cast(pl.String)
                    .str.slice(0, 4)
                    .cast(pl.Int32, strict=False)
                    .alias("reference_year"),
                    "note",
                    pl.lit(record.raw_file).alias("raw_file"),
                    reason.alias("parse_error"),
                )
            )
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def observations(warehouse: Warehouse, reference: ReferenceFiles, access: SourceAccess) -> pl.DataFrame:
    countries = warehouse.read(LAYER, "countries")
    ref = reference.load()
    collected = pl.concat(
        [
            seed_observations(current_files(warehouse, "vendor_seed")),
            gsa_observations(current_files(warehouse, "gsa_calc")),
            page_observations(
                current_files(warehouse, "pricing_pages"), Path(access.pricing_pages).read_bytes(), countries
            ),
            quote_observations(current_files(warehouse, "vendor_quotes"), set(ref.functions["function_id"])),
        ],
        how="diagonal_relaxed",
    )
    mapped = map_services(collected, pl.read_csv(SERVICE_FUNCTIONS, infer_schema=False))
    normalised = normalise(mapped, countries, warehouse.read(LAYER, "exchange_rates"), ref.cost_parameters)
    return (
        normalised.with_columns(observation_id=observation_id(IDENTITY))
        .unique("observation_id", keep="first", maintain_order=True)
        .select(*VendorRateObservations.to_schema().columns, "parse_error")
    )


@asset(
    group_name=LAYER,
    deps=["raw_vendor_seed", "raw_gsa_calc", "raw_pricing_pages", "raw_vendor_quotes", "countries", "exchange_rates"],
    kinds={"parquet"},
    description="Vendor rates as published (seed of public pages, pricing pages, GSA CALC, analysts' quotes), with "
    "the service mapped to a function and the amount in US$ per productive hour.",
    metadata={"dagster/column_schema": column_schema(VendorRateObservations)},
)
def vendor_rate_observations(warehouse: Warehouse, reference: ReferenceFiles, access: SourceAccess):
    rows = observations(warehouse, reference, access)
    countries = warehouse.read(LAYER, "countries")
    return publish(
        warehouse, "vendor_rate_observations", rows, VendorRateObservations, known_countries(countries, "country_iso3")
    )


@asset_check(
    asset=vendor_rate_observations,
    description="Service wording that reference/service_functions.csv does not know: listed, never guessed.",
)
def service_wording_is_mapped(warehouse: Warehouse) -> AssetCheckResult:
    known = pl.read_csv(SERVICE_FUNCTIONS, infer_schema=False)["service_label"].str.strip_chars().str.to_lowercase()
    rows = warehouse.read(LAYER, "vendor_rate_observations")
    unknown = (
        rows.filter(
            pl.col("function_id").is_null()
            & ~pl.col("service_label").str.strip_chars().str.to_lowercase().is_in(known.implode())
        )
        .select("source_name", "country_iso3", "service_label")
        .unique()
    )
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
