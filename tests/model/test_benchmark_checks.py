"""The rules behind the benchmark tables' warning checks: tiers dearer than onshore and countries whose cost is far
from what their income predicts."""

import polars as pl

from model.benchmarks import acknowledged, costs_out_of_line, dearer_than_onshore, tier_function_benchmarks

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


# GDP per head of delivery locations, poor to rich; their loaded cost follows it on a log-log line.
INCOME = {
    "PAK": 1_500,
    "IND": 2_500,
    "PHL": 3_800,
    "EGY": 4_000,
    "COL": 7_000,
    "POL": 22_000,
    "CAN": 53_000,
    "USA": 81_000,
}


def costed(by_country: dict[str, float], delivery: bool = True) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": pl.Series([2023] * len(by_country), dtype=pl.Int32),
            "country_iso3": list(by_country),
            "function_id": ["accounting"] * len(by_country),
            "loaded_cost_annual_usd": list(by_country.values()),
            "is_delivery_location": [delivery] * len(by_country),
            "wage_method": ["ilostat_occupation"] * len(by_country),
            "wage_source_year": pl.Series([2022] * len(by_country), dtype=pl.Int32),
        }
    )


def income(by_country: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "country_iso3": list(by_country),
            "year": [2023] * len(by_country),
            "gdp_per_head_usd": list(by_country.values()),
        },
        schema_overrides={"year": pl.Int32},
    )


def test_a_cost_far_from_what_income_predicts_is_an_outlier_and_a_dear_rich_country_is_not():
    on_the_line = {iso3: 2.0 * gdp**0.9 for iso3, gdp in INCOME.items()}
    assert costs_out_of_line(costed(on_the_line), income(INCOME)).is_empty()  # CAN and USA cost 20x PAK: a market

    scaled = costed(on_the_line | {"PHL": on_the_line["PHL"] * 10, "POL": on_the_line["POL"] / 10})
    outliers = costs_out_of_line(scaled, income(INCOME))
    assert sorted(outliers["country_iso3"]) == ["PHL", "POL"]
    phl = outliers.filter(pl.col("country_iso3") == "PHL")
    assert 3 < phl["times_predicted"][0] < 10  # the fit includes the outlier, so it is pulled a little towards it


def test_only_delivery_locations_with_an_income_are_tested():
    on_the_line = {iso3: 2.0 * gdp**0.9 for iso3, gdp in INCOME.items()}
    elsewhere = costed({"XXX": on_the_line["PHL"] * 10}, delivery=False)
    no_income = costed({"YYY": on_the_line["PHL"] * 10})
    frame = pl.concat([costed(on_the_line), elsewhere, no_income])
    assert costs_out_of_line(frame, income(INCOME | {"XXX": 3_800})).is_empty()


def test_income_is_the_stated_gdp_per_capita_else_gdp_over_population():
    from model.benchmarks import gdp_per_head

    years = {"year": pl.Series([2022, 2023], dtype=pl.Int32)}
    stated = pl.DataFrame({"iso3": ["PHL"], "year": pl.Series([2022], dtype=pl.Int32), "gdp_per_capita_usd": [3_500.0]})
    gdp = pl.DataFrame({"iso3": ["PHL", "PHL"], **years, "gdp_usd": [400e9, 440e9]})
    population = pl.DataFrame({"iso3": ["PHL", "PHL"], **years, "population": [110_000_000, 110_000_000]})
    income = gdp_per_head(stated, gdp, population).sort("year")
    assert income["gdp_per_head_usd"].to_list() == [3_500.0, 4_000.0]


def test_acknowledged_rows_stand_until_their_wage_rests_on_another_source():
    flagged = pl.DataFrame(
        {
            "country_iso3": ["KEN", "KEN", "ZAF"],
            "wage_source_year": pl.Series([2006, 2016, 2013], dtype=pl.Int32),
            "year": [2016, 2017, 2015],
        }
    )
    acknowledgements = pl.DataFrame(
        {
            "check": ["a_check", "a_check", "another_check"],
            "country_iso3": ["KEN", "EGY", "ZAF"],
            "wage_source_year": pl.Series([2006, 2012, 2013], dtype=pl.Int32),
            "reason": ["the 2006 survey, looked at", "a survey no row rests on now", "for another check"],
        }
    )
    seen, new, stale = acknowledged(flagged, acknowledgements, "a_check")
    assert seen.select("country_iso3", "wage_source_year", "reason").rows() == [
        ("KEN", 2006, "the 2006 survey, looked at")
    ]
    # KEN from a newer source, and ZAF acknowledged for another check only, are new to this one.
    assert new.select("country_iso3", "wage_source_year").rows() == [("KEN", 2016), ("ZAF", 2013)]
    assert stale.select("country_iso3", "wage_source_year").rows() == [("EGY", 2012)]
