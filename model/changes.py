"""What changed between the current published version and a new one: per key, the old and new value of each headline
figure, and why where the data say (the row's raw files, or the reference files, changed)."""

from __future__ import annotations

import polars as pl

# Published table -> (key, headline figure). Every other figure of a row follows from these or from its parameters.
FIGURES: dict[str, tuple[list[str], str]] = {
    "location_function_costs": (["year", "country_iso3", "function_id"], "cost_per_productive_hour_usd"),
    "vendor_rates": (["year", "country_iso3", "function_id"], "rate_mid_usd_hour"),
    "tier_function_benchmarks": (["year", "buyer_iso3", "function_id", "tier"], "cost_per_hour_p50_usd"),
}
# Below this relative difference two figures are the same (floating-point noise of a recomputation).
TOLERANCE = 1e-9


def figure_changes(
    table: str, old: pl.DataFrame | None, new: pl.DataFrame, reference_changes: list[str]
) -> pl.DataFrame:
    """Rows added, removed or changed in `table`'s headline figure; one `unchanged` row when nothing moved."""
    key, figure = FIGURES[table]
    traced = "sources" in new.columns
    keep = [*key, figure, *(["sources"] if traced else [])]
    before = (old if old is not None else new.clear()).select(keep)
    joined = before.join(new.select(keep), on=key, how="full", coalesce=True, suffix="_new")
    old_value, new_value = pl.col(figure), pl.col(f"{figure}_new")
    change = (
        pl.when(old_value.is_null())
        .then(pl.lit("added"))
        .when(new_value.is_null())
        .then(pl.lit("removed"))
        .when(((new_value - old_value) / old_value).abs() > TOLERANCE)
        .then(pl.lit("changed"))
    )
    because = [pl.lit("; ".join(f"reference file {name} changed" for name in reference_changes) or None, pl.String)]
    if traced:
        added = pl.col("sources_new").list.set_difference("sources")
        removed = pl.col("sources").list.set_difference("sources_new")
        because.append(
            pl.when(added.list.len() + removed.list.len() > 0).then(
                pl.format("raw files +[{}] -[{}]", added.list.join(", "), removed.list.join(", "))
            )
        )
    changed = joined.with_columns(change=change).filter(pl.col("change").is_not_null())
    rows = changed.select(
        pl.lit(table).alias("table"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator="/").alias("key"),
        pl.lit(figure).alias("figure"),
        old_value.alias("old_value"),
        new_value.alias("new_value"),
        "change",
        pl.concat_str(because, separator="; ", ignore_nulls=True).alias("reason"),
    )
    if rows.is_empty():
        return pl.DataFrame(
            {
                "table": [table],
                "key": ["*"],
                "figure": [figure],
                "old_value": [None],
                "new_value": [None],
                "change": ["unchanged"],
                "reason": [f"{new.height} rows, the same values"],
            },
            schema=rows.schema,
        )
    return rows.with_columns(pl.col("reason").replace("", None)).sort("key")
