"""Holding each country out of the pooled estimates at once gives what pooling without it gives, country by country."""

import random

import polars as pl
import pytest

from model.pooling import pooled, pooled_without_own

LEVELS = [["office"], ["office", "function_id"], ["office", "function_id", "income_group"]]


def random_pairs(seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    return pl.DataFrame(
        [
            (
                rng.choice(["AAA", "BBB", "CCC", "DDD"]),
                rng.choice(["front", "back"]),
                rng.choice(["f1", "f2", "f3"]),
                rng.choice(["High income", "Low income"]),
                rng.choice([1.0, 0.5, 0.25]),
                rng.uniform(-1, 1),
            )
            for _ in range(60)
        ],
        schema=["country_iso3", "office", "function_id", "income_group", "weight", "log_ratio"],
        orient="row",
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("prior", [0.0, "prior"])
def test_leaving_each_country_out_at_once_matches_pooling_without_it(seed, prior):
    pairs = random_pairs(seed)
    # A country with no pairs at all, and cells the pairs never reach, are held out too.
    cells = (
        pl.DataFrame({"country_iso3": ["AAA", "BBB", "CCC", "DDD", "EEE"]})
        .join(pairs.select("office", "function_id", "income_group").unique(), how="cross")
        .vstack(
            pl.DataFrame(
                [("AAA", "IT", "f9", "High income")],
                schema=["country_iso3", "office", "function_id", "income_group"],
                orient="row",
            )
        )
        .with_columns(prior=pl.lit(0.1))
    )
    at_once = pooled_without_own(pairs, cells, LEVELS, k=3.0, prior=prior, own="country_iso3")
    for (country,), own_cells in cells.group_by("country_iso3"):
        others = pairs.filter(pl.col("country_iso3") != country)
        one_by_one = pooled(others, own_cells, LEVELS, k=3.0, prior=0.1 if prior == "prior" else 0.0)
        key = ["country_iso3", "office", "function_id", "income_group"]
        got = at_once.filter(pl.col("country_iso3") == country).sort(key)
        want = one_by_one.sort(key)
        for column in ("estimate_0", "estimate_1", "estimate_2", "evidence_2"):
            assert got[column].to_list() == pytest.approx(want[column].to_list(), rel=1e-12, abs=1e-12), column


def test_a_level_keyed_by_the_country_itself_has_nothing_left_when_that_country_is_held_out():
    pairs = random_pairs(4)
    levels = [["office"], ["office", "country_iso3", "function_id"]]
    cells = pairs.select("country_iso3", "office", "function_id").unique()
    at_once = pooled_without_own(pairs, cells, levels, k=3.0, prior=0.0, own="country_iso3")
    assert at_once["evidence_1"].to_list() == [0.0] * at_once.height
    assert at_once["estimate_1"].to_list() == pytest.approx(at_once["estimate_0"].to_list(), rel=1e-12)
