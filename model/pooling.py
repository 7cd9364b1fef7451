"""Partial pooling of weighted log ratios over nested groups, shared by the function premia and the vendor markups.

Each level's estimate is its weighted mean log ratio pulled towards the level above with the weight of `k`
observations: (sum of w x log ratio + k x parent) / (sum of w + k). A group with little evidence stays near its
parent, one with much speaks for itself, and a group with none takes its parent's estimate. The top level is pulled
towards `prior`.
"""

from __future__ import annotations

import polars as pl


def pooled(pairs: pl.DataFrame, cells: pl.DataFrame, levels: list[list[str]], k: float, prior: float) -> pl.DataFrame:
    """`cells` with one column `estimate_<n>` per level (n = 0 coarsest) and `evidence_<n>`, the weight behind it.
    `pairs` holds the level keys, `weight` and `log_ratio`."""
    estimate = cells.with_columns(estimate_prior=pl.lit(prior))
    parent = "estimate_prior"
    for depth, keys in enumerate(levels):
        stats = pairs.group_by(keys).agg(w=pl.col("weight").sum(), wm=(pl.col("weight") * pl.col("log_ratio")).sum())
        own = f"estimate_{depth}"
        estimate = (
            estimate.join(stats, on=keys, how="left")
            .with_columns(
                ((pl.col("wm").fill_null(0.0) + k * pl.col(parent)) / (pl.col("w").fill_null(0.0) + k)).alias(own),
                pl.col("w").fill_null(0.0).alias(f"evidence_{depth}"),
            )
            .drop("w", "wm")
        )
        parent = own
    return estimate.drop("estimate_prior")
