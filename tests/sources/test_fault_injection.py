"""Fault injection against a local server, for every live client ("Never publish a wrong benchmark").

A loopback server answers each request from a script of faults: error statuses, Retry-After, connection resets,
stalls, headers and bodies dripped past the deadline, bodies shorter than their Content-Length, HTML in place of a file,
truncated archives, changed layouts and robots.txt rules. Every case states its outcome and asserts it:

* recovered: what the client returns equals what a healthy server serves, parsed the same way;
* failed cleanly: the exception type, and a message naming the source and the URL (download faults) or the file
  (content faults), with the number of requests the client made.

The clients: a plain CSV through HttpClient.get (OECD), the World Bank indicator zip (download, unpack, parse), the
ILOSTAT gzip bulk CSV (download, parse), the BLS OEWS zip (download, unpack, parse), the GSA CALC paged API
(fetch_all) and the vendor pricing pages (PricingPageFetcher, its robots.txt and extract_rates).
"""

from __future__ import annotations

import email.utils
import gzip
import http
import io
import re
import socket
import struct
import threading
import time
import zipfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sources import bls_oews, gsa_calc, ilostat, oecd, worldbank
from sources.errors import FetchError, SourceFormatError
from sources.http import HttpClient
from sources.pricing_pages import PageSpec, PageStructureError, PricingPageFetcher, RobotsDisallowed, extract_rates

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE = PROJECT / "data" / "sample"
FIXTURES = PROJECT / "tests" / "fixtures"
USER_AGENT = "bpo-fault-test/1.0"

# --- the fault server ----------------------------------------------------------------------------------------------

# A fault answers one request on its connection; `stop` is set when the test ends, so that a stall ends with it.
Fault = Callable[[socket.socket, threading.Event], None]
STALL_S = 5.0  # the longest a stalled answer holds its connection (far beyond every client time-out below)
DRIP_EVERY_S = 0.02


def head(status: int = 200, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def ok(body: bytes, headers: dict[str, str] | None = None) -> Fault:
    """A healthy answer: the whole body, with its Content-Length."""
    return lambda conn, stop: conn.sendall(head(200, headers, len(body)) + body)


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"busy") -> Fault:
    return lambda conn, stop: conn.sendall(head(code, headers, len(body)) + body)


def chunked(body: bytes, terminated: bool = True) -> Fault:
    """The body in chunked transfer encoding (no Content-Length); unterminated, the last chunks never come."""

    def answer(conn, stop):
        half = len(body) // 2
        conn.sendall(head(200, {"Transfer-Encoding": "chunked"}))
        conn.sendall(b"%x\r\n%s\r\n" % (half, body[:half]))
        if terminated:
            conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body) - half, body[half:]))

    return answer


def _abort(conn: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of an orderly FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset() -> Fault:
    """The connection is reset before any byte of the answer."""
    return lambda conn, stop: _abort(conn)


def reset_mid_body(body: bytes) -> Fault:
    def answer(conn, stop):
        conn.sendall(head(200, length=len(body)) + body[: len(body) // 2])
        _abort(conn)

    return answer


def stall() -> Fault:
    """Not one byte of an answer."""
    return lambda conn, stop: stop.wait(STALL_S)


def stall_after_headers(body: bytes) -> Fault:
    def answer(conn, stop):
        conn.sendall(head(200, length=len(body)))
        stop.wait(STALL_S)

    return answer


def drip(body: bytes) -> Fault:
    """The body one byte at a time, each well within the read time-out, so that only the deadline can stop it."""

    def answer(conn, stop):
        conn.sendall(head(200, length=len(body)))
        for i in range(len(body)):
            if stop.wait(DRIP_EVERY_S):
                return
            conn.sendall(body[i : i + 1])

    return answer


def drip_headers(body: bytes) -> Fault:
    """The status line and headers one byte at a time, each well within the read time-out, then the whole body: a
    read time-out bounds each byte only, so only the download's deadline can stop it."""

    def answer(conn, stop):
        padding = {"X-Padding": "x" * 100}  # about 3 s of headers at this pace
        for byte in head(200, padding, len(body)):
            if stop.wait(DRIP_EVERY_S):
                return
            conn.sendall(bytes([byte]))
        conn.sendall(body)

    return answer


def cut_short(body: bytes) -> Fault:
    """Content-Length says the whole body; half of it comes, then the connection closes."""
    return lambda conn, stop: conn.sendall(head(200, length=len(body)) + body[: len(body) // 2])


class FaultServer:
    """An HTTP server on 127.0.0.1 answering each request target from its script of faults, in order, the last one
    repeated; a connection per request, each in its own thread, so that a stalled answer holds no other."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Fault]] = {}
        self._threads: list[threading.Thread] = []
        self.log: list[str] = []  # request targets, in the order they arrived
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, target: str) -> str:
        return f"http://127.0.0.1:{self.port}{target}"

    def route(self, target: str, *faults: Fault) -> str:
        with self._lock:
            self._scripts[target] = list(faults)
        return self.url(target)

    def hits(self, target: str) -> int:
        with self._lock:
            return self.log.count(target)

    def close(self) -> None:
        self._stop.set()
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._accepting.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.settimeout(STALL_S)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            target = request.split(b" ", 2)[1].decode()
            with self._lock:
                self.log.append(target)
                script = self._scripts.get(target)
                if script is None:
                    fault = status(404, body=b"no such route")
                else:
                    fault = script.pop(0) if len(script) > 1 else script[0]
            fault(conn, self._stop)


@pytest.fixture
def server():
    fault_server = FaultServer()
    yield fault_server
    fault_server.close()


def client(waits: list[float], **overrides) -> HttpClient:
    """Small time-outs, tiny backoffs and a sleep that only records, so that no test waits for real."""
    settings = {
        "user_agent": USER_AGENT,
        "timeout_s": 0.15,
        "max_attempts": 3,
        "backoff_base_s": 0.01,
        "deadline_s": 5.0,
        "sleep": waits.append,
    } | overrides
    return HttpClient(**settings)


# --- what a healthy publisher serves --------------------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Access Denied</title></head>"
    b"<body><h1>Access Denied</h1><p>You don't have permission to access this resource.</p></body></html>\n"
)


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def corrupt_stored_member(archive: bytes, member_text: bytes) -> bytes:
    """A ZIP_STORED archive with one byte of a member's data changed: its CRC-32 no longer matches."""
    at = archive.index(member_text) + len(member_text) // 2
    return archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1 :]


OECD_CSV = (SAMPLE / "oecd" / "OECD_AV_AN_WAGE.csv").read_bytes()
OECD_FILE = "OECD_AV_AN_WAGE.csv"

WB_ID = "API_PA.NUS.FCRF_DS2_en_csv_v2_22859"
WB_CSV = (SAMPLE / "worldbank" / f"{WB_ID}.csv").read_bytes()
WB_COUNTRIES = (SAMPLE / "worldbank" / "Metadata_Country_API_RL.EST_DS2_en_csv_v2_5814.csv").read_bytes()
WB_INDICATORS = (
    b'"INDICATOR_CODE","INDICATOR_NAME","SOURCE_NOTE","SOURCE_ORGANIZATION",\n'
    b'"PA.NUS.FCRF","Official exchange rate (LCU per US$, period average)","Official exchange rate.",'
    b'"International Monetary Fund, International Financial Statistics.",\n'
)
WB_FILE = "API_PA.NUS.FCRF.zip"


def wb_members(data: bytes = WB_CSV) -> dict[str, bytes]:
    return {
        f"{WB_ID}.csv": data,
        f"Metadata_Country_{WB_ID}.csv": WB_COUNTRIES,
        f"Metadata_Indicator_{WB_ID}.csv": WB_INDICATORS,
    }


WB_ZIP = zip_of(wb_members())

ILO_CSV = (
    SAMPLE / "ilostat" / "ddf--datapoints--ear_4mth_sex_ocu_cur_nb--by--ref_area--sex--classif1--classif2--time."
    "sex_t-isco08.csv"
).read_bytes()
ILO_GZ = gzip.compress(ILO_CSV, mtime=0)
ILO_FILE = "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz"

OEWS_XLSX = (SAMPLE / "bls_oews" / "national_M2023_dl.xlsx").read_bytes()
OEWS_MEMBER = "oesm23nat/national_M2023_dl.xlsx"
OEWS_ZIP = zip_of({OEWS_MEMBER: OEWS_XLSX})
OEWS_FILE = "oesm23nat.zip"

GSA_PATH = "/acquisition/calc/v3/api/ceilingrates/"
GSA_PAGE_1, GSA_PAGE_2 = (GSA_PATH + f"?page={n}&page_size=15" for n in (1, 2))
GSA_PAGES = [(FIXTURES / "gsa_calc" / f"ceilingrates_page{n}.json").read_bytes() for n in (1, 2)]

ROBOTS = b"User-agent: *\nDisallow: /admin\n"
HARBOR_HTML = (FIXTURES / "pricing_pages" / "harbor_rates.html").read_bytes()
HARBOR_CHANGED_HTML = (FIXTURES / "pricing_pages" / "harbor_rates_changed.html").read_bytes()


def harbor(server: FaultServer) -> PageSpec:
    return PageSpec(
        page_id="harbor-pricing",
        url=server.url("/pricing"),
        row_selector="table.rates tr",
        service_selector="td.service",
        rate_selector="td.rate",
        vendor="Harbor Outsourcing",
        country_iso3="PHL",
    )


def fetcher(http_client: HttpClient, cache_dir: Path | None = None) -> PricingPageFetcher:
    return PricingPageFetcher(http_client, cache_dir=cache_dir, delay_s=0.0, sleep=lambda _s: None)


# --- the clients: each fetches and parses as the pipeline does, and says what a healthy server gives ----------------


@dataclass(frozen=True)
class Client:
    id: str
    source: str  # the source its download errors name (the producer, as assets/raw/files.py passes it)
    target: str  # the request target the faults are injected at
    body: bytes  # what a healthy server answers there
    run: Callable[[FaultServer, HttpClient], tuple]  # fetch and parse; returns (content, parsed...)
    healthy: Callable[[FaultServer], tuple]  # the same tuple for the healthy answer, parsed without any HTTP
    others: dict[str, bytes] = field(default_factory=dict)  # other targets of the flow, always served healthy


def run_oecd(server, http_client):
    download = http_client.get(server.url("/data/AV_AN_WAGE.csv"), "OECD")
    return download.content, oecd.parse_average_wages(download.content, OECD_FILE)


def run_worldbank(server, http_client):
    download = http_client.get(server.url("/v2/en/indicator/PA.NUS.FCRF?downloadformat=csv"), "World Bank (WDI)")
    members = worldbank.unpack_indicator_zip(download.content, WB_FILE)
    return (
        download.content,
        worldbank.parse_indicator(members["data"], WB_FILE),
        worldbank.parse_country_metadata(members["country_metadata"], WB_FILE),
    )


def run_ilostat(server, http_client):
    download = http_client.get(server.url(f"/bulk/indicator/{ILO_FILE}"), "ILOSTAT")
    return download.content, ilostat.parse_earnings(download.content, ILO_FILE)


def run_oews(server, http_client):
    download = http_client.get(server.url(f"/oes/special-requests/{OEWS_FILE}"), "BLS OEWS")
    workbook = bls_oews.unpack_national_zip(download.content, OEWS_FILE)
    return download.content, workbook, bls_oews.parse_national(workbook, OEWS_FILE, 2023)


def run_gsa(server, http_client):
    downloads = gsa_calc.fetch_all(http_client, server.url(GSA_PAGE_1))
    rows = pl.concat([gsa_calc.parse_rates_page(d.content, d.url)[0] for d in downloads])
    return [d.content for d in downloads], [d.url for d in downloads], rows


def run_pricing(server, http_client):
    spec = harbor(server)
    download = fetcher(http_client).fetch(spec)
    return download.content, extract_rates(spec, download.content)


OECD = Client(
    "oecd-csv",
    "OECD",
    "/data/AV_AN_WAGE.csv",
    OECD_CSV,
    run_oecd,
    lambda s: (OECD_CSV, oecd.parse_average_wages(OECD_CSV, OECD_FILE)),
)
WORLDBANK = Client(
    "worldbank-zip",
    "World Bank (WDI)",
    "/v2/en/indicator/PA.NUS.FCRF?downloadformat=csv",
    WB_ZIP,
    run_worldbank,
    lambda s: (
        WB_ZIP,
        worldbank.parse_indicator(WB_CSV, WB_FILE),
        worldbank.parse_country_metadata(WB_COUNTRIES, WB_FILE),
    ),
)
ILOSTAT = Client(
    "ilostat-gzip",
    "ILOSTAT",
    f"/bulk/indicator/{ILO_FILE}",
    ILO_GZ,
    run_ilostat,
    lambda s: (ILO_GZ, ilostat.parse_earnings(ILO_CSV, ILO_FILE)),
)
OEWS = Client(
    "oews-zip",
    "BLS OEWS",
    f"/oes/special-requests/{OEWS_FILE}",
    OEWS_ZIP,
    run_oews,
    lambda s: (OEWS_ZIP, OEWS_XLSX, bls_oews.parse_national(OEWS_XLSX, "national_M2023_dl.xlsx")),
)
GSA = Client(  # the faults hit page 2, after a healthy page 1: a partial result must never come back
    "gsa-api-page2",
    "GSA CALC",
    GSA_PAGE_2,
    GSA_PAGES[1],
    run_gsa,
    lambda s: (
        GSA_PAGES,
        [s.url(GSA_PAGE_1), s.url(GSA_PAGE_2)],
        pl.concat([gsa_calc.parse_rates_page(p, f"p{n}.json")[0] for n, p in enumerate(GSA_PAGES)]),
    ),
    others={GSA_PAGE_1: GSA_PAGES[0]},
)
PRICING_PAGE = Client(
    "pricing-page",
    "Vendor pricing pages (harbor-pricing)",
    "/pricing",
    HARBOR_HTML,
    run_pricing,
    lambda s: (HARBOR_HTML, extract_rates(harbor(s), HARBOR_HTML)),
    others={"/robots.txt": ROBOTS},
)
ROBOTS_TXT = Client(
    "pricing-robots",
    "Vendor pricing pages (robots.txt)",
    "/robots.txt",
    ROBOTS,
    run_pricing,
    lambda s: (HARBOR_HTML, extract_rates(harbor(s), HARBOR_HTML)),
    others={"/pricing": HARBOR_HTML},
)
CLIENTS = [OECD, WORLDBANK, ILOSTAT, OEWS, GSA, PRICING_PAGE, ROBOTS_TXT]


def serve(server: FaultServer, subject: Client, *faults: Fault) -> str:
    for target, body in subject.others.items():
        server.route(target, ok(body))
    return server.route(subject.target, *faults)


def assert_same(got, expected) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        if isinstance(b, pl.DataFrame):
            assert_frame_equal(a, b)
        else:
            assert a == b


def expect_fetch_error(caught: pytest.ExceptionInfo, source: str, url: str, attempts: int, detail: str) -> None:
    message = str(caught.value)
    assert caught.type is FetchError
    assert message.startswith(f"{source}: could not download {url} after {attempts} attempt(s): "), message
    assert re.search(detail, message), message


# --- download faults the client recovers from -----------------------------------------------------------------------


@dataclass(frozen=True)
class Transient:
    id: str
    before: Callable[[bytes], list[Fault]]  # the faults served before the healthy answer
    overrides: dict = field(default_factory=dict)
    retry_after: tuple[float, float] | None = None  # bounds of the one wait the server asked for
    answer: Callable[[bytes], Fault] = ok  # the healthy answer itself


def in_3_s() -> str:
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)


STALL = {"timeout_s": 0.1}  # a stall costs one read time-out per attempt: keep it short

TRANSIENT = [
    Transient("500-then-ok", lambda body: [status(500)]),
    Transient(
        "502-503-504-then-ok", lambda body: [status(502), status(503), status(504)], overrides={"max_attempts": 4}
    ),
    Transient("429-retry-after-2s-then-ok", lambda body: [status(429, {"Retry-After": "2"})], retry_after=(2, 2)),
    Transient(
        "503-retry-after-http-date-then-ok",
        lambda body: [status(503, {"Retry-After": in_3_s()})],
        retry_after=(1, 3),
    ),
    Transient("reset-before-answer-then-ok", lambda body: [reset()]),
    Transient("reset-mid-body-then-ok", lambda body: [reset_mid_body(body)]),
    Transient("stall-no-bytes-then-ok", lambda body: [stall()], overrides=STALL),
    Transient("stall-after-headers-then-ok", lambda body: [stall_after_headers(body)], overrides=STALL),
    Transient("content-length-longer-than-body-then-ok", lambda body: [cut_short(body)]),
    Transient("chunked-cut-short-then-ok", lambda body: [chunked(body, terminated=False)]),
    Transient("chunked-answer-no-content-length", lambda body: [], answer=chunked),
]


@pytest.mark.parametrize("subject", CLIENTS, ids=lambda c: c.id)
@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda f: f.id)
def test_recovers_from_a_transient_fault(server, subject: Client, fault: Transient):
    """Outcome: recovered. The content and the parsed frames equal the healthy answer's, after one retry per fault."""
    before = fault.before(subject.body)
    serve(server, subject, *before, fault.answer(subject.body))
    waits: list[float] = []

    got = subject.run(server, client(waits, **fault.overrides))

    assert_same(got, subject.healthy(server))
    assert server.hits(subject.target) == len(before) + 1
    assert len(waits) == len(before)
    if fault.retry_after is not None:
        low, high = fault.retry_after
        assert low <= waits[0] <= high
    else:
        assert all(0 < w <= 0.01 * 2**i for i, w in enumerate(waits))  # backoff_base_s x 2^(attempt-1), jittered


# --- download faults that persist: a clean FetchError naming source and URL -----------------------------------------


@dataclass(frozen=True)
class Persistent:
    id: str
    fault: Callable[[bytes], Fault]
    attempts: int  # requests made before giving up (max_attempts is 3)
    detail: str  # what the message says went wrong, a regex
    overrides: dict = field(default_factory=dict)


PERSISTENT = [
    Persistent("500-always", lambda body: status(500), 3, r"HTTP 500 Internal Server Error$"),
    Persistent("404-not-retried", lambda body: status(404), 1, r"HTTP 404 Not Found$"),
    Persistent("403-not-retried", lambda body: status(403), 1, r"HTTP 403 Forbidden$"),
    Persistent(
        "429-retry-after-past-max-wait",
        lambda body: status(429, {"Retry-After": "3600"}),
        1,
        r"HTTP 429 Too Many Requests \(server asked to wait 3600 s, more than the 120 s allowed\)$",
    ),
    Persistent(
        "503-retry-after-past-deadline",
        lambda body: status(503, {"Retry-After": "30"}),
        1,
        r"HTTP 503 Service Unavailable \(no time left for another attempt within 5 s\)$",
    ),
    Persistent("reset-always", lambda body: reset(), 3, r"ConnectionError: .*(reset by peer|aborted)"),
    Persistent("reset-mid-body-always", lambda body: reset_mid_body(body), 3, r"(ProtocolError|ChunkedEncodingError)"),
    Persistent("stall-no-bytes-always", lambda body: stall(), 3, r"ReadTimeout: .*Read timed out", STALL),
    Persistent("stall-after-headers-always", lambda body: stall_after_headers(body), 3, r"ReadTimeoutError: ", STALL),
    Persistent(
        "drip-past-deadline",
        drip,
        1,
        r"the body was still arriving after 0.25 s, the download's deadline$",
        overrides={"deadline_s": 0.25, "timeout_s": 1.0},
    ),
    Persistent(
        "drip-headers-past-deadline",
        drip_headers,
        1,
        r"the status line and headers were still arriving after 0.25 s, the download's deadline$",
        overrides={"deadline_s": 0.25, "timeout_s": 1.0},
    ),
    Persistent("content-length-longer-than-body-always", cut_short, 3, r"IncompleteRead"),
    Persistent("chunked-cut-short-always", lambda body: chunked(body, terminated=False), 3, r"IncompleteRead"),
]


@pytest.mark.parametrize("subject", [c for c in CLIENTS if c is not ROBOTS_TXT], ids=lambda c: c.id)
@pytest.mark.parametrize("fault", PERSISTENT, ids=lambda f: f.id)
def test_a_persistent_download_fault_fails_naming_source_and_url(server, subject: Client, fault: Persistent):
    """Outcome: failed cleanly. FetchError naming the source and the faulted URL, after the expected attempts; the
    paged API raises rather than return its first page alone."""
    url = serve(server, subject, fault.fault(subject.body))
    waits: list[float] = []
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        subject.run(server, client(waits, **fault.overrides))

    expect_fetch_error(caught, subject.source, url, fault.attempts, fault.detail)
    assert server.hits(subject.target) == fault.attempts
    assert len(waits) == fault.attempts - 1
    assert time.monotonic() - started < 2  # no hang beyond the time-outs and the deadline


@pytest.mark.parametrize(
    "fault", [f for f in PERSISTENT if f.id not in ("404-not-retried", "403-not-retried")], ids=lambda f: f.id
)
def test_an_unreadable_robots_txt_disallows_the_site(server, fault: Persistent):
    """Outcome: failed cleanly. RobotsDisallowed naming the page URL and, through the FetchError it wraps, the
    robots.txt URL; the page itself is never requested."""
    robots_url = serve(server, ROBOTS_TXT, fault.fault(ROBOTS))
    page_url = server.url("/pricing")

    with pytest.raises(RobotsDisallowed) as caught:
        run_pricing(server, client([], **fault.overrides))

    message = str(caught.value)
    assert message.startswith(f"Vendor pricing pages: {page_url}: not fetched for user agent '{USER_AGENT}': ")
    assert f"could not read http://127.0.0.1:{server.port}/robots.txt, so the site is treated as disallowed" in message
    inner = f"Vendor pricing pages (robots.txt): could not download {robots_url} after {fault.attempts} attempt(s): "
    assert inner in message and re.search(fault.detail.removesuffix("$"), message)
    assert server.hits("/robots.txt") == fault.attempts and server.hits("/pricing") == 0


def test_connection_refused_fails_naming_source_and_url():
    """Outcome: failed cleanly. Nothing listens on the port: FetchError naming source and URL after 3 attempts."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again before the request: nothing listens there
    url = f"http://127.0.0.1:{port}/data/AV_AN_WAGE.csv"
    waits: list[float] = []

    with pytest.raises(FetchError) as caught:
        client(waits).get(url, "OECD")

    expect_fetch_error(caught, "OECD", url, 3, r"ConnectionError: .*(Connection refused|Errno 111)")
    assert len(waits) == 2


# --- content faults: the download succeeds, what it holds is wrong --------------------------------------------------


def expect_format_error(caught: pytest.ExceptionInfo, source: str, file_name: str, problem: str) -> None:
    message = str(caught.value)
    assert caught.type is SourceFormatError
    assert (caught.value.source, caught.value.file_name) == (source, file_name)
    assert message.startswith(f"{source}: {file_name}: "), message
    assert re.search(problem, message), message


def renamed_oecd_column() -> bytes:
    header, rest = OECD_CSV.split(b"\n", 1)
    return header.replace(b",OBS_VALUE,", b",OBS_VAL,") + b"\n" + rest


def cut_mid_line(data: bytes, lines: int) -> bytes:
    """The first `lines` lines and half of the next one."""
    at = 0
    for _ in range(lines):
        at = data.index(b"\n", at) + 1
    return data[: at + (data.index(b"\n", at) - at) // 2]


OECD_CONTENT = [
    ("html-instead-of-csv", HTML_PAGE, r"HTML or XML page instead of SDMX-CSV"),
    ("empty-body", b"", r"empty file"),
    ("truncated-mid-line", cut_mid_line(OECD_CSV, 40), r"record 41 has \d+ fields, the header 30"),
    ("renamed-column", renamed_oecd_column(), r"missing SDMX-CSV columns \['OBS_VALUE'\]"),
]


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in OECD_CONTENT], ids=[c[0] for c in OECD_CONTENT])
def test_oecd_csv_content_fault_fails_naming_the_file(server, body, problem):
    """Outcome: failed cleanly. SourceFormatError naming OECD and the file, after a single request."""
    serve(server, OECD, ok(body))
    with pytest.raises(SourceFormatError) as caught:
        run_oecd(server, client([]))
    expect_format_error(caught, oecd.SOURCE, OECD_FILE, problem)
    assert server.hits(OECD.target) == 1


def renamed_wb_header() -> bytes:
    return WB_CSV.replace(b'"Country Code"', b'"Country ISO3"', 1)


WORLDBANK_CONTENT = [
    ("html-instead-of-zip", HTML_PAGE, r"not a readable zip archive \(File is not a zip file\)"),
    ("empty-body", b"", r"not a readable zip archive"),
    ("truncated-archive", WB_ZIP[: len(WB_ZIP) // 2], r"not a readable zip archive \(File is not a zip file\)"),
    (
        "corrupt-member-crc",
        corrupt_stored_member(zip_of(wb_members(), zipfile.ZIP_STORED), WB_CSV),
        rf"member {re.escape(WB_ID)}\.csv is truncated or corrupt \(Bad CRC-32",
    ),
    (
        "missing-metadata-member",
        zip_of({k: v for k, v in wb_members().items() if not k.startswith("Metadata_Indicator")}),
        r"expected exactly one Metadata_Indicator_\*\.csv member",
    ),
    ("html-data-member", zip_of(wb_members(HTML_PAGE)), r"HTML or XML page instead of CSV"),
    ("renamed-header", zip_of(wb_members(renamed_wb_header())), r"no header line starting with Country Name"),
    (
        "data-member-cut-mid-line",
        zip_of(wb_members(cut_mid_line(WB_CSV, 100))),
        r"record \d+ has \d+ fields, the header \d+: a line cut short",
    ),
]


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in WORLDBANK_CONTENT], ids=[c[0] for c in WORLDBANK_CONTENT])
def test_worldbank_zip_content_fault_fails_naming_the_file(server, body, problem):
    """Outcome: failed cleanly. SourceFormatError naming World Bank WDI and the zip, after a single request."""
    serve(server, WORLDBANK, ok(body))
    with pytest.raises(SourceFormatError) as caught:
        run_worldbank(server, client([]))
    expect_format_error(caught, worldbank.SOURCE, WB_FILE, problem)
    assert server.hits(WORLDBANK.target) == 1


def corrupt_gzip_crc() -> bytes:
    return ILO_GZ[:-8] + bytes([ILO_GZ[-8] ^ 0xFF]) + ILO_GZ[-7:]


ILOSTAT_CONTENT = [
    ("html-instead-of-gzip", HTML_PAGE, r"file is an HTML or XML page, not a CSV file"),
    ("empty-body", b"", r"file is empty"),
    ("truncated-archive", ILO_GZ[: len(ILO_GZ) // 2], r"gzip archive is truncated or corrupt"),
    (
        "corrupt-archive-crc",
        corrupt_gzip_crc(),
        r"gzip archive is truncated or corrupt \(.*(CRC check failed|incorrect data check)",
    ),
    ("html-inside-gzip", gzip.compress(HTML_PAGE), r"file is an HTML or XML page, not a CSV file"),
    (
        "renamed-column",
        gzip.compress(ILO_CSV.replace(b"ref_area,", b"country,", 1)),
        r"not a known ILOSTAT earnings layout; .*found \['country', 'sex', 'classif1', 'classif2', 'time', ",
    ),
    (
        "csv-cut-mid-line-inside-gzip",
        gzip.compress(cut_mid_line(ILO_CSV, 500)),
        r"record 501 has \d+ fields, the header 6",
    ),
]


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in ILOSTAT_CONTENT], ids=[c[0] for c in ILOSTAT_CONTENT])
def test_ilostat_gzip_content_fault_fails_naming_the_file(server, body, problem):
    """Outcome: failed cleanly. SourceFormatError naming ILOSTAT and the .csv.gz file, after a single request."""
    serve(server, ILOSTAT, ok(body, {"Content-Type": "application/x-gzip"}))
    with pytest.raises(SourceFormatError) as caught:
        run_ilostat(server, client([]))
    expect_format_error(caught, ilostat.SOURCE, ILO_FILE, problem)
    assert server.hits(ILOSTAT.target) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (HTML_PAGE, r"file is an HTML or XML page, not a CSV file"),
        (b"area,area.name\nPHL,Philippines\n", r"not an ILOSTAT label dictionary: the second column must be"),
    ],
    ids=["html-instead-of-dictionary", "renamed-dictionary-header"],
)
def test_ilostat_dictionary_content_fault_fails_naming_the_file(server, body, problem):
    """Outcome: failed cleanly. The label dictionaries come the same way; a bad one names itself."""
    url = server.route("/dic/ref_area_en.csv", ok(body))
    download = client([]).get(url, "ILOSTAT")
    with pytest.raises(SourceFormatError) as caught:
        ilostat.parse_dictionary(download.content, "ref_area_en.csv")
    expect_format_error(caught, ilostat.SOURCE, "ref_area_en.csv", problem)


def oews_workbook(sheet: str = "national_M2023_dl", rename: tuple[str, str] | None = None) -> bytes:
    """A small national workbook in the OEWS layout, optionally with a renamed sheet or header."""
    header = ["OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "H_MEDIAN", "A_MEAN", "A_MEDIAN"]
    if rename:
        header = [rename[1] if h == rename[0] else h for h in header]
    book = openpyxl.Workbook()
    sheet_ = book.active
    sheet_.title = sheet
    sheet_.append(header)
    sheet_.append(["00-0000", "All Occupations", "total", "151853870", "31.48", "23.11", "65470", "48060"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


OEWS_CONTENT = [
    ("html-instead-of-zip", HTML_PAGE, r"truncated or corrupt zip \(File is not a zip file\)"),
    ("empty-body", b"", r"truncated or corrupt zip"),
    ("truncated-archive", OEWS_ZIP[: len(OEWS_ZIP) // 2], r"truncated or corrupt zip \(File is not a zip file\)"),
    (
        "corrupt-member-crc",
        corrupt_stored_member(zip_of({OEWS_MEMBER: OEWS_XLSX}, zipfile.ZIP_STORED), OEWS_XLSX),
        r"truncated or corrupt zip \(Bad CRC-32",
    ),
    (
        "renamed-member",
        zip_of({"oesm23nat/all_data_M_2023.xlsx": OEWS_XLSX}),
        r"expected one national_MYYYY_dl\.xlsx member.*found \['oesm23nat/all_data_M_2023\.xlsx'\]",
    ),
    ("html-member", zip_of({OEWS_MEMBER: HTML_PAGE}), r"not an Excel workbook"),
    ("truncated-member", zip_of({OEWS_MEMBER: OEWS_XLSX[: len(OEWS_XLSX) // 2]}), r"unreadable workbook"),
    ("renamed-sheet", zip_of({OEWS_MEMBER: oews_workbook(sheet="All data")}), r"no sheet named national\*"),
    (
        "renamed-column",
        zip_of({OEWS_MEMBER: oews_workbook(rename=("H_MEAN", "H_AVG"))}),
        r"missing columns \['H_MEAN'\]",
    ),
]


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in OEWS_CONTENT], ids=[c[0] for c in OEWS_CONTENT])
def test_oews_zip_content_fault_fails_naming_the_file(server, body, problem):
    """Outcome: failed cleanly. SourceFormatError naming BLS OEWS and the zip, after a single request."""
    serve(server, OEWS, ok(body))
    with pytest.raises(SourceFormatError) as caught:
        run_oews(server, client([]))
    expect_format_error(caught, bls_oews.SOURCE, OEWS_FILE, problem)
    assert server.hits(OEWS.target) == 1


GSA_CONTENT = [
    ("html-instead-of-json", HTML_PAGE, r"an HTML or XML page, not JSON"),
    ("empty-body", b"", r"not JSON"),
    ("truncated-json", GSA_PAGES[1][: len(GSA_PAGES[1]) // 2], r"not JSON \("),
    (
        "rate-limit-error-json",
        b'{"error": {"code": "OVER_RATE_LIMIT", "message": "You have exceeded your rate limit."}}',
        r"JSON without the rates keys; expected \['hits.total', 'hits.hits\[\]._source'\]; found \['error'\]",
    ),
    (
        "hits-without-total",
        b'{"hits": {"hits": []}}',
        r"hits without hits.hits or hits.total",
    ),
    (
        "hits-without-source",
        b'{"hits": {"total": {"value": 25, "relation": "eq"}, "hits": [{"_id": "1"}]}}',
        r"hits without _source at positions \[0\]",
    ),
]


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in GSA_CONTENT], ids=[c[0] for c in GSA_CONTENT])
def test_gsa_page_content_fault_fails_naming_the_page_url(server, body, problem):
    """Outcome: failed cleanly. SourceFormatError naming GSA CALC and page 2's URL; page 1 is not returned alone."""
    url = serve(server, GSA, ok(body, {"Content-Type": "application/json"}))
    with pytest.raises(SourceFormatError) as caught:
        run_gsa(server, client([]))
    expect_format_error(caught, gsa_calc.SOURCE, url, problem)
    assert server.log == [GSA_PAGE_1, GSA_PAGE_2]


def test_gsa_renamed_price_field_marks_every_row(server):
    """Outcome: failed cleanly at row level (the module's rule: bad cells do not stop a parse). A renamed price field
    leaves no row with a price and every row with a parse_error, so staging's reject-share guard refuses the file."""
    serve(server, GSA, ok(GSA_PAGES[1].replace(b'"current_price"', b'"price"')))
    _, _, rows = run_gsa(server, client([]))
    page_2 = rows.slice(15)
    assert page_2.height == 10
    assert page_2["current_price"].null_count() == 10
    assert page_2["parse_error"].str.starts_with("current_price: missing").all()


@pytest.mark.parametrize(
    "body",
    [HARBOR_CHANGED_HTML, HTML_PAGE, b""],
    ids=["changed-layout", "html-error-page-instead-of-rates", "empty-body"],
)
def test_pricing_page_content_fault_fails_naming_page_and_url(server, body):
    """Outcome: failed cleanly. PageStructureError naming the source, the page id, its URL and the selector."""
    url = serve(server, PRICING_PAGE, ok(body, {"Content-Type": "text/html"}))
    with pytest.raises(PageStructureError) as caught:
        run_pricing(server, client([]))
    assert str(caught.value) == (
        f"Vendor pricing pages: harbor-pricing: {url}: the page's structure changed: "
        "row selector 'table.rates tr' found nothing"
    )
    assert server.log == ["/robots.txt", "/pricing"]


# --- changed headers the clients take in their stride ----------------------------------------------------------------


def test_a_csv_served_with_gzip_content_encoding_is_recovered(server):
    """Outcome: recovered. A CDN compressing the CSV on the fly: the content is the CSV, parsed as the original."""
    serve(server, OECD, ok(gzip.compress(OECD_CSV), {"Content-Encoding": "gzip", "Content-Type": "text/csv"}))
    assert_same(run_oecd(server, client([])), OECD.healthy(server))


def test_ilostat_gz_served_as_gzip_content_encoding_is_recovered(server):
    """Outcome: recovered. A server labelling the .csv.gz "Content-Encoding: gzip": the client inflates it and the
    parser takes the plain CSV, with the same rows as the bulk file."""
    serve(server, ILOSTAT, ok(ILO_GZ, {"Content-Encoding": "gzip"}))
    content, frame = run_ilostat(server, client([]))
    assert content == ILO_CSV
    assert_frame_equal(frame, ilostat.parse_earnings(ILO_CSV, ILO_FILE))


def test_content_encoding_gzip_on_a_plain_body_fails_naming_source_and_url(server):
    """Outcome: failed cleanly. A "Content-Encoding: gzip" header on a body that is not gzip cannot be decoded."""
    url = serve(server, OECD, ok(OECD_CSV, {"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as caught:
        run_oecd(server, client([]))
    expect_fetch_error(caught, "OECD", url, 3, r"_CutShort: the body is not valid gzip")


def test_conflicting_content_lengths_fail_naming_source_and_url(server):
    """Outcome: failed cleanly. Two different Content-Length headers: the body's length cannot be known."""

    def conflicting(conn, stop):
        conn.sendall(head(200, {"Content-Length": "10"}, len(WB_ZIP)) + WB_ZIP)

    url = serve(server, WORLDBANK, conflicting)
    with pytest.raises(FetchError) as caught:
        run_worldbank(server, client([]))
    expect_fetch_error(caught, "World Bank (WDI)", url, 3, r"InvalidHeader: Content-Length contained multiple")


# --- robots.txt rules -------------------------------------------------------------------------------------------------


def test_robots_txt_disallowing_the_page_stops_the_fetch(server):
    """Outcome: failed cleanly. RobotsDisallowed naming the page URL and our user agent; the page is never asked for."""
    serve(server, ROBOTS_TXT, ok(b"User-agent: bpo-fault-test\nDisallow: /pricing\n\nUser-agent: *\nDisallow:\n"))
    with pytest.raises(RobotsDisallowed) as caught:
        run_pricing(server, client([]))
    assert str(caught.value) == (
        f"Vendor pricing pages: {server.url('/pricing')}: not fetched for user agent '{USER_AGENT}': "
        f"http://127.0.0.1:{server.port}/robots.txt disallows it"
    )
    assert server.log == ["/robots.txt"]


@pytest.mark.parametrize(
    "robots",
    [status(404), status(410), ok(HTML_PAGE, {"Content-Type": "text/html"}), ok(b"")],
    ids=["404-no-rules", "410-no-rules", "html-page-has-no-rules", "empty-file"],
)
def test_robots_txt_without_rules_allows_the_page(server, robots):
    """Outcome: recovered. No robots.txt, or one without any rule (RFC 9309: no group, no restriction)."""
    serve(server, ROBOTS_TXT, robots)
    assert_same(run_pricing(server, client([])), ROBOTS_TXT.healthy(server))
    assert server.log == ["/robots.txt", "/pricing"]


@pytest.mark.parametrize("code", [401, 403], ids=["401", "403"])
def test_a_forbidden_robots_txt_disallows_the_site(server, code):
    """Outcome: failed cleanly, by the fetcher's rule that only a 404 or 410 means "no rules": RobotsDisallowed naming
    the page URL and the status; the page is never requested."""
    robots_url = serve(server, ROBOTS_TXT, status(code, body=b"denied"))
    with pytest.raises(RobotsDisallowed) as caught:
        run_pricing(server, client([]))
    assert str(caught.value).startswith(f"Vendor pricing pages: {server.url('/pricing')}: not fetched for user agent ")
    assert f"could not download {robots_url} after 1 attempt(s): HTTP {code} " in str(caught.value)
    assert server.log == ["/robots.txt"]


def test_a_failed_page_fetch_leaves_nothing_in_the_cache(server, tmp_path):
    """Outcome: failed cleanly, and the next run asks again: a download that failed is never cached."""
    url = serve(server, PRICING_PAGE, cut_short(HARBOR_HTML), ok(HARBOR_HTML))
    cache = tmp_path / "cache"
    spec = harbor(server)

    with pytest.raises(FetchError) as caught:
        fetcher(client([], max_attempts=1), cache).fetch(spec)
    expect_fetch_error(caught, PRICING_PAGE.source, url, 1, r"IncompleteRead")
    assert not cache.exists() or not any(cache.iterdir())

    assert fetcher(client([]), cache).fetch(spec).content == HARBOR_HTML
    assert server.log == ["/robots.txt", "/pricing", "/robots.txt", "/pricing"]
