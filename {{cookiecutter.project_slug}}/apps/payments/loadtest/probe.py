"""Counters inside a gunicorn worker under benchmark: SQL statements, database connections
opened and CPU time, per URL name (payments:checkout, easypay:return…).

Installed ONLY by gunicorn_probe.py's hooks — a gunicorn config file the benchmark passes with
`-c`, never read by `gunicorn` on its own (which reads gunicorn.conf.py) — so a shop cannot
run with it by accident: no setting, no environment variable turns it on. After each
request the worker overwrites its totals in <folder>/worker-<pid>.json (one pwrite of a
fixed-size block: a few microseconds, where a write-and-rename cost milliseconds per payment);
the benchmark reads those files before and after a run and subtracts.

Statements are counted with a database execute wrapper (Django's hook for exactly this,
https://docs.djangoproject.com/en/6.1/topics/db/instrumentation/): everything sent through a
cursor, savepoints included; the driver's own health-check ping and COMMIT are not statements.
"""

import contextlib
import json
import os
import time
from pathlib import Path

STEPS = ("requests", "queries", "cpu_s", "connects")
BLOCK = 8192  # bytes per worker file: the totals as JSON, padded with spaces


class Probe:
    """keep_sql: also keep each URL name's latest request's statements (the first 300
    characters of each), in sql-<pid>.json — for reading, not for timing."""

    def __init__(self, folder: Path, *, keep_sql: bool = False):
        self.path = Path(folder) / f"worker-{os.getpid()}.json"
        self.sql_path = Path(folder) / f"sql-{os.getpid()}.json"
        self._fd: int | None = None
        self.keep_sql = keep_sql
        self.statements: list[str] = []
        self.samples: dict[str, list[str]] = {}
        self.queries = 0
        self.connects = 0
        self.totals: dict[str, list] = {}
        self._at_start = (0, 0, 0.0)

    # --- Django's hooks --------------------------------------------------------------------
    def install(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.connect(self.connected, weak=False)
        for connection in connections.all(initialized_only=True):
            self._wrap(connection)

    def uninstall(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.disconnect(self.connected)
        for connection in connections.all(initialized_only=True):
            if self.execute in connection.execute_wrappers:
                connection.execute_wrappers.remove(self.execute)

    def connected(self, sender, connection, **kwargs) -> None:
        self.connects += 1
        self._wrap(connection)

    def _wrap(self, connection) -> None:
        if self.execute not in connection.execute_wrappers:
            connection.execute_wrappers.append(self.execute)

    def execute(self, execute, sql, params, many, context):
        self.queries += 1
        if self.keep_sql:
            self.statements.append(sql[:300])
        return execute(sql, params, many, context)

    # --- gunicorn's hooks ------------------------------------------------------------------
    def request_started(self) -> None:
        self.statements = []
        self._at_start = (self.queries, self.connects, time.process_time())

    def request_finished(self, path: str) -> None:
        queries, connects, cpu = self._at_start
        totals = self.totals.setdefault(url_name(path), [0, 0, 0.0, 0])
        totals[0] += 1
        totals[1] += self.queries - queries
        totals[2] += time.process_time() - cpu
        totals[3] += self.connects - connects
        self._write(json.dumps(self.totals).encode())
        if self.keep_sql:
            self.samples[url_name(path)] = self.statements
            self.sql_path.write_text(json.dumps(self.samples))

    def _write(self, data: bytes) -> None:
        if len(data) > BLOCK:
            raise ValueError(f"probe totals outgrew {BLOCK} bytes")
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        os.pwrite(self._fd, data.ljust(BLOCK), 0)


def url_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return "(no view)"


def read(folder: Path) -> dict[str, dict[str, float]]:
    """Every worker's totals, summed per URL name: {name: {requests, queries, cpu_s, connects}}."""
    merged: dict[str, dict[str, float]] = {}
    for path in Path(folder).glob("worker-*.json"):
        totals = _read_one(path)
        for name, values in totals.items():
            into = merged.setdefault(name, dict.fromkeys(STEPS, 0))
            for key, value in zip(STEPS, values, strict=True):
                into[key] += value
    return merged


def read_sql(folder: Path) -> dict[str, list[str]]:
    """With keep_sql: each URL name's latest statements, from whichever worker served it last."""
    found: dict[str, list[str]] = {}
    for path in sorted(Path(folder).glob("sql-*.json"), key=lambda p: p.stat().st_mtime):
        with contextlib.suppress(OSError, ValueError):
            found.update(json.loads(path.read_text()))
    return found


def _read_one(path: Path, attempts: int = 20) -> dict:
    """A worker's totals; read again when the worker was caught mid-write (torn JSON)."""
    for _ in range(attempts):
        try:
            return json.loads(path.read_bytes() or b"{}")
        except ValueError:
            time.sleep(0.01)
        except OSError:
            return {}
    return {}


def difference(after: dict, before: dict) -> dict[str, dict[str, float]]:
    return {
        name: {key: value - before.get(name, {}).get(key, 0) for key, value in values.items()}
        for name, values in after.items()
    }
