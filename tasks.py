"""The project's two everyday commands, needing nothing but Python 3.11+:

    python3 tasks.py pipeline   # install if needed, materialize every asset on the bundled sample, print a summary
                                # (skipped when nothing it reads changed since its last success; --force runs anyway)
    python3 tasks.py test       # install if needed, then run the test suite (extra arguments go to pytest)
    python3 tasks.py lint       # install if needed, then check lint and formatting with ruff (pyproject.toml)
    python3 tasks.py scenario F # price the team scenario file F against the pipeline's published tables
    python3 tasks.py export     # write the published tables to CSV and one Excel workbook under <warehouse>/exports
    python3 tasks.py export-postgres  # load the published tables into a PostgreSQL schema ($BPO_POSTGRES_URL)

Both install into ./.venv from requirements.lock, the exact versions CI uses, and reinstall when the lock changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

PROJECT = Path(__file__).resolve().parent
VENV = PROJECT / ".venv"
LOCK = PROJECT / "requirements.lock"
STAMP = VENV / "installed-lock.sha256"


def _bin(name: str) -> str:
    return str(VENV / ("Scripts" if os.name == "nt" else "bin") / name)


def ensure_environment() -> None:
    wanted = hashlib.sha256(LOCK.read_bytes() + (PROJECT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print(f"installing the locked environment into {VENV} ...", flush=True)
    venv.create(VENV, with_pip=True, clear=True)
    pip = [_bin("python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(PROJECT)], check=True)
    STAMP.write_text(wanted)


# The instance's defaults, stored in its folder, except the console's threshold: Dagster's DEBUG lines (about 400 a
# run) are its own bookkeeping and drown the warnings; the UI keeps every event whatever the threshold.
INSTANCE_SETTINGS = "python_logs:\n  python_log_level: INFO\n"


def dagster_home() -> str:
    """The project's own Dagster instance (DAGSTER_HOME, default ./.dagster), so `dagster dev` shows the CLI's runs,
    their materializations and check results."""
    home = Path(os.environ.get("DAGSTER_HOME", PROJECT / ".dagster"))
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists() or not settings.read_text().strip():
        settings.write_text(INSTANCE_SETTINGS)
    return str(home)


# What a snapshot run reads: the code, the reference files, the bundled sample (and the default quotes folder), the
# locked packages; with the BPO_* settings and the quotes folder they decide every byte it publishes.
RUN_INPUTS = ("pipelines", "assets", "model", "schemas", "sources", "storage", "reference", "data", "requirements.lock")
LAST_RUN = ".last_run_inputs.json"


def inputs_fingerprint(env: dict[str, str]) -> str | None:
    """SHA-256 over everything a snapshot run reads; None in live mode, where only the publishers know whether their
    files changed (the sensor asks them)."""
    if env.get("BPO_SOURCE_MODE", "snapshot") != "snapshot":
        return None
    digest = hashlib.sha256(repr(sorted((k, v) for k, v in env.items() if k.startswith("BPO_"))).encode())
    quotes = Path(env.get("BPO_QUOTES_DIR", PROJECT / "data" / "quotes"))
    for root in [*(PROJECT / name for name in RUN_INPUTS), quotes]:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def current_version(warehouse: Path) -> str | None:
    pointer = warehouse / "CURRENT.json"
    return json.loads(pointer.read_text()).get("version") if pointer.exists() else None


def unchanged_since_last_run(warehouse: str, fingerprint: str | None) -> str | None:
    """The version a successful run published from these very inputs, if it is still the current one: a rerun
    would publish the same bytes (the pipeline adds no version for unchanged data). None otherwise, and always for an
    object store, whose pointer this script cannot read without the environment's packages."""
    root = Path(warehouse)
    if fingerprint is None or "://" in warehouse or not (root / LAST_RUN).exists():
        return None
    last = json.loads((root / LAST_RUN).read_text())
    version = current_version(root)
    return version if last == {"inputs_sha256": fingerprint, "version": version} and version else None


def record_run(warehouse: str, fingerprint: str | None) -> None:
    """After a run: the inputs it published from, with the version now current; after a failed or unfingerprinted
    run, nothing (the next run must not be skipped)."""
    root = Path(warehouse)
    version = current_version(root) if "://" not in warehouse else None
    if fingerprint and version:
        (root / LAST_RUN).write_text(json.dumps({"inputs_sha256": fingerprint, "version": version}))
    elif (root / LAST_RUN).exists():
        (root / LAST_RUN).unlink()


def main(argv: list[str]) -> int:
    command, *rest = argv or ["help"]
    if command == "pipeline":
        ensure_environment()
        env = {
            **os.environ,
            "BPO_WAREHOUSE": os.environ.get("BPO_WAREHOUSE", str(PROJECT / "warehouse")),
            "DAGSTER_HOME": dagster_home(),
        }
        force, rest = "--force" in rest, [arg for arg in rest if arg != "--force"]
        fingerprint = None if rest else inputs_fingerprint(env)  # extra arguments change the run: never skip it
        version, code = (None if force else unchanged_since_last_run(env["BPO_WAREHOUSE"], fingerprint)), 0
        if version:
            print(
                f"nothing {env['BPO_WAREHOUSE']} was built from has changed (code, reference files, sample, quotes, "
                f"settings): version {version} stands; `python3 tasks.py pipeline --force` runs anyway. The last run:"
            )
        else:
            print(f"materializing every asset into {env['BPO_WAREHOUSE']} ...", flush=True)
            run = [_bin("dagster"), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*", *rest]
            code = subprocess.run(run, cwd=PROJECT, env=env).returncode
            record_run(env["BPO_WAREHOUSE"], fingerprint if code == 0 else None)
        subprocess.run([_bin("python"), "-m", "pipelines.summary"], cwd=PROJECT, env=env)
        return code
    if command == "test":
        ensure_environment()
        return subprocess.run([_bin("python"), "-m", "pytest", *rest], cwd=PROJECT).returncode
    if command in ("scenario", "export", "export-postgres"):
        ensure_environment()
        env = {**os.environ, "BPO_WAREHOUSE": os.environ.get("BPO_WAREHOUSE", str(PROJECT / "warehouse"))}
        script = f"scripts/{command.replace('-', '_')}.py"
        return subprocess.run([_bin("python"), script, *rest], cwd=PROJECT, env=env).returncode
    if command == "lint":
        ensure_environment()
        checks = [[_bin("ruff"), "check", "."], [_bin("ruff"), "format", "--check", "."]]
        return max(subprocess.run(check, cwd=PROJECT).returncode for check in checks)
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
