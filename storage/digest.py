"""The content digest of a stored table, so that a check can tell whether the table is still the one its step wrote
(and held to its contract) without validating the same rows again."""

from __future__ import annotations

import hashlib

from upath import UPath


def content_sha256(path: UPath) -> str:
    """SHA-256 over a table's one file, or over every file under its folder (partitions) by relative path and bytes:
    a file added, removed, renamed or changed gives another digest."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted((p for p in path.rglob("*") if p.is_file()), key=str)
    for file in files:
        digest.update(str(file)[len(str(path)) :].encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()
