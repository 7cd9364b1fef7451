"""Atomic writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from upath import UPath

LOCAL_PROTOCOLS = {"", "file", "local"}


def write_atomic(target: UPath, write: Callable[[BinaryIO], None]) -> None:
    """On a local disk, write a temporary sibling and rename it over `target` (rename is atomic there). An object
    store puts each object whole and has no rename, so there the object is written directly."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.protocol not in LOCAL_PROTOCOLS:
        with target.open("wb") as handle:
            write(handle)
        return
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("wb") as handle:
            write(handle)
        temporary.replace(target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_bytes_atomic(target: UPath, content: bytes) -> None:
    write_atomic(target, lambda handle: handle.write(content))


def replace_link(link: Path, target: str) -> None:
    """Point the symbolic link `link` at `target` (relative to the link's folder) in one step: a new link renamed over
    the old one. Rename replaces a link atomically, so whoever follows it finds the old target or the new one."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.tmp")
    os.symlink(target, temporary)
    os.replace(temporary, link)
