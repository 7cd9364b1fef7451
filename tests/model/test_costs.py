"""Loaded costs, the precedence of parameter overrides, and the quality grades."""

import polars as pl
import pytest

from model.costs import location_function_costs, resolve_parameters
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
    }
    return pl.DataFrame(base | columns)


COUNTRIES = pl.DataFrame({"iso3": ["USA", "PHL", "IND"], "name": ["United States", "Philippines", "India"]})


def test_loaded_cost_and_cost_per_productive_hour():
    costs = location_function_costs(
        wages(),
        REFERENCE.functions,
        COUNTRIES,
        REFERENCE.cost_parameters,
        REFERENCE.settings,
        REFERENCE.delivery_locations,
    )
    usa = costs.filter(country_iso3="USA").row(0, named=True)
    assert usa["wage_hourly_usd"] == pytest.approx(4132.27 * 12 / 2080)
    assert usa["loaded_cost_annual_usd"] == pytest.approx(4132.27 * 12 * 1.418)
    assert usa["cost_per_productive_hour_usd"] == pytest.approx(4132.27 * 12 * 1.418 / 1800)
    assert usa["function_name"] == "Accounting" and usa["office"] == "back"


def test_overhead_per_seat_is_added_to_the_loaded_cost():
    params = parameters(("overhead_per_seat_usd_year", "country", "PHL", 3000.0))
    costs = location_function_costs(
        wages(), REFERENCE.functions, COUNTRIES, params, REFERENCE.settings, REFERENCE.delivery_locations
    )
    assert costs.filter(country_iso3="PHL")["loaded_cost_annual_usd"].item() == pytest.approx(350.0 * 12 * 1.418 + 3000)


def test_quality_grades_follow_method_age_and_pooling():
    costs = location_function_costs(
        wages(),
        REFERENCE.functions,
        COUNTRIES,
        REFERENCE.cost_parameters,
        REFERENCE.settings,
        REFERENCE.delivery_locations,
    )
    grades = dict(zip(costs["country_iso3"], costs["quality_grade"], strict=False))
    # USA observed this year: A. PHL observed, but 4 years before (B) and with a within-group factor from the USA: C.
    # IND modelled (B), with a within-group factor (C) and a pooled relativity: D.
    assert grades == {"USA": "A", "PHL": "C", "IND": "D"}
