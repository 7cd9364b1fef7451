"""Raw layer for the vendor sources that are not files at a fixed URL: public pricing pages, scraped in live mode
from the declarative entries of reference/pricing_pages.csv, and analysts' quote files from a local folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from dagster import MaterializeResult, MetadataValue, asset

from assets.metadata import markdown_table
from assets.raw.files import IO_MANAGER
from assets.resources import ReferenceFiles, SourceAccess, Warehouse
from assets.resources.io_managers import RAW_SOURCE
from sources.pricing_pages import PricingPageFetcher
from storage.raw_zone import Provenance

QUOTE_SUFFIXES = {".csv", ".xlsx"}


def _listing(records: list[Provenance], note: str) -> MaterializeResult:
    listing = pl.DataFrame(
        [{"dataset_id": r.dataset_id, "raw_file": r.raw_file, "bytes": r.size_bytes} for r in records],
        schema={"dataset_id": pl.String, "raw_file": pl.String, "bytes": pl.Int64},
    )
    return MaterializeResult(
        metadata={"files": len(records), "note": note, "raw_files": MetadataValue.md(markdown_table(listing))}
    )


@asset(
    group_name="raw",
    kinds={"html"},
    description="Public vendor pricing pages listed in reference/pricing_pages.csv (one declarative row a page), "
    "fetched in live mode (robots.txt honoured, requests spaced, pages cached) and stored with provenance. Snapshot "
    "mode fetches nothing.",
    metadata={RAW_SOURCE: "pricing_pages"},
    io_manager_key=IO_MANAGER,
)
def raw_pricing_pages(warehouse: Warehouse, access: SourceAccess, reference: ReferenceFiles) -> MaterializeResult:
    zone = warehouse.raw_zone()
    specs = reference.pricing_pages()
    if access.mode != "live":
        zone.set_current("pricing_pages", {})
        return _listing([], "snapshot mode: pages are fetched only live; the seed of public rates stands in for them")
    fetcher = PricingPageFetcher(
        access.http_client(), cache_dir=Path(access.page_cache_dir), delay_s=access.page_delay_s
    )
    records = []
    for spec in specs:
        page = fetcher.fetch(spec)
        records.append(
            zone.store(
                page.content,
                f"{spec.page_id}.html",
                Provenance(
                    source="pricing_pages",
                    dataset_id=spec.page_id,
                    producer=spec.vendor,
                    title=f"Pricing page of {spec.vendor}",
                    url=spec.url,
                    licence="facts quoted from a public web page",
                    retrieved_at=page.retrieved_at.isoformat(timespec="seconds"),
                    last_updated=page.headers.get("Last-Modified"),
                    mode="live",
                ),
            )
        )
    zone.set_current("pricing_pages", {spec.page_id: record for spec, record in zip(specs, records, strict=False)})
    return _listing(records, f"{len(specs)} page(s) listed in reference/pricing_pages.csv")


def quote_files(folder: Path) -> list[Path]:
    """The quote files of the folder, refusing a link that leads out of it (a quote file is read and stored whole)."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in QUOTE_SUFFIXES)
    outside = [p.name for p in files if not p.resolve().is_relative_to(folder.resolve())]
    if outside:
        raise ValueError(f"{folder}: {outside} link(s) to files outside the quotes folder; copy the files in instead")
    return files


@asset(
    group_name="raw",
    kinds={"csv"},
    description="Analysts' vendor quotes: every CSV or XLSX file of BPO_QUOTES_DIR (default data/quotes), stored "
    "with provenance in both modes.",
    metadata={RAW_SOURCE: "vendor_quotes"},
    io_manager_key=IO_MANAGER,
)
def raw_vendor_quotes(warehouse: Warehouse, access: SourceAccess) -> MaterializeResult:
    zone = warehouse.raw_zone()
    folder = Path(access.quotes_dir)
    files = quote_files(folder)
    records = [
        zone.store(
            path.read_bytes(),
            path.name,
            Provenance(
                source="vendor_quotes",
                dataset_id=path.name,
                producer="analysts' own vendor quotes",
                title=f"Vendor quotes in {path.name}",
                url=None,
                licence="internal: analysts' own evidence",
                retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                last_updated=datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat(),
                mode="local",
                origin=str(path),
            ),
        )
        for path in files
    ]
    zone.set_current("vendor_quotes", {path.name: record for path, record in zip(files, records, strict=False)})
    return _listing(records, f"read from {folder}")


definitions: list = [raw_pricing_pages, raw_vendor_quotes]
