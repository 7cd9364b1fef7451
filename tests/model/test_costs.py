"""Loaded costs, the precedence of parameter overrides, and the quality grades."""

from dataclasses import replace

import polars as pl
import pytest

from model.costs import location_function_costs, resolve_parameters
from model.oncosts import employer_cost_multipliers
from model.reference import load_reference
from tests.shared_data import REFERENCE as REFERENCE_FOLDER

REFERENCE = load_reference(REFERENCE_FOLDER)


def parameters(*overrides):
    extra = pl.DataFrame(
        [(p, t, s, v, "unit", "a source for the test") for p, t, s, v in overrides],
        schema=REFERENCE.cost_parameters.schema,
        orient="row",
    )
    return pl.concat([REFERENCE.cost_parameters, extra])


def test_the_most_specific_override_wins():
    pairs = pl.DataFrame({"country_iso3": ["PHL", "PHL", "IND"], "function_id": ["payroll", "accounting", "payroll"]})
    resolved = resolve_parameters(
        pairs,
        parameters(
            ("employer_cost_multiplier", "function", "payroll", 1.3),
            ("employer_cost_multiplier", "country", "PHL", 1.2),
            ("employer_cost_multiplier", "country_function", "PHL/payroll", 1.1),
        ),
    )
    multiplier = {
        (r["country_iso3"], r["function_id"]): r["employer_cost_multiplier"] for r in resolved.iter_rows(named=True)
    }
    assert multiplier == {("PHL", "payroll"): 1.1, ("PHL", "accounting"): 1.2, ("IND", "payroll"): 1.3}
    assert set(resolved["productive_hours_per_year"]) == {1800.0}


def wages(**columns):
    base = {
        "year": pl.Series([2023, 2023, 2023], dtype=pl.Int32),
        "country_iso3": ["USA", "PHL", "IND"],
        "function_id": ["accounting"] * 3,
        "wage_monthly_usd": [4132.27, 350.0, 220.0],
        "wage_method": ["oews_direct", "ilostat_occupation", "national_mean_x_relativity"],
        "wage_source_year": pl.Series([2023, 2019, 2023], dtype=pl.Int32),
        "sources": [["raw/x"]] * 3,
        "carry_forward_factor": [1.0, 1.1, 1.0],
        "carry_forward_rule": ["r"] * 3,
        "relativity": [None, None, 0.93],
        "relativity_basis": [None, None, "b"],
        "mean_basis": [None, None, "m"],
        "relativity_pooled": [None, None, True],
        "within_group_factor": [None, 1.03, 1.03],
        "within_group_basis": [None, "w", "w"],
        "premium": [None, 1.1, 1.2],
        "premium_basis": [None, "p", "p"],
    }
    return pl.DataFrame(base | columns)


COUNTRIES = pl.DataFrame(
    {
        "iso3": ["USA", "PHL", "IND"],
        "name": ["United States", "Philippines", "India"],
        "region": ["North America", "East Asia & Pacific", "South Asia"],
        "income_group": ["High income", "Lower middle income", "Lower middle income"],
    }
)
# No country's on-costs measured: every row takes the reference default multiplier.
NOT_MEASURED = pl.DataFrame(
    schema={
        "iso3": pl.String,
        "employer_cost_multiplier": pl.Float64,
        "employer_cost_basis": pl.String,
        "employer_cost_sources": pl.List(pl.String),
    }
)


def test_loaded_cost_and_cost_per_productive_hour():
    costs = location_function_costs(wages(), COUNTRIES, REFERENCE, NOT_MEASURED)
    usa = costs.filter(country_iso3="USA").row(0, named=True)
    assert usa["wage_hourly_usd"] == pytest.approx(4132.27 * 12 / 2080)
    assert usa["loaded_cost_annual_usd"] == pytest.approx(4132.27 * 12 * 1.418)
    assert usa["cost_per_productive_hour_usd"] == pytest.approx(4132.27 * 12 * 1.418 / 1800)
    assert usa["function_name"] == "Accounting" and usa["office"] == "back"


def test_overhead_per_seat_is_added_to_the_loaded_cost():
    params = parameters(("overhead_per_seat_usd_year", "country", "PHL", 3000.0))
    costs = location_function_costs(wages(), COUNTRIES, replace(REFERENCE, cost_parameters=params), NOT_MEASURED)
    assert costs.filter(country_iso3="PHL")["loaded_cost_annual_usd"].item() == pytest.approx(350.0 * 12 * 1.418 + 3000)


def test_quality_grades_follow_method_age_and_pooling():
    costs = location_function_costs(wages(), COUNTRIES, REFERENCE, NOT_MEASURED)
    grades = dict(zip(costs["country_iso3"], costs["quality_grade"], strict=False))
    # USA observed this year: A. PHL observed, but 4 years before (B) and with a within-group factor from the USA: C.
    # IND modelled (B), with a within-group factor (C) and a pooled relativity: D.
    assert grades == {"USA": "A", "PHL": "C", "IND": "D"}


def test_a_wage_carried_beyond_the_band_loses_a_grade():
    # The USA's wage carried x2.4 (a survey nine years old carried by GDP growth): more the index's figure than the
    # survey's, so A becomes B; PHL's x1.1 keeps its grade.
    costs = location_function_costs(wages(carry_forward_factor=[2.4, 1.1, 1.0]), COUNTRIES, REFERENCE, NOT_MEASURED)
    grades = dict(zip(costs["country_iso3"], costs["quality_grade"], strict=False))
    assert grades == {"USA": "B", "PHL": "C", "IND": "D"}


def test_a_measured_multiplier_beats_the_default_and_an_analysts_country_value_beats_it():
    measured = pl.DataFrame(
        {
            "iso3": ["PHL", "IND"],
            "employer_cost_multiplier": [1.086, 1.17],
            "employer_cost_basis": ["ilo_kilm15 2013: 7.9%", "median of 41 countries"],
            "employer_cost_sources": [["raw/kilm"], ["raw/kilm", "raw/tw"]],
        }
    )
    reference = replace(REFERENCE, cost_parameters=parameters(("employer_cost_multiplier", "country", "IND", 1.25)))
    costs = {
        r["country_iso3"]: r
        for r in location_function_costs(wages(), COUNTRIES, reference, measured).iter_rows(named=True)
    }
    assert costs["PHL"]["employer_cost_multiplier"] == 1.086 and "raw/kilm" in costs["PHL"]["sources"]
    assert costs["PHL"]["employer_cost_basis"] == "ilo_kilm15 2013: 7.9%"
    assert costs["IND"]["employer_cost_multiplier"] == 1.25
    assert costs["IND"]["employer_cost_basis"].startswith("reference/cost_parameters.csv: a source for the test")
    assert costs["USA"]["employer_cost_multiplier"] == 1.418


def test_on_costs_take_the_best_source_pass_over_a_zero_and_fall_back_to_the_income_group():
    employer_costs = pl.DataFrame(
        {
            "iso3": ["DEU", "DEU", "COL", "POL", "CZE", "HUN", "FRA"],
            "year": pl.Series([2021, 2013, 2021, 2021, 2021, 2021, 2021], dtype=pl.Int32),
            "dataset": ["oecd_taxing_wages", "ilo_kilm15", "oecd_taxing_wages"] + ["oecd_taxing_wages"] * 4,
            "employer_share_pct": [16.65, 21.7, 0.0, 14.06, 25.26, 11.5, 26.0],
            "measure": ["m"] * 7,
            "raw_file": ["raw/tw", "raw/kilm", "raw/tw", "raw/tw", "raw/tw", "raw/tw", "raw/tw"],
        }
    )
    countries = pl.DataFrame(
        {
            "iso3": ["DEU", "COL", "POL", "CZE", "HUN", "FRA", "PHL"],
            "income_group": ["High income"] * 2 + ["High income"] * 4 + ["Lower middle income"],
        }
    ).with_columns(
        income_group=pl.when(pl.col("iso3") == "COL").then(pl.lit("Upper middle income")).otherwise("income_group")
    )
    settings = replace(REFERENCE.settings, min_countries_per_income_group=3)
    result = {
        r["iso3"]: r for r in employer_cost_multipliers(employer_costs, countries, settings).iter_rows(named=True)
    }
    assert result["DEU"]["employer_cost_multiplier"] == pytest.approx(1 / (1 - 0.1665))
    assert result["DEU"]["employer_cost_basis"].startswith("oecd_taxing_wages 2021")
    # Colombia's 0 is no measurement; its income group has no measured country: the median of all five.
    assert result["COL"]["employer_cost_basis"] == "median of 5 countries with employer-cost data (all countries)"
    assert result["PHL"]["employer_cost_multiplier"] == pytest.approx(1 / (1 - 0.1665))  # median of the five
