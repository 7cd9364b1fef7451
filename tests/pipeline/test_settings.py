"""Settings given in the environment, as a deployment gives them, reach the resources resolved and checked."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import EnvVar

from assets.resources.access import SourceAccess

DAGSTER = Path(sys.executable).with_name("dagster")


def test_every_setting_given_in_the_environment_runs_a_step(tmp_path):
    (tmp_path / "home").mkdir()
    env = {
        **os.environ,
        "BPO_SOURCE_MODE": "snapshot",
        "BPO_WAREHOUSE": str(tmp_path / "warehouse"),
        "BPO_QUOTES_DIR": str(tmp_path / "quotes"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    command = [str(DAGSTER), "asset", "materialize", "-m", "pipelines.definitions", "--select", "raw_geonames"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "warehouse" / "raw" / "geonames").is_dir()


def test_the_source_mode_from_the_environment_is_resolved_at_run_time(monkeypatch):
    monkeypatch.setenv("BPO_SOURCE_MODE", "live")
    assert SourceAccess(mode=EnvVar("BPO_SOURCE_MODE")).process_config_and_initialize().mode == "live"


def test_an_unknown_source_mode_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("BPO_SOURCE_MODE", "snapshop")
    with pytest.raises(ValueError, match=r"BPO_SOURCE_MODE\) must be one of snapshot, live, not 'snapshop'"):
        SourceAccess(mode=EnvVar("BPO_SOURCE_MODE")).process_config_and_initialize()
