"""The raw zone stores each file once, never overwrites, and notices tampering."""

import json
from dataclasses import replace

import pytest
from upath import UPath

from storage.raw_zone import Provenance, RawZone


def provenance(retrieved_at: str = "2026-11-01T10:00:00+00:00") -> Provenance:
    return Provenance(
        source="worldbank",
        dataset_id="PA.NUS.FCRF",
        producer="World Bank",
        title="Official exchange rate",
        url="https://example.org/fx.csv",
        licence="CC BY 4.0",
        retrieved_at=retrieved_at,
        last_updated=None,
        mode="live",
    )


@pytest.fixture(params=["local", "memory"])
def zone(request, tmp_path) -> RawZone:
    root = UPath(tmp_path) if request.param == "local" else UPath(f"memory://bpo-{tmp_path.name}")
    return RawZone(root)


def test_stores_bytes_with_a_provenance_record(zone):
    record = zone.store(b"a,b\n1,2\n", "fx.csv", provenance())

    assert record.raw_file == "raw/worldbank/2026-11-01/fx.csv"
    assert record.size_bytes == 8 and len(record.sha256) == 64
    assert (zone.root / record.raw_file).read_bytes() == b"a,b\n1,2\n"
    stored = json.loads((zone.root / "raw/worldbank/2026-11-01/fx.csv.provenance.json").read_text())
    assert stored["url"] == "https://example.org/fx.csv" and stored["sha256"] == record.sha256


def test_the_same_bytes_are_stored_once(zone):
    first = zone.store(b"same", "fx.csv", provenance("2026-11-01T10:00:00+00:00"))
    again = zone.store(b"same", "fx.csv", provenance("2026-11-01T18:00:00+00:00"))

    assert again == first
    assert len(zone.all_records()) == 1


def test_the_same_bytes_fetched_on_another_day_are_not_stored_again(zone):
    first = zone.store(b"same", "fx.csv", provenance("2026-01-01T10:00:00+00:00"))
    later = zone.store(b"same", "fx.csv", provenance("2026-02-01T10:00:00+00:00"))

    assert later == first and len(zone.all_records()) == 1


def test_different_bytes_under_the_same_name_never_overwrite(zone):
    first = zone.store(b"version one", "fx.csv", provenance())
    second = zone.store(b"version two", "fx.csv", provenance())

    assert second.raw_file != first.raw_file
    assert second.raw_file.startswith("raw/worldbank/2026-11-01-")
    assert zone.read(first) == b"version one" and zone.read(second) == b"version two"


def test_current_points_at_the_latest_pull(zone):
    old = zone.store(b"old", "fx.csv", provenance("2026-10-01T00:00:00+00:00"))
    zone.set_current("worldbank", {"PA.NUS.FCRF": old})
    new = zone.store(b"new", "fx.csv", provenance("2026-11-01T00:00:00+00:00"))
    zone.set_current("worldbank", {"PA.NUS.FCRF": new})

    assert zone.current("worldbank") == {"PA.NUS.FCRF": new}
    assert {r.raw_file for r in zone.all_records()} == {old.raw_file, new.raw_file}


def test_two_datasets_served_as_the_same_bytes_share_a_file_but_both_are_current(zone):
    indicator = zone.store(b"zip bytes", "API_RL.EST.zip", provenance())
    metadata = zone.store(b"zip bytes", "API_RL.EST.zip", replace(provenance(), dataset_id="country_metadata"))
    zone.set_current("worldbank", {"RL.EST": indicator, "country_metadata": metadata})

    current = zone.current("worldbank")
    assert set(current) == {"RL.EST", "country_metadata"}
    assert current["country_metadata"].raw_file == current["RL.EST"].raw_file


def test_reading_an_altered_file_fails(zone):
    record = zone.store(b"original", "fx.csv", provenance())
    (zone.root / record.raw_file).write_bytes(b"edited by hand")

    with pytest.raises(ValueError, match="checksum differs"):
        zone.read(record)


def test_a_source_never_pulled_has_a_clear_error(zone):
    with pytest.raises(FileNotFoundError, match="materialize raw_oecd first"):
        zone.current("oecd")
