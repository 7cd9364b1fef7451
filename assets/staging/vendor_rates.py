"""The `vendor_rate_observations` table: every published or quoted rate, in its own terms and in US$ at the
exchange rate of its year, mapped to a business function through reference data only. Spreading a price per FTE over
productive hours needs the cost model's parameters, so it happens in the benchmarks layer (model/vendor_rates.py)."""

from __future__ import annotations

import hashlib

import polars as pl
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from assets.metadata import markdown_table
from assets.resources import ReferenceFiles, Warehouse
from assets.staging.common import LAYER, staging_table
from schemas.staging import VendorRateObservations
from sources import gsa_calc, pricing_pages, vendor_quotes, vendor_seed

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


def gsa_observations(files: dict, keywords: pl.DataFrame) -> pl.DataFrame:
    """GSA CALC ceiling rates: API pages (JSON) in live mode, a schedule price list (CSV) in the bundled sample."""
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


def page_observations(files: dict, specs: list[pricing_pages.PageSpec], countries: pl.DataFrame) -> pl.DataFrame:
    """Rates scraped from the pricing pages of the latest live pull (none in snapshot mode)."""
    specs = {spec.page_id: spec for spec in specs}
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


def map_services(observations: pl.DataFrame, service_functions: pl.DataFrame) -> pl.DataFrame:
    """function_id and seniority from the wording of the service, through reference/service_functions.csv only.
    `label_known` says whether the wording is in that table (a known wording may map to no function on purpose)."""
    mapping = service_functions.select(
        pl.col("service_label").str.strip_chars().str.to_lowercase().alias("label_key"),
        pl.col("function_id").alias("mapped_function"),
        "seniority",
        pl.lit(True).alias("label_known"),
    )
    return (
        observations.with_columns(label_key=pl.col("service_label").str.strip_chars().str.to_lowercase())
        .join(mapping, on="label_key", how="left")
        .with_columns(
            function_id=pl.coalesce("function_id", "mapped_function"),
            label_known=pl.col("label_known").fill_null(False) | pl.col("function_id").is_not_null(),
        )
        .drop("label_key", "mapped_function")
    )


def currency_rates(countries: pl.DataFrame, fx: pl.DataFrame) -> pl.DataFrame:
    """Units of each currency per US$ by year, from the exchange rates of the countries that use it (the euro
    countries all report the same rate; the median guards against one that does not)."""
    by_currency = (
        countries.select("iso3", pl.col("currency_code").alias("currency"))
        .join(fx, on="iso3")
        .group_by("currency", "year")
        .agg(pl.col("lcu_per_usd").median().alias("per_usd"), pl.col("raw_file").first().alias("fx_file"))
    )
    years = fx.select(pl.col("year").unique())
    dollar = years.with_columns(currency=pl.lit("USD"), per_usd=pl.lit(1.0), fx_file=pl.lit(None, pl.String))
    return pl.concat([by_currency.filter(pl.col("currency") != "USD"), dollar.select(by_currency.columns)])


def in_usd(observations: pl.DataFrame, countries: pl.DataFrame, fx: pl.DataFrame) -> pl.DataFrame:
    """Amounts in US$ per their own unit, converted at the exchange rate of the observation's year; an undated one,
    or one dated after the latest published rate of its currency, at that latest rate (the year used is `fx_year`)."""
    rates = currency_rates(countries, fx)
    latest = rates.group_by("currency").agg(pl.col("year").max().alias("latest_fx_year"))
    with_fx = (
        observations.join(latest, on="currency", how="left")
        .with_columns(fx_year=pl.min_horizontal("reference_year", "latest_fx_year").cast(pl.Int32))
        .join(rates.rename({"year": "fx_year"}), on=["currency", "fx_year"], how="left")
    )
    return with_fx.with_columns(
        amount_low_usd=pl.col("amount_low") / pl.col("per_usd"),
        amount_high_usd=pl.col("amount_high") / pl.col("per_usd"),
        raw_files=pl.concat_list("raw_file", "fx_file").list.drop_nulls(),
    ).drop("latest_fx_year", "per_usd", "fx_file")


def observation_id(columns: list[str]) -> pl.Expr:
    """A stable id from what makes an observation itself, so that the same rate quoted twice is kept once."""
    return pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="|").map_elements(
        lambda text: hashlib.sha256(text.encode()).hexdigest()[:16], return_dtype=pl.String
    )


def observations(loaded: dict, reference: ReferenceFiles) -> pl.DataFrame:
    countries = loaded["countries"]
    model = reference.model()
    collected = pl.concat(
        [
            seed_observations(loaded["raw_vendor_seed"]),
            gsa_observations(loaded["raw_gsa_calc"], model.gsa_keywords),
            page_observations(loaded["raw_pricing_pages"], reference.pricing_pages(), countries),
            quote_observations(loaded["raw_vendor_quotes"], set(model.functions["function_id"])),
        ],
        how="diagonal_relaxed",
    )
    mapped = map_services(collected, model.service_functions)
    return (
        in_usd(mapped, countries, loaded["exchange_rates"])
        .with_columns(observation_id=observation_id(IDENTITY))
        # Of the same rate quoted twice, a readable copy is kept rather than one its file could not read: a broken
        # duplicate in one file must not drop a good quote in another.
        .sort(pl.col("parse_error").is_not_null(), maintain_order=True)
        .unique("observation_id", keep="first", maintain_order=True)
        .select(*VendorRateObservations.to_schema().columns, "parse_error")
    )


@asset_check(
    asset="vendor_rate_observations",
    description="Service wording that reference/service_functions.csv does not know: listed, never guessed. GSA "
    "labour categories are matched by the keywords of reference/gsa_category_functions.csv instead; a category no "
    "keyword matches is outside the functions by design.",
)
def service_wording_is_mapped(warehouse: Warehouse, reference: ReferenceFiles) -> AssetCheckResult:
    known = reference.model().service_functions["service_label"].str.strip_chars().str.to_lowercase()
    rows = warehouse.read(LAYER, "vendor_rate_observations")
    unknown = (
        rows.filter(
            pl.col("function_id").is_null()
            & (pl.col("source") != "gsa_calc")
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
    *staging_table(
        "vendor_rate_observations",
        VendorRateObservations,
        inputs=[
            "raw_vendor_seed",
            "raw_gsa_calc",
            "raw_pricing_pages",
            "raw_vendor_quotes",
            "countries",
            "exchange_rates",
        ],
        build=observations,
        country_column="country_iso3",
        # Analysts add and remove quote files: fewer observations than last time is their decision, not damage.
        guard_volume=False,
        description="Vendor rates as published (seed of public pages, pricing pages, GSA CALC, analysts' quotes), with "
        "the service mapped to a function and the amount in US$ at the exchange rate of its year.",
    ),
    service_wording_is_mapped,
]
