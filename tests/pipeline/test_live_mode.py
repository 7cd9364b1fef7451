"""Live mode against a local server standing in for the World Bank: the served zip is stored byte for byte with live
provenance, and staging reads the zip as it reads the bundled CSV."""

import json

import pytest
from dagster import AssetKey

from assets.raw.files import raw_asset
from assets.resources import SourceAccess
from pipelines.definitions import all_assets
from storage.tables import read_table
from tests.pipeline.conftest import REFERENCE, run, served_zip


def test_a_live_pull_is_stored_with_its_provenance_and_staged(copy_of, httpserver):
    httpserver.expect_request("/indicator/PA.NUS.FCRF").respond_with_data(served_zip(), content_type="application/zip")
    url = httpserver.url_for("/indicator/PA.NUS.FCRF")
    catalogue = REFERENCE.catalogue().filter(source="worldbank").to_dicts()
    # The exchange rates and the country metadata from the stand-in; the other indicators from the bundled sample.
    served = ("PA.NUS.FCRF", "country_metadata")
    datasets = [row | {"url": url if row["dataset_id"] in served else None} for row in catalogue]
    # The World Bank's raw asset, pointed at the local stand-in instead of the publisher.
    raw_worldbank = AssetKey("raw_worldbank")
    assets = [d for d in all_assets if raw_worldbank not in getattr(d, "keys", ())]

    result = run(
        copy_of,
        SourceAccess(mode="live", max_attempts=1),
        ["raw_worldbank", "exchange_rates"],
        assets=[*assets, raw_asset("worldbank", datasets)],
    )

    assert result.success
    current = json.loads((copy_of / "raw/worldbank/CURRENT.json").read_text())
    assert {"PA.NUS.FCRF", "country_metadata"} <= set(current)
    record = json.loads((copy_of / (current["PA.NUS.FCRF"] + ".provenance.json")).read_text())
    assert record["mode"] == "live" and record["url"] == url and record["last_updated"] == "2025-07-01"
    assert (copy_of / current["PA.NUS.FCRF"]).read_bytes() == served_zip()
    fx = read_table(copy_of, "staging", "exchange_rates").filter(iso3="PHL", year=2022)
    assert fx["lcu_per_usd"].item() == pytest.approx(54.4778, abs=1e-4)
    assert fx["raw_file"].item() == current["PA.NUS.FCRF"]
