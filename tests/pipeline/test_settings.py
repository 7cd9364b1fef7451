"""Settings given in the environment, as a deployment gives them, reach the resources resolved and checked; run config
overrides only the fields it names; BPO_SOURCE_BASE_URL points live downloads at a mirror; BPO_EXECUTOR chooses the
executor."""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, EnvVar, asset, materialize, multiprocess_executor

from assets.resources import BUNDLED_SAMPLE, SourceAccess, Warehouse
from pipelines.definitions import executor_setting, setting

DAGSTER = Path(sys.executable).with_name("dagster")
GEONAMES = {"countryInfo.txt": "countryInfo.txt", "cities15000.zip": "cities15000.zip"}


def materialize_step(tmp_path, selection: str, *extra: str, **settings: str) -> subprocess.CompletedProcess:
    """`dagster asset materialize` on the code location, with `settings` in the environment, as a deployment runs it."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").touch()
    env = {**os.environ, "BPO_WAREHOUSE": str(tmp_path / "warehouse"), "DAGSTER_HOME": str(home), **settings}
    command = [str(DAGSTER), "asset", "materialize", "-m", "pipelines.definitions", "--select", selection, *extra]
    return subprocess.run(command, env=env, capture_output=True, text=True)


def test_every_setting_given_in_the_environment_runs_a_step(tmp_path):
    done = materialize_step(
        tmp_path, "raw_geonames", BPO_SOURCE_MODE="snapshot", BPO_QUOTES_DIR=str(tmp_path / "quotes")
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "warehouse" / "raw" / "geonames").is_dir()


def test_the_source_mode_from_the_environment_is_resolved_at_run_time(monkeypatch):
    monkeypatch.setenv("BPO_SOURCE_MODE", "live")
    assert SourceAccess(mode=EnvVar("BPO_SOURCE_MODE")).process_config_and_initialize().mode == "live"


def test_an_unknown_source_mode_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("BPO_SOURCE_MODE", "snapshop")
    with pytest.raises(ValueError, match=r"BPO_SOURCE_MODE\) must be one of snapshot, live, not 'snapshop'"):
        SourceAccess(mode=EnvVar("BPO_SOURCE_MODE")).process_config_and_initialize()


# --- run config merges with the environment ----------------------------------------------------------------------


def test_run_config_for_one_field_leaves_the_others_as_the_environment_set_them(monkeypatch, tmp_path):
    monkeypatch.setenv("BPO_SOURCE_MODE", "live")
    monkeypatch.setenv("BPO_QUOTES_DIR", str(tmp_path / "quotes"))
    monkeypatch.setenv("BPO_WAREHOUSE", str(tmp_path / "warehouse"))
    seen = {}

    @asset
    def probe(access: SourceAccess, warehouse: Warehouse) -> None:
        seen.update(mode=access.mode, quotes=access.quotes_dir, delay=access.page_delay_s)
        seen.update(root=warehouse.root, retention=warehouse.retention)

    resources = {
        # Built as pipelines/definitions.py builds them: each setting the environment sets, as an EnvVar.
        "access": SourceAccess(mode=setting("BPO_SOURCE_MODE", "snapshot"), quotes_dir=setting("BPO_QUOTES_DIR", "")),
        "warehouse": Warehouse(root=setting("BPO_WAREHOUSE", "warehouse")),
    }
    config = {"access": {"config": {"page_delay_s": 0.5}}, "warehouse": {"config": {"retention": 2}}}

    assert materialize([probe], resources=resources, run_config={"resources": config}).success
    assert seen == {
        "mode": "live",
        "quotes": str(tmp_path / "quotes"),
        "delay": 0.5,
        "root": str(tmp_path / "warehouse"),
        "retention": 2,
    }

    # A field the run config names is overridden, the environment notwithstanding.
    config = {"access": {"config": {"mode": "snapshot"}}}
    assert materialize([probe], resources=resources, run_config={"resources": config}).success
    assert (seen["mode"], seen["quotes"]) == ("snapshot", str(tmp_path / "quotes"))


# --- the mirror: BPO_SOURCE_BASE_URL ------------------------------------------------------------------------------


def test_source_url_maps_a_publisher_url_into_the_mirror_layout():
    access = SourceAccess(base_url="http://mirror.internal:8080/bpo/")
    assert (
        access.source_url("https://api.worldbank.org/v2/en/indicator/PA.NUS.FCRF?downloadformat=csv")
        == "http://mirror.internal:8080/bpo/api.worldbank.org/v2/en/indicator/PA.NUS.FCRF%3Fdownloadformat=csv"
    )
    assert SourceAccess().source_url("https://download.geonames.org/x.txt") == "https://download.geonames.org/x.txt"


def test_a_file_wget_mirrored_with_its_query_in_its_name_is_found_by_a_static_file_server(tmp_path):
    """wget --mirror stores .../PA.NUS.FCRF?downloadformat=csv under that very name; Python's own file server, like
    any static one, drops a query from the request, so the `?` must reach it escaped."""
    mirrored = tmp_path / "api.worldbank.org" / "v2" / "en" / "indicator" / "PA.NUS.FCRF?downloadformat=csv"
    mirrored.parent.mkdir(parents=True)
    mirrored.write_bytes(b"the zip")
    (mirrored.parent / "PA.NUS.FCRF").write_bytes(b"the wrong file")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        access = SourceAccess(base_url=f"http://127.0.0.1:{server.server_address[1]}")
        url = access.source_url("https://api.worldbank.org/v2/en/indicator/PA.NUS.FCRF?downloadformat=csv")
        try:
            assert access.http_client().get(url, "worldbank").content == b"the zip"
        finally:
            server.shutdown()


@pytest.mark.parametrize("base_url", ["mirror.internal/bpo", "ftp://mirror.internal/", "http:///bpo"])
def test_a_base_url_that_is_not_a_web_address_is_refused_naming_the_setting(monkeypatch, base_url):
    monkeypatch.setenv("BPO_SOURCE_BASE_URL", base_url)
    with pytest.raises(ValueError, match=r"the source base URL \(BPO_SOURCE_BASE_URL\) must be an http:// or https://"):
        SourceAccess(base_url=EnvVar("BPO_SOURCE_BASE_URL")).process_config_and_initialize()


def test_live_sources_come_from_the_base_url_and_config_json_keeps_the_environments_mode(tmp_path, httpserver):
    """Through the CLI, as a deployment runs it: live mode and the mirror from the environment, one field of the
    access resource from --config-json. Before settings merged, that config put the mode back to snapshot."""
    for name in GEONAMES:
        path = f"/mirror/download.geonames.org/export/dump/{name}"
        httpserver.expect_request(path).respond_with_data((BUNDLED_SAMPLE / "geonames" / name).read_bytes())
    config = {"resources": {"access": {"config": {"max_attempts": 1, "timeout_s": 10.0}}}}

    done = materialize_step(
        tmp_path,
        "raw_geonames",
        "--config-json",
        json.dumps(config),
        BPO_SOURCE_MODE="live",
        BPO_SOURCE_BASE_URL=httpserver.url_for("/mirror"),
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(entry.path for entry, _ in httpserver.log) == sorted(
        f"/mirror/download.geonames.org/export/dump/{name}" for name in GEONAMES
    )
    raw = tmp_path / "warehouse" / "raw" / "geonames"
    current = json.loads((raw / "CURRENT.json").read_text())
    record = json.loads((tmp_path / "warehouse" / (current["countryInfo"] + ".provenance.json")).read_text())
    assert record["mode"] == "live"
    assert record["url"] == "https://download.geonames.org/export/dump/countryInfo.txt"  # the publisher's, kept
    mirrored = httpserver.url_for("/mirror/download.geonames.org/export/dump/countryInfo.txt")
    assert record["origin"] == f"copy fetched from the mirror at {mirrored}"


# --- the executor: BPO_EXECUTOR -----------------------------------------------------------------------------------


def test_the_executor_is_in_process_unless_the_setting_names_another(monkeypatch):
    monkeypatch.delenv("BPO_EXECUTOR", raising=False)
    assert executor_setting().name == "in_process"
    monkeypatch.setenv("BPO_EXECUTOR", "multiprocess")
    assert executor_setting() is multiprocess_executor


def test_an_unknown_executor_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("BPO_EXECUTOR", "celery")
    with pytest.raises(ValueError, match=r"the executor \(BPO_EXECUTOR\) must be one of in_process, multiprocess, not"):
        executor_setting()


def test_a_multiprocess_run_runs_each_step_in_its_own_process(tmp_path):
    """Two raw assets at once, each step in a process of its own, writing one warehouse: the run's processes share
    its lock (before, the second step failed: the warehouse was "being written by another run", its own)."""
    done = materialize_step(tmp_path, "raw_geonames,raw_oecd", BPO_EXECUTOR="multiprocess")

    assert done.returncode == 0, done.stderr[-3000:]
    instance = DagsterInstance.from_config(str(tmp_path / "home"))
    (run,) = instance.get_runs()
    workers = instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_WORKER_STARTED)
    steps = {event.step_key: event.dagster_event.pid for event in workers}
    assert {"raw_geonames", "raw_oecd"} <= set(steps)
    assert len(set(steps.values())) == len(steps)  # one process per step
    for source in ("geonames", "oecd"):
        assert (tmp_path / "warehouse" / "raw" / source / "CURRENT.json").is_file()
