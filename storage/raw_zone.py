"""The raw zone: each fetched file stored once, byte for byte, beside a provenance record.

Layout: `<root>/raw/<source>/<retrieved-date>/<file>` and `<file>.provenance.json`, in the manner of Our World in
Data's snapshots. Nothing here is ever overwritten: a file that differs from one already stored under the same day and
name goes into a folder named after its checksum. `<root>/raw/<source>/CURRENT.json` names the files of the latest
pull, which is what staging reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import PurePosixPath

from upath import UPath

from storage.atomic import write_bytes_atomic

PROVENANCE_SUFFIX = ".provenance.json"


@dataclass(frozen=True)
class Provenance:
    source: str
    dataset_id: str
    producer: str
    title: str
    url: str | None
    licence: str
    retrieved_at: str
    last_updated: str | None
    mode: str
    origin: str | None = None  # for a bundled extract: the file it was reduced from and how
    sha256: str = ""
    size_bytes: int = 0
    raw_file: str = ""  # path relative to the warehouse root


class RawZone:
    def __init__(self, root: UPath):
        self.root = root

    def store(self, content: bytes, file_name: str, provenance: Provenance) -> Provenance:
        """Store `content` unless the identical bytes were stored under this name before (on any day); return the
        record of the stored file."""
        _check_name(file_name, provenance.source)
        sha256 = hashlib.sha256(content).hexdigest()
        stored_before = [
            record
            for path in (self.root / "raw" / provenance.source).glob(f"*/{file_name}{PROVENANCE_SUFFIX}")
            if (record := Provenance(**json.loads(path.read_text()))).sha256 == sha256
        ]
        if stored_before:
            return min(stored_before, key=lambda record: record.retrieved_at)
        day = datetime.fromisoformat(provenance.retrieved_at).date().isoformat()
        folder = self.root / "raw" / provenance.source / day
        existing = self._record(folder / file_name)
        if existing is not None and existing.sha256 != sha256:
            folder = folder.with_name(f"{day}-{sha256[:12]}")
            existing = self._record(folder / file_name)
        if existing is not None:
            return existing
        target = folder / file_name
        record = Provenance(
            **{
                **asdict(provenance),
                "sha256": sha256,
                "size_bytes": len(content),
                "raw_file": target.relative_to(self.root).as_posix(),
            }
        )
        write_bytes_atomic(target, content)
        write_bytes_atomic(_provenance_path(target), json.dumps(asdict(record), indent=2).encode())
        return record

    def set_current(self, source: str, records: dict[str, Provenance]) -> None:
        """Name the files of the latest pull, by the dataset id they were fetched as: two datasets served as the same
        bytes (the World Bank's country metadata inside an indicator's zip) share one stored file."""
        current = {dataset_id: record.raw_file for dataset_id, record in records.items()}
        write_bytes_atomic(self.root / "raw" / source / "CURRENT.json", json.dumps(current, indent=2).encode())

    def current(self, source: str) -> dict[str, Provenance]:
        """The latest pull of `source`, by dataset id; fails clearly when the raw asset has never run."""
        pointer = self.root / "raw" / source / "CURRENT.json"
        if not pointer.exists():
            raise FileNotFoundError(f"no raw files of {source} in {self.root}: materialize raw_{source} first")
        records = {}
        for dataset_id, raw_file in json.loads(pointer.read_text()).items():
            # The pointer is a file anyone can edit: it may name only a stored file of this source.
            inside = PurePosixPath(raw_file).parts[:2] == ("raw", source) and ".." not in PurePosixPath(raw_file).parts
            record = self._record(self.root / raw_file) if inside else None
            if record is None:
                raise ValueError(
                    f"{pointer}: {dataset_id} points to {raw_file!r}, which is not a stored file of raw/{source}/"
                )
            records[dataset_id] = record
        return records

    def read(self, record: Provenance) -> bytes:
        content = (self.root / record.raw_file).read_bytes()
        if hashlib.sha256(content).hexdigest() != record.sha256:
            raise ValueError(
                f"{record.raw_file}: checksum differs from its provenance record; the raw zone was altered"
            )
        return content

    def all_records(self) -> list[Provenance]:
        raw = self.root / "raw"
        if not raw.exists():
            return []
        return sorted(
            (Provenance(**json.loads(path.read_text())) for path in raw.glob(f"*/*/*{PROVENANCE_SUFFIX}")),
            key=lambda record: record.raw_file,
        )

    @staticmethod
    def _record(path: UPath) -> Provenance | None:
        provenance_path = _provenance_path(path)
        if not provenance_path.exists():
            return None
        return Provenance(**json.loads(provenance_path.read_text()))


def _provenance_path(path: UPath) -> UPath:
    return path.with_name(path.name + PROVENANCE_SUFFIX)


def _check_name(file_name: str, source: str) -> None:
    """A stored file's name comes from a catalogue row, a page id or a quote file: it must stay a plain name inside
    its folder."""
    if not file_name or file_name in (".", "..") or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        raise ValueError(f"{source}: {file_name!r} is not a plain file name; refusing to store it outside its folder")
