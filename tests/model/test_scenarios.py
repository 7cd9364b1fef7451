"""Team scenarios: the shift rule and a hand-worked team line, and bad scenario files refused with the line."""

import polars as pl
import pytest

from model.reference import load_reference
from model.scenarios import ScenarioError, read_scenarios, scenario_costs
from tests.shared_data import REFERENCE as REFERENCE_FOLDER

REFERENCE = load_reference(REFERENCE_FOLDER)
FUNCTIONS = set(REFERENCE.functions["function_id"])
HEADER = "scenario_id,buyer_iso3,function_id,seats,coverage,locations,note\n"


def scenario(tmp_path, *lines):
    path = tmp_path / "scenario.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
    return path


def test_a_hand_worked_team_line(tmp_path):
    teams = read_scenarios(
        scenario(tmp_path, "t,USA,customer_support,10,24/7,PHL,"), FUNCTIONS, {"USA", "PHL"}, REFERENCE.coverage_rules
    )
    costs = pl.DataFrame(
        {
            "year": [2023, 2023],
            "country_iso3": ["PHL", "USA"],
            "function_id": ["customer_support"] * 2,
            "cost_per_productive_hour_usd": [3.0, 30.0],
            "productive_hours_per_year": [1800.0, 1800.0],
        }
    ).with_columns(pl.col("year").cast(pl.Int32))
    rates = costs.select(
        "year",
        "country_iso3",
        "function_id",
        (pl.col("cost_per_productive_hour_usd") * 2).alias("rate_low_usd_hour"),
        (pl.col("cost_per_productive_hour_usd") * 3).alias("rate_mid_usd_hour"),
        (pl.col("cost_per_productive_hour_usd") * 4).alias("rate_high_usd_hour"),
    )
    tiers = pl.DataFrame(
        {"buyer_iso3": ["USA", "USA"], "country_iso3": ["PHL", "USA"], "tier": ["offshore", "onshore"]}
    )
    benchmarks = pl.DataFrame(
        {
            "year": [2023, 2023],
            "buyer_iso3": ["USA", "USA"],
            "function_id": ["customer_support"] * 2,
            "tier": ["offshore", "onshore"],
            "cost_per_hour_p25_usd": [2.0, 30.0],
            "cost_per_hour_p50_usd": [4.0, 30.0],
            "cost_per_hour_p75_usd": [6.0, 30.0],
            "vendor_rate_p50_usd_hour": [12.0, 90.0],
        }
    ).with_columns(pl.col("year").cast(pl.Int32))

    result = scenario_costs(teams, REFERENCE.coverage_rules, costs, rates, tiers, benchmarks, 2023)

    phl = result.filter(kind="location", location="PHL").row(0, named=True)
    hours = 10 * 168 * 52  # ten seats, every hour of the week, a year
    assert phl["paid_ftes"] == pytest.approx(hours / 1800)
    assert phl["labour_cost_mid_usd"] == pytest.approx(hours * 3.0)
    assert phl["labour_cost_low_usd"] == pytest.approx(hours * 3.0 * 2 / 4)  # the offshore tier's p25 / p50
    assert phl["vendor_price_mid_usd"] == pytest.approx(hours * 9.0)
    assert phl["savings_vs_onshore_pct"] == pytest.approx(90.0)
    offshore = result.filter(kind="tier", location="offshore").row(0, named=True)
    assert offshore["labour_cost_high_usd"] == pytest.approx(hours * 6.0)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("t,USA,claims,10,24/7,,", "line 2: unknown function 'claims'"),
        ("t,XXX,customer_support,10,24/7,,", "line 2: unknown buyer country 'XXX'"),
        ("t,USA,customer_support,-5,24/7,,", "line 2: seats must be a number above 0, found '-5'"),
        ("t,USA,customer_support,10,all day,,", "line 2: unknown coverage 'all day'"),
        ("t,USA,customer_support,10,24/7,PHL;ATL,", "line 2: unknown location(s) ['ATL']"),
    ],
)
def test_a_bad_scenario_is_refused_with_the_line_and_the_problem(tmp_path, line, problem):
    with pytest.raises(
        ScenarioError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    ):
        read_scenarios(scenario(tmp_path, line), FUNCTIONS, {"USA", "PHL"}, REFERENCE.coverage_rules)


def test_the_example_scenario_is_valid():
    read_scenarios(
        REFERENCE_FOLDER.parent / "scenarios" / "example.csv",
        FUNCTIONS,
        {"USA", "PHL", "POL"},
        REFERENCE.coverage_rules,
    )
