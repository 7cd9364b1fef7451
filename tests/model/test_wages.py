"""The wage methods on small frames whose answers can be worked out by hand."""

import polars as pl
import pytest

from model.carry import carry_to_year, index_series
from model.reference import ModelSettings
from model.wages import (
    OCCUPATION_INDICATOR,
    converted_to_usd,
    earnings_in_usd,
    ilostat_occupation,
    implausible_surveys,
    oews_direct,
    relativities,
)
from model.within_group import within_group_factors

SETTINGS = ModelSettings(
    benchmark_years=[2023],
    max_wage_age_years=10,
    recent_wage_age_years=3,
    min_countries_per_income_group=2,
    oecd_price_base_year=2022,
    max_price_level_ratio=3,
    max_rate_age_years=5,
    min_earnings_to_gdp_per_capita=0.25,
    max_earnings_to_gdp_per_capita=10,
    premium_pooling_weight=3,
    undated_evidence_weight=0.5,
    weak_evidence_weight=0.5,
    max_carry_forward_factor=2,
)
FUNCTIONS = pl.DataFrame(
    {
        "function_id": ["accounting", "call_management"],
        "isco08_major_groups": [["4"], ["4", "5"]],
        "us_soc_codes": [["43-3031"], ["43-4051", "41-9041"]],
    }
)

NO_FACTORS = pl.DataFrame(
    schema={
        "function_id": pl.String,
        "isco08_major_group": pl.String,
        "within_group_factor": pl.Float64,
        "within_group_basis": pl.String,
        "within_group_sources": pl.List(pl.String),
    }
)


def earnings(rows):
    return pl.DataFrame(
        rows,
        schema=["iso3", "year", "occupation", "currency_basis", "monthly_earnings", "indicator", "raw_file"],
        orient="row",
    ).with_columns(pl.col("year").cast(pl.Int32))


def rates(rows, value):
    return pl.DataFrame(rows, schema=["iso3", "year", value, "raw_file"], orient="row").with_columns(
        pl.col("year").cast(pl.Int32)
    )


FX = rates([("PHL", 2019, 50.0, "raw/fx"), ("PHL", 2023, 55.0, "raw/fx")], "lcu_per_usd")
PPP = rates([("PHL", 2019, 20.0, "raw/ppp"), ("PHL", 2023, 22.0, "raw/ppp")], "lcu_per_intl_dollar")


def test_earnings_in_usd_prefer_published_dollars_then_local_currency_then_ppp():
    frame = earnings(
        [
            ("PHL", 2019, "4", "USD", 300.0, OCCUPATION_INDICATOR, "raw/ilo"),
            ("PHL", 2019, "4", "LCU", 16000.0, OCCUPATION_INDICATOR, "raw/ilo"),
            ("PHL", 2019, "5", "LCU", 10000.0, OCCUPATION_INDICATOR, "raw/ilo"),
            ("PHL", 2023, "TOTAL", "PPP", 1000.0, "EAR_4MTH_SEX_GEO_CUR_NB_A", "raw/geo"),
        ]
    )
    usd = earnings_in_usd(converted_to_usd(frame, FX, PPP, max_price_level_ratio=3)).sort("year", "occupation")
    assert usd["monthly_usd"].to_list() == [300.0, 10000.0 / 50.0, 1000.0 * 22.0 / 55.0]
    assert usd["sources"].to_list() == [["raw/ilo"], ["raw/ilo", "raw/fx"], ["raw/geo", "raw/fx", "raw/ppp"]]


def test_ppp_dollars_are_not_converted_where_the_price_level_is_implausible():
    frame = earnings([("LBR", 2017, "TOTAL", "PPP", 3246.0, "EAR_4MTH_SEX_GEO_CUR_NB_A", "raw/geo")])
    fx = rates([("LBR", 2017, 112.7, "raw/fx")], "lcu_per_usd")
    ppp = rates([("LBR", 2017, 0.403, "raw/ppp")], "lcu_per_intl_dollar")  # in US$, not Liberian dollars
    assert converted_to_usd(frame, fx, ppp, max_price_level_ratio=3).is_empty()


def test_relativities_by_income_group_fall_back_to_all_countries():
    rows = []
    for iso3, clerical in [("AAA", 1.2), ("BBB", 1.4), ("CCC", 0.8)]:
        rows += [
            (iso3, 2019, "TOTAL", "LCU", 100.0, OCCUPATION_INDICATOR, "raw/ilo"),
            (iso3, 2019, "4", "LCU", 100.0 * clerical, OCCUPATION_INDICATOR, "raw/ilo"),
        ]
    countries = pl.DataFrame(
        {"iso3": ["AAA", "BBB", "CCC"], "income_group": ["Lower middle income", "Lower middle income", "High income"]}
    )
    table = relativities(earnings(rows), countries, SETTINGS)
    by_group = {row["income_group"]: row for row in table.iter_rows(named=True)}
    assert by_group["Lower middle income"]["relativity"] == pytest.approx(1.3)
    assert by_group["Lower middle income"]["usable"] is True
    assert by_group["High income"]["usable"] is False  # one country is fewer than the two required here
    assert by_group["all countries"]["relativity"] == pytest.approx(1.2)
    assert by_group["all countries"]["observations"] == ["AAA 2019", "BBB 2019", "CCC 2019"]


def test_a_countrys_relativity_comes_from_its_latest_year_in_the_preferred_basis_of_that_year():
    # 2021 in local currency (the basis ratios prefer) loses to 2022; within 2022 local currency beats US$ and PPP.
    rows = [
        ("AAA", 2021, "TOTAL", "LCU", 100.0, OCCUPATION_INDICATOR, "raw/ilo-2021"),
        ("AAA", 2021, "4", "LCU", 500.0, OCCUPATION_INDICATOR, "raw/ilo-2021"),
    ]
    for basis, clerical in [("PPP", 300.0), ("USD", 200.0), ("LCU", 150.0)]:
        rows += [
            ("AAA", 2022, "TOTAL", basis, 100.0, OCCUPATION_INDICATOR, f"raw/ilo-{basis}"),
            ("AAA", 2022, "4", basis, clerical, OCCUPATION_INDICATOR, f"raw/ilo-{basis}"),
        ]
    # A year without the national total gives no ratio, however late.
    rows.append(("AAA", 2023, "4", "LCU", 900.0, OCCUPATION_INDICATOR, "raw/ilo-2023"))
    countries = pl.DataFrame({"iso3": ["AAA"], "income_group": ["High income"]})
    pooled = relativities(earnings(rows), countries, SETTINGS).filter(income_group="all countries").row(0, named=True)
    assert (pooled["relativity"], pooled["n_countries"]) == (1.5, 1)
    assert (pooled["observations"], pooled["sources"]) == (["AAA 2022"], ["raw/ilo-LCU"])


def test_an_occupation_wage_needs_every_group_of_the_function_in_one_year():
    usd = pl.DataFrame(
        {
            "iso3": ["PHL", "PHL", "PHL"],
            "year": pl.Series([2019, 2019, 2017], dtype=pl.Int32),
            "occupation": ["4", "5", "4"],
            "monthly_usd": [300.0, 200.0, 280.0],
            "sources": [["raw/ilo"]] * 3,
        }
    )
    wages = ilostat_occupation(FUNCTIONS, usd, NO_FACTORS, 2023, SETTINGS).sort("function_id")
    assert wages["function_id"].to_list() == ["accounting", "call_management"]
    assert wages["monthly_usd"].to_list() == [300.0, 250.0]  # 2019 is the latest; groups 4 and 5 weighted equally
    assert ilostat_occupation(FUNCTIONS, usd.filter(pl.col("occupation") == "4"), NO_FACTORS, 2023, SETTINGS)[
        "function_id"
    ].to_list() == ["accounting"]


def test_an_occupation_wage_older_than_the_allowed_age_is_not_used():
    usd = pl.DataFrame(
        {
            "iso3": ["IRL"],
            "year": pl.Series([2010], dtype=pl.Int32),
            "occupation": ["4"],
            "monthly_usd": [3000.0],
            "sources": [["raw/ilo"]],
        }
    )
    assert ilostat_occupation(FUNCTIONS, usd, NO_FACTORS, 2023, SETTINGS).is_empty()


def test_an_occupation_wage_comes_from_the_nearest_year_after_as_well_as_before():
    usd = pl.DataFrame(
        {
            "iso3": ["PHL", "PHL", "PHL", "PHL"],
            "year": pl.Series([2006, 2017, 2013, 2017], dtype=pl.Int32),
            "occupation": ["4", "4", "5", "5"],
            "monthly_usd": [200.0, 330.0, 250.0, 260.0],
            "sources": [["raw/ilo"]] * 4,
        }
    )
    wages = ilostat_occupation(FUNCTIONS, usd.filter(pl.col("occupation") == "4"), NO_FACTORS, 2015, SETTINGS)
    # two years after says more about 2015 than nine years before
    assert wages.select("wage_source_year", "monthly_usd").row(0) == (2017, 330.0)
    equally_near = usd.filter(pl.col("occupation") == "5").with_columns(occupation=pl.lit("4"))  # 2013 and 2017
    assert ilostat_occupation(FUNCTIONS, equally_near, NO_FACTORS, 2015, SETTINGS)["wage_source_year"].to_list() == [
        2013
    ]


def test_oews_wages_are_weighted_by_employment():
    us = pl.DataFrame(
        {
            "soc_code": ["43-3031", "43-4051", "41-9041"],
            "year": pl.Series([2023] * 3, dtype=pl.Int32),
            "hourly_mean": [23.84, 20.0, 16.0],
            "employment": [1000, 3000, 1000],
            "raw_file": ["raw/oews"] * 3,
        }
    )
    wages = {r["function_id"]: r for r in oews_direct(FUNCTIONS, us, 2023, SETTINGS).iter_rows(named=True)}
    assert wages["accounting"]["monthly_usd"] * 12 / 2080 == pytest.approx(23.84)
    assert wages["call_management"]["monthly_usd"] * 12 / 2080 == pytest.approx((20.0 * 3000 + 16.0 * 1000) / 4000)


GEO = "EAR_4MTH_SEX_GEO_CUR_NB_A"


NO_DISTORTION = pl.DataFrame({"iso3": [], "reason": []}, schema={"iso3": pl.String, "reason": pl.String})


def carried(wages, earnings_rows, gdp_rows, year=2023, distorted=NO_DISTORTION, exchange_rates=None):
    exchange_rates = FX_ALL if exchange_rates is None else exchange_rates
    converted = converted_to_usd(earnings(earnings_rows), exchange_rates, PPP_ALL, max_price_level_ratio=10)
    gdp = pl.DataFrame(gdp_rows, schema=["iso3", "year", "gdp_per_capita_usd", "raw_file"], orient="row").with_columns(
        pl.col("year").cast(pl.Int32)
    )
    return {
        r["country_iso3"]: r
        for r in carry_to_year(
            wages, index_series(converted, gdp, NO_GDP, NO_POPULATION, exchange_rates), distorted, year
        ).iter_rows(named=True)
    }


NO_GDP = pl.DataFrame(schema={"iso3": pl.String, "year": pl.Int32, "gdp_usd": pl.Float64, "raw_file": pl.String})
NO_POPULATION = pl.DataFrame(
    schema={"iso3": pl.String, "year": pl.Int32, "population": pl.Int64, "raw_file": pl.String}
)


FX_ALL = rates([(c, y, 1.0, "raw/fx") for c in ("PHL", "IND", "ZAF") for y in range(2014, 2024)], "lcu_per_usd")
PPP_ALL = rates(
    [(c, y, 0.5, "raw/ppp") for c in ("PHL", "IND", "ZAF") for y in range(2014, 2024)], "lcu_per_intl_dollar"
)


def wage_rows(rows):
    return pl.DataFrame(
        rows, schema=["country_iso3", "function_id", "wage_source_year", "monthly_usd", "sources"], orient="row"
    ).with_columns(pl.col("wage_source_year").cast(pl.Int32))


def test_carry_forward_takes_growth_within_one_series_reaching_furthest():
    wages = wage_rows([("PHL", "accounting", 2019, 300.0, ["raw/w"]), ("USA", "accounting", 2023, 4000.0, ["raw/w"])])
    earnings_rows = [
        ("PHL", 2019, "TOTAL", "USD", 250.0, OCCUPATION_INDICATOR, "raw/ocu"),  # another survey: never a growth base
        ("PHL", 2019, "TOTAL", "PPP", 800.0, GEO, "raw/geo"),
        ("PHL", 2022, "TOTAL", "PPP", 880.0, GEO, "raw/geo"),
    ]
    result = carried(wages, earnings_rows, [("PHL", 2019, 3000.0, "raw/gdp"), ("PHL", 2022, 3600.0, "raw/gdp")])
    assert result["PHL"]["wage_monthly_usd"] == pytest.approx(330.0)  # 880/800, not (880 x 0.5)/250
    assert result["PHL"]["carry_forward_rule"] == (
        f"growth of mean earnings in US$ ({GEO}, PPP) 2019 to 2022; no index of the country goes past 2022"
    )
    assert result["USA"]["carry_forward_factor"] == 1.0
    assert result["USA"]["carry_forward_rule"] == "observed in the benchmark year"


def test_a_mean_ending_at_the_source_year_gives_way_to_gdp_per_capita():
    wages = wage_rows([("IND", "payroll", 2017, 200.0, ["raw/w"])])
    earnings_rows = [("IND", 2017, "TOTAL", "PPP", 500.0, GEO, "raw/geo")]
    result = carried(wages, earnings_rows, [("IND", 2017, 2000.0, "raw/gdp"), ("IND", 2022, 2400.0, "raw/gdp")])
    assert result["IND"]["wage_monthly_usd"] == pytest.approx(240.0)
    assert "GDP per capita in current US$ 2017 to 2022" in result["IND"]["carry_forward_rule"]
    assert "raw/gdp" in result["IND"]["sources"]


def test_a_wage_no_series_can_carry_keeps_factor_one_and_says_so():
    wages = wage_rows([("ZAF", "payroll", 2019, 150.0, ["raw/w"])])
    result = carried(wages, [("IND", 2017, "TOTAL", "PPP", 500.0, GEO, "raw/geo")], [("IND", 2017, 2000.0, "raw/gdp")])
    assert result["ZAF"]["carry_forward_factor"] == 1.0
    assert result["ZAF"]["carry_forward_rule"] == "not carried: no index of the country goes past 2019"


def test_a_block_of_earnings_off_by_a_unit_is_set_aside_and_named():
    converted = pl.DataFrame(
        {
            "iso3": ["AUS", "AUS", "AUS", "PHL", "PHL"],
            "year": pl.Series([2016, 2016, 2014, 2018, 2018], dtype=pl.Int32),
            "indicator": ["OCU"] * 5,
            "currency_basis": ["USD"] * 5,
            "occupation": ["TOTAL", "4", "4", "4", "2"],
            # AUS 2016 is 32x GDP per capita a year; AUS 2014 and PHL 2018 (no TOTAL: the groups' median) are not.
            "monthly_usd": [132957.0, 112406.0, 4500.0, 313.0, 700.0],
        }
    )
    gdp = pl.DataFrame(
        {
            "iso3": ["AUS", "AUS", "PHL"],
            "year": pl.Series([2016, 2014, 2018], dtype=pl.Int32),
            "gdp_per_capita_usd": [49877.0, 62500.0, 3250.0],
        }
    )
    excluded = implausible_surveys(converted, gdp, SETTINGS)
    assert excluded.select("iso3", "year").rows() == [("AUS", 2016)]
    assert excluded["earnings_to_gdp_per_capita"].item() == pytest.approx(132957 * 12 / 49877)


def test_a_wage_index_carries_as_far_as_it_reaches_and_gdp_per_capita_the_rest():
    wages = wage_rows([("PHL", "accounting", 2019, 300.0, ["raw/w"])])
    earnings_rows = [
        ("PHL", 2019, "TOTAL", "PPP", 800.0, GEO, "raw/geo"),
        ("PHL", 2021, "TOTAL", "PPP", 880.0, GEO, "raw/geo"),
    ]
    gdp = [("PHL", 2019, 3000.0, "raw/gdp"), ("PHL", 2021, 3100.0, "raw/gdp"), ("PHL", 2023, 3410.0, "raw/gdp")]
    row = carried(wages, earnings_rows, gdp)["PHL"]
    assert row["carry_forward_factor"] == pytest.approx(1.1 * 1.1)
    assert row["carry_forward_rule"] == (
        f"growth of mean earnings in US$ ({GEO}, PPP) 2019 to 2021, then growth of GDP per capita in current US$ "
        "2021 to 2023"
    )
    assert {"raw/geo", "raw/gdp", "raw/w"} <= set(row["sources"])


# Another country's mean earnings: no wage index for the countries of the test.
UNRELATED_EARNINGS = [("MEX", 2017, "TOTAL", "PPP", 500.0, GEO, "raw/geo")]


def test_gdp_per_capita_never_carries_a_wage_where_it_is_distorted():
    wages = wage_rows([("IND", "payroll", 2017, 200.0, ["raw/w"])])
    distorted = pl.DataFrame({"iso3": ["IND"], "reason": ["a reason for this test"]})
    gdp = [("IND", 2017, 2000.0, "raw/gdp"), ("IND", 2023, 2400.0, "raw/gdp")]
    row = carried(wages, UNRELATED_EARNINGS, gdp, distorted=distorted)["IND"]
    assert row["carry_forward_factor"] == 1.0
    assert row["carry_forward_rule"] == "not carried: GDP per capita does not follow wages (a reason for this test)"


def test_gdp_of_a_year_without_an_official_exchange_rate_carries_no_wage():
    # The publisher converted such a year at a rate of its own choosing, not the one the wage was converted at.
    wages = wage_rows([("IND", "payroll", 2021, 200.0, ["raw/w"])])
    gdp = [("IND", 2021, 2000.0, "raw/gdp"), ("IND", 2022, 2100.0, "raw/gdp"), ("IND", 2023, 4200.0, "raw/gdp")]
    without_2023 = FX_ALL.filter(~((pl.col("iso3") == "IND") & (pl.col("year") == 2023)))
    row = carried(wages, UNRELATED_EARNINGS, gdp, exchange_rates=without_2023)["IND"]
    assert row["carry_forward_factor"] == pytest.approx(1.05)
    assert row["carry_forward_rule"] == (
        "growth of GDP per capita in current US$ 2021 to 2022; no index of the country goes past 2022"
    )
    assert carried(wages, UNRELATED_EARNINGS, gdp)["IND"]["carry_forward_factor"] == pytest.approx(2.1)


def test_a_later_wage_is_carried_back_only_by_an_index_with_both_years():
    wages = wage_rows([("IND", "payroll", 2020, 220.0, ["raw/w"]), ("ZAF", "payroll", 2020, 500.0, ["raw/w"])])
    gdp = [("IND", 2016, 2000.0, "raw/gdp"), ("IND", 2020, 2200.0, "raw/gdp"), ("ZAF", 2020, 6000.0, "raw/gdp")]
    result = carried(wages, UNRELATED_EARNINGS, gdp, year=2016)
    assert result["IND"]["wage_monthly_usd"] == pytest.approx(200.0)
    assert result["IND"]["carry_forward_rule"] == "growth of GDP per capita in current US$ 2020 to 2016"
    assert "ZAF" not in result  # nothing brings its 2020 wage back to 2016


def test_a_within_group_factor_scales_each_group_before_the_function_averages_them():
    usd = pl.DataFrame(
        {
            "iso3": ["PHL", "PHL"],
            "year": pl.Series([2019, 2019], dtype=pl.Int32),
            "occupation": ["4", "5"],
            "monthly_usd": [300.0, 200.0],
            "sources": [["raw/ilo"]] * 2,
        }
    )
    factors = pl.DataFrame(
        {
            "function_id": ["call_management"],
            "isco08_major_group": ["4"],
            "within_group_factor": [0.9],
            "within_group_basis": ["ISCO 4: OEWS 2023 43-4051 20.7 against SOC 43-0000 23.0"],
            "within_group_sources": [["raw/oews"]],
        }
    )
    row = (
        ilostat_occupation(FUNCTIONS, usd, factors, 2023, SETTINGS)
        .filter(function_id="call_management")
        .row(0, named=True)
    )
    assert row["monthly_usd"] == pytest.approx((300 * 0.9 + 200) / 2)
    assert row["within_group_factor"] == pytest.approx(235 / 250)
    assert row["within_group_basis"].startswith("ISCO 4: OEWS 2023") and "raw/oews" in row["sources"]


def test_within_group_factors_compare_the_functions_occupations_with_their_soc_major_group():
    us = pl.DataFrame(
        {
            "soc_code": ["43-0000", "43-4051", "41-0000", "41-9041", "15-1232"],
            "o_group": ["major", "detailed", "major", "detailed", "detailed"],
            "year": pl.Series([2023] * 5, dtype=pl.Int32),
            "employment": [100, 10, 100, 10, 10],
            "hourly_mean": [20.0, 18.0, 25.0, 20.0, 30.0],
            "raw_file": ["raw/oews"] * 5,
        }
    )
    isco_soc = pl.DataFrame({"isco08_major_group": ["4", "5"], "soc_major_group": ["43", "41"]})
    factors = within_group_factors(FUNCTIONS, us, isco_soc, 2023, SETTINGS)
    by_group = {
        (r["function_id"], r["isco08_major_group"]): r["within_group_factor"] for r in factors.iter_rows(named=True)
    }
    assert by_group == {("call_management", "4"): pytest.approx(0.9), ("call_management", "5"): pytest.approx(0.8)}
