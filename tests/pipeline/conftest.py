"""A warehouse materialized once from the bundled sample, shared by the pipeline tests (which copy it to change it),
and the helpers that run the pipeline with test resources."""

import io
import re
import shutil
import zipfile

import pytest
from dagster import AssetsDefinition, AssetSelection, materialize
from upath import UPath

from assets.resources import BUNDLED_SAMPLE, ReferenceFiles, SourceAccess, Warehouse
from pipelines.definitions import all_assets, resources_for

REFERENCE = ReferenceFiles()


def assets_in(group: str) -> list[str]:
    """The asset names of one layer, read from the definitions (never typed in a test)."""
    return sorted(
        key.path[-1]
        for definition in all_assets
        if isinstance(definition, AssetsDefinition)
        for key, name in definition.group_names_by_key.items()
        if name == group
    )


STAGING_TABLES = assets_in("staging")
PUBLISHED_TABLES = assets_in("benchmarks")
FUNCTIONS = REFERENCE.model().functions["function_id"].to_list()


def run(root, access=None, selection=None, reference=None, assets=all_assets, instance=None):
    """Materialize `selection` (default: everything; a step writing several tables runs whole; or an AssetSelection)
    into the warehouse at `root` with the bundled sample, in `instance` (default: a new ephemeral one)."""
    access = access or SourceAccess(sample_dir=str(BUNDLED_SAMPLE))
    resources = resources_for(Warehouse(root=str(root)), access, reference or ReferenceFiles())
    chosen = selection
    if isinstance(selection, list):
        chosen = AssetSelection.assets(*selection).required_multi_asset_neighbors()
    return materialize(assets, selection=chosen, resources=resources, raise_on_error=False, instance=instance)


def reference_with(folder, **files: str) -> ReferenceFiles:
    """A copy of reference/ in `folder` with the named files (`pricing_pages="..."` for pricing_pages.csv) replaced."""
    shutil.copytree(REFERENCE.folder, folder)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return ReferenceFiles(folder=str(folder))


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The whole pipeline run once on the bundled sample: its warehouse root and its result."""
    root = tmp_path_factory.mktemp("warehouse")
    return root, run(root)


@pytest.fixture(scope="session")
def warehouse(sample_run):
    root, result = sample_run
    assert result.success
    blocking = [e for e in result.get_asset_check_evaluations() if e.severity.value == "ERROR"]
    # One contract check per staging and published table, complete tiers, and the catalog's views.
    assert len(blocking) == len(STAGING_TABLES) + len(PUBLISHED_TABLES) + 2
    assert all(e.passed for e in blocking), [e.check_name for e in blocking if not e.passed]
    return UPath(root)


@pytest.fixture
def copy_of(warehouse, tmp_path):
    """A copy of the shared warehouse that a test may change."""
    root = tmp_path / "warehouse"
    shutil.copytree(str(warehouse), str(root), symlinks=True)
    return UPath(root)


def served_zip(stated: str | None = None) -> bytes:
    """An indicator zip laid out as api.worldbank.org serves it: data, country and indicator metadata members; with
    `stated`, its preamble states that as the last-updated date."""
    data = (BUNDLED_SAMPLE / "worldbank" / "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv").read_bytes()
    if stated is not None:
        data = re.sub(rb'"Last Updated Date","\d{4}-\d{2}-\d{2}"', f'"Last Updated Date","{stated}"'.encode(), data)
        assert stated.encode() in data
    members = {
        "API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": data,
        "Metadata_Country_API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": (
            BUNDLED_SAMPLE / "worldbank" / "Metadata_Country_API_RL.EST_DS2_en_csv_v2_5814.csv"
        ).read_bytes(),
        "Metadata_Indicator_API_PA.NUS.FCRF_DS2_en_csv_v2_1.csv": b'"INDICATOR_CODE","INDICATOR_NAME"\n',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            # A fixed timestamp: the same members must give the same bytes, as a server's file does.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 7, 1, 0, 0, 0)), content)
    return buffer.getvalue()
