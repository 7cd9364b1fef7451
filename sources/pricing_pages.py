"""Public vendor pricing pages: a declarative scraper (one PageSpec per page) and a polite, caching fetcher.

Each page is described by CSS selectors rather than code, so a redesigned page is fixed by editing a CSV row.
A redesign must fail loudly: when a selector finds nothing, PageStructureError names the page and selector
instead of an empty table quietly dropping the vendor from the benchmark.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import polars as pl
from bs4 import BeautifulSoup, Tag

from sources.errors import FetchError, SourceError, SourceFormatError
from sources.http import Download, HttpClient
from sources.rate_text import RateTextError, parse_rate_text
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_empty,
    check_rectangular,
    decode_utf8,
    first_repeated,
    join_problems,
)

SOURCE = "Vendor pricing pages"

OUTPUT_SCHEMA = pl.Schema(
    {
        "page_id": pl.String,
        "url": pl.String,
        "vendor": pl.String,
        "country_iso3": pl.String,
        "service_label": pl.String,
        "rate_text": pl.String,
        "rate_low": pl.Float64,
        "rate_high": pl.Float64,
        "currency": pl.String,
        "unit": pl.String,
        "price_type": pl.String,
        "parse_error": pl.String,
    }
)


class PageStructureError(SourceError):
    """A selector found nothing: the page's structure changed and its PageSpec needs updating."""

    def __init__(self, page_id: str, url: str, selector: str, detail: str):
        self.page_id, self.url, self.selector = page_id, url, selector
        super().__init__(f"{SOURCE}: {page_id}: {url}: the page's structure changed: {detail}")


class RobotsDisallowed(SourceError):
    """The site's robots.txt does not let our user agent fetch this URL (or could not be read)."""

    def __init__(self, url: str, user_agent: str, reason: str):
        self.url, self.user_agent = url, user_agent
        super().__init__(f"{SOURCE}: {url}: not fetched for user agent {user_agent!r}: {reason}")


@dataclass(frozen=True)
class PageSpec:
    page_id: str
    url: str
    row_selector: str  # one element per rate row, e.g. "table.rates tr"
    service_selector: str  # relative to the row
    rate_selector: str  # relative to the row
    vendor: str
    price_type: str = "vendor_billing_rate"
    country_iso3: str | None = None  # one country for the whole page...
    country_selector: str | None = None  # ...or one per row: an ISO3 code or a name in `country_names`
    default_currency: str | None = None
    default_unit: str | None = None

    def __post_init__(self):
        if (self.country_iso3 is None) == (self.country_selector is None):
            raise ValueError(f"page spec {self.page_id!r}: set exactly one of country_iso3 and country_selector")
        if self.country_iso3 is not None and not (len(self.country_iso3) == 3 and self.country_iso3.isupper()):
            raise ValueError(
                f"page spec {self.page_id!r}: country_iso3 must be an ISO3 code such as 'PHL', "
                f"not {self.country_iso3!r}"
            )


_SPEC_COLUMNS = tuple(f.name for f in fields(PageSpec))
_REQUIRED_SPEC_COLUMNS = ("page_id", "url", "row_selector", "service_selector", "rate_selector", "vendor")


def load_page_specs(csv_bytes: bytes, file_name: str) -> list[PageSpec]:
    """Read PageSpec rows from a CSV whose columns are PageSpec's field names; empty cells mean "not set".

    The file is written by hand, so each problem is refused naming the file and its line (the header is line 1).
    """
    check_not_empty(csv_bytes, SOURCE, file_name, "empty page spec file", expected=list(_SPEC_COLUMNS))
    text = decode_utf8(csv_bytes, SOURCE, file_name)
    # A hand-written file may lack its last line end; a line cut short still shows in its field count.
    check_line_ends(text, SOURCE, file_name, final=False)
    check_rectangular(text, SOURCE, file_name)
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable page spec CSV ({exc})") from None
    # An unknown column is most likely a typo ("contry_selector") that would otherwise be dropped silently.
    unknown = [c for c in frame.columns if c not in _SPEC_COLUMNS]
    missing = [c for c in _REQUIRED_SPEC_COLUMNS if c not in frame.columns]
    if unknown or missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"page spec columns: missing {missing}, unknown {unknown}",
            expected=list(_SPEC_COLUMNS),
            found=frame.columns,
        )
    # Lines are counted before blank lines (all-null rows) are dropped, so that they stay the file's line numbers.
    frame = (
        frame.with_columns(blank_to_null(pl.all()))
        .with_row_index("line", offset=2)
        .filter(pl.any_horizontal(pl.exclude("line").is_not_null()))
    )
    incomplete = frame.filter(pl.any_horizontal(pl.col(_REQUIRED_SPEC_COLUMNS).is_null()))
    if incomplete.height:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"empty required cells ({', '.join(_REQUIRED_SPEC_COLUMNS)}) on line"
            f"{'s' if incomplete.height > 1 else ''} {', '.join(map(str, incomplete['line']))}, "
            f"page_id {incomplete['page_id'].to_list()}",
        )
    # page_id names the stored page (raw/pricing_pages/<page_id>.html) and its observations: one id, one page.
    if repeated := first_repeated(frame, "page_id"):
        page_id, lines, _ = repeated
        raise SourceFormatError(
            SOURCE, file_name, f"page_id {page_id!r} is used on lines {', '.join(map(str, lines))}: one page_id a page"
        )
    return [_page_spec(row, file_name) for row in frame.iter_rows(named=True)]


def _page_spec(row: dict, file_name: str) -> PageSpec:
    """The PageSpec of one line; dropping empty cells lets the dataclass defaults apply (an empty price_type means
    the default one)."""
    line = row.pop("line")
    try:
        return PageSpec(**{k: v for k, v in row.items() if v is not None})
    except ValueError as exc:
        raise SourceFormatError(SOURCE, file_name, f"line {line}: {exc}") from None


def extract_rates(spec: PageSpec, html: bytes, country_names: dict[str, str] | None = None) -> pl.DataFrame:
    """One row per element matched by spec.row_selector; rows that cannot be read keep nulls and a parse_error.

    Rows where neither the service nor the rate selector matches (table headers, spacer rows) are skipped.
    `country_names` maps country names as the page writes them to ISO3 codes; matching ignores case.
    """
    rows = BeautifulSoup(html, "html.parser").select(spec.row_selector)
    if not rows:
        raise PageStructureError(
            spec.page_id, spec.url, spec.row_selector, f"row selector {spec.row_selector!r} found nothing"
        )
    cells = pl.DataFrame(
        {
            "service_label": _texts(spec, rows, "service", spec.service_selector),
            "rate_text": _texts(spec, rows, "rate", spec.rate_selector),
            "country_text": (
                _texts(spec, rows, "country", spec.country_selector) if spec.country_selector else [None] * len(rows)
            ),
        },
        schema={"service_label": pl.String, "rate_text": pl.String, "country_text": pl.String},
    ).filter(pl.col("service_label").is_not_null() | pl.col("rate_text").is_not_null())
    if cells.is_empty():
        raise PageStructureError(
            spec.page_id,
            spec.url,
            spec.row_selector,
            f"none of the {len(rows)} rows matched by {spec.row_selector!r} has service or rate text",
        )

    rates = pl.DataFrame(
        [_parse(spec, text) for text in cells["rate_text"]],
        schema={
            "rate_low": pl.Float64,
            "rate_high": pl.Float64,
            "currency": pl.String,
            "unit": pl.String,
            "rate_error": pl.String,
        },
        orient="row",
    )
    country, country_error = _country(spec, country_names or {})
    return pl.concat([cells, rates], how="horizontal").select(
        pl.lit(spec.page_id).alias("page_id"),
        pl.lit(spec.url).alias("url"),
        pl.lit(spec.vendor).alias("vendor"),
        country.alias("country_iso3"),
        "service_label",
        "rate_text",
        "rate_low",
        "rate_high",
        "currency",
        "unit",
        pl.lit(spec.price_type).alias("price_type"),
        join_problems(
            [
                pl.when(pl.col("service_label").is_null()).then(
                    pl.lit(f"the service selector {spec.service_selector!r} gives no text in this row")
                ),
                pl.col("rate_error"),
                country_error,
            ]
        ).alias("parse_error"),
    )


def _texts(spec: PageSpec, rows: list[Tag], role: str, selector: str) -> list[str | None]:
    """The text of `selector`'s first match in each row; raise if it matches in no row at all."""
    found = [row.select_one(selector) for row in rows]
    if all(element is None for element in found):
        raise PageStructureError(
            spec.page_id,
            spec.url,
            selector,
            f"{role} selector {selector!r} found nothing in any of the {len(rows)} rows "
            f"matched by {spec.row_selector!r}",
        )
    return [" ".join(element.get_text(" ").split()) or None if element else None for element in found]


def _parse(spec: PageSpec, text: str | None) -> tuple[float | None, float | None, str | None, str | None, str | None]:
    if text is None:
        return None, None, None, None, f"the rate selector {spec.rate_selector!r} gives no text in this row"
    try:
        rate = parse_rate_text(text, spec.default_currency, spec.default_unit)
    except RateTextError as exc:
        return None, None, None, None, str(exc)
    return rate.low, rate.high, rate.currency, rate.unit, None


def _country(spec: PageSpec, country_names: dict[str, str]) -> tuple[pl.Expr, pl.Expr]:
    """The country_iso3 expression and the row's country problem (null when resolved)."""
    if spec.country_selector is None:
        return pl.lit(spec.country_iso3, dtype=pl.String), pl.lit(None, dtype=pl.String)
    text = pl.col("country_text")
    # A name from `country_names` first, so a mapping can override a code-like text; else an ISO3 code as is.
    names = {name.lower(): iso3 for name, iso3 in country_names.items()}
    by_name = text.str.to_lowercase().replace_strict(names, default=None, return_dtype=pl.String)
    iso3 = pl.coalesce(by_name, pl.when(text.str.contains(r"^[A-Z]{3}$")).then(text))
    problem = pl.format(
        "country {} is neither an ISO3 code nor a name in country_names",
        pl.coalesce(
            pl.lit("'") + text + pl.lit("'"),
            pl.lit(f"(the country selector {spec.country_selector!r} gives no text in this row)"),
        ),
    )
    return iso3, pl.when(iso3.is_null()).then(problem)


class PricingPageFetcher:
    """Fetch pricing pages politely: robots.txt, a minimum delay per host, and an on-disk cache.

    robots.txt is read once per host through the same HttpClient (same user agent and retries). Only a 404 or
    410 means "no rules"; any other failure to read it is treated as a disallow, because scraping a site
    whose rules we could not read is the mistake we cannot undo.
    """

    def __init__(
        self,
        http: HttpClient,
        cache_dir: Path | None = None,
        delay_s: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_age_s: float = 7 * 24 * 3600,
    ):
        self.http, self.cache_dir, self.delay_s, self.max_age_s = http, cache_dir, delay_s, max_age_s
        self._sleep, self._clock = sleep, clock
        # By "scheme://host": the parsed rules, and why the site counts as disallowed when robots.txt was unreadable.
        self._robots: dict[str, tuple[RobotFileParser, str | None]] = {}
        self._last_request: dict[str, float] = {}  # clock() after the last request, by "scheme://host"

    def fetch(self, spec: PageSpec) -> Download:
        """The page at spec.url: from the cache when fresh, else downloaded once robots.txt allows it."""
        cached = self._read_cache(spec.url)
        if cached is not None:
            return cached
        site = _site(spec.url)
        if site not in self._robots:
            self._robots[site] = self._read_robots(site)
        robots, unreadable = self._robots[site]
        if unreadable:
            raise RobotsDisallowed(spec.url, self.http.user_agent, unreadable)
        if not robots.can_fetch(self.http.user_agent, spec.url):
            raise RobotsDisallowed(spec.url, self.http.user_agent, f"{site}/robots.txt disallows it")
        download = self._paced_get(
            site,
            spec.url,
            f"{SOURCE} ({spec.page_id})",
            max(self.delay_s, robots.crawl_delay(self.http.user_agent) or 0),
        )
        self._write_cache(download)
        return download

    def _read_robots(self, site: str) -> tuple[RobotFileParser, str | None]:
        robots = RobotFileParser(f"{site}/robots.txt")
        try:
            download = self._paced_get(site, f"{site}/robots.txt", f"{SOURCE} (robots.txt)", self.delay_s)
        except FetchError as exc:
            # HttpClient reports the status only in its message; matching it there avoids a second HTTP path
            # that would bypass the shared retries and user agent.
            if " HTTP 404" in str(exc) or " HTTP 410" in str(exc):
                robots.allow_all = True
                return robots, None
            return robots, f"could not read {site}/robots.txt, so the site is treated as disallowed ({exc})"
        robots.parse(download.content.decode("utf-8", errors="replace").splitlines())
        return robots, None

    def _paced_get(self, site: str, url: str, source: str, delay_s: float) -> Download:
        """GET after waiting until `delay_s` has passed since the last request to the same host."""
        if site in self._last_request:
            wait = self._last_request[site] + delay_s - self._clock()
            if wait > 0:
                self._sleep(wait)
        try:
            return self.http.get(url, source)
        finally:
            self._last_request[site] = self._clock()

    def _cache_paths(self, url: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / f"{digest}.html", self.cache_dir / f"{digest}.json"

    def _read_cache(self, url: str) -> Download | None:
        if self.cache_dir is None:
            return None
        body, sidecar = self._cache_paths(url)
        if not (body.exists() and sidecar.exists()):
            return None
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            retrieved_at = datetime.fromisoformat(meta["retrieved_at"])
        except (ValueError, KeyError, TypeError):
            return None  # a sidecar a killed run left half-written: fetch the page again

        if meta["url"] != url or datetime.now(UTC) - retrieved_at > timedelta(seconds=self.max_age_s):
            return None
        return Download(url, body.read_bytes(), meta["headers"], retrieved_at)

    def _write_cache(self, download: Download) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        body, sidecar = self._cache_paths(download.url)
        write_file_atomic(body, download.content)
        # The sidecar is written last: a body without one (an interrupted run) is not treated as cached.
        meta = {"url": download.url, "retrieved_at": download.retrieved_at.isoformat(), "headers": download.headers}
        write_file_atomic(sidecar, json.dumps(meta, indent=2).encode())


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def write_file_atomic(path: Path, content: bytes) -> None:
    """A temporary sibling renamed over `path`, so that a killed run leaves the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)
