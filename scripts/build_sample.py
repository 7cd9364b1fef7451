"""Build the bundled sample under data/sample from the real public files in ../shared/data/raw.

Each sample file is the shared file itself, or a reduction of it to the rows the benchmarks use, keeping the
publisher's layout byte for byte on every line that is kept (so the parsers read the sample exactly as they read a live
download). The script writes data/sample/MANIFEST.json with each file's origin, licence, reduction and checksums.

    python scripts/build_sample.py [--shared ../shared/data/raw]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "data" / "sample"
CATALOGUE = PROJECT / "reference" / "raw_datasets.csv"


def _keep_csv_lines(content: bytes, keep) -> bytes:
    """Keep the header and the lines whose parsed fields satisfy `keep(row: dict)`, each line as it was."""
    lines = content.splitlines(keepends=True)
    header = next(csv.reader([lines[0].decode("utf-8-sig")]))
    header = [name.strip() for name in header]
    kept = [lines[0]]
    for line in lines[1:]:
        fields = next(csv.reader([line.decode("utf-8")]), None)
        if fields and keep(dict(zip(header, fields, strict=False))):
            kept.append(line)
    return b"".join(kept)


def ilostat_total_national(content: bytes) -> tuple[bytes, str]:
    reduced = _keep_csv_lines(
        content, lambda row: row["sex.label"] == "Total" and row["classif1.label"] == "Area type: National"
    )
    return reduced, "kept only the rows for sex 'Total' and area type 'National' (the national mean)"


USED_CODE_PREFIXES = ("OCU_ISCO08_", "GEO_COV_", "CUR_TYPE_")


def ilostat_dictionary_used_codes(content: bytes) -> tuple[bytes, str]:
    reduced = _keep_csv_lines(content, lambda row: next(iter(row.values())).startswith(USED_CODE_PREFIXES))
    return reduced, f"kept only the codes starting with {', '.join(USED_CODE_PREFIXES)}"


def geonames_capitals_only(content: bytes) -> tuple[bytes, str]:
    """cities15000 is 7.7 MB unzipped; the benchmarks use only capitals (feature code PPLC, column 8)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (member,) = archive.infolist()
        lines = archive.read(member).splitlines(keepends=True)
    kept = b"".join(line for line in lines if line.split(b"\t")[7] == b"PPLC")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member.filename, date_time=member.date_time), kept)
    return buffer.getvalue(), "kept only the capital rows (feature code PPLC), re-zipped under the same member name"


REDUCTIONS = {
    "copy": lambda content: (content, "copied unchanged"),
    "ilostat_total_national": ilostat_total_national,
    "ilostat_dictionary_used_codes": ilostat_dictionary_used_codes,
    "geonames_capitals_only": geonames_capitals_only,
}


def build(shared: Path) -> list[dict]:
    # The catalogue row of each dataset names its file in ../shared, where that copy came from and how it is reduced.
    datasets = pl.read_csv(CATALOGUE, infer_schema=False)
    manifest = []
    for entry in datasets.iter_rows(named=True):
        original = (shared / entry["shared_file"]).read_bytes()
        content, reduction = REDUCTIONS[entry["sample_reduction"]](original)
        target = SAMPLE / entry["source"] / Path(entry["shared_file"]).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        manifest.append(
            {
                "source": entry["source"],
                "dataset_id": entry["dataset_id"],
                "file": target.relative_to(SAMPLE).as_posix(),
                "producer": entry["producer"],
                "title": entry["title"],
                "licence": entry["licence"],
                "url": entry["url"],
                "copied_from": entry["copied_from"],
                "shared_file": entry["shared_file"],
                "shared_sha256": hashlib.sha256(original).hexdigest(),
                "reduction": reduction,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size_bytes": len(content),
            }
        )
    (SAMPLE / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT.parent / "shared" / "data" / "raw")
    manifest = build(parser.parse_args().shared)
    total = sum(entry["size_bytes"] for entry in manifest)
    print(f"wrote {len(manifest)} files, {total / 1e6:.2f} MB, and MANIFEST.json to {SAMPLE}")


if __name__ == "__main__":
    main()
