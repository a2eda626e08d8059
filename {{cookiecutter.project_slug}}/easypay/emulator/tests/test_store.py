"""The emulator's SQLite file: a file made by an older emulator is brought up to date on open;
calls reuse the store's connections, and a forked process opens its own."""

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from easypay.emulator import store as store_module
from easypay.emulator.store import Store, get_config, set_config

PROJECT_DIR = Path(__file__).resolve().parents[3]

OLD_SCHEMA = """
CREATE TABLE authorizations (
    authorization_id TEXT PRIMARY KEY, mall_id TEXT NOT NULL, shop_order_no TEXT NOT NULL,
    amount INTEGER NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL, method TEXT,
    created_at TEXT NOT NULL);
INSERT INTO authorizations VALUES ('a1', 'T0000000', 'ORD-1', 15000, '{}', 'issued', NULL,
    '20260101120000');
"""


@pytest.fixture
def open_store():
    """Store(path), closed after the test whatever its end, so no connection outlives it."""
    stores = []

    def open_(path):
        stores.append(Store(path))
        return stores[-1]

    yield open_
    for store in stores:
        store.close()


def test_an_older_file_gets_the_new_columns_and_keeps_its_rows(tmp_path, open_store):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:  # closed too, not only committed
        db.executescript(OLD_SCHEMA)

    store = open_store(path)
    open_store(path)  # opening it again changes nothing

    with store.read() as db:
        columns = {row["name"] for row in db.execute("PRAGMA table_info(authorizations)")}
        row = db.execute("SELECT * FROM authorizations").fetchone()
    assert "provider" in columns
    assert (row["authorization_id"], row["provider"]) == ("a1", None)


def test_a_column_another_process_added_first_is_no_error(tmp_path, monkeypatch, open_store):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:  # closed too, not only committed
        db.executescript(OLD_SCHEMA)
        db.execute("ALTER TABLE authorizations ADD COLUMN provider TEXT")
    # As if the other process added it between this one's look and its ALTER.
    real_connect = Store._connect
    monkeypatch.setattr(Store, "_connect", lambda self: _LookingTooEarly(real_connect(self)))

    open_store(path)  # no OperationalError


def test_any_other_failure_to_add_a_column_is_raised(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:  # closed too, not only committed
        db.executescript(OLD_SCHEMA)
    monkeypatch.setattr(
        store_module, "ADDED_COLUMNS", {"authorizations": ["provider TEXT NOT NULL"]}
    )

    with pytest.raises(sqlite3.OperationalError, match="NOT NULL"):
        Store(path)


class _LookingTooEarly:
    """A connection whose PRAGMA table_info sees no column yet."""

    def __init__(self, db):
        self.db = db

    @property
    def in_transaction(self):
        return self.db.in_transaction

    def close(self):
        self.db.close()

    def executescript(self, script):
        return self.db.executescript(script)

    def execute(self, sql, *args):
        if sql.startswith("PRAGMA table_info"):
            return []
        return self.db.execute(sql, *args)


@pytest.fixture
def opened(monkeypatch):
    """The connections a Store opens from now on."""
    opened = []
    real_connect = Store._connect

    def counting_connect(self):
        opened.append(self.path)
        return real_connect(self)

    monkeypatch.setattr(Store, "_connect", counting_connect)
    return opened


def test_calls_reuse_the_stores_connections(tmp_path, opened, open_store):
    store = open_store(tmp_path / "emulator.sqlite3")

    for n in range(20):
        with store.write() as db:
            set_config(db, "n", n)
        with store.read() as db:
            assert get_config(db, "n") == n

    assert len(opened) == 1  # Store() opened it; every call after reused it


def test_a_connection_left_in_a_transaction_is_not_kept(tmp_path, opened, open_store):
    store = open_store(tmp_path / "emulator.sqlite3")
    with store.read() as db:
        db.execute("BEGIN")  # as if its COMMIT had failed

    with store.read() as db:
        assert not db.in_transaction
    assert len(opened) == 2


def test_a_call_that_raised_does_not_leave_its_connection_for_the_next(
    tmp_path, opened, open_store
):
    store = open_store(tmp_path / "emulator.sqlite3")
    with pytest.raises(ZeroDivisionError), store.read() as db:
        db.execute("SELECT 1")
        1 / 0  # noqa: B018 — the block fails

    with store.read():
        pass
    assert len(opened) == 2


# In a process of its own: this one has threads (the test emulator's), and forking a threaded
# process may deadlock the child.
FORK = """
import os, sys
from easypay.emulator.store import Store, get_config, set_config

store = Store(sys.argv[1])
with store.write() as db:
    set_config(db, "n", 1)
child = os.fork()
if child == 0:  # inherited no idle connection; writes through one of its own
    inherited = len(store._idle)
    with store.write() as db:
        set_config(db, "n", get_config(db, "n") + 1)
    os._exit(0 if inherited == 0 else 3)
_, status = os.waitpid(child, 0)
with store.read() as db:  # the parent opens a new one: its own were closed before the fork
    print(os.waitstatus_to_exitcode(status), get_config(db, "n"))
"""


def test_a_forked_process_opens_connections_of_its_own(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", FORK, str(tmp_path / "emulator.sqlite3")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "2"]  # the child's exit status, then what it wrote


def test_a_closed_store_keeps_nothing_a_late_call_gives_back(tmp_path, opened):
    store = Store(tmp_path / "emulator.sqlite3")
    store.close()

    for _ in range(2):  # a noti thread finishing after the emulator stopped
        with store.read():
            pass

    assert len(opened) == 3  # Store() opened one; each late call its own, none kept
