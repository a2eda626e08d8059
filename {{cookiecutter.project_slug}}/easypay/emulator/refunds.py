"""Refunds (docs/kicc-api.md §6.1, §6.3, §8.1, §9, §10.4): what KICC does with a revise call
whose reviseTypeCode is 60, 62 or 63, and what happens to it afterwards.

A refund pays the buyer back into a bank account (refundInfo) where a card-style cancel cannot
undo the payment: a deposited virtual account, and a mobile payment (§6.3). Two kinds:

- deferred ("지결", 60 full / 62 partial, sub-type RF01): answered RF01 (requested); the
  amount is reserved at once; the bank pays it out later — RF02 + 노티 50, or, when the bank
  refuses the account, RF03 + 노티 51 (resCd 5413) and the amount is refundable again. Later
  means: `_control/refund-complete`, or by itself after REFUND_DELAY_SECONDS.
- real time (63, sub-type 10/11 or 20/21): paid out at once, answered RF02, 노티 20. Under the
  `refund_timeout` fault the bank does not answer in time: KICC answers VTIM / VT00 (§9) and
  the refund is *in doubt* — paid (commit) or not — until the shop asks again with
  refundQueryFlag "Y": that answers the refund's result (RF02, its cancelPgCno) or 5413, and
  never pays twice. 노티 20 (paid) or 51 (refused) follows once the outcome is known.

One row per refund in `cancels`, beside the cancels: state requested | done | failed |
in_doubt, so the ledger lists both and the balance rules are the same. `outcome` (done |
failed) is the bank's answer decided in advance, for a refund still requested or in doubt.
"""

import contextlib
import json
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from easypay import kst, methods

from . import codes, shapes
from .errors import Refused
from .store import get_config

if TYPE_CHECKING:
    from datetime import date, datetime

    from .notis import Notifier
    from .store import Store

STATE_STATUS = {
    "requested": methods.REFUND_REQUESTED,
    "done": methods.REFUND_DONE,
    "failed": methods.REFUND_REFUSED,
    "in_doubt": methods.REFUND_REQUESTED,
}


def refund_delay_seconds(value) -> float | None:
    """REFUND_DELAY_SECONDS: None (wait for the operator) or seconds ≥ 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"REFUND_DELAY_SECONDS must be None or seconds ≥ 0, not {value!r}")
    return float(value)


class Refunds:
    """Mixed into engine.Emulator: uses its store, clock, numbers and notifier."""

    if TYPE_CHECKING:  # what engine.Emulator provides
        store: Store
        notifier: Notifier
        malls: dict[str, str]

        def switch(self, name: str, db=None): ...
        def _set_switch(self, name: str, value) -> None: ...
        def now(self, db=None) -> datetime: ...
        def today(self, db=None) -> date: ...
        def _new_number(self, db, table: str, column: str) -> str: ...
        def _order_transaction(self, db, mall_id, shop_order_no): ...
        def _amount_to_take(self, txn, body: dict, full: bool, *, what: str) -> tuple[int, int]: ...
        def noti_config(self, db=None) -> dict: ...

    # --- §6 revise with a refund code ----------------------------------------------------
    def _refund(self, db, body, txn, notis, *, fault=None, later=None) -> dict:
        revise_type = body["reviseTypeCode"]
        method = txn["pay_method"]
        if method == methods.VIRTUAL_ACCOUNT:
            if not txn["deposit_pg_cno"]:
                raise Refused(
                    codes.REVISE_NOT_ALLOWED,
                    "입금 전 가상계좌는 환불할 수 없습니다 (발급 취소는 40)",
                )
        elif not methods.refundable(method):
            raise Refused(
                codes.REVISE_NOT_ALLOWED,
                "환불(60/62/63)은 입금된 가상계좌와 휴대폰 결제만 가능합니다 (취소는 40/32/33)",
            )
        sub_type = body.get("reviseSubTypeCode") or ""
        real_time = revise_type == methods.REAL_TIME_REFUND
        if real_time and sub_type not in methods.REAL_TIME_SUB_TYPES.values():
            raise Refused(codes.INVALID_VALUE, "63의 reviseSubTypeCode는 10, 11, 20, 21입니다")
        if not real_time and sub_type not in ("", methods.DEFERRED_REFUND_SUB_TYPE):
            raise Refused(codes.INVALID_VALUE, "60/62의 reviseSubTypeCode는 RF01입니다")
        info = body.get("refundInfo")
        if not info:
            raise Refused(codes.REFUND_INFO_REQUIRED, "환불 계좌(refundInfo)가 없습니다")
        deposit = info.get("depositPgCno")
        if deposit and deposit != txn["deposit_pg_cno"]:
            raise Refused(codes.DEPOSIT_MISMATCH, "입금 거래번호(depositPgCno)가 다릅니다")
        if body.get("refundQueryFlag") == "Y":
            return self._refund_query(db, body, txn, notis)

        full = methods.takes_whole_balance(revise_type, sub_type)
        amount, remaining = self._amount_to_take(txn, body, full, what="환불")

        kind = fault.kind if fault else None
        if real_time and kind == "refund_bank_failure":
            # The bank refuses at once: a definite no, nothing moved.
            raise Refused(codes.BANK_REFUSED, codes.BANK_REFUSED_MESSAGE)
        cancel_pg_cno = self._new_number(db, "transactions", "pg_cno")
        moment = kst.datetime_text(self.now(db))
        today = self.today(db)
        row = {
            "cancel_pg_cno": cancel_pg_cno,
            "pg_cno": txn["pg_cno"],
            "revise_type": revise_type,
            "sub_type": sub_type or None,
            "shop_transaction_id": body["shopTransactionId"],
            "amount": amount,
            "remain_after": remaining - amount,
            "at": moment,
            "refund_info": json.dumps(info, ensure_ascii=False),
        }
        refund_values = {"depositPgCno": txn["deposit_pg_cno"] or ""}

        if real_time and kind == "refund_timeout":
            paid = bool(fault.params.get("commit", True))
            code = fault.params.get("code", codes.REFUND_TIMEOUT)
            pending = int(fault.params.get("unknown_queries", 0))
            outcome = "done" if paid else "failed"
            if not paid:
                row["remain_after"] = remaining
            self._insert_refund(
                db,
                row,
                state="in_doubt" if pending else outcome,
                timeout_code=code,
                outcome=outcome,
                pending_queries=pending,
            )
            if paid:  # while KICC does not know yet, the transaction looks requested
                status = methods.REFUND_REQUESTED if pending else methods.REFUND_DONE
                self._move_balance(db, txn["pg_cno"], amount, status)
            if not pending:
                self._announce_in_doubt_refund(db, cancel_pg_cno, notis)
            return {"resCd": code, "resMsg": codes.REFUND_IN_DOUBT[code]}

        if real_time:
            self._insert_refund(db, row, state="done")
            self._move_balance(db, txn["pg_cno"], amount)
            txn = self._transaction(db, txn["pg_cno"])
            status = methods.REFUND_DONE
            refund_values["refundDate"] = kst.date_text(today)
            noti = shapes.cancel_noti(
                txn, cancel_pg_cno, amount, row["remain_after"], status, moment, "환불완료"
            )
            notis.append(self.notifier.queue(db, "20", txn["shop_order_no"], noti))
        else:
            fails = kind == "refund_bank_failure"
            # What the bank will answer, known now: "failed" under a bank-failure fault.
            self._insert_refund(db, row, state="requested", outcome="failed" if fails else "done")
            self._move_balance(db, txn["pg_cno"], amount)  # reserved: RF01 while it waits
            txn = self._transaction(db, txn["pg_cno"])
            status = methods.REFUND_REQUESTED
            # D+1: the date the bank pays a deferred refund out (§6.3 "지결").
            refund_values["refundDate"] = kst.date_text(today + timedelta(days=1))
            delay = self.switch("refund_delay", db)
            if delay is not None and later is not None:
                later.append(lambda: self._complete_later(cancel_pg_cno, delay))
        return shapes.revise_response(
            body,
            txn,
            revise_type,
            cancel_pg_cno,
            amount,
            row["remain_after"],
            status,
            moment,
            refund=refund_values,
        )

    def _refund_query(self, db, body, txn, notis) -> dict:
        """refundQueryFlag "Y" (§6.1, §9): the result of the latest refund of this transaction
        that was answered VTIM / VT00 — never a new refund."""
        row = db.execute(
            "SELECT * FROM cancels WHERE pg_cno=? AND timeout_code IS NOT NULL "
            "ORDER BY rowid DESC LIMIT 1",
            (txn["pg_cno"],),
        ).fetchone()
        if row is None:
            raise Refused(codes.NO_REFUND_TO_QUERY, codes.INVENTED[codes.NO_REFUND_TO_QUERY])
        if row["state"] == "in_doubt":
            pending = row["pending_queries"] - 1
            db.execute(
                "UPDATE cancels SET pending_queries=?, state=? WHERE cancel_pg_cno=?",
                (pending, "in_doubt" if pending > 0 else row["outcome"], row["cancel_pg_cno"]),
            )
            if pending <= 0:  # the bank's answer reaches KICC after this query
                if row["outcome"] == "done":
                    self._set_refund_status(db, row["pg_cno"], methods.REFUND_DONE)
                self._announce_in_doubt_refund(db, row["cancel_pg_cno"], notis)
            return {
                "resCd": codes.REFUND_UNKNOWN,
                "resMsg": codes.REFUND_IN_DOUBT[codes.REFUND_UNKNOWN],
            }
        if row["state"] == "failed":
            raise Refused(codes.BANK_REFUSED, codes.BANK_REFUSED_MESSAGE)
        return shapes.revise_response(
            body,
            self._transaction(db, txn["pg_cno"]),
            row["revise_type"],
            row["cancel_pg_cno"],
            row["amount"],
            row["remain_after"],
            methods.REFUND_DONE,
            row["at"],
            refund={"refundDate": row["at"][:8], "depositPgCno": txn["deposit_pg_cno"] or ""},
        )

    def _announce_in_doubt_refund(self, db, cancel_pg_cno, notis) -> None:
        """The bank's late answer: 노티 20 when it paid the refund out, 51 when it refused."""
        row = db.execute("SELECT * FROM cancels WHERE cancel_pg_cno=?", (cancel_pg_cno,)).fetchone()
        txn = self._transaction(db, row["pg_cno"])
        moment = kst.datetime_text(self.now(db))
        if row["outcome"] == "done":
            body = shapes.cancel_noti(
                txn,
                row["cancel_pg_cno"],
                row["amount"],
                row["remain_after"],
                methods.REFUND_DONE,
                moment,
                "환불완료",
            )
            noti_type = "20"
        else:
            remaining = txn["amount"] - txn["cancelled_amount"]
            body = shapes.refund_noti(txn, dict(row), remaining, moment, done=False)
            noti_type = "51"
        notis.append(self.notifier.queue(db, noti_type, txn["shop_order_no"], body))

    # --- the bank pays a deferred refund out (or refuses it) ------------------------------
    def complete_refund(
        self, shop_order_no=None, *, cancel_pg_cno=None, outcome=None, mall_id=None
    ) -> dict:
        """Finish a deferred refund (RF01) as the bank would: outcome "done" (RF02, 노티 50) or
        "bank_failure" (RF03, 노티 51 with resCd 5413; the amount is refundable again). None:
        "bank_failure" if a refund_bank_failure fault chose this refund, else "done".
        The refund: `cancel_pg_cno`, or the oldest one waiting of the order."""
        if outcome not in (None, "done", "bank_failure"):
            raise ValueError('outcome must be "done", "bank_failure" or None')
        if shop_order_no is None and cancel_pg_cno is None:
            raise ValueError("name the refund: shop_order_no or cancel_pg_cno")
        notis = []
        with self.store.write() as db:
            if cancel_pg_cno is not None:
                row = db.execute(
                    "SELECT * FROM cancels WHERE cancel_pg_cno=?", (cancel_pg_cno,)
                ).fetchone()
            else:
                txn = self._order_transaction(db, mall_id or next(iter(self.malls)), shop_order_no)
                row = db.execute(
                    "SELECT * FROM cancels WHERE pg_cno=? AND state='requested' "
                    "ORDER BY rowid LIMIT 1",
                    (txn["pg_cno"] if txn else "",),
                ).fetchone()
            if row is None or row["state"] != "requested":
                raise Refused(codes.NOT_FOUND, "완료할 환불 요청(RF01)이 없습니다")
            if outcome is None:
                outcome = "bank_failure" if row["outcome"] == "failed" else "done"
            done = outcome == "done"
            moment = kst.datetime_text(self.now(db))
            db.execute(
                "UPDATE cancels SET state=?, completed_at=? WHERE cancel_pg_cno=?",
                ("done" if done else "failed", moment, row["cancel_pg_cno"]),
            )
            if not done:
                self._move_balance(db, row["pg_cno"], -row["amount"], methods.REFUND_REFUSED)
            else:
                self._set_refund_status(db, row["pg_cno"], methods.REFUND_DONE)
            txn = self._transaction(db, row["pg_cno"])
            remaining = txn["amount"] - txn["cancelled_amount"]
            body = shapes.refund_noti(txn, dict(row), remaining, moment, done=done)
            notis.append(self.notifier.queue(db, body["notiType"], txn["shop_order_no"], body))
        self.notifier.dispatch(notis, self.noti_config)
        return {
            "resCd": codes.SUCCESS,
            "cancelPgCno": row["cancel_pg_cno"],
            "statusCode": methods.REFUND_DONE if done else methods.REFUND_REFUSED,
        }

    def refund_delay(self) -> float | None:
        return self.switch("refund_delay")

    def set_refund_delay(self, seconds: float | None) -> None:
        """Deferred refunds requested from now on complete by themselves after `seconds`
        (None: only through complete_refund)."""
        self._set_switch("refund_delay", refund_delay_seconds(seconds))

    def _complete_later(self, cancel_pg_cno: str, delay: float) -> None:
        with self.store.read() as db:
            epoch = get_config(db, "epoch", 0)

        def complete():
            with self.store.read() as db:
                if get_config(db, "epoch", 0) != epoch:
                    return  # reset since: that refund is gone
            with contextlib.suppress(Refused):  # completed by an operator meanwhile
                self.complete_refund(cancel_pg_cno=cancel_pg_cno)

        timer = threading.Timer(delay, complete)
        timer.daemon = True
        timer.name = f"easypay-emulator-refund-{cancel_pg_cno}"
        timer.start()

    # --- bookkeeping ----------------------------------------------------------------------
    def _insert_refund(self, db, row: dict, **extra) -> None:
        values = {**row, **extra}
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        db.execute(
            f"INSERT INTO cancels ({columns}) VALUES ({marks})",  # noqa: S608 — our own keys
            tuple(values.values()),
        )

    def _move_balance(self, db, pg_cno: str, amount: int, status: str | None = None) -> None:
        """Refunded (amount > 0) or given back (amount < 0) money, and the refund status."""
        db.execute(
            "UPDATE transactions SET cancelled_amount = cancelled_amount + ? WHERE pg_cno=?",
            (amount, pg_cno),
        )
        self._set_refund_status(db, pg_cno, status or methods.REFUND_DONE)

    def _set_refund_status(self, db, pg_cno: str, status: str) -> None:
        """A transaction with a refund still waiting at the bank stays RF01 (§10.4)."""
        waiting = db.execute(
            "SELECT 1 FROM cancels WHERE pg_cno=? AND state='requested'", (pg_cno,)
        ).fetchone()
        db.execute(
            "UPDATE transactions SET status_code=? WHERE pg_cno=?",
            (methods.REFUND_REQUESTED if waiting else status, pg_cno),
        )

    def _transaction(self, db, pg_cno: str):
        return db.execute("SELECT * FROM transactions WHERE pg_cno=?", (pg_cno,)).fetchone()
