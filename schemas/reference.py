"""Contracts of the reference files: the function taxonomy, cost parameters, buyers and model settings."""

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.common import ISO3
from schemas.vocabulary import (
    ACKNOWLEDGEABLE_WARNINGS,
    COST_PARAMETERS,
    ISCO08_MAJOR_GROUPS,
    OFFICES,
    OVERRIDE_TIERS,
    PARAMETER_SCOPES,
    SCORECARD_COMPONENTS,
    SENIORITIES,
)


class Functions(pa.DataFrameModel):
    function_id: pl.String = pa.Field(str_matches=r"^[a-z][a-z_]*$", unique=True, description="business function id")
    function_name: pl.String = pa.Field(description="name shown to readers")
    office: pl.String = pa.Field(isin=OFFICES, description="front office, back office or IT")
    isco08_unit_groups: pl.List(pl.String) = pa.Field(description="ISCO-08 unit groups doing the work")
    isco08_major_groups: pl.List(pl.String) = pa.Field(description="their ISCO-08 major groups, 1..9")
    us_soc_codes: pl.List(pl.String) = pa.Field(description="matching US SOC 2018 detailed occupations")

    @pa.check("isco08_major_groups", name="major groups are 1..9 and not empty")
    def major_groups_known(cls, data: PolarsData) -> pl.LazyFrame:
        groups = pl.col(data.key)
        return data.lazyframe.select(
            groups.list.eval(pl.element().is_in(ISCO08_MAJOR_GROUPS)).list.all() & (groups.list.len() > 0)
        )

    @pa.check("us_soc_codes", name="SOC codes look like 43-4051 and are not empty")
    def soc_codes_well_formed(cls, data: PolarsData) -> pl.LazyFrame:
        codes = pl.col(data.key)
        return data.lazyframe.select(
            codes.list.eval(pl.element().str.contains(r"^\d{2}-\d{4}$")).list.all() & (codes.list.len() > 0)
        )


class CostParameters(pa.DataFrameModel):
    parameter: pl.String = pa.Field(isin=COST_PARAMETERS, description="which parameter")
    scope_type: pl.String = pa.Field(isin=PARAMETER_SCOPES, description="what the value applies to")
    scope: pl.String = pa.Field(nullable=True, description="ISO3, function_id, or ISO3/function_id; empty for default")
    value: pl.Float64 = pa.Field(ge=0, description="the parameter's value")
    unit: pl.String = pa.Field(description="unit of the value")
    source: pl.String = pa.Field(str_length={"min_value": 10}, description="where the value comes from")

    class Config:
        unique = ["parameter", "scope_type", "scope"]


class Buyers(pa.DataFrameModel):
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, unique=True, description="buyer country")


class RegionOverrides(pa.DataFrameModel):
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, description="buyer country the override applies to")
    region: pl.String = pa.Field(description="World Bank region of the delivery countries")
    tier: pl.String = pa.Field(isin=OVERRIDE_TIERS, description="tier those countries get")
    note: pl.String = pa.Field(nullable=True, description="why")

    class Config:
        unique = ["buyer_iso3", "region"]


class ServiceFunctions(pa.DataFrameModel):
    service_label: pl.String = pa.Field(unique=True, description="a source's wording of a service, as it writes it")
    function_id: pl.String = pa.Field(nullable=True, description="the function it is; empty: on purpose, none")
    seniority: pl.String = pa.Field(
        isin=SENIORITIES, nullable=True, description="entry, mid or senior where the wording says so; empty otherwise"
    )
    note: pl.String = pa.Field(nullable=True, description="why, where it is not obvious")


class DeliveryLocations(pa.DataFrameModel):
    iso3: pl.String = pa.Field(str_matches=ISO3, unique=True, description="a country buyers outsource to")
    basis: pl.String = pa.Field(description="what kind of evidence: `seed` (scripts/delivery_locations.py) or other")
    evidence: pl.String = pa.Field(str_length={"min_value": 10}, description="the evidence, citable")


class GdpDistorted(pa.DataFrameModel):
    iso3: pl.String = pa.Field(str_matches=ISO3, unique=True, description="a country whose GDP does not follow wages")
    reason: pl.String = pa.Field(str_length={"min_value": 10}, description="why, in a sentence")
    source: pl.String = pa.Field(str_length={"min_value": 10}, description="who says so")


class AcknowledgedWarnings(pa.DataFrameModel):
    check: pl.String = pa.Field(isin=ACKNOWLEDGEABLE_WARNINGS, description="the warning check")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="the country whose rows it flags")
    wage_source_year: pl.Int32 = pa.Field(
        ge=1990, description="the year of the wage those rows stand on: a newer source is looked at again"
    )
    reason: pl.String = pa.Field(str_length={"min_value": 20}, description="why the figures stand, with the evidence")

    class Config:
        unique = ["check", "country_iso3", "wage_source_year"]


class IscoSocMajorGroups(pa.DataFrameModel):
    isco08_major_group: pl.String = pa.Field(isin=ISCO08_MAJOR_GROUPS, unique=True, description="ISCO-08 major group")
    soc_major_group: pl.String = pa.Field(str_matches=r"^\d{2}$", description="the US SOC major group matching it")
    source: pl.String = pa.Field(str_length={"min_value": 10}, description="the crosswalk that says so")
    note: pl.String = pa.Field(nullable=True, description="what the match leaves out")


class WeakEvidencePhrases(pa.DataFrameModel):
    phrase: pl.String = pa.Field(str_length={"min_value": 3}, unique=True, description="words in a seed row's note")
    why: pl.String = pa.Field(str_length={"min_value": 10}, description="what makes such a row weak evidence")


class ScorecardWeights(pa.DataFrameModel):
    component: pl.String = pa.Field(
        isin=SCORECARD_COMPONENTS,
        unique=True,
        description="a scorecard component",
    )
    weight: pl.Float64 = pa.Field(ge=0, le=1, description="its weight in the composite")
    scale: pl.String = pa.Field(str_length={"min_value": 10}, description="how it is put on 0..100")
    rationale: pl.String = pa.Field(str_length={"min_value": 10}, description="why this weight")


class CoverageRules(pa.DataFrameModel):
    coverage: pl.String = pa.Field(unique=True, description="a coverage a scenario can ask for")
    weekly_hours: pl.Float64 = pa.Field(gt=0, le=168, description="hours a week a seat is covered")
    rationale: pl.String = pa.Field(str_length={"min_value": 10}, description="the shifts behind it")
