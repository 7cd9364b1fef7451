"""Reference data: the versioned files in reference/ that hold every parameter an analyst could question.

Loading validates them; a bad file stops the model with a message naming the file, the line and what was expected,
before anything is computed or published.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandera.polars as pa
import polars as pl

from model.tiers import TierRules
from schemas.reference import (
    AcknowledgedWarnings,
    Buyers,
    CostParameters,
    CoverageRules,
    DeliveryLocations,
    Functions,
    GdpDistorted,
    IscoSocMajorGroups,
    RegionOverrides,
    ScorecardWeights,
    ServiceFunctions,
    WeakEvidencePhrases,
)
from schemas.vocabulary import COST_PARAMETERS, POSITIVE_COST_PARAMETERS, SCORECARD_COMPONENTS
from sources.gsa_calc import read_keywords

LIST_COLUMNS = ["isco08_unit_groups", "isco08_major_groups", "us_soc_codes"]


class ReferenceDataError(ValueError):
    """A reference file breaks its contract."""


@dataclass(frozen=True)
class ModelSettings:
    benchmark_years: list[int]
    max_wage_age_years: int
    recent_wage_age_years: int
    min_countries_per_income_group: int
    oecd_price_base_year: int
    max_price_level_ratio: int
    max_rate_age_years: int
    min_earnings_to_gdp_per_capita: float
    max_earnings_to_gdp_per_capita: float
    premium_pooling_weight: float
    undated_evidence_weight: float
    weak_evidence_weight: float
    max_carry_forward_factor: float


@dataclass(frozen=True)
class ReferenceData:
    functions: pl.DataFrame
    cost_parameters: pl.DataFrame
    tier_rules: TierRules
    region_overrides: pl.DataFrame
    buyers: list[str]
    settings: ModelSettings
    # Maps from a source's wording to a function: GSA labour-category keywords, and vendors' service wording.
    gsa_keywords: pl.DataFrame
    service_functions: pl.DataFrame
    # The countries buyers outsource to, each with its evidence (scripts/delivery_locations.py).
    delivery_locations: pl.DataFrame
    # Countries whose GDP per capita must not carry wages between years.
    gdp_distorted: pl.DataFrame
    # ISCO-08 major groups and the US SOC major groups that match them, for within-group factors.
    isco_soc_major_groups: pl.DataFrame
    # Phrases in a seed row's note that mark it as weak evidence.
    weak_evidence_phrases: pl.DataFrame
    # The scorecard's components, their weights, scales and rationale.
    scorecard_weights: pl.DataFrame
    # The coverages a team scenario can ask for, in hours a week.
    coverage_rules: pl.DataFrame
    # Rows a warning check flags that an analyst has looked at and let stand, with the reason.
    acknowledged_warnings: pl.DataFrame

    @property
    def paid_hours(self) -> float:
        """The default paid hours of an FTE year (reference/cost_parameters.csv), for pay quoted per hour or day."""
        defaults = self.cost_parameters.filter(scope_type="default", parameter="paid_hours_per_year")
        return defaults["value"].item()


def load_reference(folder: Path) -> ReferenceData:
    functions = _read(
        folder / "functions.csv", Functions, lambda f: f.with_columns(pl.col(LIST_COLUMNS).str.split(";"))
    )
    parameters = _read(
        folder / "cost_parameters.csv", CostParameters, lambda f: f.with_columns(pl.col("value").cast(pl.Float64))
    )
    function_ids = set(functions["function_id"])
    _check_parameters(parameters, function_ids, folder / "cost_parameters.csv")
    gsa_keywords = _gsa_keywords(folder / "gsa_category_functions.csv", function_ids)
    service_functions = _read(folder / "service_functions.csv", ServiceFunctions)
    _check_known_functions(service_functions, function_ids, folder / "service_functions.csv")
    try:
        tier_frame = pl.read_csv(folder / "tier_rules.csv", infer_schema=False)
        tier_rules = TierRules.from_frame(tier_frame.select("parameter", pl.col("value").cast(pl.Float64)))
    except (ValueError, pl.exceptions.PolarsError) as exc:
        raise ReferenceDataError(f"{folder / 'tier_rules.csv'}: {exc}") from None
    return ReferenceData(
        functions=functions,
        cost_parameters=parameters,
        tier_rules=tier_rules,
        region_overrides=_read(folder / "nearshore_region_overrides.csv", RegionOverrides),
        buyers=_read(folder / "buyers.csv", Buyers)["buyer_iso3"].to_list(),
        settings=_settings(folder / "model_settings.csv"),
        gsa_keywords=gsa_keywords,
        service_functions=service_functions,
        delivery_locations=_read(folder / "delivery_locations.csv", DeliveryLocations),
        gdp_distorted=_read(folder / "gdp_distorted.csv", GdpDistorted),
        isco_soc_major_groups=_read(folder / "isco_soc_major_groups.csv", IscoSocMajorGroups),
        weak_evidence_phrases=_read(folder / "weak_evidence_phrases.csv", WeakEvidencePhrases),
        scorecard_weights=_scorecard_weights(folder / "scorecard_weights.csv"),
        coverage_rules=_read(
            folder / "coverage_rules.csv",
            CoverageRules,
            lambda f: f.with_columns(pl.col("weekly_hours").cast(pl.Float64, strict=False)),
        ),
        acknowledged_warnings=_read(
            folder / "acknowledged_warnings.csv",
            AcknowledgedWarnings,
            lambda f: f.with_columns(pl.col("wage_source_year").cast(pl.Int32, strict=False)),
        ),
    )


def _read(path: Path, model: type[pa.DataFrameModel], prepare=lambda frame: frame) -> pl.DataFrame:
    try:
        return model.validate(prepare(pl.read_csv(path, infer_schema=False)), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.select("column", "check", "failure_case", "index").iter_rows()
        problems = [
            ("" if index is None else f"line {index + 2}: ") + f"{column} {check} (found {case!r})"
            for column, check, case, index in cases
        ]
        raise ReferenceDataError(f"{path}: " + "; ".join(problems)) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ReferenceDataError(f"{path}: cannot be read: {exc}") from None


def _scorecard_weights(path: Path) -> pl.DataFrame:
    """Every component once, weights that sum to more than 0 (each is then a share of their sum)."""
    weights = _read(path, ScorecardWeights, lambda f: f.with_columns(pl.col("weight").cast(pl.Float64, strict=False)))
    if missing := sorted(set(SCORECARD_COMPONENTS) - set(weights["component"])):
        raise ReferenceDataError(f"{path}: no weight for component(s) {missing}")
    if weights["weight"].sum() <= 0:
        raise ReferenceDataError(f"{path}: the weights sum to 0")
    return weights


def _gsa_keywords(path: Path, function_ids: set[str]) -> pl.DataFrame:
    """Every function needs a keyword, or GSA CALC's labour categories could never price it."""
    try:
        keywords = read_keywords(path.read_bytes(), str(path))
    except (ValueError, OSError) as exc:
        raise ReferenceDataError(str(exc)) from None
    _check_known_functions(keywords, function_ids, path)
    if uncovered := sorted(function_ids - set(keywords["function_id"])):
        raise ReferenceDataError(f"{path}: no keyword maps to function(s) {uncovered}; add a row for each")
    return keywords


def _check_known_functions(mapping: pl.DataFrame, function_ids: set[str], path: Path) -> None:
    """A map to a function that does not exist would be silently unused."""
    unknown = mapping.with_row_index("line", offset=2).filter(
        pl.col("function_id").is_not_null() & ~pl.col("function_id").is_in(sorted(function_ids))
    )
    if not unknown.is_empty():
        problems = [
            f"line {line}: unknown function {function!r}"
            for line, function in unknown.select("line", "function_id").iter_rows()
        ]
        raise ReferenceDataError(f"{path}: " + "; ".join(problems) + f"; known: {', '.join(sorted(function_ids))}")


def _check_parameters(parameters: pl.DataFrame, function_ids: set[str], path: Path) -> None:
    """What a row-by-row contract cannot see: positivity of divisors, scopes that name known functions, defaults."""
    problems = []
    for line, row in enumerate(parameters.iter_rows(named=True), start=2):
        name, scope_type, scope, value = row["parameter"], row["scope_type"], row["scope"] or "", row["value"]
        country, _, function = scope.partition("/") if scope_type == "country_function" else (scope, "", scope)
        if name in POSITIVE_COST_PARAMETERS and value <= 0:
            problems.append(f"line {line}: {name} must be greater than 0, found {value}")
        if scope_type == "default" and scope:
            problems.append(f"line {line}: a default has no scope, found {scope!r}")
        if scope_type in ("function", "country_function") and function not in function_ids:
            problems.append(f"line {line}: unknown function {function!r}; known: {', '.join(sorted(function_ids))}")
        if scope_type in ("country", "country_function") and not (len(country) == 3 and country.isupper()):
            problems.append(f"line {line}: scope {scope!r} must start with an ISO3 country code")
    defaults = set(parameters.filter(pl.col("scope_type") == "default")["parameter"])
    if missing := set(COST_PARAMETERS) - defaults:
        problems.append(f"no default value for {', '.join(sorted(missing))}")
    if problems:
        raise ReferenceDataError(f"{path}: " + "; ".join(problems))


def _settings(path: Path) -> ModelSettings:
    values = dict(pl.read_csv(path, infer_schema=False).select("parameter", "value").iter_rows())
    try:
        return ModelSettings(
            benchmark_years=[int(year) for year in values["benchmark_years"].split(";")],
            **{
                f.name: (float if f.type == "float" else int)(values[f.name])
                for f in fields(ModelSettings)
                if f.name != "benchmark_years"
            },
        )
    except (KeyError, ValueError) as exc:
        raise ReferenceDataError(f"{path}: missing or non-numeric setting: {exc}") from None


def check_against_countries(reference: ReferenceData, countries: pl.DataFrame, folder: Path) -> None:
    """What only the staging countries can tell: a region override naming no World Bank region, or a cost parameter
    for a country code that does not exist, would otherwise be silently unused."""
    regions = set(countries["region"].drop_nulls())
    unknown_regions = sorted(set(reference.region_overrides["region"]) - regions)
    if unknown_regions:
        raise ReferenceDataError(
            f"{folder / 'nearshore_region_overrides.csv'}: unknown World Bank region(s) {unknown_regions}; "
            f"known: {sorted(regions)}"
        )
    by_country = {"delivery_locations": reference.delivery_locations, "gdp_distorted": reference.gdp_distorted}
    for name, frame in by_country.items():
        if unknown := sorted(set(frame["iso3"]) - set(countries["iso3"])):
            raise ReferenceDataError(f"{folder / f'{name}.csv'}: unknown country code(s) {unknown}")
    scoped = reference.cost_parameters.filter(pl.col("scope_type").is_in(["country", "country_function"]))
    unknown_countries = sorted(set(scoped["scope"].str.slice(0, 3)) - set(countries["iso3"]))
    if unknown_countries:
        raise ReferenceDataError(f"{folder / 'cost_parameters.csv'}: unknown country code(s) {unknown_countries}")


def check_benchmark_years(reference: ReferenceData, exchange_rates: pl.DataFrame, folder: Path) -> None:
    """A benchmark year without any exchange rate would be priced by carrying every wage into a year no currency was
    converted in: refuse it, naming the setting."""
    known = set(exchange_rates["year"])
    if missing := sorted(set(reference.settings.benchmark_years) - known):
        raise ReferenceDataError(
            f"{folder / 'model_settings.csv'}: benchmark_years {missing} have no exchange rate in staging "
            f"(exchange rates cover {min(known)}-{max(known)})"
        )


def check_soc_codes(reference: ReferenceData, us_wages: pl.DataFrame, folder: Path) -> None:
    """A SOC code OEWS does not publish would silently drop out of the function's US wage."""
    known = set(us_wages["soc_code"])
    problems = [
        f"line {line}: {function} names SOC code(s) {missing} that BLS OEWS does not publish"
        for line, (function, codes) in enumerate(
            reference.functions.select("function_id", "us_soc_codes").iter_rows(), 2
        )
        if (missing := sorted(set(codes) - known))
    ]
    if problems:
        raise ReferenceDataError(f"{folder / 'functions.csv'}: " + "; ".join(problems))
