"""The buyer_reports asset on the sample warehouse: one page per default buyer of the committed version, and, where a
headless Chromium and playwright are installed, each page opened in the browser with no console error and no empty
chart."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from upath import UPath

from assets import report
from pipelines.definitions import all_assets
from storage import versions
from storage.published import read_partitioned
from tests.pipeline.conftest import REFERENCE, run

CHROMIUM = Path("/usr/bin/chromium")


def browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium): the reports are not opened in a browser"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is absent (pip install playwright): the reports are not opened in a browser"
    return None


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory):
    """The shared warehouse copied, and its reports built by the asset alone (reading the committed version)."""
    root = tmp_path_factory.mktemp("reports") / "warehouse"
    shutil.copytree(str(warehouse), str(root), symlinks=True)
    # The report's definitions join the code location's unless pipelines/definitions.py already lists them.
    assets = [*all_assets, *(d for d in report.definitions if d not in all_assets)]
    result = run(root, selection=["buyer_reports"], assets=assets)
    assert result.success
    return root


def test_a_report_per_default_buyer_of_the_committed_version(reports):
    version = versions.current(reports)["version"]
    for buyer in REFERENCE.model().buyers:
        page = BeautifulSoup((reports / "reports" / f"{buyer}.html").read_text(), "html.parser")
        assert len(page.find_all("svg")) == 3
        assert f"version {version}" in page.footer.get_text()
    gbr = (reports / "reports" / "GBR.html").read_text()
    assert "scenario_costs has no rows for GBR" in gbr


def test_the_usa_report_shows_the_published_median(reports):
    tiers = read_partitioned(UPath(reports), "tier_function_benchmarks")
    year = tiers["year"].max()
    median = tiers.filter(buyer_iso3="USA", year=year, function_id="customer_support", tier="offshore").item(
        0, "cost_per_hour_p50_usd"
    )
    page = BeautifulSoup((reports / "reports" / "USA.html").read_text(), "html.parser")
    assert str(year) in page.h1.get_text()
    assert f"${median:,.2f}" in [t.get_text() for t in page.find("svg").find_all("text")]


@pytest.fixture(scope="module")
def chromium():
    if reason := browser_missing():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.mark.parametrize("buyer", REFERENCE.model().buyers)
def test_the_report_opens_in_chromium_without_errors_or_empty_charts(chromium, reports, buyer):
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    errors, fetched = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: fetched.append(request.url))
    url = (reports / "reports" / f"{buyer}.html").as_uri()
    page.goto(url)
    assert not errors
    assert fetched == [url], "the page loaded more than itself"
    charts = page.locator("svg")
    assert charts.count() == 3
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"chart {i} has no size"
    # Every chart draws shapes the browser gives an area to: bars or points, not only axes.
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('svg')].map(svg => [...svg.querySelectorAll('rect, circle')]
            .filter(shape => { const b = shape.getBBox(); return b.width > 0 && b.height > 0; }).length)"""
    )
    assert all(drawn), f"a chart has no visible bar or point: {drawn}"
    page.close()
