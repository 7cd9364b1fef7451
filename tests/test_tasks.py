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
