"""A warehouse materialized once from the bundled sample, shared by the pipeline tests (which copy it to change it)."""

import pytest
from dagster import materialize
from upath import UPath

from pipelines.definitions import all_assets
from pipelines.resources import BUNDLED_SAMPLE, ReferenceFiles, SourceAccess, Warehouse

STAGING_TABLES = [
    "countries",
    "exchange_rates",
    "ppp_factors",
    "gdp_per_capita",
    "governance",
    "earnings",
    "us_occupation_wages",
    "average_wages",
    "vendor_rate_observations",
    "raw_sources",
]


def run(root, sample_dir=BUNDLED_SAMPLE, selection=None):
    return materialize(
        all_assets,
        selection=selection,
        resources={
            "warehouse": Warehouse(root=str(root)),
            "access": SourceAccess(sample_dir=str(sample_dir)),
            "reference": ReferenceFiles(),
        },
        raise_on_error=False,
    )


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("warehouse")
    result = run(root)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    blocking = [e for e in evaluations if e.severity.value == "ERROR"]
    assert len(blocking) == len(STAGING_TABLES) + 7  # 5 published contracts, complete tiers, the catalog's views
    assert all(e.passed for e in blocking), [e.check_name for e in blocking if not e.passed]
    return UPath(root)
