"""The shared HTTP client against a local test server: retries, Retry-After, time-outs and giving up clearly."""

import time

import pytest
from werkzeug import Response

from sources.errors import FetchError
from sources.http import HttpClient, _retry_after_s


def client(**overrides) -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    settings = {"timeout_s": 2.0, "max_attempts": 4, "backoff_base_s": 0.5, "sleep": waits.append} | overrides
    return HttpClient(**settings), waits


def test_retries_a_503_then_returns_the_body(httpserver):
    httpserver.expect_ordered_request("/data.csv").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/data.csv").respond_with_data("a,b\n1,2\n", status=200)
    http, waits = client()

    download = http.get(httpserver.url_for("/data.csv"), source="Test source")

    assert download.content == b"a,b\n1,2\n"
    assert len(waits) == 1 and 0.25 <= waits[0] <= 0.5  # first backoff: base x jitter in [0.5, 1]


def test_honours_retry_after_on_429(httpserver):
    httpserver.expect_ordered_request("/api").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/api").respond_with_data("ok")
    http, waits = client()

    assert http.get(httpserver.url_for("/api"), source="Test source").content == b"ok"
    assert waits == [7.0]


def test_sends_a_descriptive_user_agent(httpserver):
    httpserver.expect_request("/ua", headers={"User-Agent": "bpo-test/1.0"}).respond_with_data("ok")
    http, _ = client(user_agent="bpo-test/1.0")
    assert http.get(httpserver.url_for("/ua"), source="Test source").content == b"ok"


def test_gives_up_after_the_last_attempt_naming_source_and_url(httpserver):
    httpserver.expect_request("/down").respond_with_data("oops", status=502)
    http, waits = client(max_attempts=3)
    url = httpserver.url_for("/down")

    with pytest.raises(FetchError, match=r"World Bank WDI: could not download .*/down after 3 attempt\(s\): HTTP 502"):
        http.get(url, source="World Bank WDI")
    assert len(waits) == 2  # no wait after the last attempt


def test_does_not_retry_a_404(httpserver):
    httpserver.expect_request("/missing").respond_with_data("not here", status=404)
    http, waits = client()

    with pytest.raises(FetchError, match=r"after 1 attempt\(s\): HTTP 404"):
        http.get(httpserver.url_for("/missing"), source="Test source")
    assert waits == []


def test_times_out_and_retries_then_gives_up(httpserver):
    def slow(_request):
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    http, waits = client(timeout_s=0.2, max_attempts=2)

    with pytest.raises(FetchError, match="ReadTimeout"):
        http.get(httpserver.url_for("/slow"), source="Test source")
    assert len(waits) == 1


def test_refuses_a_retry_after_longer_than_allowed(httpserver):
    httpserver.expect_request("/later").respond_with_data("", status=503, headers={"Retry-After": "3600"})
    http, waits = client(max_wait_s=60)

    with pytest.raises(FetchError, match="server asked to wait 3600 s"):
        http.get(httpserver.url_for("/later"), source="Test source")
    assert waits == []


def test_retry_after_accepts_an_http_date():
    assert _retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past means now
    assert _retry_after_s("120") == 120.0
    assert _retry_after_s("soon") is None


def test_a_deadline_already_spent_ends_in_a_fetch_error_naming_the_source(httpserver):
    httpserver.expect_request("/data.csv").respond_with_data("a,b\n1,2\n")
    url = httpserver.url_for("/data.csv")
    with pytest.raises(FetchError, match=rf"ilostat: could not download {url} after 1 attempt\(s\): no time left"):
        HttpClient(deadline_s=1e-9).get(url, "ilostat")
