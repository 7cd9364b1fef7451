"""Asking a server whether it serves a new release: HEAD first, a conditional GET where HEAD gives no validator or is
refused, the stated date or the content's checksum where no validator comes at all; failures reported, never raised."""

from hashlib import sha256

from werkzeug import Request, Response

from sources.http import HttpClient
from sources.releases import Release, Watched, latest_release, watch

HTTP = HttpClient(max_attempts=1, timeout_s=2.0)


def target(httpserver, path="/file.csv", source="oecd") -> Watched:
    return Watched(httpserver.url_for(path), source, "Test publisher", "file.csv")


def test_a_server_refusing_head_is_asked_with_a_conditional_get(httpserver):
    asked = []

    def answer(request: Request) -> Response:
        asked.append((request.method, request.headers.get("If-None-Match")))
        if request.method == "HEAD":
            return Response(status=405)
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response("a,b\n", headers={"ETag": '"v1"'})

    httpserver.expect_request("/file.csv").respond_with_handler(answer)

    first = latest_release(HTTP, target(httpserver), None)
    again = latest_release(HTTP, target(httpserver), first)

    assert first == Release('etag "v1"', '"v1"', None) and again == first
    assert asked == [("HEAD", None), ("GET", None), ("HEAD", '"v1"'), ("GET", '"v1"')]


def test_without_any_validator_the_content_identifies_the_release(httpserver):
    content = b"a,b\n1,2\n"
    httpserver.expect_request("/file.csv").respond_with_handler(
        lambda request: Response(b"" if request.method == "HEAD" else content)
    )
    assert latest_release(HTTP, target(httpserver), None) == Release("sha256 " + sha256(content).hexdigest())


def test_a_page_that_is_not_the_file_is_reported_not_raised(httpserver):
    """The World Bank's release is its stated date: an HTML page in place of the zip cannot say one."""
    httpserver.expect_request("/indicator").respond_with_data("<html><body>Maintenance</body></html>")
    outcome = watch(HTTP, [target(httpserver, "/indicator", "worldbank")], {}, budget_s=10)

    assert outcome.new == [] and outcome.releases == {}
    (unchecked,) = outcome.unchecked
    assert str(unchecked) == (
        f"worldbank: {httpserver.url_for('/indicator')} answered with what is not the file: Test publisher: file.csv: "
        "no stated last-updated date, which its files have"
    )


def test_urls_not_reached_within_the_budget_keep_their_last_answer(httpserver):
    known = {httpserver.url_for("/file.csv"): Release("etag old", "old")}
    outcome = watch(HTTP, [target(httpserver)], known, budget_s=0)

    assert outcome.releases == known and outcome.new == []
    assert [str(u) for u in outcome.unchecked] == [
        f"oecd: {httpserver.url_for('/file.csv')} not asked: the 0 s of this check ran out"
    ]
    assert httpserver.log == []
