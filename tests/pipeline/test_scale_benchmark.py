"""scripts/scale_benchmark.py: its synthetic inputs are the sample's countries cloned, its layers call the model as
the assets do (at 1x they give the published tables), and its DuckDB query gives the wage layer."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scripts.scale_benchmark import LAYERS, duckdb_wages, generate, main, run_layer
from scripts.scale_inputs import LEVEL_SIGMA, read_sample, synthetic_reference, synthetic_staging
from tests.pipeline.conftest import REFERENCE

# Published tables the assets write as the model returns them (others are renamed or sorted on the way, or are not
# published: the wage layer's intermediate tables).
AS_RETURNED = [
    "function_premia",
    "location_function_costs",
    "location_tiers",
    "vendor_rates",
    "tier_function_benchmarks",
    "model_backtest",
    "location_scorecard",
    "scenario_costs",
]


def sorted_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort([c for c, dtype in frame.schema.items() if not isinstance(dtype, pl.List)], nulls_last=True)


@pytest.fixture(scope="module")
def sample(warehouse):
    return read_sample(warehouse / "staging")


@pytest.fixture(scope="module")
def runs(warehouse, tmp_path_factory):
    """Every layer run at 1x and 2x, in this process, from the shared sample run's staging tables."""
    folders = {}
    for scale in (1, 2):
        folder = tmp_path_factory.mktemp(f"scale{scale}")
        generate(warehouse / "staging", folder, scale)
        for layer in LAYERS:
            run_layer(folder, scale, layer.name)
        folders[scale] = folder
    return folders


def test_clones_are_the_sample_countries_under_new_codes_with_jittered_values(sample):
    tables = {name: frame.collect() for name, frame in synthetic_staging(sample, 3).items()}
    countries = tables["countries"]
    assert countries.height == 3 * sample["countries"].height
    assert countries["iso3"].n_unique() == countries.height
    assert tables["us_occupation_wages"].equals(sample["us_occupation_wages"])
    # Clone 0 is the sample itself; each clone borders the same clone's copies of the original's neighbours.
    assert_frame_equal(
        sorted_rows(countries.filter(pl.col("iso3").str.len_chars() == 3)), sorted_rows(sample["countries"])
    )
    france2 = countries.filter(iso3="FRA2").row(0, named=True)
    france = sample["countries"].filter(iso3="FRA").row(0, named=True)
    assert france2["neighbours"] == [f"{code}2" for code in france["neighbours"]]
    assert (france2["name"], france2["iso2"]) == ("France #2", "FR2")
    for name, table in tables.items():
        assert table.height == (1 if name == "us_occupation_wages" else 3) * sample[name].height, name
    # A clone's series keep their shape: one factor per country, within the jitter's bounds.
    gdp = tables["gdp_per_capita"].filter(pl.col("iso3").is_in(["PHL", "PHL1"]))
    ratio = gdp.pivot("iso3", index="year", values="gdp_per_capita_usd").select(pl.col("PHL1") / pl.col("PHL"))
    assert ratio.n_unique() == 1
    assert abs(ratio.item(0, 0) - 1) > 0
    assert abs(ratio.to_series().log()[0]) <= LEVEL_SIGMA * 3**0.5


def test_the_reference_lists_name_the_clones_of_the_countries_they_name():
    reference = synthetic_reference(REFERENCE.model(), 3)
    assert {"IRL", "IRL1", "IRL2"} <= set(reference.gdp_distorted["iso3"])
    assert reference.delivery_locations.height == 3 * REFERENCE.model().delivery_locations.height


@pytest.mark.parametrize("table", AS_RETURNED)
def test_each_layer_at_1x_gives_the_published_table(runs, warehouse, table):
    ours = pl.read_parquet(runs[1] / "outputs" / f"{table}.parquet")
    published = pl.read_parquet(warehouse / "benchmarks" / table / "**" / "*.parquet", hive_partitioning=True)
    published = published.select(ours.columns).cast(dict(ours.schema))
    assert_frame_equal(sorted_rows(ours), sorted_rows(published), check_exact=False)


def test_the_model_takes_the_same_paths_through_the_clones(runs):
    one, two = (pl.read_parquet(runs[s] / "outputs" / "location_function_costs.parquet") for s in (1, 2))
    assert two.height == 2 * one.height
    # Each clone's row is priced by the original's method; only the USA's OEWS wage is the USA's own.
    key = ["year", "function_id"]
    originals = two.filter(pl.col("country_iso3").str.len_chars() == 3)
    clones = two.filter(pl.col("country_iso3").str.len_chars() > 3).with_columns(pl.col("country_iso3").str.slice(0, 3))
    paired = originals.join(clones, on=["country_iso3", *key], suffix="_clone")
    assert paired.height == one.height
    differ = paired.filter(pl.col("wage_method") != pl.col("wage_method_clone"))
    assert set(differ["country_iso3"]) == {"USA"}
    assert set(differ["wage_method"]) == {"oews_direct"}


def test_the_wage_layers_two_halves_give_the_wage_layer(runs):
    key = ["year", "country_iso3", "function_id"]
    whole, halves = (pl.read_parquet(runs[2] / "outputs" / f"{t}.parquet") for t in ("wages", "carried_wages"))
    assert_frame_equal(whole.sort(key), halves.sort(key))


def test_the_duckdb_query_gives_the_wage_layer(runs):
    figures = duckdb_wages(runs[2], 2)
    polars_wages = pl.read_parquet(runs[2] / "outputs" / "wages.parquet")
    sql_wages = pl.read_parquet(runs[2] / "outputs" / "wages_duckdb.parquet")
    assert figures["output_rows"] == polars_wages.height
    key = ["year", "country_iso3", "function_id"]
    assert_frame_equal(
        polars_wages.sort(key), sql_wages.select(polars_wages.columns).cast(dict(polars_wages.schema)).sort(key)
    )


def test_more_benchmark_years_are_the_other_axis_of_scale(warehouse, tmp_path):
    generate(warehouse / "staging", tmp_path, 1, [2021, 2022, 2023])
    figures = run_layer(tmp_path, 1, "wages")
    years = pl.read_parquet(tmp_path / "outputs" / "wages.parquet")["year"].unique().sort().to_list()
    assert years == [2021, 2022, 2023]
    assert figures["output_rows"] > 0 and figures["peak_bytes"] > figures["inputs_resident_bytes"] > 0


@pytest.mark.parametrize("text", ["2023-2015", "twenty", "2015-20x5"])
def test_a_span_of_benchmark_years_must_read_first_to_last(text, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--benchmark-years", text, "--scales", "1"])
    assert stopped.value.code == 2  # refused by the argument parser, before anything runs
    assert "benchmark years" in capsys.readouterr().err
