"""Benchmarks layer: the cost model's published tables, computed from staging tables and reference data only.

Each table is validated against its contract before it is written; a failing row stops the asset, so nothing partial
is published. Tables are Hive-partitioned Parquet under $BPO_WAREHOUSE/benchmarks/<table>/.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pandera.polars as pa
import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetIn,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    multi_asset,
)

from assets.metadata import (
    CONTENT_DIGEST,
    VALIDATED_WHEN_WRITTEN,
    column_schema,
    markdown_table,
    recorded_when_written,
    table_metadata,
)
from assets.resources import PROJECT, ReferenceFiles, Warehouse
from model.backtest import model_backtest as backtest_rows
from model.benchmarks import acknowledged, costs_out_of_line, dearer_than_onshore, gdp_per_head, missing_tiers
from model.benchmarks import tier_function_benchmarks as summarise_tiers
from model.changes import FIGURES, figure_changes
from model.costs import location_function_costs as cost_rows
from model.oncosts import employer_cost_multipliers
from model.premia import function_premia, premium_pairs, wage_observations, with_premia
from model.reference import check_benchmark_years, check_soc_codes
from model.scenarios import read_scenarios
from model.scenarios import scenario_costs as scenario_rows
from model.scorecard import location_scorecard as scorecard_rows
from model.tiers import location_tiers as tier_rows
from model.vendor_rates import vendor_rates as rate_rows
from model.wages import WAGE_INPUTS, function_wages, relativities
from schemas.benchmarks import (
    BenchmarkChanges,
    EmployerOnCosts,
    FunctionPremia,
    LocationFunctionCosts,
    LocationScorecard,
    LocationTiers,
    ModelBacktest,
    OccupationRelativities,
    ScenarioCosts,
    TierFunctionBenchmarks,
    VendorRates,
)
from schemas.contract import ContractError, lost_keys, validate_stored

LAYER = "benchmarks"
IO_MANAGER = "published_tables"
# Published table -> (contract, Hive partition columns).
TABLES: dict[str, tuple[type[pa.DataFrameModel], list[str]]] = {
    "occupation_relativities": (OccupationRelativities, []),
    "location_function_costs": (LocationFunctionCosts, ["year"]),
    "function_premia": (FunctionPremia, []),
    "employer_on_costs": (EmployerOnCosts, []),
    "location_tiers": (LocationTiers, ["buyer_iso3"]),
    "vendor_rates": (VendorRates, ["year"]),
    "tier_function_benchmarks": (TierFunctionBenchmarks, ["buyer_iso3", "year"]),
    "model_backtest": (ModelBacktest, []),
    "benchmark_changes": (BenchmarkChanges, []),
    "location_scorecard": (LocationScorecard, ["buyer_iso3"]),
    "scenario_costs": (ScenarioCosts, []),
}


def provenance(reference: ReferenceFiles) -> dict[str, str]:
    """What an analyst needs to reproduce a published file: the reference files' checksums and where the raw
    files' origins are listed."""
    return {
        "producer": "bpo-benchmark (pipelines.definitions)",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reference_files_sha256": json.dumps(reference.checksums(), sort_keys=True),
        "raw_files": "each path in a row's `sources` is described in staging/raw_sources (publisher, URL, licence)",
        "licences": "derived from ILOSTAT, World Bank, GeoNames and OECD data (CC BY 4.0) and BLS data (public domain)",
    }


def publish(warehouse: Warehouse, reference: ReferenceFiles, table: str, frame: pl.DataFrame) -> MaterializeResult:
    model, partition_by = TABLES[table]
    problems = validate_stored(frame, model)
    if problems:
        raise ContractError(f"{table}: not published, the model's output breaks its contract: {'; '.join(problems)}")
    # benchmark_changes is exempt: its size is how much changed, not how much there is.
    if table != "benchmark_changes":
        check_no_lost_keys(warehouse, reference, table, frame, model)
    descriptions = {name: column.description or "" for name, column in model.to_schema().columns.items()}
    path = warehouse.publish(table, frame, partition_by, descriptions, provenance(reference))
    return MaterializeResult(asset_key=table, metadata=table_metadata(frame, path, warehouse.published_digest(table)))


def check_no_lost_keys(
    warehouse: Warehouse, reference: ReferenceFiles, table: str, frame: pl.DataFrame, model: type[pa.DataFrameModel]
) -> None:
    """With the same reference files as the current version, a table that lost many keys lost its inputs, not its
    scope: refuse it (a change of reference files, such as fewer benchmark years, may shrink a table on purpose)."""
    before, provenance_before = warehouse.read_current(table), warehouse.current_provenance(table)
    if before is None or json.loads(provenance_before["reference_files_sha256"]) != reference.checksums():
        return
    if loss := lost_keys(before, frame, model):
        raise ContractError(f"{table}: not published, {loss} in the current version with the same reference files")


def _asset(name: str, description: str):
    """A published table's asset: its inputs are its parameters, loaded by the IO manager of the layer they are in."""
    return asset(
        name=name,
        group_name=LAYER,
        kinds={"parquet"},
        description=description,
        metadata={"dagster/column_schema": column_schema(TABLES[name][0]), "partitioned_by": TABLES[name][1]},
        io_manager_key=IO_MANAGER,
    )


def _spec(name: str, description: str, deps: list[str]) -> AssetSpec:
    """The same for one table of a step that writes several from `deps`."""
    return AssetSpec(
        name,
        description=description,
        deps=deps,
        kinds={"parquet"},
        metadata={"dagster/column_schema": column_schema(TABLES[name][0]), "partitioned_by": TABLES[name][1]},
    ).with_io_manager_key(IO_MANAGER)


@_asset(
    "occupation_relativities",
    "Each ISCO-08 major group's earnings relative to the national mean, by World Bank income group and over all "
    "countries: median, quartiles, range and the country-years behind it.",
)
def occupation_relativities(
    warehouse: Warehouse, reference: ReferenceFiles, earnings: pl.DataFrame, countries: pl.DataFrame
) -> MaterializeResult:
    frame = relativities(earnings, countries, reference.model().settings)
    return publish(warehouse, reference, "occupation_relativities", frame)


# The staging tables the wages, premia and costs are computed from: the one list of the step's inputs.
COST_INPUTS = [*WAGE_INPUTS, "employer_costs", "vendor_rate_observations"]


@multi_asset(
    ins={name: AssetIn(name) for name in COST_INPUTS},
    specs=[
        _spec(
            "location_function_costs",
            "Wage, loaded cost per FTE and cost per productive hour of each business function in each country with "
            "data, per benchmark year, with the method, source year, factors, premium, on-costs, quality grade and "
            "raw files of every number, and whether the country is a delivery location.",
            COST_INPUTS,
        ),
        _spec(
            "employer_on_costs",
            "What an employer pays on top of the gross wage in each country, as a multiplier of the wage: the best "
            "measured source, or the median of the country's income group, with the source, year and measure.",
            COST_INPUTS,
        ),
        _spec(
            "function_premia",
            "Observed pay of outsourcing staff against the model's wage, per function and income group: the premium "
            "applied (partially pooled towards the function, office and all work), and the observations behind it.",
            COST_INPUTS,
        ),
    ],
    group_name=LAYER,
)
def location_function_costs(warehouse: Warehouse, reference: ReferenceFiles, **staging: pl.DataFrame):
    """Wages need the premia and the premia are measured against the wages, so one step computes both tables."""
    countries = staging["countries"]
    ref = reference.checked(countries)
    check_benchmark_years(ref, staging["exchange_rates"], reference.path)
    check_soc_codes(ref, staging["us_occupation_wages"], reference.path)
    wages = function_wages(staging, ref)
    observed = wage_observations(
        staging["vendor_rate_observations"], ref.weak_evidence_phrases, ref.settings, ref.paid_hours
    )
    premia = function_premia(
        premium_pairs(observed, wages, ref.functions, countries), ref.functions, countries, ref.settings
    )
    on_costs = employer_cost_multipliers(staging["employer_costs"], countries, ref.settings)
    yield publish(warehouse, reference, "function_premia", premia)
    yield publish(
        warehouse, reference, "employer_on_costs", on_costs.rename({"iso3": "country_iso3"}).sort("country_iso3")
    )
    yield publish(
        warehouse,
        reference,
        "location_function_costs",
        cost_rows(with_premia(wages, premia, countries), countries, ref, on_costs),
    )


@_asset(
    "location_tiers",
    "Onshore, nearshore or offshore for every buyer and delivery country, with distance, time difference, "
    "business-hours overlap, shared border and the rule that decided.",
)
def location_tiers(warehouse: Warehouse, reference: ReferenceFiles, countries: pl.DataFrame) -> MaterializeResult:
    ref = reference.checked(countries)
    frame = tier_rows(countries, ref.buyers, ref.tier_rules, ref.region_overrides)
    return publish(warehouse, reference, "location_tiers", frame)


@_asset(
    "vendor_rates",
    "What vendors charge per productive hour for each function in each country: the published rates where there "
    "are any, else the loaded cost times a markup estimated from the observed (rate, cost) pairs.",
)
def vendor_rates(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    vendor_rate_observations: pl.DataFrame,
    location_function_costs: pl.DataFrame,
    countries: pl.DataFrame,
) -> MaterializeResult:
    ref = reference.checked(countries)
    frame = rate_rows(
        vendor_rate_observations,
        location_function_costs,
        countries,
        ref.cost_parameters,
        ref.weak_evidence_phrases,
        ref.settings,
    )
    return publish(warehouse, reference, "vendor_rates", frame)


@_asset(
    "tier_function_benchmarks",
    "For each buyer, function and tier: how many delivery countries, the quartiles of their cost per productive "
    "hour, savings against onshore, the cheapest countries, and the median vendor rate with its savings.",
)
def tier_function_benchmarks(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    location_function_costs: pl.DataFrame,
    location_tiers: pl.DataFrame,
    vendor_rates: pl.DataFrame,
) -> MaterializeResult:
    frame = summarise_tiers(location_function_costs, location_tiers, vendor_rates)
    return publish(warehouse, reference, "tier_function_benchmarks", frame)


@_asset(
    "model_backtest",
    "How far the model is from the market: each country held out in turn, its observed pay and vendor rates "
    "predicted from the other countries' premia and markups; median absolute log error and share within 1.5x per "
    "function, office and buyer's tier.",
)
def model_backtest(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    vendor_rate_observations: pl.DataFrame,
    location_function_costs: pl.DataFrame,
    location_tiers: pl.DataFrame,
    countries: pl.DataFrame,
) -> MaterializeResult:
    frame = backtest_rows(
        vendor_rate_observations, location_function_costs, location_tiers, countries, reference.model()
    )
    return publish(warehouse, reference, "model_backtest", frame)


@_asset(
    "location_scorecard",
    "For each buyer, delivery location and year: cost against the risks a buyer weighs (rule of law, political "
    "stability, language, time zone, vendor depth), each on 0..100, a weighted composite with its confidence, and "
    "the rank.",
)
def location_scorecard(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    location_function_costs: pl.DataFrame,
    location_tiers: pl.DataFrame,
    vendor_rates: pl.DataFrame,
    governance: pl.DataFrame,
    vendor_rate_observations: pl.DataFrame,
    countries: pl.DataFrame,
) -> MaterializeResult:
    ref = reference.model()
    frame = scorecard_rows(
        location_function_costs,
        location_tiers,
        vendor_rates,
        governance,
        vendor_rate_observations,
        countries,
        ref.buyers,
        ref.scorecard_weights,
    )
    return publish(warehouse, reference, "location_scorecard", frame)


class ScenarioFile(Config):
    """Which scenario file to price (CSV: scenario_id, buyer_iso3, function_id, seats, coverage, locations, note)."""

    path: str = str(PROJECT / "scenarios" / "example.csv")


@_asset(
    "scenario_costs",
    "What the teams of a scenario file cost a year in each candidate location and in each tier of their buyer: paid "
    "FTEs by the shift rule, labour cost and vendor price (low, mid, high), and the saving against onshore.",
)
def scenario_costs(
    config: ScenarioFile,
    warehouse: Warehouse,
    reference: ReferenceFiles,
    location_function_costs: pl.DataFrame,
    vendor_rates: pl.DataFrame,
    location_tiers: pl.DataFrame,
    tier_function_benchmarks: pl.DataFrame,
    countries: pl.DataFrame,
) -> MaterializeResult:
    ref = reference.model()
    teams = read_scenarios(
        Path(config.path), set(ref.functions["function_id"]), set(countries["iso3"]), ref.coverage_rules
    )
    frame = scenario_rows(
        teams,
        ref.coverage_rules,
        location_function_costs,
        vendor_rates,
        location_tiers,
        tier_function_benchmarks,
        max(ref.settings.benchmark_years),
    )
    return publish(warehouse, reference, "scenario_costs", frame)


@_asset(
    "benchmark_changes",
    "What this version changes against the current one: per key, the old and new headline figure (cost per "
    "productive hour, vendor rate, tier median) and why where known (the row's raw files or reference files changed).",
)
def benchmark_changes(
    warehouse: Warehouse,
    reference: ReferenceFiles,
    location_function_costs: pl.DataFrame,
    vendor_rates: pl.DataFrame,
    tier_function_benchmarks: pl.DataFrame,
) -> MaterializeResult:
    new = {
        "location_function_costs": location_function_costs,
        "vendor_rates": vendor_rates,
        "tier_function_benchmarks": tier_function_benchmarks,
    }
    frames = []
    for table in FIGURES:
        before = warehouse.current_provenance(table)
        old_checksums = json.loads(before.get("reference_files_sha256", "{}")) if before else {}
        changed_files = sorted(
            name
            for name, digest in reference.checksums().items()
            if old_checksums and old_checksums.get(name) != digest
        )
        frames.append(figure_changes(table, warehouse.read_current(table), new[table], changed_files))
    return publish(warehouse, reference, "benchmark_changes", pl.concat(frames))


def _warning_result(
    check: str, flagged: pl.DataFrame, reference: ReferenceFiles, *figures: pl.Expr
) -> AssetCheckResult:
    """A warning on `flagged` rows that fails on those no analyst has let stand (reference/acknowledged_warnings.csv),
    listing both kinds by country and source year with their rows, years and `figures`, and the acknowledgements that
    match nothing now."""
    seen, new, stale = acknowledged(flagged, reference.model().acknowledged_warnings, check)

    def by_country(frame: pl.DataFrame, *key: str) -> pl.DataFrame:
        years = pl.col("year").unique().sort().cast(pl.String).str.join(", ")
        return frame.group_by(*key).agg(pl.len().alias("rows"), years.alias("years"), *figures).sort(*key)

    key = ["country_iso3", "wage_source_year"]
    return AssetCheckResult(
        passed=new.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={
            "new_rows": new.height,
            "new_countries": ", ".join(new["country_iso3"].unique().sort()),
            "new_by_country": MetadataValue.md(markdown_table(by_country(new, *key))),
            "acknowledged_rows": seen.height,
            "acknowledged_by_country": MetadataValue.md(markdown_table(by_country(seen, *key, "reason"))),
            "acknowledgements_matching_nothing": MetadataValue.md(markdown_table(stale)),
        },
    )


@asset_check(
    asset="location_function_costs",
    description="Wages carried to a benchmark year by a factor outside [1/max, max] (max_carry_forward_factor in "
    "reference/model_settings.csv) that no analyst has let stand (reference/acknowledged_warnings.csv, keyed by "
    "country and the wage's source year): an index problem or a market to look at. Names the countries.",
)
def carry_forward_within_band(warehouse: Warehouse, reference: ReferenceFiles) -> AssetCheckResult:
    limit = reference.model().settings.max_carry_forward_factor
    costs = warehouse.read_published("location_function_costs")
    outside = costs.filter(~pl.col("carry_forward_factor").is_between(1 / limit, limit))
    return _warning_result(
        "carry_forward_within_band",
        outside,
        reference,
        pl.col("carry_forward_factor").min().round(2).alias("lowest"),
        pl.col("carry_forward_factor").max().round(2).alias("highest"),
    )


@asset_check(
    asset="model_backtest",
    description="A rerun whose backtest is worse than the previously published one (a share within 1.5x lower by "
    "more than 2 points, over all observations of a kind) deserves a look before it is trusted.",
)
def backtest_no_worse_than_before(warehouse: Warehouse) -> AssetCheckResult:
    key = ["kind", "dimension", "group"]
    overall = warehouse.read_published("model_backtest").filter(pl.col("dimension") == "all")
    before = warehouse.read_current("model_backtest")
    if before is not None:
        overall = overall.join(
            before.select(*key, pl.col("share_within_1_5x").alias("previous_share_within_1_5x")), on=key, how="left"
        )
    else:
        overall = overall.with_columns(previous_share_within_1_5x=pl.lit(None, pl.Float64))
    worse = overall.filter(pl.col("share_within_1_5x") < pl.col("previous_share_within_1_5x") - 0.02)
    return AssetCheckResult(
        passed=worse.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={"rows": MetadataValue.md(markdown_table(overall.drop("dimension", "group")))},
    )


def published_contract_check(table: str):
    model = TABLES[table][0]

    @asset_check(
        asset=table,
        name=f"{table}_keeps_contract",
        blocking=True,
        description=f"The published {table} satisfies the {model.__name__} contract (keys, ranges, nulls).",
    )
    def _check(context, warehouse: Warehouse) -> AssetCheckResult:
        digest = warehouse.published_digest(table)
        if written := recorded_when_written(context, table, digest):
            return AssetCheckResult(
                passed=True,
                description=VALIDATED_WHEN_WRITTEN,
                metadata={"rows": written["dagster/row_count"], CONTENT_DIGEST: digest},
            )
        frame = warehouse.read_published(table)
        problems = validate_stored(frame, model)
        return AssetCheckResult(
            passed=not problems,
            description="; ".join(problems) or None,
            metadata={"rows": frame.height, CONTENT_DIGEST: digest},
        )

    return _check


@asset_check(
    asset="tier_function_benchmarks",
    blocking=True,
    description="Every default buyer has onshore, nearshore and offshore figures for every function and year.",
)
def tiers_complete(warehouse: Warehouse, reference: ReferenceFiles) -> AssetCheckResult:
    ref = reference.model()
    missing = missing_tiers(
        warehouse.read_published("tier_function_benchmarks"),
        ref.buyers,
        ref.functions["function_id"].to_list(),
        ref.settings.benchmark_years,
    )
    return AssetCheckResult(
        passed=missing.is_empty(),
        metadata={"missing": missing.height, "first_missing": MetadataValue.md(markdown_table(missing))},
    )


@asset_check(
    asset="tier_function_benchmarks",
    description="An offshore tier's median should cost less than onshore; where it does not, the buyer's onshore "
    "figure or the tier's delivery locations deserve a look. Nearshore tiers dearer than onshore are listed without "
    "failing: a high-wage buyer's neighbours are often high-wage too.",
)
def tiers_cheaper_than_onshore(warehouse: Warehouse) -> AssetCheckResult:
    dearer = dearer_than_onshore(warehouse.read_published("tier_function_benchmarks"))
    unexpected = dearer.filter("unexpected")
    return AssetCheckResult(
        passed=unexpected.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={
            "offshore_dearer_than_onshore": unexpected.height,
            "nearshore_dearer_than_onshore": dearer.height - unexpected.height,
            "rows": MetadataValue.md(markdown_table(dearer.drop("unexpected"))),
        },
    )


@asset_check(
    asset="location_function_costs",
    description="Delivery locations whose loaded cost is more than 3x, or less than a third of, what their GDP per "
    "head predicts (a log-log line per function and year across delivery locations): more often a unit, scale or "
    "survey problem than a market. Fails on rows no analyst has let stand (reference/acknowledged_warnings.csv, keyed "
    "by country and the wage's source year); names the countries, years and wage sources.",
)
def costs_in_line_with_income(warehouse: Warehouse, reference: ReferenceFiles) -> AssetCheckResult:
    income = gdp_per_head(*(warehouse.read("staging", table) for table in ("gdp_per_capita", "gdp", "population")))
    outliers = costs_out_of_line(warehouse.read_published("location_function_costs"), income)
    return _warning_result(
        "costs_in_line_with_income",
        outliers,
        reference,
        pl.col("function_id").unique().sort().str.join(", ").alias("functions"),
        pl.col("times_predicted").min().round(2).alias("lowest_times_predicted"),
        pl.col("times_predicted").max().round(2).alias("highest_times_predicted"),
    )


definitions: list = [
    occupation_relativities,
    location_function_costs,
    location_tiers,
    vendor_rates,
    tier_function_benchmarks,
    *(published_contract_check(table) for table in TABLES),
    tiers_complete,
    tiers_cheaper_than_onshore,
    costs_in_line_with_income,
    model_backtest,
    location_scorecard,
    scenario_costs,
    benchmark_changes,
    backtest_no_worse_than_before,
    carry_forward_within_band,
]
