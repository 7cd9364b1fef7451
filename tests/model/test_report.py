"""The buyer report's structure on small hand-made tables: it parses, draws every chart with real geometry, names
each chart's year, units and sources, loads nothing from the network, escapes text and shows the tables' numbers."""

import polars as pl
import pytest
from bs4 import BeautifulSoup

from model.report import _log_ticks, _ticks, buyer_report

YEAR = 2023
# Location -> (tier, cost index, rule of law); ranked in this order. One has no rule of law estimate.
LOCATIONS = {
    "USA": ("onshore", 1.0, 1.0),
    "JAM": ("nearshore", 0.15, -0.08),
    "PHL": ("offshore", 0.11, -0.6),
    "MEX": ("nearshore", 0.17, -1.08),
    "IND": ("offshore", 0.08, -0.09),
    "POL": ("offshore", 0.47, 0.35),
    "COL": ("nearshore", 0.13, -0.56),
    "EGY": ("offshore", 0.05, -0.78),
    "KEN": ("offshore", 0.05, -0.43),
    "VNM": ("offshore", 0.10, -0.34),
    "XKX": ("offshore", 0.09, None),
    "DEU": ("offshore", 1.18, 1.59),
}
NAMES = {
    "USA": "United States",
    "JAM": "Jamaica",
    "PHL": "Philippines",
    "MEX": "Mexico",
    "IND": "India",
    "POL": "Poland",
    "COL": "Colombia",
    "EGY": "Egypt",
    "KEN": "Kenya",
    "VNM": "Vietnam",
    "XKX": "Kosovo <b>& co</b>",
    "DEU": "Germany",
}
TABLES = ["tier_function_benchmarks", "tier_function_benchmarks", "location_scorecard", "location_scorecard"]


def benchmarks() -> pl.DataFrame:
    rows = []
    for year, shift in ((YEAR, 0.0), (YEAR - 1, 0.5)):
        for function_id, onshore in (("customer_support", 26.14), ("software_development", 82.97)):
            for tier, n, p25, p50, p75 in (
                ("onshore", 1, onshore, onshore, onshore),
                ("nearshore", 11, 4.9, 5.36, 5.9),
                ("offshore", 22, 2.3, 6.01, 16.3),
            ):
                quartiles = [value + shift for value in (p25, p50, p75)]
                saving = 100 * (1 - quartiles[1] / (onshore + shift))
                rows.append(["USA", year, function_id, tier, n, *quartiles, saving])
    columns = ["buyer_iso3", "year", "function_id", "tier", "n_countries"]
    columns += ["cost_per_hour_p25_usd", "cost_per_hour_p50_usd", "cost_per_hour_p75_usd", "savings_vs_onshore_pct"]
    return pl.DataFrame(rows, schema=columns, orient="row")


def scorecard() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "buyer_iso3": "USA",
                "year": YEAR,
                "country_iso3": iso3,
                "tier": tier,
                "rank": rank,
                "composite_score": 80.0 - rank,
                "confidence": 1.0 if rule_of_law is not None else 0.85,
                **{f"score_{c}": 50.0 for c in ("cost", "political_stability", "language", "time_zone")},
                "score_rule_of_law": None if rule_of_law is None else 50 + 20 * rule_of_law,
                "score_vendor_depth": None,
                **{f"cost_index_{office}": index for office in ("front", "back", "it")},
                "rule_of_law": rule_of_law,
                "rule_of_law_year": None if rule_of_law is None else YEAR,
            }
            for rank, (iso3, (tier, index, rule_of_law)) in enumerate(LOCATIONS.items(), start=1)
        ]
    )


def scenarios() -> pl.DataFrame:
    rows = [
        ("location", "PHL", 396_011.65, 1_150_500.0, 3_176_000.0, 4_590_200.0, 89.9),
        ("tier", "onshore", 11_419_000.0, 11_419_000.0, 11_419_000.0, 20_806_000.0, 0.0),
        ("tier", "offshore", 903_872.08, 2_625_900.0, 7_248_900.0, 5_778_300.0, 77.0),
    ]
    columns = ["kind", "location", "labour_cost_low_usd", "labour_cost_mid_usd", "labour_cost_high_usd"]
    columns += ["vendor_price_mid_usd", "savings_vs_onshore_pct"]
    return pl.DataFrame(rows, schema=columns, orient="row").with_columns(
        scenario_id=pl.lit("support_50_24x7"),
        year=pl.lit(YEAR),
        buyer_iso3=pl.lit("USA"),
        function_id=pl.lit("customer_support"),
        seats=pl.lit(50.0),
        coverage=pl.lit("24/7"),
        paid_ftes=pl.lit(242.67),
    )


def report(scenario_costs: pl.DataFrame | None = None) -> str:
    return buyer_report(
        "USA",
        YEAR,
        tier_function_benchmarks=benchmarks(),
        location_scorecard=scorecard(),
        scenario_costs=scenarios() if scenario_costs is None else scenario_costs,
        countries=pl.DataFrame({"iso3": list(NAMES), "name": list(NAMES.values())}),
        functions=pl.DataFrame(
            {
                "function_id": ["customer_support", "software_development"],
                "function_name": ["Customer support", "Software development"],
            }
        ),
        provenance="Published version v1, committed 2026-01-01.",
    )


@pytest.fixture(scope="module")
def page() -> BeautifulSoup:
    return BeautifulSoup(report(), "html.parser")


def test_one_svg_per_chart_each_with_real_geometry(page):
    charts = page.find_all("svg")
    assert len(charts) == 3
    for chart in charts:
        _, _, width, height = (float(v) for v in chart["viewbox"].split())
        assert width > 0 and height > 0
        bars = [r for r in chart.find_all("rect") if float(r["width"]) > 0 and float(r["height"]) > 0]
        points = [c for c in chart.find_all("circle") if float(c["r"]) > 0]
        assert bars or points
        assert chart.find_all("text")


def test_every_chart_and_table_names_year_units_sources_and_links_to_its_table(page):
    captions = page.find_all("figcaption")
    assert len(captions) == 5
    for caption, table in zip(captions, [*TABLES, "scenario_costs"], strict=True):
        text = caption.get_text()
        assert str(YEAR) in text
        assert "Units:" in text
        assert f"Source: {table}" in text and "staging/raw_sources" in text
        links = {a["href"] for a in caption.find_all("a")}
        assert links == {f"../benchmarks/{table}/", "../bpo.duckdb"}


def test_nothing_is_loaded_from_anywhere():
    text = report()
    soup = BeautifulSoup(text, "html.parser")
    assert not soup.find_all(["script", "link", "img", "iframe", "object", "embed"])
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "url(" not in text


def test_the_median_shown_is_the_tables(page):
    """Customer support offshore, 2023: p50 6.01 US$/h as published; 2022's 6.51 is another year's."""
    labels = [t.get_text() for t in page.find_all("svg")[0].find_all("text")]
    assert "$6.01" in labels
    assert "$6.51" not in labels
    savings = [t.get_text() for t in page.find_all("svg")[1].find_all("text")]
    assert f"{100 * (1 - 6.01 / 26.14):.0f}%" in savings


def test_the_scorecard_shows_the_top_ten_by_name(page):
    scorecard_table = page.find_all("table")[0]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in scorecard_table.tbody.find_all("tr")]
    assert len(rows) == 10
    assert [row[:3] for row in rows[:2]] == [["1", "United States", "onshore"], ["2", "Jamaica", "nearshore"]]


def test_a_location_without_rule_of_law_is_named_not_plotted(page):
    scatter = page.find_all("svg")[2]
    assert len(scatter.find_all("circle")) == len(LOCATIONS) - 1
    assert "Not shown, no cost index or rule of law: Kosovo <b>& co</b>" in scatter.get_text()


def test_text_is_escaped():
    text = report()
    assert "Kosovo <b>" not in text
    assert "Kosovo &lt;b&gt;&amp; co&lt;/b&gt;" in text


def test_the_scenario_table_and_its_absence(page):
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in page.find_all("table")[1].tbody.find_all("tr")]
    assert [row[4] for row in rows] == ["Philippines", "onshore tier", "offshore tier"]
    assert rows[0][6:9] == ["$396k", "$1.15m", "$3.18m"]

    without = BeautifulSoup(report(scenarios().clear()), "html.parser")
    assert len(without.find_all("table")) == 1
    assert "scenario_costs has no rows for USA" in without.find(class_="empty").get_text()


def test_round_ticks():
    assert _ticks(0, 87.2) == [0, 20, 40, 60, 80, 100]
    assert _ticks(-1.18, 1.97) == [-2, -1, 0, 1, 2]
    assert _log_ticks(0.036, 1.28) == [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2]
