"""Atomic writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
