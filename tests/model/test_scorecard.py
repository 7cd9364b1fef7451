"""The location scorecard: each component on its stated scale, the composite by hand, and a missing component that
lowers the confidence instead of counting as zero."""

import polars as pl
import pytest

from model.reference import load_reference
from model.scorecard import location_scorecard
from tests.shared_data import REFERENCE as REFERENCE_FOLDER

REFERENCE = load_reference(REFERENCE_FOLDER)
WEIGHTS = REFERENCE.scorecard_weights
YEAR = pl.Series([2023], dtype=pl.Int32)


def frames(locations=("PHL",)):
    countries = pl.DataFrame(
        {
            "iso3": ["USA", "PHL", "ANT"],
            "iso2": ["US", "PH", "AN"],
            "name": ["United States", "Philippines", "Netherlands Antilles"],
            "region": ["North America", "East Asia & Pacific", None],
            "income_group": ["High income", "Lower middle income", None],
        }
    )
    rows = [("USA", 40.0, True), *((c, 4.0, True) for c in locations)]
    costs = pl.DataFrame(
        {
            "year": [2023] * len(rows),
            "country_iso3": [r[0] for r in rows],
            "function_id": ["customer_support"] * len(rows),
            "office": ["front"] * len(rows),
            "cost_per_productive_hour_usd": [r[1] for r in rows],
            "is_delivery_location": [r[2] for r in rows],
        }
    ).with_columns(pl.col("year").cast(pl.Int32))
    tiers = pl.DataFrame(
        {
            "buyer_iso3": ["USA"] * len(rows),
            "country_iso3": [r[0] for r in rows],
            "tier": ["onshore"] + ["offshore"] * len(locations),
            "overlap_hours": [8.0] + [2.0] * len(locations),
        }
    )
    rates = costs.select(
        "year", "country_iso3", "function_id", (pl.col("cost_per_productive_hour_usd") * 3).alias("rate_mid_usd_hour")
    )
    governance = pl.DataFrame(
        {"iso3": ["PHL", "PHL"], "year": [2022, 2022], "indicator": ["RL.EST", "PV.EST"], "value": [-0.5, -1.0]}
    ).with_columns(pl.col("year").cast(pl.Int32))
    observations = pl.DataFrame(
        {"country_iso3": ["PHL"] * 3, "function_id": ["customer_support"] * 3, "source_name": ["a", "b", "b"]}
    )
    return costs, tiers, rates, governance, observations, countries


def test_a_hand_worked_row():
    row = location_scorecard(*frames(), ["USA"], WEIGHTS).filter(country_iso3="PHL").row(0, named=True)
    assert row["score_cost"] == pytest.approx(90.0)  # 100 x (1 - 4 / 40)
    assert row["score_rule_of_law"] == pytest.approx(40.0)  # (-0.5 + 2.5) / 5 x 100
    assert row["score_political_stability"] == pytest.approx(30.0)
    assert row["buyer_language"] == "en" and row["score_language"] == pytest.approx(64.0)  # CLDR: 64 % speak English
    assert row["score_time_zone"] == pytest.approx(25.0) and row["score_vendor_depth"] == pytest.approx(20.0)
    weights = dict(WEIGHTS.select("component", "weight").iter_rows())
    scores = {
        "cost": 90,
        "rule_of_law": 40,
        "political_stability": 30,
        "language": 64,
        "time_zone": 25,
        "vendor_depth": 20,
    }
    expected = sum(weights[c] * s for c, s in scores.items()) / sum(weights.values())
    assert row["composite_score"] == pytest.approx(expected) and row["confidence"] == pytest.approx(1.0)
    assert row["rule_of_law_year"] == 2022 and row["rank"] == 1


def test_a_location_without_language_data_loses_confidence_not_points():
    # The Netherlands Antilles (AN, dissolved in 2010) have no territory entry in CLDR: language unknown, not 0.
    card = location_scorecard(*frames(("PHL", "ANT")), ["USA"], WEIGHTS)
    antilles = card.filter(country_iso3="ANT").row(0, named=True)
    weights = dict(WEIGHTS.select("component", "weight").iter_rows())
    assert antilles["score_language"] is None
    assert antilles["confidence"] == pytest.approx(
        1 - (weights["language"] + weights["rule_of_law"] + weights["political_stability"]) / sum(weights.values())
    )
    present = ["cost", "time_zone", "vendor_depth"]
    expected = sum(weights[c] * antilles[f"score_{c}"] for c in present) / sum(weights[c] for c in present)
    assert antilles["composite_score"] == pytest.approx(expected)


def test_a_buyer_whose_language_cldr_does_not_know_gets_no_language_component():
    costs, tiers, rates, governance, observations, countries = frames()
    # The Netherlands Antilles as the buyer: no CLDR territory, so no main language to compare.
    tiers = tiers.with_columns(pl.lit("ANT").alias("buyer_iso3"))
    costs = costs.with_columns(pl.col("country_iso3").replace("USA", "ANT"))
    card = location_scorecard(costs, tiers, rates, governance, observations, countries, ["ANT"], WEIGHTS)
    philippines = card.filter(country_iso3="PHL").row(0, named=True)
    weights = dict(WEIGHTS.select("component", "weight").iter_rows())
    assert philippines["buyer_language"] is None and philippines["score_language"] is None
    assert philippines["confidence"] == pytest.approx(1 - weights["language"] / sum(weights.values()))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("component,weight,scale,rationale\ncost,1,a scale text,a rationale text\n", "no weight for component"),
        (
            "component,weight,scale,rationale\n"
            + "".join(
                f"{c},0,a scale text,a rationale text\n"
                for c in ("cost", "rule_of_law", "political_stability", "language", "time_zone", "vendor_depth")
            ),
            "sum to 0",
        ),
        ("component,weight,scale,rationale\nprofit,1,a scale text,a rationale text\n", "profit"),
    ],
)
def test_a_bad_weight_file_stops_the_model_naming_it(tmp_path, content, problem):
    import shutil

    from model.reference import ReferenceDataError

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_FOLDER, folder)
    (folder / "scorecard_weights.csv").write_text(content)
    with pytest.raises(ReferenceDataError, match=rf"scorecard_weights.csv.*{problem}"):
        load_reference(folder)
