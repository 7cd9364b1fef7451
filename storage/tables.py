"""Parquet tables of the staging and benchmark layers, one folder per table, replaced atomically."""

from __future__ import annotations

import polars as pl
from upath import UPath

from storage.atomic import write_atomic


def table_path(root: UPath, layer: str, table: str) -> UPath:
    return root / layer / table / f"{table}.parquet"


def write_table(root: UPath, layer: str, table: str, frame: pl.DataFrame) -> UPath:
    target = table_path(root, layer, table)
    write_atomic(target, lambda handle: frame.write_parquet(handle, compression="zstd", statistics=True))
    return target


def read_table(root: UPath, layer: str, table: str) -> pl.DataFrame:
    path = table_path(root, layer, table)
    if not path.exists():
        raise FileNotFoundError(f"table {layer}/{table} is not in {root}: materialize it first")
    with path.open("rb") as handle:
        return pl.read_parquet(handle)
