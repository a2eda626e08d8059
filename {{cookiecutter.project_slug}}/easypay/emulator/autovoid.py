"""The test host's 23:00 auto-void (docs/kicc-api.md §11.7, §12): KakaoPay, TossPay and the
other easy-pay wallets, and carrier (mobile) billing, may charge real money even on KICC's
test host, so KICC voids whatever of those test transactions is left uncancelled at 23:00 KST
the same day.

Behind a switch (TEST_HOST_AUTO_VOID, `_control/test-host`), off by default: a shop's code must
not come to rely on it. When on, every request to the emulator first voids the transactions of
each day whose 23:00 has passed since the last such request (so advancing the clock a day
voids yesterday's): a full cancel of the balance (TS02) and a 노티 20, as a cancel in KICC's
console would look. A transaction approved after 23:00 is left alone (its day's void ran).
"""

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from easypay import kst, methods

from . import shapes
from .store import get_config, set_config

if TYPE_CHECKING:
    from datetime import datetime

    from .notis import Notifier
    from .store import Store

VOID_HOUR = 23


class AutoVoid:
    """Mixed into engine.Emulator."""

    if TYPE_CHECKING:  # what engine.Emulator provides
        store: Store
        notifier: Notifier

        def switch(self, name: str, db=None): ...
        def now(self, db=None) -> datetime: ...
        def noti_config(self, db=None) -> dict: ...
        def _record_cancel(self, db, body, txn, revise_type, cancel_amount, notis) -> dict: ...

    def auto_void(self) -> bool:
        return bool(self.switch("auto_void"))

    def set_auto_void(self, on: bool) -> None:
        """Turn the 23:00 auto-void on or off. Turned on, it starts with the next 23:00."""
        with self.store.write() as db:
            set_config(db, "auto_void", bool(on))
            set_config(db, "auto_void_through", kst.date_text(self._last_void_day(db)))

    def tick(self) -> None:
        """Run the auto-voids that are due; a no-op (one read) while the switch is off."""
        if not self.auto_void():
            return
        notis: list[int] = []
        with self.store.write() as db:
            due = self._last_void_day(db)
            through = get_config(db, "auto_void_through", None)
            day = kst.parse_date_text(through) + timedelta(days=1) if through else due
            while day <= due:
                self._void_day(db, kst.date_text(day), notis)
                day += timedelta(days=1)
            set_config(db, "auto_void_through", kst.date_text(due))
        self.notifier.dispatch(notis, self.noti_config)

    def _last_void_day(self, db):
        """The latest day whose 23:00 has passed on the emulator's clock."""
        now = self.now(db)
        return now.date() if now.hour >= VOID_HOUR else now.date() - timedelta(days=1)

    def _void_day(self, db, day: str, notis: list) -> None:
        rows = db.execute(
            "SELECT * FROM transactions WHERE amount > cancelled_amount AND pay_method != ?",
            (methods.VIRTUAL_ACCOUNT,),
        ).fetchall()
        for txn in rows:
            approval = json.loads(txn["approval"])
            approved_at = approval.get("transactionDate", "")
            wallet = (approval.get("paymentInfo") or {}).get("cpCode")
            if not approved_at.startswith(day) or approved_at[8:10] >= f"{VOID_HOUR:02d}":
                continue
            if txn["pay_method"] != methods.MOBILE and not wallet:
                continue
            body = {
                "mallId": txn["mall_id"],
                "pgCno": txn["pg_cno"],
                "shopTransactionId": "autovoid-" + shapes.digits(12),
                "reviseTypeCode": methods.FULL_CANCEL,
            }
            remaining = txn["amount"] - txn["cancelled_amount"]
            self._record_cancel(db, body, txn, methods.FULL_CANCEL, remaining, notis)
