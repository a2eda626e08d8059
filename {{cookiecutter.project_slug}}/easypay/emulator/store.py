"""The emulator's state: one SQLite file of its own, reached through the stdlib sqlite3 module.

Why not the project's database: the emulator plays KICC, a separate system. Its state must
outlive (and ignore) pytest-django's rolled-back test transactions, must not need migrations,
and must work the same when the project runs on PostgreSQL. WAL lets readers run beside the
one writer; every change opens with BEGIN IMMEDIATE, so threads of the dev server and several
standalone processes serialise their read-check-write sequences (duplicate keys, cumulative
cancels) instead of racing.
"""

import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    mall_id TEXT NOT NULL, shop_order_no TEXT NOT NULL, registered_amount INTEGER NOT NULL,
    pg_cno TEXT, approvals INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mall_id, shop_order_no));
CREATE TABLE IF NOT EXISTS authorizations (
    authorization_id TEXT PRIMARY KEY, mall_id TEXT NOT NULL, shop_order_no TEXT NOT NULL,
    amount INTEGER NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL, method TEXT,
    created_at TEXT NOT NULL, provider TEXT);
CREATE TABLE IF NOT EXISTS transactions (
    pg_cno TEXT PRIMARY KEY, mall_id TEXT NOT NULL, shop_order_no TEXT NOT NULL,
    pay_method TEXT NOT NULL, amount INTEGER NOT NULL, cancelled_amount INTEGER NOT NULL DEFAULT 0,
    status_code TEXT NOT NULL, approval TEXT NOT NULL, deposit_pg_cno TEXT);
CREATE TABLE IF NOT EXISTS cancels (
    cancel_pg_cno TEXT PRIMARY KEY, pg_cno TEXT NOT NULL, revise_type TEXT NOT NULL,
    amount INTEGER NOT NULL, remain_after INTEGER NOT NULL, at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'done', sub_type TEXT, shop_transaction_id TEXT,
    refund_info TEXT, timeout_code TEXT, outcome TEXT,
    pending_queries INTEGER NOT NULL DEFAULT 0, completed_at TEXT);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    mall_id TEXT NOT NULL, shop_transaction_id TEXT NOT NULL, day TEXT NOT NULL,
    kind TEXT NOT NULL, pg_cno TEXT, response TEXT,
    PRIMARY KEY (mall_id, shop_transaction_id, day));
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, endpoint TEXT NOT NULL,
    shop_order_no TEXT, body TEXT, http_status INTEGER, response TEXT, fault TEXT);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, params TEXT NOT NULL,
    remaining INTEGER NOT NULL, shop_order_no TEXT, endpoint TEXT);
CREATE TABLE IF NOT EXISTS notis (
    id INTEGER PRIMARY KEY AUTOINCREMENT, noti_type TEXT NOT NULL, shop_order_no TEXT NOT NULL,
    body TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS noti_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, noti_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
    at TEXT NOT NULL, url TEXT NOT NULL, http_status INTEGER, acked INTEGER NOT NULL,
    error TEXT);
"""

# Columns added since the first version: a file made by an older emulator gets them on open
# (its state stays usable; what it cannot know keeps the column's default).
ADDED_COLUMNS = {
    "authorizations": ["provider TEXT"],
}

TABLES = (
    "config",
    "orders",
    "authorizations",
    "transactions",
    "cancels",
    "idempotency_keys",
    "request_log",
    "faults",
    "notis",
    "noti_attempts",
)


# Idle connections a Store keeps for the next call: opening a connection and closing it (the
# last close also checkpoints the WAL into the file) cost more than a call's own statements —
# a fifth of the CPU of the project's test suite went there.
IDLE_CONNECTIONS = 8

# An SQLite connection must not cross a fork (gunicorn --preload, the chaos run's workers).
# Before a fork every Store closes its idle connections, so a child inherits none; one that was
# in use at that moment is left alone in the child — not used, and not closed either, since
# closing the child's copy would drop SQLite's locks that the parent still relies on.
_STORES: "weakref.WeakSet[Store]" = weakref.WeakSet()
_INHERITED: list[sqlite3.Connection] = []


def _close_idle_connections() -> None:
    for store in list(_STORES):
        store.close_idle()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_close_idle_connections)


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False
        _STORES.add(self)
        with self.read() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            for table, columns in ADDED_COLUMNS.items():
                present = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
                for column in columns:
                    if column.split()[0] not in present:
                        try:
                            db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
                        except sqlite3.OperationalError as error:
                            # Another process opening the same file may have added it first.
                            if "duplicate column" not in str(error):
                                raise

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves (BEGIN IMMEDIATE for writers).
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        # With WAL, NORMAL keeps the file consistent and skips an fsync per commit: a crash
        # may lose the last commits of a local emulator, which is an acceptable trade.
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _take(self) -> sqlite3.Connection:
        with self._idle_lock:
            if self._pid != os.getpid():  # a forked child: what it inherited stays untouched
                _INHERITED.extend(self._idle)
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give_back(self, db: sqlite3.Connection, *, reusable: bool) -> None:
        """Keep a connection for the next call if its call ended cleanly: not after an error
        (a cursor the traceback still holds may pin an old snapshot), not mid-transaction (a
        failed COMMIT or ROLLBACK), not once the Store is closed or enough are kept."""
        with self._idle_lock:
            if self._pid != os.getpid():  # opened before a fork, given back in the child
                _INHERITED.append(db)
                return
            keep = reusable and not db.in_transaction and not self._closed
            if keep and len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(db)
                return
        db.close()

    def close_idle(self) -> None:
        """Close the kept connections (the next call opens one again)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()

    def close(self) -> None:
        """Done with the file (before it is removed, for one): nothing is kept from now on."""
        self._closed = True
        self.close_idle()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One serialised read-check-write transaction (BEGIN IMMEDIATE takes the write lock now).
        Finish every cursor inside the block: the connection serves the next call."""
        db = self._take()
        committed = False
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            committed = True
        finally:
            self._give_back(db, reusable=committed)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Finish every cursor inside the block: the connection serves the next call."""
        db = self._take()
        finished = False
        try:
            yield db
            finished = True
        finally:
            self._give_back(db, reusable=finished)

    def reset(self) -> None:
        with self.write() as db:
            epoch = get_config(db, "epoch", 0)
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed table names
            set_config(db, "epoch", epoch + 1)


def get_config(db: sqlite3.Connection, key: str, default=None):
    row = db.execute("SELECT value FROM config WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row["value"])


def set_config(db: sqlite3.Connection, key: str, value) -> None:
    db.execute(
        "INSERT INTO config (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )
