"""The sensor `source_releases` evaluated against a local server standing in for every publisher of the catalogue
(through BPO_SOURCE_BASE_URL's mirror layout): a changed ETag, Last-Modified or stated date runs exactly the source
that changed, an unchanged server runs nothing, and a failing server is reported without stopping the others."""

import json
import re
from dataclasses import dataclass, field

import pytest
from dagster import AssetKey, SensorResult, build_sensor_context
from werkzeug import Request, Response

from assets.resources import SourceAccess
from pipelines.definitions import defs, source_releases
from pipelines.sensors import watched_urls
from tests.pipeline.conftest import REFERENCE, served_zip

WATCHED = watched_urls(REFERENCE.catalogue())
FILES_OF_GEONAMES = ("countryInfo.txt", "cities15000.zip")
INTERNAL_ERROR = "HTTP 500 INTERNAL SERVER ERROR"


@dataclass
class Publishers:
    """What each stand-in publisher serves, changed by the tests between evaluations. GeoNames, ILOSTAT and the BLS
    give ETags (and honour If-None-Match), the OECD gives Last-Modified only, and the World Bank no validator at all:
    its zip's stated last-updated date identifies the release."""

    etags: dict[str, str] = field(default_factory=dict)  # by host
    last_modified: str = "Tue, 01 Jul 2025 00:00:00 GMT"
    stated: str = "2025-07-01"
    failing: set[str] = field(default_factory=set)  # hosts answering 500
    conditional: list[str] = field(default_factory=list)  # hosts asked with If-None-Match or If-Modified-Since

    def answer(self, request: Request) -> Response:
        host = request.path.split("/")[2]
        if host in self.failing:
            return Response("overloaded", status=500)
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            self.conditional.append(host)
        if host == "api.worldbank.org":
            body = served_zip(self.stated)
            return Response(b"" if request.method == "HEAD" else body, content_type="application/zip")
        if host == "sdmx.oecd.org":
            if request.headers.get("If-Modified-Since") == self.last_modified:
                return Response(status=304)
            return Response("", headers={"Last-Modified": self.last_modified})
        etag = f'"{self.etags.get(host, "v1")}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        return Response("", headers={"ETag": etag})


@pytest.fixture
def publishers(httpserver):
    served = Publishers()
    httpserver.expect_request(re.compile("^/mirror/")).respond_with_handler(served.answer)
    return served


@pytest.fixture
def access(httpserver):
    return SourceAccess(mode="live", base_url=httpserver.url_for("/mirror"), max_attempts=1)


def evaluate(access: SourceAccess, cursor: str | None) -> SensorResult:
    result = source_releases(build_sensor_context(cursor=cursor, resources={"access": access}))
    assert isinstance(result, SensorResult)
    return result


def requested_assets(result: SensorResult) -> set[str]:
    (request,) = result.run_requests
    return {key.to_user_string() for key in request.asset_selection}


def test_the_first_check_records_every_url_and_requests_nothing(access, publishers):
    result = evaluate(access, None)

    assert not result.run_requests
    assert result.skip_reason.skip_message == "no new release"
    assert len(json.loads(result.cursor)) == len(WATCHED) == 21
    assert publishers.conditional == []


def test_an_unchanged_server_gives_no_run_and_is_asked_conditionally(access, publishers):
    baseline = evaluate(access, None).cursor

    result = evaluate(access, baseline)

    assert not result.run_requests and result.skip_reason.skip_message == "no new release"
    assert json.loads(result.cursor) == json.loads(baseline)
    assert {"download.geonames.org", "www.bls.gov", "sdmx.oecd.org"} <= set(publishers.conditional)


def test_a_changed_etag_runs_exactly_that_source_and_everything_downstream(access, publishers):
    baseline = evaluate(access, None).cursor
    publishers.etags["download.geonames.org"] = "v2"

    result = evaluate(access, baseline)

    (request,) = result.run_requests
    assert request.tags == {"bpo/new_releases": "geonames"}
    assets = requested_assets(result)
    assert {"raw_geonames", "countries", "location_tiers", "current_version"} <= assets
    assert not {name for name in assets if name.startswith("raw_")} - {"raw_geonames", "raw_sources"}
    # One Dagster can launch: a subset of refresh_all that cuts no multi-asset in two (this raises otherwise).
    defs.resolve_job_def("refresh_all").get_subset(asset_selection=set(request.asset_selection))
    # The next evaluation knows the new ETag: no second run for the same release.
    assert not evaluate(access, result.cursor).run_requests


def test_a_changed_last_modified_runs_that_source(access, publishers):
    baseline = evaluate(access, None).cursor
    publishers.last_modified = "Wed, 01 Jul 2026 00:00:00 GMT"

    result = evaluate(access, baseline)

    assert result.run_requests[0].tags == {"bpo/new_releases": "oecd"}
    assert {"raw_oecd", "average_wages"} <= requested_assets(result)
    assert "raw_worldbank" not in requested_assets(result)


def test_a_new_stated_date_runs_the_world_bank_whose_server_gives_no_validator(access, publishers):
    baseline = evaluate(access, None).cursor
    assert {release["marker"] for url, release in json.loads(baseline).items() if "worldbank" in url} == {
        "stated 2025-07-01"
    }
    publishers.stated = "2026-10-15"

    result = evaluate(access, baseline)

    assert result.run_requests[0].tags == {"bpo/new_releases": "worldbank"}
    assert {"raw_worldbank", "exchange_rates", "gdp_per_capita"} <= requested_assets(result)


def test_a_server_error_is_reported_with_source_and_url_and_others_are_checked(access, publishers, httpserver):
    baseline = evaluate(access, None).cursor
    publishers.failing.add("download.geonames.org")
    publishers.etags["www.bls.gov"] = "v2"

    result = evaluate(access, baseline)

    (request,) = result.run_requests
    assert request.tags == {"bpo/new_releases": "bls_oews"}
    # One observation on raw_geonames per URL that could not be asked, naming the producer and the URL.
    urls = [httpserver.url_for(f"/mirror/download.geonames.org/export/dump/{name}") for name in FILES_OF_GEONAMES]
    assert [(event.asset_key, event.metadata["release_check_failed"].value) for event in result.asset_events] == [
        (AssetKey("raw_geonames"), f"GeoNames: could not download {url} after 1 attempt(s): {INTERNAL_ERROR}")
        for url in urls
    ]
    # The failed URLs keep their last answer, so the next evaluation asks again and compares with it.
    assert all(json.loads(result.cursor)[url] == json.loads(baseline)[url] for url in urls)


def test_only_a_server_error_skips_naming_source_and_url(access, publishers, httpserver):
    baseline = evaluate(access, None).cursor
    publishers.failing.add("sdmx.oecd.org")

    result = evaluate(access, baseline)

    assert not result.run_requests
    message = result.skip_reason.skip_message
    assert message.startswith("no new release; could not check oecd: OECD: could not download ")
    assert httpserver.url_for("/mirror/sdmx.oecd.org/public/rest/data/") in message and "HTTP 500" in message


def test_in_snapshot_mode_the_sensor_asks_nothing(publishers, httpserver):
    result = evaluate(SourceAccess(mode="snapshot", base_url=httpserver.url_for("/mirror")), None)

    assert result.skip_reason.skip_message == "source mode is snapshot: releases are watched in live mode only"
    assert httpserver.log == []
