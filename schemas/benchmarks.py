"""Contracts of the published benchmark tables."""

import pandera.polars as pa
import polars as pl

from schemas.common import ISO3, year_field
from schemas.vocabulary import ISCO08_MAJOR_GROUPS, OFFICES, QUALITY_GRADES, RATE_BASES, TIERS, WAGE_METHODS


class LocationFunctionCosts(pa.DataFrameModel):
    year: pl.Int32 = year_field("benchmark year")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="delivery country")
    function_id: pl.String = pa.Field(description="business function (reference/functions.csv)")
    country_name: pl.String = pa.Field(description="delivery country name (GeoNames)")
    region: pl.String = pa.Field(nullable=True, description="World Bank region of the country")
    income_group: pl.String = pa.Field(nullable=True, description="World Bank income group of the country")
    function_name: pl.String = pa.Field(description="business function name")
    office: pl.String = pa.Field(isin=OFFICES, description="front office, back office or IT")
    is_delivery_location: pl.Boolean = pa.Field(
        description="whether buyers outsource to the country (reference/delivery_locations.csv, with the evidence)"
    )
    wage_monthly_usd: pl.Float64 = pa.Field(
        gt=0, lt=50_000, description="gross monthly wage, US$ of the benchmark year"
    )
    wage_hourly_usd: pl.Float64 = pa.Field(
        gt=0, lt=300, description="wage per paid hour, US$ (annual wage / paid hours)"
    )
    loaded_cost_annual_usd: pl.Float64 = pa.Field(
        gt=0,
        description="employer cost per FTE per year, US$: annual wage x employer cost multiplier + overhead per seat",
    )
    cost_per_productive_hour_usd: pl.Float64 = pa.Field(
        gt=0, lt=500, description="loaded cost per FTE / productive hours per year, US$"
    )
    wage_method: pl.String = pa.Field(
        isin=WAGE_METHODS,
        description="how the wage was obtained",
    )
    wage_source_year: pl.Int32 = year_field("year the wage was observed, before carrying forward")
    quality_grade: pl.String = pa.Field(isin=QUALITY_GRADES, description="A best .. D weakest; rules in the README")
    sources: pl.List(pl.String) = pa.Field(description="raw files the row's numbers come from (see raw_sources)")
    carry_forward_factor: pl.Float64 = pa.Field(gt=0, lt=5, description="growth applied from wage_source_year to year")
    carry_forward_rule: pl.String = pa.Field(description="which index carried the wage forward, between which years")
    relativity: pl.Float64 = pa.Field(
        gt=0, lt=10, nullable=True, description="occupation earnings / national mean applied (modelled wages only)"
    )
    relativity_basis: pl.String = pa.Field(
        nullable=True, description="the occupation_relativities rows (ISCO group / income group) the relativity is from"
    )
    mean_basis: pl.String = pa.Field(nullable=True, description="which national mean the modelled wage starts from")
    within_group_factor: pl.Float64 = pa.Field(
        gt=0,
        lt=5,
        nullable=True,
        description="the function's US wage against its ISCO group's US counterpart (OEWS), applied to the group wage",
    )
    within_group_basis: pl.String = pa.Field(
        nullable=True, description="the OEWS occupations and SOC major group the factor comes from, and their year"
    )
    premium: pl.Float64 = pa.Field(
        gt=0.2,
        lt=5,
        nullable=True,
        description="observed pay of outsourcing staff against the model's wage, applied (null for OEWS wages)",
    )
    premium_basis: pl.String = pa.Field(nullable=True, description="the function_premia row (function / income group)")
    employer_cost_multiplier: pl.Float64 = pa.Field(
        gt=1, lt=2, description="employer cost per unit of gross wage: the country's on-costs (see the basis)"
    )
    employer_cost_basis: pl.String = pa.Field(
        description="which source, year and measure the multiplier is from, or which median, or the reference file"
    )
    overhead_per_seat_usd_year: pl.Float64 = pa.Field(ge=0, description="from reference/cost_parameters.csv")
    paid_hours_per_year: pl.Float64 = pa.Field(gt=0, description="from reference/cost_parameters.csv")
    productive_hours_per_year: pl.Float64 = pa.Field(gt=0, description="from reference/cost_parameters.csv")

    class Config:
        unique = ["year", "country_iso3", "function_id"]
        strict = True


class LocationTiers(pa.DataFrameModel):
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, description="buyer country")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="delivery country")
    tier: pl.String = pa.Field(isin=TIERS, description="onshore, nearshore or offshore for this buyer")
    distance_km: pl.Float64 = pa.Field(
        ge=0, le=20_100, nullable=True, description="great-circle distance between capitals"
    )
    utc_offset_diff_h: pl.Float64 = pa.Field(
        ge=-26, le=26, nullable=True, description="delivery minus buyer standard UTC offset, hours"
    )
    overlap_hours: pl.Float64 = pa.Field(
        ge=0, le=24, nullable=True, description="hours shared by the two 09:00-17:00 local business days"
    )
    shares_border: pl.Boolean = pa.Field(description="the two countries share a land border")
    tier_reason: pl.String = pa.Field(description="the rule that decided the tier, with its numbers")

    class Config:
        unique = ["buyer_iso3", "country_iso3"]
        strict = True


class TierFunctionBenchmarks(pa.DataFrameModel):
    year: pl.Int32 = year_field("benchmark year")
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, description="buyer country")
    function_id: pl.String = pa.Field(description="business function")
    tier: pl.String = pa.Field(isin=TIERS, description="location tier relative to the buyer")
    n_countries: pl.UInt32 = pa.Field(ge=1, description="delivery countries of the tier with a cost")
    cost_per_hour_p25_usd: pl.Float64 = pa.Field(gt=0, description="25th percentile of cost per productive hour, US$")
    cost_per_hour_p50_usd: pl.Float64 = pa.Field(gt=0, description="median cost per productive hour, US$")
    cost_per_hour_p75_usd: pl.Float64 = pa.Field(gt=0, description="75th percentile of cost per productive hour, US$")
    savings_vs_onshore_pct: pl.Float64 = pa.Field(
        nullable=True, description="100 x (1 - tier median / onshore median); null where the buyer has no onshore cost"
    )
    cheapest_countries: pl.List(pl.String) = pa.Field(description="up to 3 ISO3 codes, cheapest first")
    cheapest_country_names: pl.List(pl.String) = pa.Field(description="their names, in the same order")
    vendor_rate_p50_usd_hour: pl.Float64 = pa.Field(
        gt=0, nullable=True, description="median vendor mid rate of the tier's countries (vendor_rates), US$ per hour"
    )
    vendor_savings_vs_onshore_pct: pl.Float64 = pa.Field(
        nullable=True, description="100 x (1 - tier vendor median / onshore vendor median)"
    )

    class Config:
        unique = ["year", "buyer_iso3", "function_id", "tier"]
        strict = True


class OccupationRelativities(pa.DataFrameModel):
    isco08_major_group: pl.String = pa.Field(isin=ISCO08_MAJOR_GROUPS, description="ISCO-08 major group")
    income_group: pl.String = pa.Field(description="World Bank income group, or 'all countries'")
    n_countries: pl.UInt32 = pa.Field(ge=1, description="countries with earnings by occupation in the group")
    relativity: pl.Float64 = pa.Field(
        gt=0, lt=10, description="median of the countries' group earnings / national mean"
    )
    relativity_p25: pl.Float64 = pa.Field(gt=0, description="25th percentile across the countries")
    relativity_p75: pl.Float64 = pa.Field(gt=0, description="75th percentile across the countries")
    relativity_min: pl.Float64 = pa.Field(gt=0, description="lowest country ratio")
    relativity_max: pl.Float64 = pa.Field(gt=0, description="highest country ratio")
    observations: pl.List(pl.String) = pa.Field(description="'ISO3 year' of each country ratio used")
    sources: pl.List(pl.String) = pa.Field(description="raw files of the earnings used")
    usable: pl.Boolean = pa.Field(description="enough countries to be applied (else the all-countries row is)")

    class Config:
        unique = ["isco08_major_group", "income_group"]
        strict = True


class VendorRates(pa.DataFrameModel):
    year: pl.Int32 = year_field("benchmark year")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="delivery country")
    function_id: pl.String = pa.Field(description="business function")
    basis: pl.String = pa.Field(
        isin=RATE_BASES, description="observed: the country's own published rates count; modelled: its group's only"
    )
    n_observations: pl.UInt32 = pa.Field(ge=0, description="published rates of the country and function (0: modelled)")
    rate_low_usd_hour: pl.Float64 = pa.Field(
        gt=0, description="cost x the pooled markup x its group's 25th percentile relative to the group, US$/h"
    )
    rate_mid_usd_hour: pl.Float64 = pa.Field(
        gt=0, description="loaded cost x the pooled markup (see markup_basis), US$ per productive hour"
    )
    rate_high_usd_hour: pl.Float64 = pa.Field(
        gt=0, description="cost x the pooled markup x its group's 75th percentile relative to the group, US$/h"
    )
    markup_ratio: pl.Float64 = pa.Field(
        gt=0, description="vendor mid rate / loaded cost per productive hour (location_function_costs)"
    )
    markup_basis: pl.String = pa.Field(description="how the rate or its markup was obtained, with the number of pairs")
    sources: pl.List(pl.String) = pa.Field(description="pages the observed rates were published on")

    class Config:
        unique = ["year", "country_iso3", "function_id"]
        strict = True


class FunctionPremia(pa.DataFrameModel):
    function_id: pl.String = pa.Field(description="business function")
    office: pl.String = pa.Field(isin=OFFICES, description="front office, back office or IT")
    income_group: pl.String = pa.Field(description="World Bank income group of the delivery countries")
    n_observations: pl.UInt32 = pa.Field(ge=0, description="observations of this function in this income group")
    evidence_weight: pl.Float64 = pa.Field(ge=0, description="their summed weight (undated or weak ones count less)")
    ratio_p25: pl.Float64 = pa.Field(gt=0, nullable=True, description="25th percentile of observed pay / model wage")
    ratio_median: pl.Float64 = pa.Field(gt=0, nullable=True, description="median of observed pay / model wage")
    ratio_p75: pl.Float64 = pa.Field(gt=0, nullable=True, description="75th percentile of observed pay / model wage")
    premium: pl.Float64 = pa.Field(
        gt=0.2, lt=5, description="the premium applied: weighted mean ratio pulled towards function_premium"
    )
    function_premium: pl.Float64 = pa.Field(gt=0, description="the function's premium over all income groups")
    office_premium: pl.Float64 = pa.Field(gt=0, description="the office's premium over all its functions")
    observation_ids: pl.List(pl.String) = pa.Field(
        description="the vendor_rate_observations rows behind it (price_type wage)"
    )

    class Config:
        unique = ["function_id", "income_group"]
        strict = True


class ModelBacktest(pa.DataFrameModel):
    kind: pl.String = pa.Field(isin=["wage", "vendor_rate"], description="what was predicted")
    dimension: pl.String = pa.Field(
        isin=["all", "function", "office", "grade", "tier"], description="how the rows are grouped"
    )
    group: pl.String = pa.Field(
        description="the function, the office, the model row's quality grade, `<buyer> buyer: <tier>`, or `all`"
    )
    n_observations: pl.UInt32 = pa.Field(gt=0, description="held-out observations predicted")
    n_dated: pl.UInt32 = pa.Field(ge=0, description="of which the page states a year")
    median_abs_log_error: pl.Float64 = pa.Field(ge=0, description="median |ln(predicted / observed)|")
    share_within_1_5x: pl.Float64 = pa.Field(
        ge=0, le=1, description="share of predictions within 1.5x of the observation"
    )
    share_within_1_5x_dated: pl.Float64 = pa.Field(
        ge=0, le=1, nullable=True, description="the same over dated observations only"
    )

    class Config:
        unique = ["kind", "dimension", "group"]
        strict = True


class EmployerOnCosts(pa.DataFrameModel):
    country_iso3: pl.String = pa.Field(str_matches=ISO3, unique=True, description="country")
    employer_cost_multiplier: pl.Float64 = pa.Field(
        gt=1, lt=2, description="employer cost per unit of gross wage: 1 / (1 - employer share of labour cost)"
    )
    employer_cost_basis: pl.String = pa.Field(
        description="the source table, year, share and measure, or the income-group median it is"
    )
    employer_cost_sources: pl.List(pl.String) = pa.Field(description="raw files of the figure or of the median")

    class Config:
        strict = True


class BenchmarkChanges(pa.DataFrameModel):
    table: pl.String = pa.Field(description="the published table")
    key: pl.String = pa.Field(description="the row's key, its parts joined by /; * for a table that did not change")
    figure: pl.String = pa.Field(description="the headline figure compared")
    old_value: pl.Float64 = pa.Field(nullable=True, description="in the version current before this one")
    new_value: pl.Float64 = pa.Field(nullable=True, description="in this version")
    change: pl.String = pa.Field(isin=["added", "removed", "changed", "unchanged"], description="what happened")
    reason: pl.String = pa.Field(nullable=True, description="why, where known: raw files or reference files changed")

    class Config:
        unique = ["table", "key"]
        strict = True


def _score(component: str) -> pa.Field:
    return pa.Field(ge=0, le=100, nullable=True, description=f"{component} component, 0..100 (scale in the weights)")


class LocationScorecard(pa.DataFrameModel):
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, description="buyer country")
    year: pl.Int32 = year_field("benchmark year")
    country_iso3: pl.String = pa.Field(str_matches=ISO3, description="delivery location")
    country_name: pl.String = pa.Field(nullable=True, description="its name (GeoNames)")
    region: pl.String = pa.Field(nullable=True, description="its World Bank region")
    income_group: pl.String = pa.Field(nullable=True, description="its World Bank income group")
    tier: pl.String = pa.Field(isin=TIERS, description="onshore, nearshore or offshore for this buyer")
    rank: pl.UInt32 = pa.Field(ge=1, description="rank by composite score among the buyer's delivery locations")
    composite_score: pl.Float64 = pa.Field(
        ge=0, le=100, description="weighted mean of the components present (reference/scorecard_weights.csv)"
    )
    confidence: pl.Float64 = pa.Field(gt=0, le=1, description="share of the weights whose component is present")
    score_cost: pl.Float64 = _score("cost: saving against the buyer's own cost")
    score_rule_of_law: pl.Float64 = _score("rule of law")
    score_political_stability: pl.Float64 = _score("political stability")
    score_language: pl.Float64 = _score("language: share speaking the buyer's main language")
    score_time_zone: pl.Float64 = _score("time zone: business-day overlap")
    score_vendor_depth: pl.Float64 = _score("vendor depth: distinct sources observed")
    cost_index_front: pl.Float64 = pa.Field(gt=0, nullable=True, description="front-office cost / the buyer's own")
    cost_index_back: pl.Float64 = pa.Field(gt=0, nullable=True, description="back-office cost / the buyer's own")
    cost_index_it: pl.Float64 = pa.Field(gt=0, nullable=True, description="IT cost / the buyer's own")
    vendor_rate_usd_hour_front: pl.Float64 = pa.Field(
        gt=0, nullable=True, description="front-office vendor rate, US$/h"
    )
    vendor_rate_usd_hour_back: pl.Float64 = pa.Field(gt=0, nullable=True, description="back-office vendor rate, US$/h")
    vendor_rate_usd_hour_it: pl.Float64 = pa.Field(gt=0, nullable=True, description="IT vendor rate, US$/h")
    rule_of_law: pl.Float64 = pa.Field(nullable=True, description="WGI rule of law estimate, -2.5..2.5")
    rule_of_law_year: pl.Int32 = pa.Field(nullable=True, description="its year")
    political_stability: pl.Float64 = pa.Field(nullable=True, description="WGI political stability estimate")
    political_stability_year: pl.Int32 = pa.Field(nullable=True, description="its year")
    buyer_language: pl.String = pa.Field(nullable=True, description="the buyer's main language (CLDR code)")
    buyer_language_speakers_pct: pl.Float64 = pa.Field(
        ge=0, le=100, nullable=True, description="share of the location's population speaking it (CLDR, via babel)"
    )
    buyer_language_status: pl.String = pa.Field(nullable=True, description="its official status there, if any")
    overlap_hours: pl.Float64 = pa.Field(ge=0, le=24, nullable=True, description="business-day overlap, hours")
    vendor_sources: pl.UInt32 = pa.Field(ge=0, description="distinct sources of prices and pay observed there")

    class Config:
        unique = ["buyer_iso3", "year", "country_iso3"]
        strict = True


class ScenarioCosts(pa.DataFrameModel):
    scenario_id: pl.String = pa.Field(description="the scenario, as its file names it")
    year: pl.Int32 = year_field("benchmark year priced")
    buyer_iso3: pl.String = pa.Field(str_matches=ISO3, description="buyer country")
    function_id: pl.String = pa.Field(description="business function of the team line")
    seats: pl.Float64 = pa.Field(gt=0, description="seats to fill")
    coverage: pl.String = pa.Field(description="hours covered (reference/coverage_rules.csv)")
    kind: pl.String = pa.Field(isin=["location", "tier"], description="a candidate location, or a tier of the buyer")
    location: pl.String = pa.Field(description="the country (ISO3), or the tier")
    paid_ftes: pl.Float64 = pa.Field(gt=0, description="paid FTEs the coverage needs (the shift rule)")
    labour_cost_low_usd: pl.Float64 = pa.Field(gt=0, description="labour cost a year, low (25th percentile)")
    labour_cost_mid_usd: pl.Float64 = pa.Field(gt=0, description="labour cost a year, mid")
    labour_cost_high_usd: pl.Float64 = pa.Field(gt=0, description="labour cost a year, high (75th percentile)")
    vendor_price_low_usd: pl.Float64 = pa.Field(gt=0, nullable=True, description="vendor price a year, low")
    vendor_price_mid_usd: pl.Float64 = pa.Field(gt=0, nullable=True, description="vendor price a year, mid")
    vendor_price_high_usd: pl.Float64 = pa.Field(gt=0, nullable=True, description="vendor price a year, high")
    savings_vs_onshore_pct: pl.Float64 = pa.Field(nullable=True, description="labour saving against onshore, %")

    class Config:
        unique = ["scenario_id", "function_id", "kind", "location"]
        strict = True
