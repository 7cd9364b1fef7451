"""The carry to a benchmark year against the rule written out plainly: every series of the country that has the
start year, every year of it, the usable one closest to the target (then the first series by name)."""

import random

import polars as pl
import pytest

from model.carry import GDP, WAGE, carry_to_year

SERIES = {WAGE: ["mean earnings in US$ (A, LCU)", "mean earnings in US$ (B, USD)"], GDP: ["GDP per capita"]}


def random_index(seed: int) -> pl.DataFrame:
    """Series with gaps, for a few countries, over 1990-2030."""
    rng = random.Random(seed)
    rows = [
        (iso3, year, rng.uniform(100, 1000), [f"raw/{series}.csv"], series, kind)
        for iso3 in ("AAA", "BBB", "CCC")
        for kind, names in SERIES.items()
        for series in names
        for year in range(1990, 2031)
        if rng.random() < 0.6
    ]
    return pl.DataFrame(rows, schema=["iso3", "year", "value", "files", "series", "kind"], orient="row").with_columns(
        pl.col("year").cast(pl.Int32)
    )


def reach_by_hand(index: list[dict], iso3: str, start: int, target: int, kind: str):
    """(reached, factor) by the rule, looking at every year of every series."""
    candidates = []
    for first in (r for r in index if r["iso3"] == iso3 and r["kind"] == kind and r["year"] == start):
        for end in (r for r in index if r["iso3"] == iso3 and r["series"] == first["series"]):
            usable = start < end["year"] <= target if start < target else end["year"] == target
            if usable:
                candidates.append(
                    (abs(end["year"] - target), first["series"], end["year"], end["value"] / first["value"])
                )
    return min(candidates)[2:] if candidates else (None, 1.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_carry_takes_the_series_that_ends_closest_to_the_year_as_a_search_of_every_year_does(seed):
    index = random_index(seed)
    rows = index.to_dicts()
    target = 2015
    wages = pl.DataFrame(
        [
            (iso3, f"f{start}", start, 100.0, ["raw/wage.csv"])
            for iso3 in ("AAA", "BBB", "CCC")
            for start in range(2003, 2027, 2)
        ],
        schema=["country_iso3", "function_id", "wage_source_year", "monthly_usd", "sources"],
        orient="row",
    ).with_columns(pl.col("wage_source_year").cast(pl.Int32))
    no_distortion = pl.DataFrame(schema={"iso3": pl.String, "reason": pl.String})
    carried = carry_to_year(wages, index, no_distortion, target)
    expected = {}
    for iso3, function_id, start, *_ in wages.iter_rows():
        if start == target:
            expected[(iso3, function_id)] = 1.0
            continue
        reached, wage_factor = reach_by_hand(rows, iso3, start, target, WAGE)
        after = reached if reached is not None else start
        gdp_reached, gdp_factor = (after, 1.0) if after == target else reach_by_hand(rows, iso3, after, target, GDP)
        final = gdp_reached if gdp_reached is not None else after
        if start <= target or final == target:
            expected[(iso3, function_id)] = wage_factor * gdp_factor
    found = {(r["country_iso3"], r["function_id"]): r["carry_forward_factor"] for r in carried.iter_rows(named=True)}
    assert found.keys() == expected.keys()
    assert found == pytest.approx(expected, rel=1e-12)
