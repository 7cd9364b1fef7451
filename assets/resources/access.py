"""The source-access resource: the bundled sample or the publishers over HTTP, and the analysts' quotes folder."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from pydantic import field_validator

from sources.http import DEFAULT_USER_AGENT, HttpClient

PROJECT = Path(__file__).resolve().parents[2]
BUNDLED_SAMPLE = PROJECT / "data" / "sample"
SOURCE_MODES = ("snapshot", "live")


class SourceAccess(ConfigurableResource):
    """How raw files are obtained (BPO_SOURCE_MODE): `snapshot` copies the bundled sample, `live` downloads. Analysts'
    quotes are read from `quotes_dir` (BPO_QUOTES_DIR) in both modes; pricing pages are scraped in live mode only, at
    most one request per `page_delay_s` to a host, through a page cache."""

    # A str, not a Literal: Dagster passes an EnvVar setting through validation unresolved, by its name.
    mode: str = "snapshot"
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

    def http_client(self) -> HttpClient:
        return HttpClient(user_agent=self.user_agent, timeout_s=self.timeout_s, max_attempts=self.max_attempts)
