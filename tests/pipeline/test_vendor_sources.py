"""Vendor sources through the pipeline: analysts' quotes with rejects, and pricing pages scraped in live mode from a
local server (no network), including a page whose structure changed."""

import shutil

import polars as pl

from assets.resources import PROJECT, SourceAccess
from storage.tables import read_table, table_path
from tests.pipeline.conftest import reference_with, run

FIXTURES = PROJECT / "tests" / "fixtures"
SPEC_HEADER = "page_id,url,row_selector,service_selector,rate_selector,vendor,country_iso3\n"


def test_quotes_are_validated_and_bad_rows_are_kept_with_their_reason(copy_of, tmp_path):
    quotes = tmp_path / "quotes"
    quotes.mkdir()
    for name in ("good_quotes.csv", "bad_quotes.csv"):
        shutil.copy(FIXTURES / "quotes" / name, quotes / name)

    result = run(copy_of, SourceAccess(quotes_dir=str(quotes)), ["raw_vendor_quotes", "vendor_rate_observations"])

    assert result.success
    observations = read_table(copy_of, "staging", "vendor_rate_observations").filter(source="analyst_quote")
    good = pl.read_csv(FIXTURES / "quotes" / "good_quotes.csv")
    assert observations.height == good.height
    rejects = read_table(copy_of, "staging", "vendor_rate_observations__rejects").filter(source="analyst_quote")
    assert rejects.height > 0 and rejects["reject_reason"].str.len_chars().min() > 0
    assert rejects["raw_files"].list.first().str.contains("bad_quotes.csv").all()


def pages_server(httpserver, page: str):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/pricing").respond_with_data(
        (FIXTURES / "pricing_pages" / page).read_bytes(), content_type="text/html"
    )
    return httpserver.url_for("/pricing")


def scrape(root, tmp_path, url):
    """The pricing-page assets in live mode, with one reference entry for the page at `url`."""
    spec = SPEC_HEADER + f"harbor-pricing,{url},table.rates tr,td.service,td.rate,Harbor Outsourcing,PHL\n"
    access = SourceAccess(mode="live", page_delay_s=0, page_cache_dir=str(tmp_path / "cache"), max_attempts=1)
    reference = reference_with(tmp_path / "reference", pricing_pages=spec)
    return run(root, access, ["raw_pricing_pages", "vendor_rate_observations"], reference)


def test_a_pricing_page_is_scraped_live_stored_with_provenance_and_normalised(copy_of, tmp_path, httpserver):
    result = scrape(copy_of, tmp_path, pages_server(httpserver, "harbor_rates.html"))

    assert result.success
    rows = read_table(copy_of, "staging", "vendor_rate_observations").filter(source="pricing_page")
    assert rows.height > 0 and set(rows["country_iso3"]) == {"PHL"}
    assert rows["amount_low_usd"].min() > 0
    stored = copy_of.glob("raw/pricing_pages/*/harbor-pricing.html")
    assert len(list(stored)) == 1


def test_a_page_whose_structure_changed_fails_and_keeps_the_last_good_table(copy_of, tmp_path, httpserver):
    good = table_path(copy_of, "staging", "vendor_rate_observations").read_bytes()
    result = scrape(copy_of, tmp_path, pages_server(httpserver, "harbor_rates_changed.html"))

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "harbor-pricing" in str(failure.event_specific_data.error)
    assert "table.rates tr" in str(failure.event_specific_data.error)
    assert table_path(copy_of, "staging", "vendor_rate_observations").read_bytes() == good
