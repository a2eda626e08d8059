"""The emulator's SQLite file: a file made by an older emulator is brought up to date on open."""

import sqlite3

from easypay.emulator.store import Store

OLD_SCHEMA = """
CREATE TABLE authorizations (
    authorization_id TEXT PRIMARY KEY, mall_id TEXT NOT NULL, shop_order_no TEXT NOT NULL,
    amount INTEGER NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL, method TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE cancels (
    cancel_pg_cno TEXT PRIMARY KEY, pg_cno TEXT NOT NULL, revise_type TEXT NOT NULL,
    amount INTEGER NOT NULL, remain_after INTEGER NOT NULL, at TEXT NOT NULL);
INSERT INTO cancels VALUES ('c1', 'p1', '32', 1000, 14000, '20260101120000');
"""


def test_an_older_file_gets_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)

    store = Store(path)
    Store(path)  # opening it again changes nothing

    with store.read() as db:
        columns = {row["name"] for row in db.execute("PRAGMA table_info(cancels)")}
        row = db.execute("SELECT * FROM cancels").fetchone()
        provider = {row["name"] for row in db.execute("PRAGMA table_info(authorizations)")}
    assert {"state", "refund_info", "timeout_code", "pending_queries"} <= columns
    assert "provider" in provider
    assert (row["cancel_pg_cno"], row["state"], row["pending_queries"]) == ("c1", "done", 0)
