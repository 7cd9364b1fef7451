"""Holding a frame to its contract: rows that break a row-level rule are set aside with the reason, never dropped
silently; a frame that breaks a table-level rule (a missing column, a wrong type) is refused whole."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

ROW = "__row"


class ContractError(ValueError):
    """The frame as a whole does not fit its table's contract."""


@dataclass(frozen=True)
class Checked:
    valid: pl.DataFrame
    rejects: pl.DataFrame  # the offending rows as they were, with `reject_reason`

    def reject_counts(self) -> dict[str, int]:
        """How many rows each rule rejected (a row may break several)."""
        if self.rejects.is_empty():
            return {}
        counts = self.rejects.select(pl.col("reject_rules").explode().value_counts(sort=True)).unnest("reject_rules")
        return dict(zip(counts["reject_rules"].to_list(), counts["count"].to_list(), strict=False))


def hold_to_contract(
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    table: str,
    rules: dict[str, pl.Expr] | None = None,
) -> Checked:
    """Split `frame` into rows that satisfy `model` and the extra `rules` (name -> expression true for a good row),
    and rejected rows. A `parse_error` column, which parsers fill when a cell could not be read, rejects its row too."""
    indexed = frame.with_row_index(ROW)
    # An infinite or NaN figure (an overflow, a cell reading "inf") passes a range check like gt=0: none is wanted.
    finite = {
        f"{c} is a finite number": pl.col(c).is_finite() | pl.col(c).is_null()
        for c, t in frame.schema.items()
        if t.is_float()
    }
    found = [
        _parse_errors(indexed),
        _rule_failures(indexed, finite | (rules or {})),
        _model_failures(indexed, model, table),
    ]
    failures = pl.concat(
        [pl.DataFrame(schema={ROW: pl.UInt32, "rule": pl.String, "detail": pl.String})]
        + [part for part in found if part is not None]
    )
    by_row = failures.group_by(ROW).agg(
        reject_rules=pl.col("rule").unique(maintain_order=True),
        reject_reason=pl.col("detail").str.join("; "),
    )
    rejects = indexed.join(by_row, on=ROW, how="inner").sort(ROW).drop(ROW)
    valid = indexed.join(by_row, on=ROW, how="anti").drop(ROW, "parse_error", strict=False)
    return Checked(valid=valid, rejects=rejects)


def _parse_errors(indexed: pl.DataFrame) -> pl.DataFrame | None:
    if "parse_error" not in indexed.columns:
        return None
    return indexed.filter(pl.col("parse_error").is_not_null()).select(
        ROW, rule=pl.lit("parse_error"), detail=pl.col("parse_error")
    )


def _rule_failures(indexed: pl.DataFrame, rules: dict[str, pl.Expr]) -> pl.DataFrame | None:
    if not rules:
        return None
    return pl.concat(
        [
            indexed.filter(~expression.fill_null(False)).select(ROW, rule=pl.lit(name), detail=pl.lit(name))
            for name, expression in rules.items()
        ]
    )


def _model_failures(indexed: pl.DataFrame, model: type[pa.DataFrameModel], table: str) -> pl.DataFrame | None:
    try:
        model.validate(indexed.drop("parse_error", strict=False).drop(ROW), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return None
    table_level = cases.filter(pl.col("index").is_null())
    if not table_level.is_empty():
        problems = "; ".join(
            f"{column}: {check} (found {case})"
            for column, check, case in table_level.select("column", "check", "failure_case").iter_rows()
        )
        raise ContractError(f"{table}: the frame does not fit the {model.__name__} contract: {problems}")
    return cases.select(
        pl.col("index").cast(pl.UInt32).alias(ROW),
        rule=pl.when(pl.col("check").str.ends_with("uniqueness"))
        .then(pl.lit("duplicate key"))
        .otherwise(pl.format("{}: {}", "column", "check")),
        detail=pl.format("{} {} failed on {}", "column", "check", pl.col("failure_case").fill_null("null")),
    )


def validate_stored(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> list[str]:
    """Problems found in a stored table (empty when it keeps its contract); used by the asset checks."""
    if frame.is_empty():
        return ["the table has no rows"]
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return [
            f"{column}: {check} (e.g. {case})"
            for column, check, case in exc.failure_cases.group_by("column", "check", maintain_order=True)
            .agg(pl.col("failure_case").first())
            .iter_rows()
        ]
    return []


# A new table that loses more than this share of the keys of the one it replaces is more likely cut short (a
# truncated download, a file cut at a line end) than smaller: it is refused.
MAX_KEY_LOSS = 0.2


def lost_keys(before: pl.DataFrame, after: pl.DataFrame, model: type[pa.DataFrameModel]) -> str | None:
    """A sentence saying how many keys `after` lost against `before`, if more than MAX_KEY_LOSS; else None."""
    key = model.to_schema().unique or list(model.to_schema().columns)
    old, new = before.select(key).n_unique(), after.select(key).n_unique()
    if new >= (1 - MAX_KEY_LOSS) * old:
        return None
    return f"{new:,} keys against {old:,} before, a loss of {1 - new / old:.0%} (more than {MAX_KEY_LOSS:.0%})"
