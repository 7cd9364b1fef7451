"""An `s3://` warehouse, end to end, against a local S3-compatible server (moto's, started here on a free port): the
pipeline runs on the bundled sample, the raw zone is never rewritten, readers following CURRENT.json see whole
versions, a refused run changes nothing, and no DuckDB catalog is built there (DuckDB cannot open one on S3)."""

import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
import s3fs
from upath import UPath

from storage import versions
from storage.published import CATALOG, read_partitioned
from storage.raw_zone import RawZone
from tests.pipeline.conftest import PUBLISHED_TABLES, REFERENCE, assets_in, reference_with, run

BUCKET = "bpo-test"
ROOT = f"s3://{BUCKET}/bpo"
COMMIT = ["bpo_catalog", "current_version"]


def overhead_in_phl(folder: Path):
    """Reference files with a seat overhead for the Philippines: a change to location_function_costs."""
    parameters = (REFERENCE.path / "cost_parameters.csv").read_text()
    row = "overhead_per_seat_usd_year,country,PHL,1200,US$ per FTE per year,a test value\n"
    return reference_with(folder / "reference", cost_parameters=parameters + row)


def start_s3_server(log: Path) -> tuple[subprocess.Popen, str]:
    """moto's S3-compatible server in a process of its own (the pipeline keeps this one busy), on a port the system
    picks; the server writes the port, then a line per request, to `log`."""
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        started = re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text())
        if started:
            return server, started.group(1)
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"moto's server did not start within 60 s: {log.read_text()}")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A bucket with versioning on a local S3 server, and the environment s3fs and boto3 read to reach it; the
    server's object versions show whether a key was ever written twice."""
    server, endpoint = start_s3_server(tmp_path_factory.mktemp("moto") / "server.log")
    try:
        with pytest.MonkeyPatch.context() as environment:
            for name, value in {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent",  # nothing from a developer's own AWS set-up
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            }.items():
                environment.setenv(name, value)
            environment.delenv("AWS_PROFILE", raising=False)
            s3fs.S3FileSystem.clear_instance_cache()
            client = boto3.client("s3")
            client.create_bucket(Bucket=BUCKET)
            client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
            yield client
            s3fs.S3FileSystem.clear_instance_cache()
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def s3_run(s3):
    """The whole pipeline run once into s3://bpo-test/bpo."""
    root = UPath(ROOT)
    result = run(root)
    assert result.success, [e.step_key for e in result.all_events if e.is_failure]
    return root, result


def writes_per_key(client, prefix: str) -> Counter:
    """How many times each object under `prefix` of the bucket was written (deletions not counted)."""
    counts: Counter = Counter()
    for page in client.get_paginator("list_object_versions").paginate(Bucket=BUCKET, Prefix=f"bpo/{prefix}"):
        counts.update(version["Key"] for version in page.get("Versions", []))
    return counts


def test_the_pipeline_publishes_the_same_tables_on_s3_as_on_a_local_disk(s3_run, warehouse):
    root, result = s3_run
    base = versions.current_root(root)

    assert base is not None and (base / versions.MANIFEST).exists()
    assert all(read_partitioned(base, table).height > 0 for table in PUBLISHED_TABLES)
    compared = [table for table in PUBLISHED_TABLES if table != "benchmark_changes"]
    assert versions.same_data(base, versions.current_root(warehouse), compared)
    # No lock file, no `benchmarks` link, no catalog: an object store has no flock, link or rename, and DuckDB no
    # way to open a database file there. The run says why instead.
    assert not any((root / name).exists() for name in (".lock", "benchmarks", CATALOG))
    assert not (base / CATALOG).exists()
    [catalog] = result.asset_materializations_for_node("bpo_catalog")
    assert catalog.metadata["catalog"].value.startswith(f"no DuckDB catalog on an object store ({ROOT})")


def test_a_second_run_rewrites_no_raw_file_and_each_matches_its_provenance(s3_run, s3):
    root, _ = s3_run
    pointers = {path: path.read_bytes() for path in (root / "raw").glob("*/CURRENT.json")}

    assert run(root, selection=assets_in("raw")).success

    writes = writes_per_key(s3, "raw/")
    stored = {key: n for key, n in writes.items() if not key.endswith("/CURRENT.json")}
    assert stored and set(stored.values()) == {1}, {key: n for key, n in stored.items() if n > 1}
    assert {path: path.read_bytes() for path in (root / "raw").glob("*/CURRENT.json")} == pointers
    zone = RawZone(root)
    records = zone.all_records()
    assert len(records) * 2 == len(stored)  # each file beside its provenance record
    for record in records:
        zone.read(record)  # raises where the bytes differ from the recorded checksum


def test_tampering_with_a_raw_file_on_s3_is_noticed(s3_run):
    root, _ = s3_run
    zone = RawZone(root)
    record = zone.all_records()[0]
    stored = root / record.raw_file
    original = stored.read_bytes()
    stored.write_bytes(original + b"\n")
    try:
        with pytest.raises(ValueError, match="checksum differs from its provenance record"):
            zone.read(record)
    finally:
        stored.write_bytes(original)


def test_readers_following_current_json_see_whole_versions_while_one_is_committed(s3_run, s3, tmp_path):
    root, _ = s3_run
    before = versions.current(root)["version"]
    seen, errors, stop = Counter(), [], threading.Event()

    def read_current_version():
        while not stop.is_set():
            try:
                version = versions.current(root)["version"]
                base = versions.version_root(root, version)
                if all(read_partitioned(base, table).height > 0 for table in PUBLISHED_TABLES):
                    seen[version] += 1
            except Exception as exc:
                errors.append(repr(exc))

    reader = threading.Thread(target=read_current_version)
    reader.start()
    try:
        # One table rebuilt (the run takes the others from the current version), which keeps the run short.
        assert run(root, selection=["location_function_costs", *COMMIT], reference=overhead_in_phl(tmp_path)).success
    finally:
        stop.set()
        reader.join()

    after = versions.current(root)
    assert after["version"] != before and [c["version"] for c in after["committed"]] == [before, after["version"]]
    assert errors == [] and seen[before] > 0
    # Versions are written once: committing the new one rewrote no object of the old one.
    assert set(writes_per_key(s3, f"versions/{before}/").values()) == {1}


def test_a_failed_run_leaves_current_json_and_the_current_version_as_they_were(s3_run, s3, tmp_path):
    root, _ = s3_run
    pointer = (root / versions.POINTER).read_bytes()
    current = json.loads(pointer)["version"]
    parameters = (REFERENCE.path / "cost_parameters.csv").read_text()
    broken = reference_with(tmp_path / "reference", cost_parameters=parameters + "overhead_per_seat_usd_year,country\n")

    assert not run(root, selection=["location_function_costs", *COMMIT], reference=broken).success

    assert (root / versions.POINTER).read_bytes() == pointer
    assert set(writes_per_key(s3, f"versions/{current}/").values()) == {1}
    assert all(read_partitioned(versions.version_root(root, current), t).height > 0 for t in PUBLISHED_TABLES)
