"""Live mode against a local server standing in for the World Bank: the served zip is stored byte for byte with live
provenance, and staging reads the zip as it reads the bundled CSV."""

import io
import json
import shutil
import zipfile

import pytest
from dagster import AssetKey, materialize
from upath import UPath

from assets.raw import load_catalogue, raw_asset
from assets.staging import worldbank
from pipelines.resources import BUNDLED_SAMPLE, ReferenceFiles, SourceAccess, Warehouse
from storage.tables import read_table

SAMPLE = BUNDLED_SAMPLE / "worldbank"


def served_zip() -> bytes:
    """An indicator zip laid out as api.worldbank.org serves it: data, country and indicator metadata members."""
    members = {
        "API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": (SAMPLE / "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv").read_bytes(),
        "Metadata_Country_API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": (
            SAMPLE / "Metadata_Country_API_RL.EST_DS2_en_csv_v2_5814.csv"
        ).read_bytes(),
        "Metadata_Indicator_API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": b'"INDICATOR_CODE","INDICATOR_NAME"\n',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            # A fixed timestamp: the same members must give the same bytes, as a server's file does.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 7, 1, 0, 0, 0)), content)
    return buffer.getvalue()


@pytest.fixture
def copy_of(warehouse, tmp_path):
    root = tmp_path / "warehouse"
    shutil.copytree(str(warehouse), str(root))
    return UPath(root)


def test_a_live_pull_is_stored_with_its_provenance_and_staged(copy_of, httpserver):
    httpserver.expect_request("/indicator/PA.NUS.FCRF").respond_with_data(served_zip(), content_type="application/zip")
    url = httpserver.url_for("/indicator/PA.NUS.FCRF")
    catalogue = load_catalogue().filter(source="worldbank").to_dicts()
    datasets = [row | {"url": url} for row in catalogue if row["dataset_id"] in ("PA.NUS.FCRF", "country_metadata")]
    fx_key = AssetKey("exchange_rates")
    exchange_rates = [
        d for d in worldbank.definitions if fx_key in d.keys or fx_key in {c.asset_key for c in d.check_keys}
    ]

    result = materialize(
        [raw_asset("worldbank", datasets), *exchange_rates],
        resources={
            "warehouse": Warehouse(root=str(copy_of)),
            "access": SourceAccess(mode="live", max_attempts=1),
            "reference": ReferenceFiles(),
        },
        raise_on_error=False,
    )

    assert result.success
    current = json.loads((copy_of / "raw/worldbank/CURRENT.json").read_text())
    assert set(current) == {"PA.NUS.FCRF", "country_metadata"}
    record = json.loads((copy_of / (current["PA.NUS.FCRF"] + ".provenance.json")).read_text())
    assert record["mode"] == "live" and record["url"] == url and record["last_updated"] == "2025-07-01"
    assert (copy_of / current["PA.NUS.FCRF"]).read_bytes() == served_zip()
    fx = read_table(copy_of, "staging", "exchange_rates").filter(iso3="PHL", year=2022)
    assert fx["lcu_per_usd"].item() == pytest.approx(54.4778, abs=1e-4)
    assert fx["raw_file"].item() == current["PA.NUS.FCRF"]
