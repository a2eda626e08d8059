"""노티 (webhook) delivery, docs/kicc-api.md §8.1.

A noti is stored in the same transaction as the event that caused it, then POSTed as JSON
from a background thread until acked: HTTP 200 with a JSON body whose resCd is "0000".
Anything else (network error, other status, "5001", not JSON) is retried every
retry_seconds, up to max_retries times after the first attempt. A reset stops pending
retries (the epoch changes), so one test's notis never reach the next test.
"""

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable

import requests

from easypay import kst

from .store import Store, get_config

logger = logging.getLogger(__name__)


class Notifier:
    def __init__(self, store: Store):
        self.store = store

    def queue(self, db, noti_type: str, shop_order_no: str, body: dict) -> int:
        cursor = db.execute(
            "INSERT INTO notis (noti_type, shop_order_no, body, created_at) VALUES (?, ?, ?, ?)",
            (noti_type, shop_order_no, json.dumps(body, ensure_ascii=False), kst.datetime_text()),
        )
        return cursor.lastrowid

    def dispatch(
        self, noti_ids: list[int], noti_config: Callable[[sqlite3.Connection], dict]
    ) -> None:
        """Send the queued notis, each from a thread of its own. `noti_config(db)` says where
        and how; it is read only when there is something to send."""
        if not noti_ids:
            return
        with self.store.read() as db:
            config = noti_config(db)
            epoch = get_config(db, "epoch", 0)
        if not config.get("url"):
            return  # no noti URL configured: stored (visible in inspection), never sent
        for noti_id in noti_ids:
            threading.Thread(
                target=self._deliver,
                args=(noti_id, dict(config), epoch),
                name=f"easypay-emulator-noti-{noti_id}",
                daemon=True,
            ).start()

    def _deliver(self, noti_id: int, config: dict, epoch: int) -> None:
        with self.store.read() as db:
            body = json.loads(
                db.execute("SELECT body FROM notis WHERE id=?", (noti_id,)).fetchone()[0]
            )
        for attempt in range(1, int(config["max_retries"]) + 2):
            if self._epoch() != epoch:
                return
            status, acked, error = _post(config["url"], body, float(config["timeout"]))
            if self._epoch() != epoch:
                return
            with self.store.write() as db:
                db.execute(
                    "INSERT INTO noti_attempts (noti_id, attempt, at, url, http_status, acked, error) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (noti_id, attempt, kst.datetime_text(), config["url"], status, acked, error),
                )
            if acked:
                return
            time.sleep(float(config["retry_seconds"]))
        logger.warning("noti %s not acked after %s attempts", noti_id, attempt)

    def _epoch(self) -> int:
        with self.store.read() as db:
            return get_config(db, "epoch", 0)


def _post(url: str, body: dict, timeout: float) -> tuple[int | None, bool, str | None]:
    try:
        answer = requests.post(
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},  # §8.1
            timeout=timeout,
        )
    except requests.RequestException as error:
        return None, False, f"{type(error).__name__}: {error}"
    try:
        acked = answer.status_code == 200 and answer.json().get("resCd") == "0000"
    except (ValueError, AttributeError):
        acked = False
    return answer.status_code, acked, None if acked else answer.text[:200]
