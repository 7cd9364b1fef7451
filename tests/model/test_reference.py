"""Reference files load, and bad ones stop the model with a message naming the file, line and problem."""

import csv
import shutil

import polars as pl
import pytest

from model.reference import (
    ReferenceDataError,
    check_against_countries,
    check_benchmark_years,
    check_soc_codes,
    load_reference,
)
from tests.shared_data import REFERENCE


def rows(name: str) -> list[dict]:
    with (REFERENCE / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE, copy)
    return copy


def test_the_shipped_reference_loads():
    reference = load_reference(REFERENCE)
    assert reference.buyers == [row["buyer_iso3"] for row in rows("buyers.csv")] and "USA" in reference.buyers
    assert reference.functions["function_id"].to_list() == [row["function_id"] for row in rows("functions.csv")]
    call = reference.functions.filter(function_id="call_management").row(0, named=True)
    assert call["isco08_major_groups"] == ["4", "5"] and call["us_soc_codes"] == ["43-4051", "41-9041"]
    assert reference.tier_rules.nearshore_max_distance_km == 4000
    assert 2023 in reference.settings.benchmark_years


def test_a_negative_multiplier_is_refused(folder):
    path = folder / "cost_parameters.csv"
    path.write_text(
        path.read_text() + "employer_cost_multiplier,country,PHL,-1.2,ratio,a mistyped override for a test\n"
    )
    with pytest.raises(ReferenceDataError, match=r"cost_parameters.csv: line 6: value greater_than_or_equal_to\(0\)"):
        load_reference(folder)


def test_zero_productive_hours_are_refused(folder):
    path = folder / "cost_parameters.csv"
    path.write_text(path.read_text() + "productive_hours_per_year,country,PHL,0,hours,a mistyped override for a test\n")
    with pytest.raises(ReferenceDataError, match="line 6: productive_hours_per_year must be greater than 0"):
        load_reference(folder)


def test_a_parameter_for_an_unknown_function_is_refused(folder):
    path = folder / "cost_parameters.csv"
    path.write_text(path.read_text() + "overhead_per_seat_usd_year,function,billing,1000,US$,an override for a test\n")
    with pytest.raises(ReferenceDataError, match="line 6: unknown function 'billing'; known: accounting"):
        load_reference(folder)


def test_a_function_with_an_unknown_office_or_group_is_refused(folder):
    path = folder / "functions.csv"
    path.write_text(path.read_text() + "billing,Billing,middle,4311,0,43-3031,\n")
    with pytest.raises(ReferenceDataError, match="functions.csv: .*office isin.*major groups are 1..9"):
        load_reference(folder)


def test_tier_rules_with_a_negative_distance_are_refused(folder):
    path = folder / "tier_rules.csv"
    path.write_text(path.read_text().replace("nearshore_max_distance_km,4000", "nearshore_max_distance_km,-5"))
    with pytest.raises(ReferenceDataError, match="tier_rules.csv: .*nearshore_max_distance_km"):
        load_reference(folder)


def test_a_tier_rule_that_is_not_a_number_names_the_file(folder):
    path = folder / "tier_rules.csv"
    path.write_text(path.read_text().replace("nearshore_max_utc_diff_h,3", "nearshore_max_utc_diff_h,3h"))
    with pytest.raises(ReferenceDataError, match="tier_rules.csv"):
        load_reference(folder)


COUNTRIES = pl.DataFrame({"iso3": ["USA", "PHL"], "region": ["North America", "East Asia & Pacific"]})


@pytest.fixture
def folder_of_two_countries(folder):
    """The reference copy cut down to the two countries of COUNTRIES: no region overrides, two delivery locations."""
    (folder / "delivery_locations.csv").write_text(
        "iso3,basis,evidence\nUSA,seed,a test row of evidence\nPHL,seed,a test row of evidence\n"
    )
    (folder / "nearshore_region_overrides.csv").write_text("buyer_iso3,region,tier,note\n")
    (folder / "gdp_distorted.csv").write_text("iso3,reason,source\n")
    return folder


def test_an_acknowledgement_for_an_unknown_check_is_refused_naming_the_line(folder):
    path = folder / "acknowledged_warnings.csv"
    path.write_text(path.read_text() + "carry_within_band,KEN,2006,a misspelt check name for this test\n")
    lines = len(path.read_text().splitlines())
    with pytest.raises(ReferenceDataError, match=rf"acknowledged_warnings.csv: line {lines}: check isin"):
        load_reference(folder)


def test_a_delivery_location_that_is_no_country_is_refused(folder_of_two_countries):
    path = folder_of_two_countries / "delivery_locations.csv"
    path.write_text(path.read_text() + "PHI,cited ranking,a typo of PHL for this test\n")
    with pytest.raises(ReferenceDataError, match=r"delivery_locations.csv: unknown country code\(s\) \['PHI'\]"):
        check_against_countries(load_reference(folder_of_two_countries), COUNTRIES, folder_of_two_countries)


def test_a_misspelt_region_override_is_refused_against_the_staging_countries(folder_of_two_countries):
    folder = folder_of_two_countries
    path = folder / "nearshore_region_overrides.csv"
    path.write_text("buyer_iso3,region,tier,note\nUSA,Latin America & Carribean,nearshore,typo\n")
    with pytest.raises(ReferenceDataError, match=r"unknown World Bank region\(s\) \['Latin America & Carribean'\]"):
        check_against_countries(load_reference(folder), COUNTRIES, folder)


def test_a_cost_parameter_for_an_unknown_country_is_refused(folder_of_two_countries):
    folder = folder_of_two_countries
    path = folder / "cost_parameters.csv"
    path.write_text(path.read_text() + "employer_cost_multiplier,country,PHI,1.2,ratio,a typo of PHL for this test\n")
    with pytest.raises(ReferenceDataError, match=r"unknown country code\(s\) \['PHI'\]"):
        check_against_countries(load_reference(folder), COUNTRIES, folder)


def test_a_benchmark_year_without_exchange_rates_is_refused_naming_the_setting(folder):
    exchange_rates = pl.DataFrame({"year": [2015, 2016]}, schema={"year": pl.Int32})
    reference = load_reference(folder)
    with pytest.raises(ReferenceDataError, match=r"model_settings.csv: benchmark_years \[2017, .*2023\] have no"):
        check_benchmark_years(reference, exchange_rates, folder)


def test_a_soc_code_oews_does_not_publish_is_refused_naming_the_line(folder):
    path = folder / "functions.csv"
    path.write_text(path.read_text().replace("43-3031", "43-3039"))
    us_wages = pl.DataFrame({"soc_code": ["43-4051", "41-9041", "43-3051", "43-4161", "43-9021", "15-1232", "15-1252"]})
    with pytest.raises(
        ReferenceDataError, match=r"functions.csv: line 5: accounting names SOC code\(s\) \['43-3039'\]"
    ):
        check_soc_codes(load_reference(folder), us_wages, folder)
