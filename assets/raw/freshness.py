"""Freshness: a warning check per source that fails when the release its current pull holds is older than the
source's release cycle (`release_cycle_days` in reference/raw_datasets.csv).

A file's release date is the publisher's own last-updated date where the provenance has one (a date stated in the
file, or the server's Last-Modified), else the time its bytes were first retrieved: the raw zone stores identical bytes
once, so an unchanged file keeps its first retrieval time however often it is pulled again. A source's snapshot is as
recent as its newest file: one OEWS year stays as published for ever, and a new year is the release that counts.
Files read from the bundled sample follow no release cycle; only files pulled live are held to it.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, asset_check

from assets.resources import Warehouse
from storage.raw_zone import Provenance

CATALOGUE = "reference/raw_datasets.csv"


@dataclass(frozen=True)
class Freshness:
    passed: bool
    summary: str
    released: datetime | None = None  # the newest release date among the live files
    age_days: float | None = None


def release_cycles(catalogue: pl.DataFrame) -> dict[str, int]:
    """Each source's declared release cycle in days; a source without one (a curated file with no publisher URL) is
    left out. The rows of a source must agree, and a cycle must be a whole number of days above 0."""
    declared = catalogue.filter(pl.col("release_cycle_days").is_not_null())
    cycles = declared.group_by("source", maintain_order=True).agg(pl.col("release_cycle_days").unique())
    problems = [
        f"{source} declares {sorted(days)}" for source, days in cycles.iter_rows() if len(days) != 1 or days[0] <= 0
    ]
    if problems:
        raise ValueError(
            f"{CATALOGUE}: release_cycle_days must be one whole number of days above 0 per source: "
            + "; ".join(problems)
        )
    return {source: int(days[0]) for source, days in cycles.iter_rows()}


def release_date(record: Provenance) -> tuple[datetime, str]:
    """When the file's release came out, and by what: the publisher's stated date or Last-Modified, else the first
    retrieval of its bytes."""
    for parse in (_iso, _http_date):
        if record.last_updated and (when := parse(record.last_updated)) is not None:
            return when, "the publisher's last-updated date"
    return _iso(record.retrieved_at), "first retrieved"


def freshness(records: list[Provenance], cycle_days: int, now: datetime) -> Freshness:
    """Whether the newest live file's release is within `cycle_days` of `now`."""
    live = [record for record in records if record.mode == "live"]
    if not live:
        return Freshness(True, "read from the bundled sample, which follows no release cycle")
    newest = max(live, key=lambda record: release_date(record)[0])
    released, basis = release_date(newest)
    age_days = (now - released).total_seconds() / 86400
    within = age_days <= cycle_days
    return Freshness(
        within,
        f"the newest release, {newest.dataset_id} of {released.date().isoformat()} ({basis}), is {age_days:.0f} days "
        f"old: {'within' if within else 'older than'} the {cycle_days}-day release cycle",
        released,
        age_days,
    )


def freshness_check(source: str, cycle_days: int) -> AssetChecksDefinition:
    @asset_check(
        asset=f"raw_{source}",
        name="snapshot_within_release_cycle",
        blocking=False,
        description=f"Warns when the newest release in raw/{source}/CURRENT.json, pulled live, is older than the "
        f"source's {cycle_days}-day release cycle ({CATALOGUE}): a release was missed, or the publisher is late.",
    )
    def _check(warehouse: Warehouse) -> AssetCheckResult:
        records = list(warehouse.raw_zone().current(source).values())
        verdict = freshness(records, cycle_days, datetime.now(UTC))
        metadata = {"summary": verdict.summary, "release_cycle_days": cycle_days}
        if verdict.age_days is not None:
            metadata |= {"released": verdict.released.isoformat(), "age_days": round(verdict.age_days, 1)}
        return AssetCheckResult(passed=verdict.passed, severity=AssetCheckSeverity.WARN, metadata=metadata)

    return _check


def freshness_checks(catalogue: pl.DataFrame) -> list[AssetChecksDefinition]:
    return [freshness_check(source, days) for source, days in release_cycles(catalogue).items()]


def _iso(text: str) -> datetime | None:
    try:
        return _in_utc(datetime.fromisoformat(text))  # a stated date (2025-07-01) is the start of its day
    except ValueError:
        return None


def _http_date(text: str) -> datetime | None:
    try:
        return _in_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError):
        return None


def _in_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
