"""Published versions: every run writes its benchmark tables and catalog into a version of its own, and only a run
whose checks all passed makes its version current, in one atomic step.

    versions/<version>/benchmarks/<table>/...   the tables (Hive Parquet), as storage.published writes them
    versions/<version>/staging/<table>/...      the staging evidence the catalog serves beside them, as of the run
    versions/<version>/bpo.duckdb               the version's catalog, views over its own files
    versions/<version>/VERSION.json             when it was committed, by which run, and each table's content digest
    CURRENT.json                                the current version and the committed ones still kept, newest last
    benchmarks -> versions/<current>/benchmarks  on a local disk, a symbolic link replaced by a rename
    bpo.duckdb                                   on a local disk, a copy of the current version's catalog

A reader opening `bpo.duckdb` or `benchmarks/` sees one version whole: the link and the catalog are each replaced by
a rename, and a version's files never change once written. A run whose tables hold the same data as the current
version's commits nothing. Committed versions beyond the retention are deleted, and so are versions that were never
committed (runs that failed or were killed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from datetime import UTC, datetime

import polars as pl
import polars.selectors as cs
from upath import UPath

from storage.atomic import LOCAL_PROTOCOLS, write_bytes_atomic
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


def digests(base: UPath, tables: list[str]) -> dict[str, str]:
    """A digest of each table's data (not its file bytes, which carry the build time in their metadata)."""
    result = {}
    for table in tables:
        # Parallel sums differ in their last bits from run to run: floats count to 12 significant digits.
        frame = read_partitioned(base, table).with_columns(cs.float().round_sig_figs(12))
        # Row order is the writer's business, not the data's: the sorted row hashes, with the columns and types.
        rows = ",".join(map(str, frame.hash_rows(seed=0).sort().to_list()))
        result[table] = hashlib.sha256(f"{frame.schema}|{rows}".encode()).hexdigest()
    return result


def commit(root: UPath, version: str, tables: list[str], retention: int, run_id: str) -> bool:
    """Make `version` current unless its data equal the current version's (then it is discarded). Returns whether a
    new version was committed."""
    base = version_root(root, version)
    pointer = current(root)
    new = digests(base, tables)
    if pointer["version"]:
        old = json.loads((version_root(root, pointer["version"]) / MANIFEST).read_text())["digests"]
        if old == new:
            shutil.rmtree(base.path) if base.protocol in LOCAL_PROTOCOLS else base.fs.rm(base.path, recursive=True)
            return False
    committed_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {"version": version, "run_id": run_id, "committed_at": committed_at, "digests": new}
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
    temporary = root / f".benchmarks.{uuid.uuid4().hex}.tmp"
    # Relative, so that a copied or moved warehouse points at its own versions.
    os.symlink(os.path.join(VERSIONS, version, "benchmarks"), temporary.path)
    os.replace(temporary.path, link.path)


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
