"""One HTTP client for every source: timeouts, retries with backoff, Retry-After, and errors that name the URL."""

from __future__ import annotations

import email.utils
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
import requests.adapters
import urllib3
import urllib3.connection

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
    """The download's overall deadline passed while its answer was arriving."""


class _Deadline:
    """The overall deadline of one download, connect, headers and body of every attempt included.

    A socket time-out bounds each read only, so a server dripping its status line, headers or body a byte at a time
    never trips it. When the deadline passes, a timer shuts down every socket the download has read from, and the read
    blocked on it returns at once; `passed` then tells the client that the answer was cut by the deadline, not by the
    server (a body that ends with its connection would otherwise look whole)."""

    def __init__(self, seconds: float):
        self._at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._expired = False
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _watching.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.cancel()
        _watching.deadline = None

    @property
    def passed(self) -> bool:
        return self._expired or time.monotonic() >= self._at

    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: it ends the blocked read without touching the TLS state
    # that the reading thread still holds.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The deadline of the download running on this thread, which the connections below report their sockets to.
_watching = threading.local()


class _WatchedConnection:
    """Reports its socket to the running download's deadline before it waits for the status line, on a new connection
    and on one reused from the pool alike, and refuses an answer whose status line and headers the deadline cut: cut
    mid-line, "HTTP/1.1 200 O" still parses as a status line."""

    def getresponse(self):
        deadline = getattr(_watching, "deadline", None)
        if deadline is None or self.sock is None:
            return super().getresponse()
        deadline.watch(self.sock)
        response = super().getresponse()
        if deadline.passed:
            raise _DeadlinePassed
        return response


class _WatchedHTTPConnection(_WatchedConnection, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, its connections (direct or through an HTTP proxy) reporting to the download's deadline."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is urllib3.ProxyManager:  # a SOCKS proxy has connection classes of its own
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager


def _watched_session() -> requests.Session:
    session = requests.Session()
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass(frozen=True)
class Download:
    url: str
    content: bytes
    headers: dict[str, str]
    retrieved_at: datetime
    status: int = 200  # 304 for a conditional request whose resource has not changed


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
    # Its connections report to the download's deadline; a session of another kind would leave headers unbounded.
    session: requests.Session = field(default_factory=_watched_session)

    def get(self, url: str, source: str, headers: dict[str, str] | None = None) -> Download:
        """GET `url`, retrying transient failures (connection errors, time-outs, bodies cut short, 429 and 5xx)
        within `deadline_s` for the whole download; raise FetchError naming `source` and `url` when it gives up.
        `headers` are sent as well (If-None-Match, say: a 304 answer comes back as a Download with status 304)."""
        return self._request("GET", url, source, headers or {})

    def head(self, url: str, source: str, headers: dict[str, str] | None = None) -> Download:
        """HEAD `url`, following redirects, with the same retries, deadline and errors as `get`; the content is
        empty and the headers are the answer's (ETag, Last-Modified)."""
        return self._request("HEAD", url, source, headers or {})

    def _request(self, method: str, url: str, source: str, headers: dict[str, str]) -> Download:
        last_problem = ""
        with _Deadline(self.deadline_s) as deadline:
            for attempt in range(1, self.max_attempts + 1):
                response = None
                # No single wait may outlast the deadline either: a connect or a read time-out is cut to what is left.
                time_out_s = min(self.timeout_s, deadline.remaining())
                if time_out_s <= 0:  # requests refuses a time-out of 0 with a bare ValueError
                    last_problem = "; ".join(filter(None, [last_problem, f"no time left within {self.deadline_s:g} s"]))
                    break
                try:
                    response = self.session.request(
                        method,
                        url,
                        timeout=(time_out_s, time_out_s),
                        headers={"User-Agent": self.user_agent, **headers},
                        stream=True,
                        allow_redirects=True,
                    )
                    body = self._read_body(response, deadline) if response.ok else b""
                except (_DeadlinePassed, requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                    if deadline.passed:
                        part = "the body was" if response is not None else "the status line and headers were"
                        last_problem = f"{part} still arriving after {self.deadline_s:g} s, the download's deadline"
                        break
                    # ChunkedEncodingError and ContentDecodingError included: a body shorter than its Content-Length.
                    last_problem = f"{type(exc).__name__}: {exc}"
                    wait = self._backoff(attempt)
                else:
                    if response.ok:
                        return Download(url, body, dict(response.headers), datetime.now(UTC), response.status_code)
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
                    if wait >= deadline.remaining():
                        last_problem += f" (no time left for another attempt within {self.deadline_s:g} s)"
                        break
                    self.sleep(wait)
        raise FetchError(f"{source}: could not download {url} after {attempt} attempt(s): {last_problem}")

    @staticmethod
    def _read_body(response: requests.Response, deadline: _Deadline) -> bytes:
        chunks = []
        # The body is read as sent and decompressed here: urllib3 accepts a gzip stream that stops before its end.
        while chunk := response.raw.read1(65536, decode_content=False):
            chunks.append(chunk)
        if deadline.passed:  # the deadline shut the socket: what arrived is not the whole body
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
