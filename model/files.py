"""The raw files behind a row: lists of raw-zone paths, merged the one way every table states them."""

from __future__ import annotations

import polars as pl


def merged_files(*lists: str | pl.Expr) -> pl.Expr:
    """The union of the list columns `lists`, sorted, without repeats. Sorting inside `list.eval` sorts each row's
    values as one column; polars' `list.sort` on strings is about ten times slower, and the cost model merges files
    on every row it publishes."""
    return pl.concat_list(*lists).list.eval(pl.element().unique().sort())


def files_by(frame: pl.DataFrame, keys: list[str], *lists: str) -> pl.DataFrame:
    """Per `keys`, the union of the list columns `lists` over the key's rows, sorted, as `sources`. The rows are
    flattened to one (key, file) table and grouped once, which is what a per-group union of lists costs polars many
    times over when the groups are many and small."""
    return (
        frame.select(*keys, file=pl.concat_list(*(pl.col(column).fill_null([]) for column in lists)))
        .explode("file")
        .drop_nulls("file")
        .unique()
        .sort([*keys, "file"])
        .group_by(keys, maintain_order=True)
        .agg(pl.col("file").alias("sources"))
    )
