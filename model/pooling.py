"""Partial pooling of weighted log ratios over nested groups, shared by the function premia and the vendor markups.

Each level's estimate is its weighted mean log ratio pulled towards the level above with the weight of `k`
observations: (sum of w x log ratio + k x parent) / (sum of w + k). A group with little evidence stays near its
parent, one with much speaks for itself, and a group with none takes its parent's estimate. The top level is pulled
towards `prior`.
"""

from __future__ import annotations

import polars as pl


def _shrunk(
    estimate: pl.DataFrame, stats: pl.DataFrame, keys: list[str], parent: str, depth: int, k: float
) -> tuple[pl.DataFrame, str]:
    """One level of partial pooling: each cell's weighted mean log ratio at this level (`stats`: its weight `w` and
    weighted sum `wm`, by `keys`) shrunk towards the level above (`parent`) with the strength of k pairs' weight; with
    the name of the new estimate column, the parent of the next level."""
    own = f"estimate_{depth}"
    shrunk = (
        estimate.join(stats, on=keys, how="left")
        .with_columns(
            ((pl.col("wm").fill_null(0.0) + k * pl.col(parent)) / (pl.col("w").fill_null(0.0) + k)).alias(own),
            pl.col("w").fill_null(0.0).alias(f"evidence_{depth}"),
        )
        .drop("w", "wm")
    )
    return shrunk, own


def pooled(pairs: pl.DataFrame, cells: pl.DataFrame, levels: list[list[str]], k: float, prior: float) -> pl.DataFrame:
    """`cells` with one column `estimate_<n>` per level (n = 0 coarsest) and `evidence_<n>`, the weight behind it.
    `pairs` holds the level keys, `weight` and `log_ratio`."""
    estimate = cells.with_columns(estimate_prior=pl.lit(prior))
    parent = "estimate_prior"
    for depth, keys in enumerate(levels):
        stats = pairs.group_by(keys).agg(w=pl.col("weight").sum(), wm=(pl.col("weight") * pl.col("log_ratio")).sum())
        estimate, parent = _shrunk(estimate, stats, keys, parent, depth, k)
    return estimate.drop("estimate_prior")


def pooled_without_own(
    pairs: pl.DataFrame, cells: pl.DataFrame, levels: list[list[str]], k: float, prior: str | float, own: str
) -> pl.DataFrame:
    """What `pooled` gives each cell when the pairs of the cell's own `own` group (a country) are left out, for every
    group at once: each level's sums over all pairs less the group's own sums, so holding each group out in turn
    costs one pass over the pairs, not one per group. `cells` holds `own` and the level keys; `prior` is a number or a
    column of `cells` (a prior that depends on the group held out)."""
    estimate = cells.with_columns(estimate_prior=pl.col(prior) if isinstance(prior, str) else pl.lit(prior))
    parent = "estimate_prior"
    sums = [
        pl.len().alias("n"),
        pl.col("weight").sum().alias("w"),
        (pl.col("weight") * pl.col("log_ratio")).sum().alias("wm"),
    ]
    for depth, keys in enumerate(levels):
        with_own = [own, *(key for key in keys if key != own)]
        every = pairs.group_by(keys).agg(sums)
        its_own = pairs.group_by(with_own).agg(sums)
        # Where the group held out is all there is, the others have nothing: no sum, not a difference of sums.
        others = pl.col("n") > pl.col("n_own").fill_null(0)
        stats = (
            estimate.select(with_own)
            .unique()
            .join(every, on=keys)
            .join(its_own, on=with_own, how="left", suffix="_own")
            .select(
                *with_own,
                pl.when(others).then(pl.col("w") - pl.col("w_own").fill_null(0.0)).alias("w"),
                pl.when(others).then(pl.col("wm") - pl.col("wm_own").fill_null(0.0)).alias("wm"),
            )
        )
        estimate, parent = _shrunk(estimate, stats, with_own, parent, depth, k)
    return estimate.drop("estimate_prior")
