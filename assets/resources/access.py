"""The source-access resource: the bundled sample or the publishers over HTTP, and the analysts' quotes folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from dagster import EnvVar
from pydantic import field_validator

from assets.resources.settings import MergedSettings
from sources.http import DEFAULT_USER_AGENT, HttpClient

PROJECT = Path(__file__).resolve().parents[2]
BUNDLED_SAMPLE = PROJECT / "data" / "sample"
SOURCE_MODES = ("snapshot", "live")


class SourceAccess(MergedSettings):
    """How raw files are obtained (BPO_SOURCE_MODE): `snapshot` copies the bundled sample, `live` downloads, from the
    publishers or from the mirror at `base_url` (BPO_SOURCE_BASE_URL). Analysts' quotes are read from `quotes_dir`
    (BPO_QUOTES_DIR) in both modes; pricing pages are scraped in live mode only, at most one request per
    `page_delay_s` to a host, through a page cache."""

    # A str, not a Literal: Dagster passes an EnvVar setting through validation unresolved, by its name.
    mode: str = "snapshot"
    # Empty: the publishers' own URLs. Else every catalogue URL is fetched from <base_url>/<host>/<path>?<query>.
    base_url: str = ""
    sample_dir: str = str(BUNDLED_SAMPLE)
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 60.0
    max_attempts: int = 5
    quotes_dir: str = str(PROJECT / "data" / "quotes")
    page_cache_dir: str = str(PROJECT / ".cache" / "pricing_pages")
    page_delay_s: float = 5.0

    @field_validator("mode", mode="before")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        if not isinstance(mode, EnvVar) and mode not in SOURCE_MODES:
            raise ValueError(
                f"the source mode (BPO_SOURCE_MODE) must be one of {', '.join(SOURCE_MODES)}, not {mode!r}"
            )
        return mode

    @field_validator("base_url", mode="before")
    @classmethod
    def _web_address(cls, base_url: str) -> str:
        parts = urlsplit(base_url) if isinstance(base_url, str) and not isinstance(base_url, EnvVar) else None
        if parts is not None and base_url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValueError(
                f"the source base URL (BPO_SOURCE_BASE_URL) must be an http:// or https:// address with a host, "
                f"not {base_url!r}"
            )
        return base_url

    def source_url(self, url: str) -> str:
        """Where to fetch a publisher's `url` from: itself, or its copy under `base_url` in the layout `wget --mirror`
        writes (the host, then the path, the query part of the file name): https://api.worldbank.org/v2/x?y=1 is
        fetched from <base_url>/api.worldbank.org/v2/x%3Fy=1. The `?` is escaped because wget names the file
        `x?y=1`, and a static file server given a query would look for `x`."""
        if not self.base_url:
            return url
        parts = urlsplit(url)
        query = f"%3F{parts.query}" if parts.query else ""
        return f"{self.base_url.rstrip('/')}/{parts.netloc}{parts.path}{query}"

    def http_client(self) -> HttpClient:
        return HttpClient(user_agent=self.user_agent, timeout_s=self.timeout_s, max_attempts=self.max_attempts)
