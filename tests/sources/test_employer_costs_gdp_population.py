"""The rows the employer_costs, gdp and population assets build from the real files, before the contract and the
country check (which the pipeline tests run on the bundled sample)."""

import pytest

from assets.staging.employer_costs import employer_cost_rows
from assets.staging.worldbank import indicator_rows
from schemas.contract import hold_to_contract
from schemas.staging import EmployerCosts
from schemas.vocabulary import EMPLOYER_COST_DATASETS
from storage.raw_zone import Provenance
from tests.shared_data import RAW, needs_shared_raw

FILES = {
    ("raw_oecd_taxing_wages", "taxing_wages_2021_table1"): "oecd/taxing_wages_2021/Table1.csv",
    ("raw_ilo_kilm", "KILM15b_social_insurance_share"): "ilo_kilm15/ddf--datapoints--hourly_social_insurance_"
    "expenditures_and_labour_related_taxes_as_percentage_of_total_hourly_compensation_costs--by--country--year.csv",
    ("raw_worldbank", "NY.GDP.MKTP.CD"): "worldbank/2025/gdp_NY.GDP.MKTP.CD.csv",
    ("raw_worldbank", "SP.POP.TOTL"): "worldbank/2025/population_SP.POP.TOTL.csv",
    ("raw_worldbank", "country_metadata"): "worldbank/Metadata_Country_API_RL.EST_DS2_en_csv_v2_5814.csv",
}


def record(dataset_id: str, path: str) -> Provenance:
    return Provenance(
        source="test",
        dataset_id=dataset_id,
        producer="",
        title="",
        url=None,
        licence="",
        retrieved_at="",
        last_updated=None,
        mode="local",
        raw_file=f"raw/test/{path}",
    )


@pytest.fixture(scope="module")
def loaded() -> dict:
    files: dict = {}
    for (asset, dataset_id), path in FILES.items():
        files.setdefault(asset, {})[dataset_id] = ((RAW / path).read_bytes(), record(dataset_id, path))
    return files


@needs_shared_raw
def test_employer_costs_rows_keep_the_contract(loaded):
    rows = employer_cost_rows(loaded, None)
    checked = hold_to_contract(rows, EmployerCosts, "employer_costs")
    assert checked.rejects.is_empty() and checked.valid.height == 38 + 586
    counts = dict(checked.valid.group_by("dataset").len().iter_rows())
    assert counts == {"oecd_taxing_wages": 38, "ilo_kilm15": 586} and set(counts) == set(EMPLOYER_COST_DATASETS)
    assert "OAVG" not in set(rows["iso3"])  # the OECD average is no country
    assert rows.filter(iso3="COL")["employer_share_pct"].to_list() == [0.0]  # kept as stated
    assert rows.filter(iso3="PHL")["dataset"].unique().to_list() == ["ilo_kilm15"]
    assert rows["raw_file"].str.starts_with("raw/test/").all() and rows["measure"].n_unique() == 2


@needs_shared_raw
def test_gdp_and_population_rows_leave_out_aggregates(loaded):
    rows = indicator_rows(loaded["raw_worldbank"], ["NY.GDP.MKTP.CD", "SP.POP.TOTL"])
    codes = set(rows["iso3"])
    assert not codes & {"WLD", "EUU", "HIC", "OED", "LCN"}
    assert {"USA", "PHL", "CHI"} <= codes  # CHI is left to the country check, which rejects it
    assert rows["parse_error"].null_count() == rows.height
