"""Published versions: every run writes its benchmark tables and catalog into a version of its own, and only a run
whose checks all passed makes its version current, in one atomic step.

    versions/<version>/benchmarks/<table>/...   the tables (Hive Parquet), as storage.published writes them
    versions/<version>/staging/<table>/...      the staging evidence the catalog serves beside them, as of the run
    versions/<version>/bpo.duckdb               the version's catalog, views over its own files
    versions/<version>/VERSION.json             when it was committed, by which run, and its tables
    CURRENT.json                                the current version and the committed ones still kept, newest last
    benchmarks -> versions/<current>/benchmarks  on a local disk, a symbolic link replaced by a rename
    bpo.duckdb                                   on a local disk, a copy of the current version's catalog

A reader opening `bpo.duckdb` or `benchmarks/` sees one version whole: the link and the catalog are each replaced by
a rename, and a version's files never change once written. A run whose tables hold the same data as the current
version's commits nothing. Committed versions beyond the retention are deleted, and so are versions that were never
committed (runs that failed or were killed).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import polars.selectors as cs
from upath import UPath

from storage.atomic import LOCAL_PROTOCOLS, replace_link, write_bytes_atomic
from storage.published import CATALOG, published_path, read_partitioned

VERSIONS = "versions"
POINTER = "CURRENT.json"
MANIFEST = "VERSION.json"


class VersionError(RuntimeError):
    """The published versions are not in the state a commit needs."""


def version_root(root: UPath, version: str) -> UPath:
    return root / VERSIONS / version


def current(root: UPath) -> dict:
    """The pointer: {"version": id or None, "committed": [{"version", "committed_at"}...]}."""
    pointer = root / POINTER
    if not pointer.exists():
        return {"version": None, "committed": []}
    return json.loads(pointer.read_text())


def current_root(root: UPath) -> UPath | None:
    version = current(root)["version"]
    return version_root(root, version) if version else None


def has_table(base: UPath, table: str) -> bool:
    return next(published_path(base, table).rglob("*.parquet"), None) is not None


def complete(root: UPath, version: str, tables: list[str], evidence: list[str]) -> None:
    """Make the version whole before its catalog is built: a table this run did not write is taken as it is in the
    current version (a version is always every table), and the staging evidence is copied as of now."""
    base, previous = version_root(root, version), current_root(root)
    for table in tables:
        if not has_table(base, table):
            if previous is None or not has_table(previous, table):
                raise VersionError(f"{table}: neither this run nor the current version has it; run every benchmark")
            _copy_tree(published_path(previous, table), published_path(base, table))
    for table in evidence:
        source = root / "staging" / table
        _copy_tree(source, base / "staging" / table)


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame in an order that depends on its data only: lists as text, sorted by every column that is not a
    float (in these tables, the key and its labels)."""
    listed = frame.with_columns(cs.by_dtype(pl.List(pl.String)).list.join("|"))
    return listed.sort([c for c, dtype in listed.schema.items() if not dtype.is_float()], nulls_last=True)


def same_data(base: UPath, other: UPath, tables: list[str]) -> bool:
    """Whether two versions hold the same data: the same rows, floats equal to 9 significant digits (parallel sums
    differ in their last bits from run to run; the file bytes differ anyway, by the build time they carry)."""
    for table in tables:
        new, old = _canonical(read_partitioned(base, table)), _canonical(read_partitioned(other, table))
        if new.schema != old.schema or new.height != old.height:
            return False
        for column, dtype in new.schema.items():
            a, b = new[column], old[column]
            if dtype.is_float():
                differs = ((a - b).abs() > 1e-9 * b.abs().clip(lower_bound=1e-300)) | (a.is_null() != b.is_null())
                if differs.fill_null(False).any():
                    return False
            elif not a.equals(b):
                return False
    return True


def commit(root: UPath, version: str, tables: list[str], retention: int, run_id: str) -> bool:
    """Make `version` current unless its data equal the current version's (then it is discarded). Returns whether a
    new version was committed."""
    base = version_root(root, version)
    pointer = current(root)
    if pointer["version"] and same_data(base, version_root(root, pointer["version"]), tables):
        # Nothing new: this run's version goes with those of runs that died before committing theirs.
        prune(root, keep={entry["version"] for entry in pointer["committed"]})
        return False
    committed_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {"version": version, "run_id": run_id, "committed_at": committed_at, "tables": tables}
    write_bytes_atomic(base / MANIFEST, json.dumps(manifest, indent=2).encode())
    kept = [*pointer["committed"], {"version": version, "committed_at": committed_at}][-retention:]
    write_bytes_atomic(root / POINTER, json.dumps({"version": version, "committed": kept}, indent=2).encode())
    if root.protocol in LOCAL_PROTOCOLS:
        _point_link(root, version)
        _replace_catalog(root, version)
    prune(root, keep={entry["version"] for entry in kept})
    return True


def prune(root: UPath, keep: set[str]) -> None:
    """Delete every version folder not kept: committed ones past the retention, and runs that never committed."""
    folder = root / VERSIONS
    if not folder.exists():
        return
    for path in folder.iterdir():
        if path.name not in keep:
            shutil.rmtree(path.path) if path.protocol in LOCAL_PROTOCOLS else path.fs.rm(path.path, recursive=True)


def _point_link(root: UPath, version: str) -> None:
    """`benchmarks` -> the version's tables: a new link renamed over the old one, which is atomic. A `benchmarks`
    folder of the layout before versions is moved into a version folder of its own, which the next prune removes."""
    link = root / "benchmarks"
    if link.exists() and not os.path.islink(link.path):
        os.replace(link.path, version_root(root, f"unversioned-{uuid.uuid4().hex[:8]}").path)
    # Relative, so that a copied or moved warehouse points at its own versions.
    replace_link(Path(link.path), os.path.join(VERSIONS, version, "benchmarks"))


def _replace_catalog(root: UPath, version: str) -> None:
    temporary = root / f".{CATALOG}.{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile((version_root(root, version) / CATALOG).path, temporary.path)
        os.replace(temporary.path, (root / CATALOG).path)
    finally:
        if temporary.exists():
            temporary.unlink()


def _copy_tree(source: UPath, target: UPath) -> None:
    if source.protocol in LOCAL_PROTOCOLS:
        shutil.copytree(source.path, target.path)
    else:
        source.fs.copy(source.path, target.path, recursive=True)


def read_table(root: UPath, base: UPath | None, table: str) -> pl.DataFrame:
    """`table` from the version at `base` if it holds it, else from the current version."""
    for candidate in (base, current_root(root)):
        if candidate is not None and has_table(candidate, table):
            return read_partitioned(candidate, table)
    raise FileNotFoundError(f"table benchmarks/{table} is in no version of {root}: materialize it first")
