"""The wage methods on small frames whose answers can be worked out by hand."""

import polars as pl
import pytest

from model.reference import ModelSettings
from model.wages import (
    OCCUPATION_INDICATOR, carry_forward, earnings_in_usd, ilostat_occupation, oews_direct, relativities,
)

SETTINGS = ModelSettings(benchmark_years=[2023], max_wage_age_years=10, recent_wage_age_years=3,
                         min_countries_per_income_group=2, oecd_price_base_year=2022, max_price_level_ratio=3,
                         max_rate_age_years=5, min_markup_pairs=3)
FUNCTIONS = pl.DataFrame({
    "function_id": ["accounting", "call_management"],
    "isco08_major_groups": [["4"], ["4", "5"]],
    "us_soc_codes": [["43-3031"], ["43-4051", "41-9041"]],
})


def earnings(rows):
    return pl.DataFrame(
        rows, schema=["iso3", "year", "occupation", "currency_basis", "monthly_earnings", "indicator", "raw_file"],
        orient="row",
    ).with_columns(pl.col("year").cast(pl.Int32))


def rates(rows, value):
    return pl.DataFrame(rows, schema=["iso3", "year", value, "raw_file"], orient="row").with_columns(pl.col("year").cast(pl.Int32))


FX = rates([("PHL", 2019, 50.0, "raw/fx"), ("PHL", 2023, 55.0, "raw/fx")], "lcu_per_usd")
PPP = rates([("PHL", 2019, 20.0, "raw/ppp"), ("PHL", 2023, 22.0, "raw/ppp")], "lcu_per_intl_dollar")


def test_earnings_in_usd_prefer_published_dollars_then_local_currency_then_ppp():
    frame = earnings([
        ("PHL", 2019, "4", "USD", 300.0, OCCUPATION_INDICATOR, "raw/ilo"),
        ("PHL", 2019, "4", "LCU", 16000.0, OCCUPATION_INDICATOR, "raw/ilo"),
        ("PHL", 2019, "5", "LCU", 10000.0, OCCUPATION_INDICATOR, "raw/ilo"),
        ("PHL", 2023, "TOTAL", "PPP", 1000.0, "EAR_4MTH_SEX_GEO_CUR_NB_A", "raw/geo"),
    ])
    usd = earnings_in_usd(frame, FX, PPP, max_price_level_ratio=3).sort("year", "occupation")
    assert usd["monthly_usd"].to_list() == [300.0, 10000.0 / 50.0, 1000.0 * 22.0 / 55.0]
    assert usd["sources"].to_list() == [["raw/ilo"], ["raw/ilo", "raw/fx"], ["raw/geo", "raw/fx", "raw/ppp"]]


def test_ppp_dollars_are_not_converted_where_the_price_level_is_implausible():
    frame = earnings([("LBR", 2017, "TOTAL", "PPP", 3246.0, "EAR_4MTH_SEX_GEO_CUR_NB_A", "raw/geo")])
    fx = rates([("LBR", 2017, 112.7, "raw/fx")], "lcu_per_usd")
    ppp = rates([("LBR", 2017, 0.403, "raw/ppp")], "lcu_per_intl_dollar")  # in US$, not Liberian dollars
    assert earnings_in_usd(frame, fx, ppp, max_price_level_ratio=3).is_empty()


def test_relativities_by_income_group_fall_back_to_all_countries():
    rows = []
    for iso3, clerical in [("AAA", 1.2), ("BBB", 1.4), ("CCC", 0.8)]:
        rows += [(iso3, 2019, "TOTAL", "LCU", 100.0, OCCUPATION_INDICATOR, "raw/ilo"),
                 (iso3, 2019, "4", "LCU", 100.0 * clerical, OCCUPATION_INDICATOR, "raw/ilo")]
    countries = pl.DataFrame({"iso3": ["AAA", "BBB", "CCC"],
                              "income_group": ["Lower middle income", "Lower middle income", "High income"]})
    table = relativities(earnings(rows), countries, SETTINGS)
    by_group = {row["income_group"]: row for row in table.iter_rows(named=True)}
    assert by_group["Lower middle income"]["relativity"] == pytest.approx(1.3)
    assert by_group["Lower middle income"]["usable"] is True
    assert by_group["High income"]["usable"] is False  # one country is fewer than the two required here
    assert by_group["all countries"]["relativity"] == pytest.approx(1.2)
    assert by_group["all countries"]["observations"] == ["AAA 2019", "BBB 2019", "CCC 2019"]


def test_an_occupation_wage_needs_every_group_of_the_function_in_one_year():
    usd = pl.DataFrame({
        "iso3": ["PHL", "PHL", "PHL"], "year": pl.Series([2019, 2019, 2017], dtype=pl.Int32),
        "occupation": ["4", "5", "4"], "monthly_usd": [300.0, 200.0, 280.0], "sources": [["raw/ilo"]] * 3,
    })
    wages = ilostat_occupation(FUNCTIONS, usd, 2023, SETTINGS).sort("function_id")
    assert wages["function_id"].to_list() == ["accounting", "call_management"]
    assert wages["monthly_usd"].to_list() == [300.0, 250.0]  # 2019 is the latest; groups 4 and 5 weighted equally
    assert ilostat_occupation(FUNCTIONS, usd.filter(pl.col("occupation") == "4"), 2023, SETTINGS)["function_id"].to_list() == ["accounting"]


def test_an_occupation_wage_older_than_the_allowed_age_is_not_used():
    usd = pl.DataFrame({"iso3": ["IRL"], "year": pl.Series([2010], dtype=pl.Int32), "occupation": ["4"],
                        "monthly_usd": [3000.0], "sources": [["raw/ilo"]]})
    assert ilostat_occupation(FUNCTIONS, usd, 2023, SETTINGS).is_empty()


def test_oews_wages_are_weighted_by_employment():
    us = pl.DataFrame({
        "soc_code": ["43-3031", "43-4051", "41-9041"], "year": pl.Series([2023] * 3, dtype=pl.Int32),
        "hourly_mean": [23.84, 20.0, 16.0], "employment": [1000, 3000, 1000], "raw_file": ["raw/oews"] * 3,
    })
    wages = {r["function_id"]: r for r in oews_direct(FUNCTIONS, us, 2023, SETTINGS).iter_rows(named=True)}
    assert wages["accounting"]["monthly_usd"] * 12 / 2080 == pytest.approx(23.84)
    assert wages["call_management"]["monthly_usd"] * 12 / 2080 == pytest.approx((20.0 * 3000 + 16.0 * 1000) / 4000)


def test_carry_forward_uses_mean_earnings_then_gdp_and_never_guesses():
    wages = pl.DataFrame({
        "country_iso3": ["PHL", "IND", "XXX", "USA"], "function_id": ["accounting"] * 4,
        "wage_source_year": pl.Series([2019, 2019, 2019, 2023], dtype=pl.Int32),
        "monthly_usd": [300.0, 200.0, 100.0, 4000.0], "sources": [["raw/w"]] * 4,
    })
    means = pl.DataFrame({"iso3": ["PHL", "PHL"], "year": pl.Series([2019, 2022], dtype=pl.Int32),
                          "monthly_usd": [400.0, 440.0], "sources": [["raw/mean"], ["raw/mean"]]})
    gdp = pl.DataFrame({"iso3": ["IND", "IND"], "year": pl.Series([2019, 2022], dtype=pl.Int32),
                        "gdp_per_capita_usd": [2000.0, 2400.0], "raw_file": ["raw/gdp", "raw/gdp"]})
    carried = {r["country_iso3"]: r for r in carry_forward(wages, means, gdp, 2023).iter_rows(named=True)}
    assert carried["PHL"]["wage_monthly_usd"] == pytest.approx(330.0)
    assert carried["PHL"]["carry_forward_rule"] == "growth of mean earnings in US$ 2019 to 2022"
    assert carried["IND"]["wage_monthly_usd"] == pytest.approx(240.0)
    assert "GDP per capita" in carried["IND"]["carry_forward_rule"] and "raw/gdp" in carried["IND"]["sources"]
    assert carried["USA"]["carry_forward_factor"] == 1.0
    assert "XXX" not in carried
