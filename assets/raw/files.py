"""Raw files at publishers' URLs: one asset per source, storing each of its files in the raw zone with provenance.

The datasets of each source are rows of reference/raw_datasets.csv. In snapshot mode a file comes from the bundled
sample (data/sample, described by its MANIFEST.json); in live mode it is downloaded from the publisher's URL, or from
its copy on the mirror that BPO_SOURCE_BASE_URL names (the provenance keeps the publisher's URL and names the copy).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import polars as pl
from dagster import AssetsDefinition, MaterializeResult, MetadataValue, asset

from assets.metadata import markdown_table
from assets.resources import ReferenceFiles, SourceAccess, Warehouse
from assets.resources.io_managers import RAW_SOURCE
from sources import gsa_calc
from sources.releases import STATED_LAST_UPDATED
from storage.raw_zone import Provenance

IO_MANAGER = "raw_files"

Fetched = tuple[bytes, str, Provenance]


def fetch(access: SourceAccess, reference: ReferenceFiles, dataset: dict) -> list[Fetched]:
    """The files of one dataset. Curated datasets (no publisher URL, such as the seed of vendor rates) always come
    from the bundled sample; a paged API gives one file per page."""
    if access.mode != "live" or not dataset["url"]:
        return [_from_sample(access, dataset)]
    if dataset["source"] in PAGED:
        return PAGED[dataset["source"]](access, reference, dataset)
    return [_from_publisher(access, dataset)]


def _from_sample(access: SourceAccess, dataset: dict) -> Fetched:
    sample = Path(access.sample_dir)
    entries = json.loads((sample / "MANIFEST.json").read_text())
    entry = next(
        (e for e in entries if (e["source"], e["dataset_id"]) == (dataset["source"], dataset["dataset_id"])), None
    )
    if entry is None:
        raise FileNotFoundError(f"{dataset['source']}/{dataset['dataset_id']} is not in {sample / 'MANIFEST.json'}")
    content = (sample / entry["file"]).read_bytes()
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise ValueError(
            f"{sample / entry['file']}: content differs from MANIFEST.json; rebuild the sample with its script"
        )
    origin = f"bundled sample {entry['file']}: {entry['reduction']}; from {entry['copied_from']}"
    name = Path(entry["file"]).name
    return (
        content,
        name,
        _provenance(dataset, "snapshot", origin=origin, last_updated=_stated_date(dataset, content, name)),
    )


def _from_publisher(access: SourceAccess, dataset: dict) -> Fetched:
    url = access.source_url(dataset["url"])
    download = access.http_client().get(url, source=dataset["producer"])
    name = dataset["live_file"]
    stated = _stated_date(dataset, download.content, name) or download.headers.get("Last-Modified")
    record = _provenance(
        dataset, "live", origin=_mirror(url, dataset["url"]), retrieved_at=download.retrieved_at, last_updated=stated
    )
    return download.content, name, record


def _gsa_pages(access: SourceAccess, reference: ReferenceFiles, dataset: dict) -> list[Fetched]:
    """GSA CALC ceiling rates, one narrowed query per keyword of the category mapping: the whole data set is far
    larger than the labour categories the benchmark can use, and the API stops paging at 10,000 hits."""
    keywords = reference.model().gsa_keywords["keyword"].unique().sort()
    http = access.http_client()
    fetched = []
    for keyword in keywords:
        slug = re.sub(r"[^a-z0-9]+", "-", keyword.lower()).strip("-")
        query = gsa_calc.rates_url(keyword=keyword)
        for number, page in enumerate(gsa_calc.fetch_all(http, access.source_url(query)), start=1):
            # The page's own query (its page number) on the publisher's address, whichever server answered.
            url = urlunsplit(urlsplit(query)._replace(query=urlsplit(page.url).query))
            record = replace(
                _provenance(dataset, "live", origin=_mirror(page.url, url), retrieved_at=page.retrieved_at),
                dataset_id=f"{dataset['dataset_id']}/{slug}/{number:03d}",
                url=url,
            )
            fetched.append((page.content, f"ceilingrates-{slug}-{number:03d}.json", record))
    return fetched


PAGED = {"gsa_calc": _gsa_pages}


def _mirror(fetched: str, publisher: str) -> str | None:
    """The origin of a file fetched from a mirror (BPO_SOURCE_BASE_URL), or None for the publisher's own server."""
    return None if fetched == publisher else f"copy fetched from the mirror at {fetched}"


def _stated_date(dataset: dict, content: bytes, name: str) -> str | None:
    """The source's own last-updated date, for the sources that print one in the file."""
    reader = STATED_LAST_UPDATED.get(dataset["source"])
    stated = reader(content, name) if reader else None
    return stated.isoformat() if stated else None


def _provenance(dataset: dict, mode: str, *, origin=None, retrieved_at=None, last_updated=None) -> Provenance:
    return Provenance(
        source=dataset["source"],
        dataset_id=dataset["dataset_id"],
        producer=dataset["producer"],
        title=dataset["title"],
        url=dataset["url"],
        licence=dataset["licence"],
        retrieved_at=(retrieved_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        last_updated=last_updated,
        mode=mode,
        origin=origin,
    )


def raw_asset(source: str, datasets: list[dict]) -> AssetsDefinition:
    titles = "\n".join(f"- `{d['dataset_id']}`: {d['title']} ({d['producer']}, {d['licence']})" for d in datasets)

    @asset(
        name=f"raw_{source}",
        group_name="raw",
        kinds={"file"},
        description=f"Raw files of {source}, stored byte for byte with provenance:\n{titles}",
        metadata={RAW_SOURCE: source},
        io_manager_key=IO_MANAGER,
    )
    def _raw(warehouse: Warehouse, access: SourceAccess, reference: ReferenceFiles) -> MaterializeResult:
        zone = warehouse.raw_zone()
        stored = {
            provenance.dataset_id: zone.store(content, name, provenance)
            for dataset in datasets
            for content, name, provenance in fetch(access, reference, dataset)
        }
        zone.set_current(source, stored)
        records = list(stored.values())
        listing = pl.DataFrame(
            [
                {"dataset_id": r.dataset_id, "raw_file": r.raw_file, "bytes": r.size_bytes, "sha256": r.sha256[:12]}
                for r in records
            ]
        )
        return MaterializeResult(
            metadata={
                "mode": access.mode,
                "files": len(records),
                "bytes": int(listing["bytes"].sum()),
                "raw_files": MetadataValue.md(markdown_table(listing)),
            }
        )

    return _raw


def catalogue_assets(catalogue: pl.DataFrame) -> list[AssetsDefinition]:
    """One raw asset per source of the catalogue (reference/raw_datasets.csv), holding all of its datasets."""
    return [
        raw_asset(source, group.to_dicts()) for (source,), group in catalogue.group_by("source", maintain_order=True)
    ]
