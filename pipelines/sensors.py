"""The sensor `source_releases`: in live mode, asks each publisher URL of the catalogue whether it serves a new release
(sources/releases.py) and requests a run of the changed sources' raw assets and everything downstream of them.

Its cursor holds, per URL, the last answer (ETag, Last-Modified and the release marker), so each evaluation asks the
servers conditionally and compares. A URL seen for the first time only records its answer. A server that fails is
reported, by source and URL, in the log, in the evaluation's skip reason and as an observation on the source's raw
asset, and keeps its last answer, so it is asked again next time; the other sources are checked as usual.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import polars as pl
from dagster import (
    AssetKey,
    AssetObservation,
    AssetsDefinition,
    AssetSelection,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from assets.raw.files import PAGED
from assets.resources import SourceAccess
from sources.releases import Watched, from_cursor, to_cursor, watch

# Publishers release at most monthly; four checks a day notice a release within hours and cost the servers little.
CHECK_EVERY_S = 6 * 3600
# Dagster times a sensor evaluation out after 60 s by default: the checks stop in time to return what they found.
BUDGET_S = 45.0
ATTEMPTS = 2


def watched_urls(catalogue: pl.DataFrame) -> list[Watched]:
    """Each distinct publisher URL of the catalogue once. Curated files (no URL) have no releases to notice, and a
    paged API (GSA CALC) changes as its contracts do, with no release to speak of: the schedule refreshes it."""
    rows = catalogue.filter(pl.col("url").is_not_null() & ~pl.col("source").is_in(list(PAGED)))
    first = rows.unique("url", keep="first", maintain_order=True)
    return [Watched(r["url"], r["source"], r["producer"], r["live_file"]) for r in first.iter_rows(named=True)]


def source_release_sensor(catalogue: pl.DataFrame, assets: list, job) -> SensorDefinition:
    targets = watched_urls(catalogue)
    graph = [definition for definition in assets if isinstance(definition, AssetsDefinition)]
    # A source's run: its raw asset and everything downstream, the checks of those assets with them.
    downstream = {
        source: sorted(AssetSelection.assets(f"raw_{source}").downstream().resolve(graph))
        for source in {target.source for target in targets}
    }

    @sensor(
        name="source_releases",
        job=job,
        minimum_interval_seconds=CHECK_EVERY_S,
        description="In live mode, asks each publisher URL of reference/raw_datasets.csv whether it serves a new "
        "release (conditional HEAD or GET: ETag, Last-Modified, the publisher's stated date) and runs the changed "
        "sources' raw assets and everything downstream.",
    )
    def source_releases(context: SensorEvaluationContext, access: SourceAccess) -> SensorResult:
        if access.mode != "live":
            return SensorResult(skip_reason=f"source mode is {access.mode}: releases are watched in live mode only")
        known = from_cursor(json.loads(context.cursor) if context.cursor else {})
        # Asked where the raw assets fetch from: the mirror's copy where BPO_SOURCE_BASE_URL names one.
        mirrored = [replace(target, url=access.source_url(target.url)) for target in targets]
        # A failed check is simply asked again at the next evaluation: two attempts, not the downloads' five.
        http = replace(access.http_client(), max_attempts=min(access.max_attempts, ATTEMPTS))
        outcome = watch(http, mirrored, known, BUDGET_S)
        cursor = json.dumps(to_cursor(outcome.releases))
        for unchecked in outcome.unchecked:
            context.log.warning(f"release check failed: {unchecked}")
        failed = [
            AssetObservation(asset_key=AssetKey(f"raw_{u.target.source}"), metadata={"release_check_failed": u.problem})
            for u in outcome.unchecked
        ]
        sources = sorted({target.source for target in outcome.new})
        if not sources:
            reason = "no new release"
            if outcome.unchecked:
                reason += "; could not check " + " | ".join(str(u) for u in outcome.unchecked)
            return SensorResult(skip_reason=reason, cursor=cursor, asset_events=failed)
        markers = sorted(f"{t.url} {outcome.releases[t.url].marker}" for t in outcome.new)
        request = RunRequest(
            # The same releases give the same key, so a repeated evaluation never starts a second run for them.
            run_key="releases-" + hashlib.sha256("\n".join(markers).encode()).hexdigest()[:16],
            asset_selection=sorted({key for source in sources for key in downstream[source]}),
            tags={"bpo/new_releases": ",".join(sources)},
        )
        return SensorResult(run_requests=[request], cursor=cursor, asset_events=failed)

    return source_releases
