"""What the README promises about extending the benchmark: a new business function is one row of functions.csv (plus
its GSA keyword row), a new buyer one line of buyers.csv; the model picks each up with no change in code."""

import pytest

from storage.published import read_partitioned
from tests.pipeline.conftest import FUNCTIONS, PUBLISHED_TABLES, REFERENCE, reference_with, run

CLAIMS = (
    "claims_processing,Claims processing,back,4419,4,43-9041,"
    "Insurance claims clerks; SOC 43-9041 Insurance Claims and Policy Processing Clerks\n"
)


def appended(name: str, line: str) -> str:
    return (REFERENCE.path / f"{name}.csv").read_text() + line


def test_a_function_row_and_a_buyer_line_reach_every_benchmark_table(copy_of, tmp_path):
    reference = reference_with(
        tmp_path / "reference",
        functions=appended("functions", CLAIMS),
        gsa_category_functions=appended("gsa_category_functions", "claims,claims_processing,test keyword\n"),
        buyers=appended("buyers", "JPN,added by the test\n"),
    )

    result = run(copy_of, selection=[*PUBLISHED_TABLES, "bpo_catalog", "current_version"], reference=reference)

    assert result.success
    costs = read_partitioned(copy_of, "location_function_costs")
    claims = costs.filter(function_id="claims_processing", year=2023)
    assert claims.filter(country_iso3="USA")["wage_hourly_usd"].item() == pytest.approx(23.81)  # OEWS 2023, 43-9041
    first = costs.filter(function_id=FUNCTIONS[0], year=2023)
    assert claims["country_iso3"].n_unique() == first["country_iso3"].n_unique()
    tiers = read_partitioned(copy_of, "tier_function_benchmarks")
    japan = tiers.filter(buyer_iso3="JPN")
    assert set(japan["tier"]) == {"onshore", "nearshore", "offshore"}
    assert set(japan["function_id"]) == {*FUNCTIONS, "claims_processing"}
    assert set(read_partitioned(copy_of, "location_tiers")["buyer_iso3"]) >= {"JPN", "USA"}


def test_a_function_without_a_gsa_keyword_is_refused_naming_the_file(copy_of, tmp_path):
    reference = reference_with(tmp_path / "reference", functions=appended("functions", CLAIMS))

    result = run(copy_of, selection=["location_function_costs"], reference=reference)

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "gsa_category_functions.csv" in message and "claims_processing" in message
