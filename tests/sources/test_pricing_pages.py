"""Pricing-page scraping against hand-written fixture pages, and the polite fetcher against a local test server."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sources.errors import SourceError, SourceFormatError
from sources.http import HttpClient
from sources.pricing_pages import (
    OUTPUT_SCHEMA,
    PageSpec,
    PageStructureError,
    PricingPageFetcher,
    RobotsDisallowed,
    extract_rates,
    load_page_specs,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pricing_pages"
USER_AGENT = "bpo-test/1.0"

HARBOR = PageSpec(
    page_id="harbor-pricing",
    url="https://harbor.example/pricing",
    row_selector="table.rates tr",
    service_selector="td.service",
    rate_selector="td.rate",
    vendor="Harbor Outsourcing",
    country_iso3="PHL",
)
BRIGHTDESK = PageSpec(
    page_id="brightdesk-plans",
    url="https://brightdesk.example/plans",
    row_selector="div.plan-card",
    service_selector="h3.plan-name",
    rate_selector="p.plan-price",
    vendor="BrightDesk Nearshore",
    country_iso3="COL",
)
MERIDIAN = PageSpec(
    page_id="meridian-locations",
    url="https://meridian.example/locations",
    row_selector="#location-rates tbody tr",
    service_selector="td.role",
    rate_selector="td.rate",
    vendor="Meridian Staffing",
    country_selector="td.country",
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected(spec: PageSpec, rows: list[tuple]) -> pl.DataFrame:
    """Output rows given as (country_iso3, service_label, rate_text, low, high, currency, unit, parse_error)."""
    columns = ["country_iso3", "service_label", "rate_text", "rate_low", "rate_high", "currency", "unit", "parse_error"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return (
        frame.with_columns(
            page_id=pl.lit(spec.page_id),
            url=pl.lit(spec.url),
            vendor=pl.lit(spec.vendor),
            price_type=pl.lit(spec.price_type),
        )
        .select(OUTPUT_SCHEMA.names())
        .cast(OUTPUT_SCHEMA)
    )


# --- extraction -------------------------------------------------------------------------------------------------


def test_extracts_a_rate_table_and_keeps_the_unreadable_row():
    rates = extract_rates(HARBOR, fixture("harbor_rates.html"))

    # The header row (th cells only) is skipped; "Contact us" stays as a row with its parse error.
    assert_frame_equal(
        rates,
        expected(
            HARBOR,
            [
                ("PHL", "Inbound Customer Support (Voice)", "$8–12 /hr", 8.0, 12.0, "USD", "hour", None),
                ("PHL", "Chat & Email Support", "$7 - $10 per hour", 7.0, 10.0, "USD", "hour", None),
                ("PHL", "Technical Support (Tier 2)", "$12 – $16 / hour", 12.0, 16.0, "USD", "hour", None),
                ("PHL", "Back-office Data Entry", "$6.50/hr", 6.5, 6.5, "USD", "hour", None),
                (
                    "PHL",
                    "Dedicated Team (10+ seats)",
                    "Contact us",
                    None,
                    None,
                    None,
                    None,
                    "rate text 'Contact us': no number found",
                ),
            ],
        ),
    )


def test_extracts_a_card_layout():
    rates = extract_rates(BRIGHTDESK, fixture("brightdesk_plans.html"))

    assert_frame_equal(
        rates,
        expected(
            BRIGHTDESK,
            [
                ("COL", "Starter", "From $9 per hour", 9.0, 9.0, "USD", "hour", None),
                ("COL", "Dedicated Agent", "From $1,450 per month", 1450.0, 1450.0, "USD", "month", None),
                ("COL", "Bilingual Premium", "Up to $15/hr", 15.0, 15.0, "USD", "hour", None),
                # A call-to-action card shaped like a plan but with no price: kept, and says so.
                (
                    "COL",
                    "Not sure which plan fits?",
                    None,
                    None,
                    None,
                    None,
                    None,
                    "the rate selector 'p.plan-price' gives no text in this row",
                ),
            ],
        ),
    )


def test_extracts_a_country_column_with_names_and_iso3_codes():
    names = {"Philippines": "PHL", "india": "IND", "South Africa": "ZAF"}  # matched ignoring case
    rates = extract_rates(MERIDIAN, fixture("meridian_locations.html"), country_names=names)

    # The region heading rows ("Asia") have no td.role nor td.rate and are skipped.
    assert_frame_equal(
        rates,
        expected(
            MERIDIAN,
            [
                ("PHL", "Customer Service Representative", "$8-10/hr", 8.0, 10.0, "USD", "hour", None),
                ("IND", "Accounts Payable Clerk", "₹450–650/hour", 450.0, 650.0, "INR", "hour", None),
                ("MEX", "Bilingual Sales Agent", "US$ 11–14 per hour", 11.0, 14.0, "USD", "hour", None),
                ("ZAF", "Collections Agent", "R180–220/hour", 180.0, 220.0, "ZAR", "hour", None),
                (
                    None,
                    "Help Desk Analyst",
                    "$5/hr",
                    5.0,
                    5.0,
                    "USD",
                    "hour",
                    "country 'Atlantis' is neither an ISO3 code nor a name in country_names",
                ),
            ],
        ),
    )


def test_row_errors_are_joined_when_rate_and_country_both_fail():
    html = b"""<table><tr><td class="c">Narnia</td><td class="s">Support</td><td class="r">TBD</td></tr></table>"""
    spec = PageSpec("p", "https://x.example/", "tr", "td.s", "td.r", "X", country_selector="td.c")

    assert extract_rates(spec, html)["parse_error"].to_list() == [
        "rate text 'TBD': no number found; country 'Narnia' is neither an ISO3 code nor a name in country_names"
    ]


def test_changed_page_raises_naming_page_url_and_selector():
    with pytest.raises(PageStructureError) as caught:
        extract_rates(HARBOR, fixture("harbor_rates_changed.html"))

    message = str(caught.value)
    assert "harbor-pricing" in message and "https://harbor.example/pricing" in message
    assert "the page's structure changed" in message and "'table.rates tr' found nothing" in message
    assert caught.value.selector == "table.rates tr" and isinstance(caught.value, SourceError)


@pytest.mark.parametrize(
    ("changes", "selector"),
    [
        ({"service_selector": "td.service-name"}, "td.service-name"),
        ({"rate_selector": "td.price"}, "td.price"),
    ],
)
def test_a_cell_selector_matching_in_no_row_raises(changes, selector):
    spec = PageSpec(**(vars(HARBOR) | changes))

    with pytest.raises(
        PageStructureError,
        match=rf"harbor-pricing: .* {selector!r} found nothing in any of the 6 "
        r"rows matched by 'table.rates tr'",
    ):
        extract_rates(spec, fixture("harbor_rates.html"))


def test_rows_with_only_empty_cells_raise_rather_than_return_nothing():
    html = b"<table class='rates'><tr><td class='service'> </td><td class='rate'></td></tr></table>"

    with pytest.raises(PageStructureError, match="none of the 1 rows .* has service or rate text"):
        extract_rates(HARBOR, html)


# --- page specs --------------------------------------------------------------------------------------------------


def test_load_page_specs_reads_csv_with_empty_cells_as_unset():
    csv = (
        b"page_id,url,row_selector,service_selector,rate_selector,vendor,price_type,country_iso3,country_selector,"
        b"default_currency,default_unit\n"
        b"harbor-pricing,https://harbor.example/pricing,table.rates tr,td.service,td.rate,Harbor Outsourcing,,PHL,,,\n"
        b'meridian-locations,https://meridian.example/locations,"#location-rates tbody tr",td.role,td.rate,'
        b"Meridian Staffing,vendor_list_price,,td.country,USD,hour\n"
    )

    assert load_page_specs(csv, "pricing_pages.csv") == [
        HARBOR,
        PageSpec(
            page_id="meridian-locations",
            url="https://meridian.example/locations",
            row_selector="#location-rates tbody tr",
            service_selector="td.role",
            rate_selector="td.rate",
            vendor="Meridian Staffing",
            price_type="vendor_list_price",
            country_selector="td.country",
            default_currency="USD",
            default_unit="hour",
        ),
    ]


SPEC_HEADER = b"page_id,url,row_selector,service_selector,rate_selector,vendor,country_iso3\n"


@pytest.mark.parametrize(
    ("csv", "problem"),
    [
        (SPEC_HEADER.replace(b"country_iso3", b"contry_iso3"), r"unknown \['contry_iso3'\]"),
        (SPEC_HEADER.replace(b"rate_selector,", b""), r"missing \['rate_selector'\]"),
        (
            SPEC_HEADER + b"p1,https://x.example,tr,td,td,,PHL\n",
            r"empty required cells .* on line 2, page_id \['p1'\]",
        ),
        (
            SPEC_HEADER + b"p1,https://x.example,tr,td,td,V,\n",
            "line 2: page spec 'p1': set exactly one of country_iso3 and country_selector",
        ),
        (
            SPEC_HEADER + b"p1,https://x.example,tr,td,td,V,PHL\n\np1,https://y.example,tr,td,td,W,COL\n",
            "page_id 'p1' is used on lines 2, 4: one page_id a page",
        ),
        (SPEC_HEADER + b"p1,https://x.example,tr,td,td,PHL\n", "record 2 has 6 fields, the header 7"),
        (SPEC_HEADER + "p1,https://x.example,tr,td,td,Fr\u00f6g,PHL\n".encode("latin-1"), "byte 0xF6 on line 2"),
        (b"", "empty page spec file"),
    ],
)
def test_load_page_specs_rejects_bad_csv(csv, problem):
    with pytest.raises(SourceFormatError, match=problem) as caught:
        load_page_specs(csv, "reference/pricing_pages.csv")
    assert str(caught.value).startswith("Vendor pricing pages: reference/pricing_pages.csv: ")


@pytest.mark.parametrize(
    ("country", "problem"),
    [
        ({}, "set exactly one of country_iso3 and country_selector"),
        (
            {"country_iso3": "PHL", "country_selector": "td.country"},
            "set exactly one of country_iso3 and country_selector",
        ),
        ({"country_iso3": "Philippines"}, "country_iso3 must be an ISO3 code"),
    ],
)
def test_page_spec_validation(country, problem):
    with pytest.raises(ValueError, match=problem):
        PageSpec("p", "https://x.example/", "tr", "td.s", "td.r", "X", **country)


# --- fetching ----------------------------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps (or the test advances it)."""

    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fetcher(clock: FakeClock, **overrides) -> PricingPageFetcher:
    http = HttpClient(user_agent=USER_AGENT, timeout_s=2.0, max_attempts=2, sleep=lambda _s: None)
    return PricingPageFetcher(http, **({"delay_s": 5.0, "sleep": clock.sleep, "clock": clock} | overrides))


def page(httpserver, path: str) -> PageSpec:
    return PageSpec(path.strip("/"), httpserver.url_for(path), "tr", "td.s", "td.r", "Test vendor", country_iso3="PHL")


def requested_paths(httpserver) -> list[str]:
    return [request.path for request, _response in httpserver.log]


def test_robots_disallow_raises_and_never_requests_the_page(httpserver):
    # Our user agent's group disallows /pricing; the catch-all group would allow it.
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: bpo-test\nDisallow: /pricing\n\nUser-agent: *\nDisallow:\n"
    )
    httpserver.expect_request("/pricing").respond_with_data("<html></html>")
    spec = page(httpserver, "/pricing")

    with pytest.raises(RobotsDisallowed) as caught:
        fetcher(FakeClock()).fetch(spec)

    assert spec.url in str(caught.value) and repr(USER_AGENT) in str(caught.value)
    assert requested_paths(httpserver) == ["/robots.txt"]


def test_robots_404_allows_everything(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("not found", status=404)
    httpserver.expect_request("/pricing").respond_with_data("<html>rates</html>", content_type="text/html")

    download = fetcher(FakeClock()).fetch(page(httpserver, "/pricing"))

    assert download.content == b"<html>rates</html>"
    assert requested_paths(httpserver) == ["/robots.txt", "/pricing"]


def test_unreadable_robots_is_treated_as_disallow(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("oops", status=500)
    spec = page(httpserver, "/pricing")

    with pytest.raises(
        RobotsDisallowed,
        match=r"could not read .*/robots.txt, so the site is treated as disallowed "
        r"\(.*HTTP 500",
    ):
        fetcher(FakeClock()).fetch(spec)
    assert "/pricing" not in requested_paths(httpserver)


def test_requests_to_one_host_are_spaced_by_the_delay(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a").respond_with_data("a")
    httpserver.expect_request("/b").respond_with_data("b")
    clock = FakeClock()
    pages = fetcher(clock)

    pages.fetch(page(httpserver, "/a"))  # robots.txt at t=1000, then /a must wait the full 5 s
    clock.now += 2.0  # the caller spends 2 s parsing
    pages.fetch(page(httpserver, "/b"))  # so only 3 s remain

    assert clock.sleeps == [5.0, 3.0]
    assert requested_paths(httpserver) == ["/robots.txt", "/a", "/b"]  # robots.txt read once per host


def test_a_larger_crawl_delay_is_honoured(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 12\nDisallow: /admin\n")
    httpserver.expect_request("/pricing").respond_with_data("rates")
    clock = FakeClock()

    fetcher(clock).fetch(page(httpserver, "/pricing"))

    assert clock.sleeps == [12.0]


def test_cached_page_is_served_without_a_request_until_it_expires(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/pricing").respond_with_data("<html>rates</html>", headers={"ETag": '"v1"'})
    spec = page(httpserver, "/pricing")

    first = fetcher(FakeClock(), cache_dir=tmp_path).fetch(spec)
    # A new fetcher: the hit comes from disk, not from memory.
    second = fetcher(FakeClock(), cache_dir=tmp_path).fetch(spec)

    assert second == first and second.headers["ETag"] == '"v1"'
    assert requested_paths(httpserver) == ["/robots.txt", "/pricing"]
    digest = hashlib.sha256(spec.url.encode()).hexdigest()
    sidecar = tmp_path / f"{digest}.json"
    assert (tmp_path / f"{digest}.html").read_bytes() == b"<html>rates</html>"
    meta = json.loads(sidecar.read_text())
    assert meta["url"] == spec.url and datetime.fromisoformat(meta["retrieved_at"]) == first.retrieved_at

    meta["retrieved_at"] = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    sidecar.write_text(json.dumps(meta))
    refetched = fetcher(FakeClock(), cache_dir=tmp_path).fetch(spec)

    assert refetched.retrieved_at > first.retrieved_at
    assert requested_paths(httpserver) == ["/robots.txt", "/pricing", "/robots.txt", "/pricing"]
