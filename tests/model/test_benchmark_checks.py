"""The rules behind the benchmark tables' warning checks: tiers dearer than onshore and countries far outside their
tier's spread."""

import polars as pl

from model.benchmarks import cost_outliers, dearer_than_onshore, tier_function_benchmarks

NO_RATES = pl.DataFrame(
    schema={"year": pl.Int32, "country_iso3": pl.String, "function_id": pl.String, "rate_mid_usd_hour": pl.Float64}
)


def costs(by_country: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": pl.Series([2023] * len(by_country), dtype=pl.Int32),
            "country_iso3": list(by_country),
            "country_name": list(by_country),
            "function_id": ["accounting"] * len(by_country),
            "cost_per_productive_hour_usd": list(by_country.values()),
            "is_delivery_location": [True] * len(by_country),
        }
    )


def tiers(by_country: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"buyer_iso3": ["AUS"] * len(by_country), "country_iso3": list(by_country), "tier": list(by_country.values())}
    )


def test_a_nearshore_tier_at_parity_is_listed_and_an_offshore_one_is_unexpected():
    cost = costs({"AUS": 20.0, "NZL": 20.2, "PHL": 5.0, "IND": 4.0})
    benchmarks = tier_function_benchmarks(
        cost, tiers({"AUS": "onshore", "NZL": "nearshore", "PHL": "offshore", "IND": "offshore"}), NO_RATES
    )
    dearer = dearer_than_onshore(benchmarks)
    assert dearer.select("tier", "unexpected").rows() == [("nearshore", False)]
    assert round(dearer["savings_vs_onshore_pct"][0], 6) == -1.0

    dear_offshore = costs({"AUS": 20.0, "NZL": 18.0, "CAN": 30.0, "USA": 35.0})
    benchmarks = tier_function_benchmarks(
        dear_offshore, tiers({"AUS": "onshore", "NZL": "nearshore", "CAN": "offshore", "USA": "offshore"}), NO_RATES
    )
    assert dearer_than_onshore(benchmarks).select("tier", "unexpected").rows() == [("offshore", True)]


def test_a_country_far_above_its_tiers_upper_quartile_or_below_its_lower_is_an_outlier():
    cost = costs({"AUS": 20.0, "PHL": 5.0, "IND": 4.0, "EGY": 4.5, "KEN": 5.5, "USA": 60.0, "XXX": 0.3})
    tier_of = {"AUS": "onshore", "PHL": "offshore", "IND": "offshore", "EGY": "offshore", "KEN": "offshore"}
    tier_rows = tiers(tier_of | {"USA": "offshore", "XXX": "offshore"})
    benchmarks = tier_function_benchmarks(cost, tier_rows, NO_RATES)
    outliers = cost_outliers(cost, tier_rows, benchmarks)
    assert sorted(outliers["country_iso3"]) == ["USA", "XXX"]  # 60 > 3 x p75; 0.3 < p25 / 3
    assert cost_outliers(cost.filter(pl.col("country_iso3").is_in(list(tier_of))), tier_rows, benchmarks).is_empty()
