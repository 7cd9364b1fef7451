"""tasks.py's project instance: created with the console at INFO, an analyst's own settings left alone."""

import importlib.util

from assets.resources import PROJECT

spec = importlib.util.spec_from_file_location("tasks", PROJECT / "tasks.py")
tasks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tasks)


def test_the_project_instance_prints_info_and_keeps_settings_already_there(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "new"))
    tasks.dagster_home()
    assert "python_log_level: INFO" in (tmp_path / "new" / "dagster.yaml").read_text()

    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(own))
    tasks.dagster_home()
    assert (own / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_the_inputs_fingerprint_follows_every_file_and_setting_a_snapshot_run_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "PROJECT", tmp_path)
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "buyers.csv").write_text("iso3\nUSA\n")
    (tmp_path / "requirements.lock").write_text("polars==1\n")
    env = {"BPO_WAREHOUSE": str(tmp_path / "warehouse")}
    first = tasks.inputs_fingerprint(env)
    assert first == tasks.inputs_fingerprint(env)

    (tmp_path / "reference" / "buyers.csv").write_text("iso3\nUSA\nGBR\n")
    assert tasks.inputs_fingerprint(env) != first
    assert tasks.inputs_fingerprint(env) != tasks.inputs_fingerprint({**env, "BPO_QUOTES_DIR": str(tmp_path / "q")})
    assert tasks.inputs_fingerprint({**env, "BPO_SOURCE_MODE": "live"}) is None  # only the publishers know


def test_a_run_is_skipped_only_while_its_inputs_and_the_version_it_published_are_current(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / "CURRENT.json").write_text('{"version": "v1"}')
    assert tasks.unchanged_since_last_run(str(warehouse), "abc") is None  # no run recorded yet

    tasks.record_run(str(warehouse), "abc")
    assert tasks.unchanged_since_last_run(str(warehouse), "abc") == "v1"
    assert tasks.unchanged_since_last_run(str(warehouse), "def") is None  # an input changed
    assert tasks.unchanged_since_last_run(str(warehouse), None) is None  # live mode

    (warehouse / "CURRENT.json").write_text('{"version": "v2"}')  # another run published since
    assert tasks.unchanged_since_last_run(str(warehouse), "abc") is None

    tasks.record_run(str(warehouse), None)  # a failed run: the next one must run
    assert not (warehouse / tasks.LAST_RUN).exists()
    assert tasks.unchanged_since_last_run("s3://bucket/bpo", "abc") is None
