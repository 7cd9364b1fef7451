"""Atomic writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import uuid
from typing import Callable, BinaryIO

from upath import UPath


def write_atomic(target: UPath, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary sibling, then rename it over `target`.

    On a local disk the rename is atomic; on an object store each object is put whole, so the reader's guarantee holds.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
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
