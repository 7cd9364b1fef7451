"""Whether a publisher has released a new version of a file, asked as cheaply as the server allows.

First a HEAD, conditional on the validators seen last time (If-None-Match, If-Modified-Since): a 304, or the same
ETag or Last-Modified, means no new release. A server that gives no validator on HEAD (or refuses HEAD) is asked with
a conditional GET; where that answer carries no validator either, the release is identified by the publisher's own
last-updated date where the file states one (the World Bank's preamble), else by the SHA-256 of the file.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date

from sources import worldbank
from sources.errors import FetchError, SourceFormatError
from sources.http import Download, HttpClient

# Sources whose files state their own last-updated date: reader(content, file name) -> date or None.
STATED_LAST_UPDATED: dict[str, Callable[[bytes, str], date | None]] = {"worldbank": worldbank.last_updated}
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Release:
    """What a URL answered when it was last asked: its validators, and the marker that identifies the release (the
    ETag, else Last-Modified, else the stated date, else the content's SHA-256)."""

    marker: str
    etag: str | None = None
    last_modified: str | None = None

    def conditions(self) -> dict[str, str]:
        """The headers that ask the server to answer 304 if nothing changed since."""
        return {
            name: value
            for name, value in (("If-None-Match", self.etag), ("If-Modified-Since", self.last_modified))
            if value
        }


@dataclass(frozen=True)
class Watched:
    """One URL to watch: the catalogue source it belongs to, the producer its errors name, its file name."""

    url: str
    source: str
    producer: str
    file_name: str


@dataclass(frozen=True)
class Unchecked:
    """A URL that could not be asked, and why (the message names the producer and the URL)."""

    target: Watched
    problem: str

    def __str__(self) -> str:
        return f"{self.target.source}: {self.problem}"


@dataclass
class Watch:
    """The outcome of asking every watched URL once."""

    releases: dict[str, Release]  # by URL: the latest answer, or the one before where asking failed
    new: list[Watched]  # URLs whose release changed since the last answer
    unchecked: list[Unchecked]


def latest_release(http: HttpClient, target: Watched, known: Release | None) -> Release:
    """The release `target.url` serves now, asked within `http.deadline_s` in all; `known` (the last answer) is
    returned unchanged on a 304."""
    ends = time.monotonic() + http.deadline_s
    conditions = known.conditions() if known else {}
    try:
        answer = http.head(target.url, target.producer, conditions)
    except FetchError:
        answer = None  # a server refusing HEAD (405, 501) or failing it: the conditional GET below decides
    if answer is not None and answer.status == NOT_MODIFIED and known is not None:
        return known
    if answer is None or not any(_validators(answer)):
        left = ends - time.monotonic()
        if left <= 0:
            raise FetchError(f"{target.producer}: could not ask {target.url}: no time left for a GET after the HEAD")
        answer = replace(http, deadline_s=left).get(target.url, target.producer, conditions)
        if answer.status == NOT_MODIFIED and known is not None:
            return known
    etag, last_modified = _validators(answer)
    if etag or last_modified:
        return Release(f"etag {etag}" if etag else f"last-modified {last_modified}", etag, last_modified)
    reader = STATED_LAST_UPDATED.get(target.source)
    if reader is None:
        return Release(f"sha256 {hashlib.sha256(answer.content).hexdigest()}")
    stated = reader(answer.content, target.file_name)
    if stated is None:  # the publisher's files all state one: an error page or another file came instead
        raise SourceFormatError(target.producer, target.file_name, "no stated last-updated date, which its files have")
    return Release(f"stated {stated.isoformat()}")


def watch(http: HttpClient, targets: list[Watched], known: dict[str, Release], budget_s: float) -> Watch:
    """Ask each target once, within `budget_s` seconds in all (a sensor's evaluation is itself timed out): a URL not
    reached in time, or whose server fails, keeps its last answer and is listed in `unchecked`. A URL seen for the
    first time records its answer; only a changed answer counts as a new release."""
    ends = time.monotonic() + budget_s
    releases, new, unchecked = dict(known), [], []
    for target in targets:
        left = ends - time.monotonic()
        if left <= 0:
            unchecked.append(Unchecked(target, f"{target.url} not asked: the {budget_s:g} s of this check ran out"))
            continue
        try:
            release = latest_release(
                replace(http, deadline_s=min(http.deadline_s, left)), target, known.get(target.url)
            )
        except FetchError as exc:
            unchecked.append(Unchecked(target, str(exc)))
            continue
        except SourceFormatError as exc:  # an error page served as the file, say: its stated date cannot be read
            unchecked.append(Unchecked(target, f"{target.url} answered with what is not the file: {exc}"))
            continue
        previous = known.get(target.url)
        if previous is not None and release.marker != previous.marker:
            new.append(target)
        releases[target.url] = release
    return Watch(releases, new, unchecked)


def to_cursor(releases: dict[str, Release]) -> dict[str, dict]:
    return {url: asdict(release) for url, release in sorted(releases.items())}


def from_cursor(cursor: dict[str, dict]) -> dict[str, Release]:
    return {url: Release(**fields) for url, fields in cursor.items()}


def _validators(answer: Download) -> tuple[str | None, str | None]:
    headers = {name.lower(): value for name, value in answer.headers.items()}
    return headers.get("etag"), headers.get("last-modified")
