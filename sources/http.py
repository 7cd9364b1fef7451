"""One HTTP client for every source: timeouts, retries with backoff, Retry-After, and errors that name the URL."""

from __future__ import annotations

import email.utils
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
import urllib3

from sources.errors import FetchError

# 429 and the 5xx codes a CDN or an overloaded API answers while it recovers; any other 4xx is final.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
DEFAULT_USER_AGENT = "bpo-benchmark/0.1 (open BPO cost benchmark; +https://github.com/bpo-benchmark)"


class _CutShort(requests.RequestException):
    """A compressed body that ended before its compressed stream did."""


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body, decompressed where the server compressed it (gzip or deflate, zlib-wrapped or raw), refusing a
    stream that ends before its end marker."""
    encoding = encoding.strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return body
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):  # gzip or zlib header, then raw deflate
        stream = zlib.decompressobj(wbits)
        try:
            data = stream.decompress(body) + stream.flush()
        except zlib.error:
            continue
        if not stream.eof:
            raise _CutShort(f"the {encoding} body ends before its compressed stream does")
        return data
    raise _CutShort(f"the body is not valid {encoding}")


class _DeadlinePassed(Exception):
    """The download's overall deadline passed while its body was arriving."""


@dataclass(frozen=True)
class Download:
    url: str
    content: bytes
    headers: dict[str, str]
    retrieved_at: datetime


@dataclass
class HttpClient:
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 60.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    max_wait_s: float = 120.0
    # The whole download, every attempt and wait included: a server dripping bytes cannot hold a run for ever.
    deadline_s: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, url: str, source: str) -> Download:
        """GET `url`, retrying transient failures (connection errors, time-outs, bodies cut short, 429 and 5xx)
        within `deadline_s` for the whole download; raise FetchError naming `source` and `url` when it gives up."""
        last_problem = ""
        deadline = time.monotonic() + self.deadline_s
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.get(
                    url, timeout=self.timeout_s, headers={"User-Agent": self.user_agent}, stream=True
                )
                body = self._read_body(response, deadline) if response.ok else b""
            except _DeadlinePassed:
                last_problem = f"the body was still arriving after {self.deadline_s:.0f} s"
                break
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                # ChunkedEncodingError and ContentDecodingError included: a body shorter than its Content-Length.
                last_problem = f"{type(exc).__name__}: {exc}"
                wait = self._backoff(attempt)
            else:
                if response.ok:
                    return Download(url, body, dict(response.headers), datetime.now(UTC))
                last_problem = f"HTTP {response.status_code} {response.reason}"
                if response.status_code not in RETRYABLE_STATUS:
                    break
                wait = _retry_after_s(response.headers.get("Retry-After"))
                if wait is None:
                    wait = self._backoff(attempt)
                if wait > self.max_wait_s:
                    last_problem += (
                        f" (server asked to wait {wait:.0f} s, more than the {self.max_wait_s:.0f} s allowed)"
                    )
                    break
            if attempt < self.max_attempts:
                if time.monotonic() + wait > deadline:
                    last_problem += f" (no time left for another attempt within {self.deadline_s:.0f} s)"
                    break
                self.sleep(wait)
        raise FetchError(f"{source}: could not download {url} after {attempt} attempt(s): {last_problem}")

    @staticmethod
    def _read_body(response: requests.Response, deadline: float) -> bytes:
        chunks = []
        # read1 returns what has arrived, so that a slow drip meets the deadline check between its pieces. The body is
        # read as sent and decompressed here: urllib3 accepts a gzip stream that stops before its end.
        while chunk := response.raw.read1(65536, decode_content=False):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                response.close()
                raise _DeadlinePassed
        return _decoded(b"".join(chunks), response.headers.get("Content-Encoding", ""))

    def _backoff(self, attempt: int) -> float:
        # Full jitter keeps many clients from retrying in lockstep against the same recovering server.
        return min(self.max_wait_s, self.backoff_base_s * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
