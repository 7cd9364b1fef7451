"""Every asset materialized on the bundled sample into a temporary warehouse (the `warehouse` fixture of conftest.py),
then broken sources and bad reference data."""

import hashlib
import json
import shutil

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, DagsterInstance
from upath import UPath

from assets import metadata
from assets.metadata import VALIDATED_WHEN_WRITTEN
from assets.resources import BUNDLED_SAMPLE, ReferenceFiles, SourceAccess
from schemas.vocabulary import ACKNOWLEDGEABLE_WARNINGS
from storage.published import published_path, read_partitioned
from storage.tables import read_table, table_path
from tests.pipeline.conftest import FUNCTIONS, REFERENCE, STAGING_TABLES, run


def table(root, name):
    return read_table(root, "staging", name)


def test_every_staging_table_is_written_with_rows(warehouse):
    for name in STAGING_TABLES:
        assert table(warehouse, name).height > 0, name


def test_staging_values_equal_the_raw_files(warehouse):
    fx = table(warehouse, "exchange_rates").filter(iso3="PHL", year=2022)
    assert fx["lcu_per_usd"].item() == pytest.approx(54.4778, abs=1e-4)
    wages = table(warehouse, "us_occupation_wages").filter(soc_code="43-3031", year=2023)
    assert wages["hourly_mean"].item() == 23.84
    clerks = table(warehouse, "earnings").filter(iso3="PHL", year=2018, occupation="4", currency_basis="USD")
    assert clerks["monthly_earnings"].item() == 313.44


def test_countries_carry_capitals_time_zones_and_borders(warehouse):
    usa = table(warehouse, "countries").filter(iso3="USA").row(0, named=True)
    assert {"CAN", "MEX"} <= set(usa["neighbours"])
    assert usa["capital_tz"] == "America/New_York" and usa["utc_offset_hours"] == -5.0
    assert usa["income_group"] == "High income"


def test_aggregates_are_not_countries(warehouse):
    assert table(warehouse, "exchange_rates").filter(pl.col("iso3").is_in(["WLD", "EUU"])).is_empty()


def test_every_staging_row_traces_to_a_raw_file_with_provenance(warehouse):
    sources = table(warehouse, "raw_sources")
    # In snapshot mode every dataset of the catalogue is one file of the bundled sample.
    assert sources.height == REFERENCE.catalogue().height and set(sources["mode"]) == {"snapshot"}
    known = set(sources["raw_file"])
    for name in STAGING_TABLES:
        stored = table(warehouse, name)
        if name != "raw_sources":
            column = stored["raw_file"] if "raw_file" in stored.columns else stored["raw_files"].explode()
            assert set(column) <= known, name
    fx = sources.filter(dataset_id="PA.NUS.FCRF").row(0, named=True)
    assert fx["last_updated"] == "2025-07-01" and fx["licence"] == "CC BY 4.0"
    assert fx["url"].startswith("https://api.worldbank.org/")


def test_a_second_run_stores_no_raw_file_twice(tmp_path):
    assert run(tmp_path, selection=["raw_oecd"]).success
    assert run(tmp_path, selection=["raw_oecd"]).success
    assert len(list(UPath(tmp_path).glob("raw/oecd/*/*.provenance.json"))) == 1


def test_an_html_page_instead_of_csv_fails_and_keeps_the_last_good_table(copy_of, tmp_path):
    root = copy_of
    good = table_path(root, "staging", "exchange_rates").read_bytes()

    sample = tmp_path / "sample"
    shutil.copytree(BUNDLED_SAMPLE, sample)
    manifest = json.loads((sample / "MANIFEST.json").read_text())
    entry = next(e for e in manifest if e["dataset_id"] == "PA.NUS.FCRF")
    page = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
    (sample / entry["file"]).write_bytes(page)
    entry["sha256"] = hashlib.sha256(page).hexdigest()
    (sample / "MANIFEST.json").write_text(json.dumps(manifest))

    result = run(root, SourceAccess(sample_dir=str(sample)), selection=["raw_worldbank", "exchange_rates"])

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "API_PA.NUS.FCRF" in message and "HTML" in message
    assert table_path(root, "staging", "exchange_rates").read_bytes() == good


def published(root, name):
    return read_partitioned(root, name)


def test_usa_has_every_function_onshore_nearshore_and_offshore(warehouse):
    usa = published(warehouse, "tier_function_benchmarks").filter(buyer_iso3="USA", year=2023)
    assert usa.group_by("function_id").agg(pl.col("tier").sort()).height == len(FUNCTIONS)
    assert set(usa["tier"]) == {"onshore", "nearshore", "offshore"} and usa.height == 3 * len(FUNCTIONS)


def test_us_rows_use_the_oews_wage(warehouse):
    accounting = (
        published(warehouse, "location_function_costs")
        .filter(year=2023, country_iso3="USA", function_id="accounting")
        .row(0, named=True)
    )
    assert accounting["wage_method"] == "oews_direct" and accounting["quality_grade"] == "A"
    assert accounting["wage_hourly_usd"] == pytest.approx(23.84)
    # The USA's employer on-costs: OECD Taxing Wages 2021, 7.52 % of total labour cost.
    assert accounting["employer_cost_basis"].startswith("oecd_taxing_wages 2021: 7.5%")
    multiplier = accounting["employer_cost_multiplier"]
    assert multiplier == pytest.approx(1 / (1 - 0.07524731))
    assert accounting["cost_per_productive_hour_usd"] == pytest.approx(23.84 * 2080 * multiplier / 1800)


def test_every_published_cost_traces_to_raw_files_with_provenance(warehouse):
    known = set(table(warehouse, "raw_sources")["raw_file"])
    costs = published(warehouse, "location_function_costs")
    assert set(costs["sources"].explode()) <= known
    assert costs["sources"].list.len().min() >= 1


def test_the_catalog_serves_every_table(warehouse):
    with duckdb.connect(str(warehouse / "bpo.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT tier, count(*) FROM tier_function_benchmarks WHERE buyer_iso3 = 'USA' AND year = 2023 "
            "GROUP BY tier ORDER BY tier"
        ).fetchall()
    assert rows == [(tier, len(FUNCTIONS)) for tier in ("nearshore", "offshore", "onshore")]


def test_bad_reference_data_publishes_nothing(copy_of, tmp_path):
    root = copy_of
    before = {p: p.read_bytes() for p in root.glob("benchmarks/**/*.parquet")}
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE.folder, reference)
    with (reference / "cost_parameters.csv").open("a") as handle:
        handle.write("employer_cost_multiplier,country,PHL,-1.4,ratio,a mistyped override for this test\n")

    result = run(
        root,
        selection=[
            "location_function_costs",
            "location_tiers",
            "tier_function_benchmarks",
            "bpo_catalog",
        ],
        reference=ReferenceFiles(folder=str(reference)),
    )

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "cost_parameters.csv: line 6" in str(failure.event_specific_data.error)
    assert {p: p.read_bytes() for p in root.glob("benchmarks/**/*.parquet")} == before


def test_tiers_count_delivery_locations_only_and_their_cheapest_are_delivery_locations(warehouse):
    locations = set(REFERENCE.model().delivery_locations["iso3"])
    benchmarks = published(warehouse, "tier_function_benchmarks")
    for row in benchmarks.filter(pl.col("tier") != "onshore").iter_rows(named=True):
        assert set(row["cheapest_countries"]) <= locations, row
    costs = published(warehouse, "location_function_costs")
    assert costs.filter(~pl.col("is_delivery_location")).height > 0  # every country with data is kept, flagged
    assert set(costs.filter("is_delivery_location")["country_iso3"]) <= locations


def test_canada_and_the_usa_take_latin_america_as_nearshore(warehouse):
    tiers = published(warehouse, "location_tiers").filter(pl.col("country_iso3").is_in(["COL", "DOM", "JAM"]))
    assert set(tiers.filter(pl.col("buyer_iso3").is_in(["USA", "CAN"]))["tier"]) == {"nearshore"}


def sample_with(tmp_path, dataset_id, change):
    """A copy of the bundled sample whose file of `dataset_id` is `change(bytes)`, its manifest checksum updated."""
    sample = tmp_path / "sample"
    shutil.copytree(BUNDLED_SAMPLE, sample)
    manifest = json.loads((sample / "MANIFEST.json").read_text())
    entry = next(e for e in manifest if e["dataset_id"] == dataset_id)
    content = change((sample / entry["file"]).read_bytes())
    (sample / entry["file"]).write_bytes(content)
    entry["sha256"] = hashlib.sha256(content).hexdigest()
    (sample / "MANIFEST.json").write_text(json.dumps(manifest))
    return SourceAccess(sample_dir=str(sample))


def test_a_file_cut_at_a_line_end_is_refused_by_the_volume_guard(copy_of, tmp_path):
    good = table_path(copy_of, "staging", "exchange_rates").read_bytes()

    def half(content: bytes) -> bytes:
        lines = content.splitlines(keepends=True)
        return b"".join(lines[: len(lines) // 2])

    result = run(copy_of, sample_with(tmp_path, "PA.NUS.FCRF", half), selection=["raw_worldbank", "exchange_rates"])

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "exchange_rates:" in message and "keys against" in message and "API_PA.NUS.FCRF" in message
    assert table_path(copy_of, "staging", "exchange_rates").read_bytes() == good


def test_a_sources_tables_switch_together(copy_of, tmp_path):
    good = {name: table_path(copy_of, "staging", name).read_bytes() for name in ("exchange_rates", "gdp", "governance")}
    broken = sample_with(tmp_path, "PV.EST", lambda content: b"<html><body>Service unavailable</body></html>")

    result = run(copy_of, broken, selection=["raw_worldbank", "exchange_rates"])

    assert not result.success
    # The exchange-rate file was fine, but its source's pull was not: no World Bank table moved.
    assert {name: table_path(copy_of, "staging", name).read_bytes() for name in good} == good


def test_a_file_cut_short_on_its_first_ingest_is_refused_by_its_expected_rows(tmp_path):
    def a_third(content: bytes) -> bytes:
        lines = content.splitlines(keepends=True)
        return b"".join(lines[: len(lines) // 3])

    access = sample_with(tmp_path, "EAR_4MTH_SEX_OCU_CUR_NB_A", a_third)
    root = UPath(tmp_path / "fresh")
    selection = ["raw_geonames", "raw_worldbank", "countries", "raw_ilostat", "earnings"]

    result = run(root, access, selection=selection)

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "fewer than 7,000 (min_rows in reference/raw_datasets.csv)" in str(failure.event_specific_data.error)
    assert not table_path(root, "staging", "earnings").exists()


def contract_check_alone(root, instance, table):
    check = AssetCheckKey(asset_key=AssetKey(table), name=f"{table}_keeps_contract")
    result = run(root, selection=AssetSelection.checks(check), instance=instance)
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_contract_check_trusts_only_the_bytes_its_step_wrote(copy_of):
    """A contract check passes a table whose bytes are those its step held to the contract (the digest its
    materialization recorded) and validates again one changed since: here, a staging table and a published one
    rewritten with a negative value after their steps ran."""
    instance = DagsterInstance.ephemeral()
    assert run(copy_of, selection=["gdp", "location_tiers"], instance=instance).success
    unchanged = contract_check_alone(copy_of, instance, "gdp")
    assert unchanged.passed and unchanged.description == VALIDATED_WHEN_WRITTEN

    gdp = table_path(copy_of, "staging", "gdp")
    pl.read_parquet(gdp.path).with_columns(gdp_usd=-pl.col("gdp_usd")).write_parquet(gdp.path)
    evaluation = contract_check_alone(copy_of, instance, "gdp")
    assert not evaluation.passed
    assert "gdp_usd" in evaluation.description

    # location_tiers' distance is never negative; the current version's file is changed in place, its schema and
    # metadata kept.
    [tiers_file] = sorted(published_path(copy_of, "location_tiers").rglob("*.parquet"))[:1]
    tiers = pq.read_table(tiers_file.path)
    at = tiers.schema.get_field_index("distance_km")
    negative = pa.array([-1.0] * tiers.num_rows, pa.float64())
    pq.write_table(tiers.set_column(at, tiers.schema.field(at), negative), tiers_file.path)
    evaluation = contract_check_alone(copy_of, instance, "location_tiers")
    assert not evaluation.passed
    assert "distance_km" in evaluation.description


def test_no_warning_fails_on_the_healthy_sample_and_the_rows_let_stand_are_listed(sample_run):
    _, result = sample_run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    failed = sorted(name for name, e in evaluations.items() if not e.passed)
    assert failed == []
    assert set(ACKNOWLEDGEABLE_WARNINGS) <= set(evaluations), "an acknowledgeable warning that no check is named"
    carried = evaluations["carry_forward_within_band"].metadata
    assert carried["acknowledged_rows"].value > 0 and carried["new_rows"].value == 0
    assert "The kwanza fell" in carried["acknowledged_by_country"].value
    assert "| country_iso3 |" in carried["acknowledgements_matching_nothing"].value


def test_a_table_written_under_other_contracts_is_validated_again(copy_of, monkeypatch):
    instance = DagsterInstance.ephemeral()
    assert run(copy_of, selection=["gdp"], instance=instance).success
    monkeypatch.setattr(metadata, "CONTRACTS_SHA256", "the contracts' code after an edit")
    evaluation = contract_check_alone(copy_of, instance, "gdp")
    assert evaluation.passed and evaluation.description != VALIDATED_WHEN_WRITTEN
