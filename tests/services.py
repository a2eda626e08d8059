"""The local services the baked layer needs, each run with names of its own.

PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): a database name unique to the run;
pytest-django creates `test_<name>` (`test_<name>_gw0`, … under xdist) and every one of them is
dropped afterwards, whatever happened. Nothing else on the server is touched.

When a service is missing, the test fails with a sentence saying what to start, not a traceback.
"""

import os
import secrets
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

from tests.installing import clean_env


def missing_tool(message: str) -> NoReturn:
    """A program a test needs is not installed: under CI (`CI` set; .ci/run sets it) the run
    fails, since a skip there would pass unseen; elsewhere the test is skipped, saying why."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
NO_POSTGRES = (
    "PostgreSQL is not answering at 127.0.0.1:5432 as user postgres (trust auth): start it "
    "(Debian: `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`). "
    "The baked layer runs the default project's tests on it once."
)

# Run with the baked project's Python (psycopg is its dependency, not the template's).
_POSTGRES_DRIVER = """
import sys
import psycopg
from psycopg import sql

server, command, name = sys.argv[1:]
with psycopg.connect(server + "/postgres", autocommit=True, connect_timeout=5) as db:
    if command == "drop":
        ours = [
            row[0]
            for row in db.execute("SELECT datname FROM pg_database")
            if row[0] == name or row[0].startswith("test_" + name)
        ]
        for database in ours:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        print(" ".join(ours))
"""


def unique_name(prefix: str) -> str:
    """A name no other run uses: the process id and random hex."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"


def _postgres(project: Path, command: str, name: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [".venv/bin/python", "-c", _POSTGRES_DRIVER, POSTGRES_SERVER, command, name],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def postgres_database_url(project: Path, prefix: str = "easypay_starter"):
    """A DATABASE_URL naming a database of this run's own; its test databases dropped after."""
    name = unique_name(prefix)
    reachable = _postgres(project, "check", name)
    if reachable.returncode != 0:
        pytest.fail(f"{NO_POSTGRES}\n{reachable.stderr.strip().splitlines()[-1:]}")
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        dropped = _postgres(project, "drop", name)
        assert dropped.returncode == 0, f"could not drop test_{name}*: {dropped.stderr}"
