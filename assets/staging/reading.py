"""Reading the current raw files of a source, each with its provenance record for row-level tracing."""

from __future__ import annotations

from pipelines.resources import Warehouse
from storage.raw_zone import Provenance


def current_files(warehouse: Warehouse, source: str) -> dict[str, tuple[bytes, Provenance]]:
    """dataset id -> (bytes, provenance) of the source's latest pull; checksums are verified on read."""
    zone = warehouse.raw_zone()
    return {dataset_id: (zone.read(record), record) for dataset_id, record in zone.current(source).items()}
