"""The location scorecard: cost against the risks a buyer weighs, per buyer, delivery location and year.

Components, each on 0..100 (the scales are stated in reference/scorecard_weights.csv beside the weights):
- cost, per office (front, back, IT): the saving of the location's cost per productive hour against the buyer's own;
  the scorecard's cost component is the mean of the three offices;
- rule of law and political stability: the World Bank's governance estimates of the latest year not after the year;
- language: the share of the population speaking the buyer's main language, from the Unicode CLDR territory data
  that `babel` ships, with the language's official status;
- time zone: the overlap of the two business days, from the tiers;
- vendor depth: how many distinct sources of vendor prices and pay the observations hold for the location (coverage
  of our observations, not the size of the market).
The composite is the weighted mean of the components present; a missing component does not count as zero: it lowers
`confidence`, the share of the weights that could be used.
"""

from __future__ import annotations

import polars as pl
from babel.core import get_global

from schemas.vocabulary import OFFICES, SCORECARD_COMPONENTS

WGI = {"RL.EST": "rule_of_law", "PV.EST": "political_stability"}
WGI_RANGE = 2.5
BUSINESS_DAY_HOURS = 8.0
FULL_VENDOR_DEPTH = 10
OFFICE_COLUMNS = [f"{measure}_{office}" for measure in ("cost_index", "vendor_rate_usd_hour") for office in OFFICES]


def buyer_languages(countries: pl.DataFrame, buyers: list[str]) -> pl.DataFrame:
    """Each buyer's main language: the most spoken official (or de facto official) language of its territory in CLDR;
    null where CLDR has none."""
    territories = get_global("territory_languages")
    rows = []
    for buyer, iso2 in countries.filter(pl.col("iso3").is_in(buyers)).select("iso3", "iso2").iter_rows():
        spoken = territories.get(iso2, {})
        official = [
            (data.get("population_percent", 0), language)
            for language, data in spoken.items()
            if data.get("official_status") in ("official", "de_facto_official")
        ]
        rows.append((buyer, max(official)[1] if official else None))
    return pl.DataFrame(rows, schema={"buyer_iso3": pl.String, "buyer_language": pl.String}, orient="row")


def language_shares(countries: pl.DataFrame, languages: list[str]) -> pl.DataFrame:
    """(iso3, language, share of the population speaking it, official status) for each of `languages` in every
    territory CLDR describes. CLDR lists the languages a territory's population speaks down to small shares, so a
    language it does not list there is spoken by next to nobody: 0 %. A territory CLDR does not describe gets no row
    (unknown, not 0)."""
    territories = get_global("territory_languages")
    rows = [
        (
            iso3,
            language,
            spoken.get(language, {}).get("population_percent", 0.0),
            spoken.get(language, {}).get("official_status"),
        )
        for iso3, iso2 in countries.select("iso3", "iso2").iter_rows()
        if (spoken := territories.get(iso2))
        for language in languages
    ]
    schema = {"iso3": pl.String, "language": pl.String, "speakers_pct": pl.Float64, "official_status": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def office_costs(costs: pl.DataFrame, tiers: pl.DataFrame, vendor_rates: pl.DataFrame) -> pl.DataFrame:
    """Per buyer, location, year and office: the mean cost per productive hour and vendor rate of the office's
    functions, and their index against the buyer's own cost of the same functions."""
    onshore = costs.select(
        "year",
        pl.col("country_iso3").alias("buyer_iso3"),
        "function_id",
        pl.col("cost_per_productive_hour_usd").alias("onshore_cost"),
    )
    return (
        costs.select("year", "country_iso3", "function_id", "office", "cost_per_productive_hour_usd")
        .join(
            vendor_rates.select("year", "country_iso3", "function_id", "rate_mid_usd_hour"),
            on=["year", "country_iso3", "function_id"],
            how="left",
        )
        .join(tiers.select("buyer_iso3", "country_iso3"), on="country_iso3")
        .join(onshore, on=["year", "buyer_iso3", "function_id"])
        .group_by("buyer_iso3", "country_iso3", "year", "office")
        .agg(
            cost_index=(pl.col("cost_per_productive_hour_usd") / pl.col("onshore_cost")).mean(),
            vendor_rate_usd_hour=pl.col("rate_mid_usd_hour").mean(),
        )
    )


def location_scorecard(
    costs: pl.DataFrame,
    tiers: pl.DataFrame,
    vendor_rates: pl.DataFrame,
    governance: pl.DataFrame,
    observations: pl.DataFrame,
    countries: pl.DataFrame,
    buyers: list[str],
    weights: pl.DataFrame,
) -> pl.DataFrame:
    """One row per buyer, delivery location and year: the components, the composite, its confidence and rank."""
    locations = costs.filter("is_delivery_location").select("year", "country_iso3").unique()
    by_office = office_costs(
        costs.filter("is_delivery_location"), tiers.filter(pl.col("buyer_iso3").is_in(buyers)), vendor_rates
    )
    offices = by_office.pivot(
        "office", index=["buyer_iso3", "country_iso3", "year"], values=["cost_index", "vendor_rate_usd_hour"]
    )
    # An office no location has observations for still gets its (null) columns.
    offices = offices.with_columns(
        pl.lit(None, pl.Float64).alias(column) for column in OFFICE_COLUMNS if column not in offices.columns
    )
    years = locations.select("year").unique()
    # Per country, indicator and benchmark year, the latest estimate not after the year: an as-of join within each
    # country and indicator, so each estimate is looked at once rather than once per benchmark year.
    targets = (
        governance.select("iso3", "indicator")
        .unique()
        .join(years.rename({"year": "year_benchmark"}), how="cross")
        .sort("year_benchmark")
    )
    estimates = governance.select("iso3", "indicator", "value", pl.col("year").alias("governance_year"))
    latest_governance = (
        targets.join_asof(
            estimates.sort("governance_year"),
            left_on="year_benchmark",
            right_on="governance_year",
            by=["iso3", "indicator"],
            strategy="backward",
            check_sortedness=False,  # sorted just above; polars cannot check it within `by` groups
        )
        .filter(pl.col("governance_year").is_not_null())
        .with_columns(pl.col("indicator").replace_strict(WGI))
        .pivot("indicator", index=["iso3", "year_benchmark"], values=["value", "governance_year"])
        .rename({"iso3": "country_iso3", "year_benchmark": "year"})
    )
    depth = (
        observations.filter(pl.col("function_id").is_not_null())
        .group_by("country_iso3")
        .agg(vendor_sources=pl.col("source_name").n_unique().cast(pl.UInt32))
    )
    main_languages = buyer_languages(countries, buyers)
    shares = language_shares(countries, main_languages["buyer_language"].drop_nulls().unique().to_list())
    language = main_languages.join(
        shares.rename({"iso3": "country_iso3", "language": "buyer_language"}), on="buyer_language", how="left"
    )
    frame = (
        tiers.filter(pl.col("buyer_iso3").is_in(buyers))
        .select("buyer_iso3", "country_iso3", "tier", "overlap_hours")
        .join(locations, on="country_iso3")
        .join(offices, on=["buyer_iso3", "country_iso3", "year"], how="left")
        .join(latest_governance, on=["country_iso3", "year"], how="left")
        .join(depth, on="country_iso3", how="left")
        .join(buyer_languages(countries, buyers), on="buyer_iso3", how="left")
        .join(
            language.select("buyer_iso3", "country_iso3", "speakers_pct", "official_status"),
            on=["buyer_iso3", "country_iso3"],
            how="left",
        )
    )
    cost_indices = [f"cost_index_{office}" for office in OFFICES]
    clamp = lambda expr: expr.clip(0.0, 100.0)  # noqa: E731 - one scale rule for every component
    scored = frame.with_columns(
        score_cost=clamp(100 * (1 - pl.mean_horizontal(cost_indices))),
        score_rule_of_law=clamp((pl.col("value_rule_of_law") + WGI_RANGE) / (2 * WGI_RANGE) * 100),
        score_political_stability=clamp((pl.col("value_political_stability") + WGI_RANGE) / (2 * WGI_RANGE) * 100),
        score_language=clamp(pl.col("speakers_pct")),
        score_time_zone=clamp(pl.col("overlap_hours") / BUSINESS_DAY_HOURS * 100),
        score_vendor_depth=clamp(pl.col("vendor_sources").fill_null(0) / FULL_VENDOR_DEPTH * 100),
    )
    weight = dict(weights.select("component", pl.col("weight").cast(pl.Float64)).iter_rows())
    present = [pl.col(f"score_{c}").is_not_null().cast(pl.Float64) * weight[c] for c in SCORECARD_COMPONENTS]
    weighted = [pl.col(f"score_{c}").fill_null(0.0) * weight[c] for c in SCORECARD_COMPONENTS]
    total = sum(weight.values())
    with_score = scored.with_columns(
        composite_score=pl.sum_horizontal(weighted) / pl.sum_horizontal(present),
        confidence=pl.sum_horizontal(present) / total,
    )
    return (
        with_score.with_columns(
            rank=pl.col("composite_score").rank("ordinal", descending=True).over("buyer_iso3", "year").cast(pl.UInt32)
        )
        .join(
            countries.select(
                pl.col("iso3").alias("country_iso3"), pl.col("name").alias("country_name"), "region", "income_group"
            ),
            on="country_iso3",
            how="left",
        )
        .select(
            "buyer_iso3",
            "year",
            "country_iso3",
            "country_name",
            "region",
            "income_group",
            "tier",
            "rank",
            "composite_score",
            "confidence",
            *[f"score_{c}" for c in SCORECARD_COMPONENTS],
            *OFFICE_COLUMNS,
            pl.col("value_rule_of_law").alias("rule_of_law"),
            pl.col("governance_year_rule_of_law").cast(pl.Int32).alias("rule_of_law_year"),
            pl.col("value_political_stability").alias("political_stability"),
            pl.col("governance_year_political_stability").cast(pl.Int32).alias("political_stability_year"),
            "buyer_language",
            pl.col("speakers_pct").alias("buyer_language_speakers_pct"),
            pl.col("official_status").alias("buyer_language_status"),
            "overlap_hours",
            pl.col("vendor_sources").fill_null(0).cast(pl.UInt32),
        )
        .sort("buyer_iso3", "year", "rank")
    )
