"""The freshness check of each source: the newest release its current pull holds, against the release cycle the
catalogue declares for it."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from dagster import AssetCheckSeverity
from upath import UPath

from assets.raw.freshness import freshness, freshness_check, release_cycles
from assets.resources import ReferenceFiles, Warehouse
from storage.raw_zone import Provenance, RawZone

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def record(dataset_id="countryInfo", *, retrieved=NOW, last_updated=None, mode="live") -> Provenance:
    return Provenance(
        source="geonames",
        dataset_id=dataset_id,
        producer="GeoNames",
        title="t",
        url="https://download.geonames.org/export/dump/countryInfo.txt",
        licence="CC BY 4.0",
        retrieved_at=retrieved.isoformat(timespec="seconds"),
        last_updated=last_updated,
        mode=mode,
    )


def test_every_source_with_a_publisher_url_declares_a_release_cycle_except_gsa_calc():
    catalogue = ReferenceFiles().catalogue()
    with_url = set(catalogue.filter(pl.col("url").is_not_null())["source"])

    # GSA CALC's rates change with its contracts, not in releases: no cycle to miss.
    assert set(release_cycles(catalogue)) == with_url - {"gsa_calc"}
    assert release_cycles(catalogue)["bls_oews"] == 366 and release_cycles(catalogue)["worldbank"] == 92


def test_a_source_whose_rows_disagree_on_its_cycle_is_refused_naming_it():
    catalogue = pl.DataFrame({"source": ["oecd", "oecd", "geonames"], "release_cycle_days": [366, 30, 0]})
    with pytest.raises(
        ValueError,
        match=r"reference/raw_datasets.csv: release_cycle_days must be one whole number of days above 0 per source: "
        r"oecd declares \[30, 366\]; geonames declares \[0\]",
    ):
        release_cycles(catalogue)


def test_a_file_first_retrieved_within_the_cycle_is_fresh():
    verdict = freshness([record(retrieved=NOW - timedelta(days=30))], 31, NOW)
    assert verdict.passed and verdict.age_days == pytest.approx(30)
    assert "(first retrieved), is 30 days old: within the 31-day release cycle" in verdict.summary


def test_the_publishers_date_counts_over_the_retrieval_and_an_old_one_fails():
    stated = freshness([record(last_updated="2025-07-01")], 92, NOW)
    last_modified = freshness([record(last_updated="Tue, 01 Jul 2025 00:00:00 GMT")], 92, NOW)

    for verdict in (stated, last_modified):
        assert not verdict.passed
        assert verdict.released == datetime(2025, 7, 1, tzinfo=UTC)
    assert stated.summary == (
        "the newest release, countryInfo of 2025-07-01 (the publisher's last-updated date), is 522 days old: older "
        "than the 92-day release cycle"
    )


def test_the_newest_file_of_a_source_is_its_snapshot():
    """One OEWS year stays as published for ever; the newest year is the release that counts."""
    old_year = record("national_M2020", last_updated="2021-03-31")
    new_year = record("national_M2024", last_updated="2025-04-02")

    assert freshness([old_year, new_year], 366, datetime(2026, 3, 1, tzinfo=UTC)).passed
    assert not freshness([old_year], 366, datetime(2026, 3, 1, tzinfo=UTC)).passed


def test_files_from_the_bundled_sample_are_not_held_to_a_release_cycle():
    verdict = freshness([record(last_updated="2019-01-01", mode="snapshot")], 31, NOW)
    assert verdict.passed and verdict.summary == "read from the bundled sample, which follows no release cycle"


def stored(tmp_path, retrieved: datetime) -> Warehouse:
    """A warehouse whose GeoNames pull, live, was first retrieved at `retrieved`."""
    zone = RawZone(UPath(tmp_path))
    kept = zone.store(b"ISO\tISO3\n", "countryInfo.txt", record(retrieved=retrieved))
    zone.set_current("geonames", {"countryInfo": kept})
    return Warehouse(root=str(tmp_path))


def test_the_check_passes_on_a_fresh_pull(tmp_path):
    result = freshness_check("geonames", 31)(warehouse=stored(tmp_path, datetime.now(UTC) - timedelta(days=2)))

    assert result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["age_days"].value == pytest.approx(2, abs=0.1)


def test_the_check_warns_on_a_pull_older_than_the_cycle(tmp_path):
    result = freshness_check("geonames", 31)(warehouse=stored(tmp_path, datetime.now(UTC) - timedelta(days=45)))

    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["release_cycle_days"].value == 31
    assert "is 45 days old: older than the 31-day release cycle" in result.metadata["summary"].value
