"""The emulator's business rules: what KICC would answer, and the state behind it.

Every public method is one serialised SQLite transaction (store.py). Responses are plain
dicts in KICC's shapes (docs/kicc-api.md §3.2, §5.2, §6.2, §7; shapes.py); faults are chosen
by the views (faults.py) and applied around or, for refunds, inside these methods. Refunds
live in refunds.py, the test host's 23:00 auto-void in autovoid.py. Failure codes come from
codes.py.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings

from easypay import kst, methods
from easypay.signing import approval_auth_value, revise_auth_value, signatures_match

from . import codes, shapes, validation
from .autovoid import AutoVoid
from .errors import Refused
from .notis import Notifier
from .refunds import STATE_STATUS, Refunds, refund_delay_seconds
from .store import Store, get_config, set_config

# The shared KICC test mall and its key (docs/kicc-api.md §12): what the emulator signs with
# unless settings name other malls, and what tests, benchmarks and drivers pay with.
TEST_MALL_ID = "T0000000"
TEST_SECRET_KEY = "easypay!KICCTEST"  # noqa: S105
TEST_MALLS = {TEST_MALL_ID: TEST_SECRET_KEY}

DEFAULTS = {
    "MALLS": TEST_MALLS,
    "NOTI_URL": "",
    "NOTI_RETRY_SECONDS": 180.0,  # §8.1: every 3 minutes
    "NOTI_MAX_RETRIES": 10,  # §8.1: up to 10 retries
    "NOTI_TIMEOUT_SECONDS": 10.0,
    # §7 leaves open whether a status answer carries the status now or the original answer's:
    # "current" (the checklist's reading, docs/kicc-api.md §16.5) or "original".
    "RETRIEVE_STATUS": "current",
    # A deferred refund (60/62, "지결") is paid out by the bank on D+1 (§6.3): after this many
    # seconds the emulator completes it by itself (노티 50, or 51 under a bank-failure fault);
    # None waits for _control/refund-complete.
    "REFUND_DELAY_SECONDS": None,
    # How an easy-pay wallet payment is reported: "11" (a card paid through a wallet, as §10.1
    # words it) or "60" (easy payment); cpCode names the wallet either way. The docs do not
    # say which KICC sends, so the shop must read both.
    "EASY_PAY_METHOD_CODE": methods.CARD,
    # KICC's test host voids easy-pay and carrier test transactions still uncancelled at
    # 23:00 KST the same day (§11.7, §12). Off: the emulator keeps them.
    "TEST_HOST_AUTO_VOID": False,
}
RETRIEVE_STATUS_READINGS = ("current", "original")
EASY_PAY_METHOD_CODES = (methods.CARD, methods.EASY_PAY)

# What each window button approves as (payMethodTypeCode, §10.1).
OUTCOME_METHODS = {
    "approve": methods.CARD,
    "approve_transfer": methods.BANK_TRANSFER,
    "approve_va": methods.VIRTUAL_ACCOUNT,
    "approve_mobile": methods.MOBILE,
    "approve_easypay": methods.EASY_PAY,
}
OUTCOMES = (*OUTCOME_METHODS, "decline", "user_cancel", "window_error")


@dataclass(frozen=True)
class ReturnPost:
    """What the payment window form-POSTs to returnUrl (§4)."""

    url: str
    fields: dict


def emulator_settings() -> dict:
    configured = getattr(settings, "EASYPAY_EMULATOR", {})
    merged = {**DEFAULTS, **configured}
    merged.setdefault("DATABASE", Path(settings.BASE_DIR) / ".easypay-emulator.sqlite3")
    return merged


class Emulator(Refunds, AutoVoid):
    def __init__(
        self,
        database,
        malls: dict[str, str],
        noti_defaults: dict,
        retrieve_status="current",
        *,
        refund_delay: float | None = None,
        easy_pay_method_code: str = methods.CARD,
        auto_void: bool = False,
    ):
        self.store = Store(database)
        self.malls = dict(malls)
        self.noti_defaults = noti_defaults
        # Switches a test or an operator can flip (config table), and their defaults.
        self.switch_defaults = {
            "retrieve_status": _reading(retrieve_status),
            "refund_delay": refund_delay_seconds(refund_delay),
            "easy_pay_method_code": _easy_pay_code(easy_pay_method_code),
            "auto_void": bool(auto_void),
        }
        self.notifier = Notifier(self.store)

    @classmethod
    def from_settings(cls, database=None) -> "Emulator":
        conf = emulator_settings()
        return cls(
            database or conf["DATABASE"],
            conf["MALLS"],
            {
                "url": conf["NOTI_URL"],
                "retry_seconds": float(conf["NOTI_RETRY_SECONDS"]),
                "max_retries": int(conf["NOTI_MAX_RETRIES"]),
                "timeout": float(conf["NOTI_TIMEOUT_SECONDS"]),
            },
            conf["RETRIEVE_STATUS"],
            refund_delay=conf["REFUND_DELAY_SECONDS"],
            easy_pay_method_code=conf["EASY_PAY_METHOD_CODE"],
            auto_void=conf["TEST_HOST_AUTO_VOID"],
        )

    def switch(self, name: str, db=None):
        """A switch's current value: what was set over _control/, else the default."""
        if db is None:
            with self.store.read() as db:
                return self.switch(name, db)
        return get_config(db, name, self.switch_defaults[name])

    def _set_switch(self, name: str, value) -> None:
        with self.store.write() as db:
            set_config(db, name, value)

    # --- clock ---------------------------------------------------------------------------
    def now(self, db=None) -> datetime:
        """KST now, shifted by advance_days (to test the yesterday/today rules, §7)."""
        if db is None:
            with self.store.read() as db:
                return self.now(db)
        return kst.now() + timedelta(days=get_config(db, "day_offset", 0))

    def today(self, db=None) -> date:
        return self.now(db).date()

    def advance_days(self, days: int) -> str:
        """Move the clock `days` on; returns the new today (yyyyMMdd)."""
        with self.store.write() as db:
            set_config(db, "day_offset", get_config(db, "day_offset", 0) + days)
            return kst.date_text(self.today(db))

    def reset(self) -> None:
        self.store.reset()

    def close(self) -> None:
        """Close the state file's kept connections: the emulator is done with it."""
        self.store.close()

    # --- helpers -------------------------------------------------------------------------
    def _secret(self, mall_id: str) -> str:
        try:
            return self.malls[mall_id]
        except KeyError:
            raise Refused(codes.UNKNOWN_MALL, f"등록되지 않은 가맹점: {mall_id}") from None

    def _claim_key(self, db, mall_id: str, shop_transaction_id: str, kind: str) -> str:
        """§11 idempotency: one use per (mall, key, KST day); a repeat is refused, not replayed."""
        day = kst.date_text(self.today(db))
        taken = db.execute(
            "SELECT 1 FROM idempotency_keys WHERE mall_id=? AND shop_transaction_id=? AND day=?",
            (mall_id, shop_transaction_id, day),
        ).fetchone()
        if taken:
            raise Refused(codes.DUPLICATE_KEY, "중복 요청입니다 (shopTransactionId)")
        db.execute(
            "INSERT INTO idempotency_keys (mall_id, shop_transaction_id, day, kind) "
            "VALUES (?, ?, ?, ?)",
            (mall_id, shop_transaction_id, day, kind),
        )
        return day

    def _store_key_result(self, db, mall_id, shop_transaction_id, day, pg_cno, response):
        db.execute(
            "UPDATE idempotency_keys SET pg_cno=?, response=? "
            "WHERE mall_id=? AND shop_transaction_id=? AND day=?",
            (pg_cno, json.dumps(response, ensure_ascii=False), mall_id, shop_transaction_id, day),
        )

    def _new_number(self, db, table: str, column: str) -> str:
        """yyMMddHHmmss + 8 digits, the shape of a real pgCno / authorizationId (§3.2, §5.2)."""
        while True:
            number = self.now(db).strftime("%y%m%d%H%M%S") + shapes.digits(8)
            sql = f"SELECT 1 FROM {table} WHERE {column}=?"  # noqa: S608 — fixed names
            if not db.execute(sql, (number,)).fetchone():
                return number

    def shop_order_no_for(self, endpoint: str, body: dict) -> str | None:
        """The order a request is about, to pick faults chosen per order."""
        if endpoint in ("register", "approve"):
            value = body.get("shopOrderNo")
            return value if isinstance(value, str) else None
        with self.store.read() as db:
            if endpoint == "revise":
                row = db.execute(
                    "SELECT shop_order_no FROM transactions WHERE pg_cno=?",
                    (str(body.get("pgCno")),),
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT t.shop_order_no FROM idempotency_keys k "
                    "JOIN transactions t ON t.pg_cno = k.pg_cno "
                    "WHERE k.mall_id=? AND k.shop_transaction_id=? AND k.day=?",
                    (
                        str(body.get("mallId")),
                        str(body.get("shopTransactionId")),
                        str(body.get("transactionDate")),
                    ),
                ).fetchone()
        return row["shop_order_no"] if row else None

    # --- §3 register ---------------------------------------------------------------------
    def register(self, body: dict, window_base_url: str) -> dict:
        try:
            validation.check_register(body)
            self._secret(body["mallId"])
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        mall_id, order_no = body["mallId"], body["shopOrderNo"]
        with self.store.write() as db:
            order = db.execute(
                "SELECT * FROM orders WHERE mall_id=? AND shop_order_no=?", (mall_id, order_no)
            ).fetchone()
            # A repeated shopOrderNo (KICC's rule is UNKNOWN, §14) opens a new window while
            # the order is unpaid (the customer closed the first one) and is refused after.
            if order and order["approvals"]:
                return Refused(codes.ORDER_ALREADY_APPROVED, "이미 승인된 주문입니다").response()
            db.execute(
                "INSERT INTO orders (mall_id, shop_order_no, registered_amount) VALUES (?, ?, ?) "
                "ON CONFLICT (mall_id, shop_order_no) "
                "DO UPDATE SET registered_amount = excluded.registered_amount",
                (mall_id, order_no, body["amount"]),
            )
            authorization_id = self._new_number(db, "authorizations", "authorization_id")
            db.execute(
                "INSERT INTO authorizations (authorization_id, mall_id, shop_order_no, amount, "
                "request, state, created_at) VALUES (?, ?, ?, ?, ?, 'issued', ?)",
                (
                    authorization_id,
                    mall_id,
                    order_no,
                    body["amount"],
                    json.dumps(body, ensure_ascii=False),
                    kst.datetime_text(self.now(db)),
                ),
            )
        return {
            "resCd": codes.SUCCESS,
            "resMsg": "정상처리",
            "authPageUrl": f"{window_base_url}?authorizationId={authorization_id}",
        }

    # --- §4 the payment window -----------------------------------------------------------
    def window(self, authorization_id: str) -> dict | None:
        """What the window page shows, or None for an unknown authorizationId."""
        with self.store.read() as db:
            row = db.execute(
                "SELECT * FROM authorizations WHERE authorization_id=?", (authorization_id,)
            ).fetchone()
        if row is None:
            return None
        request = json.loads(row["request"])
        registered = request["payMethodTypeCode"]
        return {
            "authorization_id": authorization_id,
            "mall_id": row["mall_id"],
            "mall_name": request.get("mallName", ""),
            "shop_order_no": row["shop_order_no"],
            "amount": row["amount"],
            "goods_name": request["orderInfo"]["goodsName"],
            "pay_method": registered,
            "state": row["state"],
            "return_url": request["returnUrl"],
            # The buttons: "00" offers every method, a method's code only that one (§3.1).
            "methods": [
                outcome
                for outcome, method in OUTCOME_METHODS.items()
                if registered in (methods.ANY, method)
            ],
        }

    def authenticate(
        self,
        authorization_id: str,
        outcome: str = "approve",
        *,
        decline_code: str = "8521",
        provider: str | None = None,
    ) -> ReturnPost:
        """What the window's buttons do (§4): returns the form it POSTs to returnUrl.

        outcome: approve (card), approve_transfer, approve_va, approve_mobile, approve_easypay,
        decline, user_cancel, window_error. provider: what the buyer picked for the method —
        the bank of a transfer or virtual account (bank code, §10.3), the carrier of a mobile
        payment (SKT, KTF, LGT), the wallet of an easy-pay one (cpCode: KKO, NPAY, TOS, …);
        the first of each by default.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {list(OUTCOMES)}")
        if outcome == "decline" and decline_code not in codes.DECLINES:
            raise ValueError(f"decline_code must be one of {sorted(codes.DECLINES)}")
        method = OUTCOME_METHODS.get(outcome)
        if provider is not None:
            choices = shapes.PROVIDERS[method][0] if method in shapes.PROVIDERS else {}
            if provider not in choices:
                raise ValueError(
                    f"provider for {outcome} must be one of {sorted(choices)}"
                    if choices
                    else f"{outcome} takes no provider"
                )
        with self.store.write() as db:
            row = db.execute(
                "SELECT * FROM authorizations WHERE authorization_id=?", (authorization_id,)
            ).fetchone()
            if row is None:
                raise LookupError(f"unknown authorizationId {authorization_id}")
            request = json.loads(row["request"])
            if row["state"] != "issued":
                code, message = codes.WINDOW_ALREADY_USED, codes.INVENTED[codes.WINDOW_ALREADY_USED]
            elif method and request["payMethodTypeCode"] not in (methods.ANY, method):
                code, message = codes.WINDOW_ERROR, "등록한 결제수단과 다른 결제수단"
            elif method:
                code, message = codes.SUCCESS, "정상처리"
            elif outcome == "decline":
                code, message = decline_code, codes.DECLINES[decline_code]
            elif outcome == "user_cancel":
                code, message = codes.USER_CANCEL, codes.INVENTED[codes.USER_CANCEL]
            else:
                code, message = codes.WINDOW_ERROR, codes.INVENTED[codes.WINDOW_ERROR]
            if row["state"] == "issued":
                approved = code == codes.SUCCESS
                db.execute(
                    "UPDATE authorizations SET state=?, method=?, provider=? "
                    "WHERE authorization_id=?",
                    (
                        "authenticated" if approved else "failed",
                        method if approved else None,
                        provider if approved else None,
                        authorization_id,
                    ),
                )
        values = request.get("shopValueInfo") or {}
        fields = {"resCd": code, "resMsg": message, "shopOrderNo": row["shop_order_no"]}
        if code == codes.SUCCESS:
            fields["authorizationId"] = authorization_id
        for n in range(1, 8):
            fields[f"shopValue{n}"] = values.get(f"value{n}", "")
        return ReturnPost(url=request["returnUrl"], fields=fields)

    # --- §5 approval ---------------------------------------------------------------------
    def approve(self, body: dict, *, amount_mismatch: bool | int = False) -> dict:
        """amount_mismatch (a fault): approve another amount than registered, True = +1000."""
        notis: list[int] = []
        try:
            validation.check(body, validation.APPROVE)
            mall_id = body["mallId"]
            secret = self._secret(mall_id)
            with self.store.write() as db:
                if body["approvalReqDate"] != kst.date_text(self.today(db)):
                    raise Refused(codes.DATE_NOT_TODAY, "approvalReqDate가 오늘(KST)이 아닙니다")
                day = self._claim_key(db, mall_id, body["shopTransactionId"], "approve")
                try:
                    response = self._approve(db, body, secret, amount_mismatch, notis)
                except Refused as refused:
                    response = refused.response()
                self._store_key_result(
                    db, mall_id, body["shopTransactionId"], day, response.get("pgCno"), response
                )
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        self.notifier.dispatch(notis, self.noti_config)
        return response

    def _approve(self, db, body, secret, amount_mismatch, notis) -> dict:
        auth = db.execute(
            "SELECT * FROM authorizations WHERE authorization_id=?", (body["authorizationId"],)
        ).fetchone()
        if auth is None:
            raise Refused(codes.UNKNOWN_AUTHORIZATION, "인증 거래가 없습니다")
        if auth["mall_id"] != body["mallId"] or auth["shop_order_no"] != body["shopOrderNo"]:
            raise Refused(codes.FOREIGN_AUTHORIZATION, "다른 가맹점 또는 주문의 인증 거래입니다")
        if auth["state"] == "used":
            raise Refused(codes.REUSED_AUTHORIZATION, "이미 승인에 사용된 인증 거래입니다")
        order = db.execute(
            "SELECT * FROM orders WHERE mall_id=? AND shop_order_no=?",
            (auth["mall_id"], auth["shop_order_no"]),
        ).fetchone()
        if order["approvals"]:
            raise Refused(codes.ORDER_ALREADY_APPROVED, "이미 승인된 주문입니다")
        if auth["state"] != "authenticated":
            raise Refused(codes.NOT_AUTHENTICATED, "인증이 완료되지 않은 거래입니다")

        request = json.loads(auth["request"])
        pg_cno = self._new_number(db, "transactions", "pg_cno")
        moment = kst.datetime_text(self.now(db))
        amount = auth["amount"]
        if amount_mismatch is not False:
            amount = amount + 1000 if amount_mismatch is True else int(amount_mismatch)
        method = auth["method"]
        reported = method
        if method == methods.EASY_PAY:
            reported = self.switch("easy_pay_method_code", db)
        # §10.4: TS03 is the state right after approval for an auto-capture merchant — for
        # every method paid at once (the docs name no other); a virtual account waits (TS07).
        is_va = method == methods.VIRTUAL_ACCOUNT
        status = "TS07" if is_va else "TS03"
        response = {
            "resCd": codes.SUCCESS,
            "resMsg": "MPI결제 정상" if method == methods.CARD else "정상처리",
            "mallId": body["mallId"],
            "shopTransactionId": body["shopTransactionId"],
            "shopOrderNo": body["shopOrderNo"],
            "pgCno": pg_cno,
            "amount": amount,
            "transactionDate": moment,
            "statusCode": status,
            "statusMessage": codes.STATUS_MESSAGES[status],
            "msgAuthValue": approval_auth_value(secret, pg_cno, amount, moment),
            "escrowUsed": "N",
            "paymentInfo": shapes.payment_info(
                method,
                moment,
                request,
                self.now(db),
                provider=auth["provider"],
                reported_code=reported,
            ),
            "basketInfoList": [],
        }
        db.execute(
            "UPDATE authorizations SET state='used' WHERE authorization_id=?",
            (auth["authorization_id"],),
        )
        db.execute(
            "INSERT INTO transactions (pg_cno, mall_id, shop_order_no, pay_method, amount, "
            "status_code, approval) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                pg_cno,
                body["mallId"],
                body["shopOrderNo"],
                reported,
                amount,
                status,
                json.dumps(response, ensure_ascii=False),
            ),
        )
        db.execute(
            "UPDATE orders SET approvals = approvals + 1, pg_cno=? "
            "WHERE mall_id=? AND shop_order_no=?",
            (pg_cno, body["mallId"], body["shopOrderNo"]),
        )
        if not is_va:  # a virtual account is not paid yet: its noti is 30, on deposit (§8.1)
            noti = shapes.approval_noti(response, request)
            notis.append(self.notifier.queue(db, "10", body["shopOrderNo"], noti))
        return response

    # --- §6 revise -----------------------------------------------------------------------
    def revise(self, body: dict, *, fault=None) -> dict:
        """A cancel (40/32/33) or a refund (60/62/63, refunds.py). `fault`: a refund fault the
        views took for this call (refund_timeout, refund_bank_failure), applied inside."""
        notis: list[int] = []
        later: list[Callable[[], None]] = []
        try:
            validation.check_revise(body)
            mall_id = body["mallId"]
            secret = self._secret(mall_id)
            expected = revise_auth_value(secret, body["pgCno"], body["shopTransactionId"])
            if not signatures_match(expected, body["msgAuthValue"]):
                raise Refused(codes.BAD_SIGNATURE, "메시지 인증값(msgAuthValue) 오류")
            with self.store.write() as db:
                if body["cancelReqDate"] != kst.date_text(self.today(db)):
                    raise Refused(codes.DATE_NOT_TODAY, "cancelReqDate가 오늘(KST)이 아닙니다")
                day = self._claim_key(db, mall_id, body["shopTransactionId"], "revise")
                try:
                    response = self._revise(db, body, notis, fault=fault, later=later)
                except Refused as refused:
                    response = refused.response()
                pg_cno = response.get("oriPgCno")
                if response["resCd"] in codes.REFUND_IN_DOUBT:
                    pg_cno = body["pgCno"]
                self._store_key_result(
                    db, mall_id, body["shopTransactionId"], day, pg_cno, response
                )
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        self.notifier.dispatch(notis, self.noti_config)
        for action in later:  # after the commit: a timer must find the refund
            action()
        return response

    def _revise(self, db, body, notis, *, fault=None, later=None) -> dict:
        txn = db.execute(
            "SELECT * FROM transactions WHERE pg_cno=? AND mall_id=?",
            (body["pgCno"], body["mallId"]),
        ).fetchone()
        if txn is None:
            raise Refused(codes.UNKNOWN_PG_CNO, "원거래가 없습니다 (pgCno)")
        revise_type = body["reviseTypeCode"]
        if revise_type in methods.REFUND_CODES:
            return self._refund(db, body, txn, notis, fault=fault, later=later)
        # 40 full, 32 partial card, 33 partial transfer/mobile (§6.3). 41 does not exist;
        # escrow (61), manual capture (20) and cash receipts (51/52) are not modelled.
        if revise_type not in methods.CANCEL_CODES:
            raise Refused(codes.UNKNOWN_REVISE_TYPE, f"지원하지 않는 변경 구분: {revise_type}")
        method = txn["pay_method"]
        if method == methods.VIRTUAL_ACCOUNT and txn["deposit_pg_cno"]:
            # 40 closes an issued, unpaid account (§6.3); once paid, the money is refunded
            # to the buyer's bank account instead.
            raise Refused(
                codes.REVISE_NOT_ALLOWED,
                "입금된 가상계좌는 취소할 수 없습니다: 환불(60/62/63)로 처리하세요",
            )
        full = methods.takes_whole_balance(revise_type)
        if not full and revise_type != methods.partial_cancel_code(method):
            raise Refused(
                codes.REVISE_NOT_ALLOWED,
                f"{revise_type}은(는) 이 결제수단({method})의 부분취소가 아닙니다 "
                "(32 카드·간편결제, 33 계좌이체·휴대폰)",
            )
        cancel_amount, _ = self._amount_to_take(txn, body, full, what="취소")
        return self._record_cancel(db, body, txn, revise_type, cancel_amount, notis)

    def _amount_to_take(self, txn, body: dict, full: bool, *, what: str) -> tuple[int, int]:
        """(amount, remaining) of a cancel or refund KICC would accept (§6.1): the whole balance
        when `full`, else the body's amount, which must be > 0 and fit the balance; a
        remainAmount sent must be the balance. `what`: "취소" or "환불", for the messages."""
        remaining = txn["amount"] - txn["cancelled_amount"]
        if txn["status_code"] == "TS02" or remaining <= 0:
            raise Refused(codes.ALREADY_CANCELLED, f"{what}할 잔액이 없습니다")
        claimed = body.get("remainAmount")
        if claimed is not None and claimed != remaining:
            raise Refused(codes.REMAIN_AMOUNT_MISMATCH, f"취소 가능 잔액 불일치 (잔액 {remaining})")
        if full:
            return remaining, remaining
        amount = body.get("amount")
        if amount is None:
            raise Refused(codes.AMOUNT_REQUIRED, f"부분{what} 금액(amount)이 없습니다")
        if amount <= 0:
            raise Refused(codes.INVALID_VALUE, f"부분{what} 금액은 0보다 커야 합니다")
        if amount > remaining:
            raise Refused(codes.OVER_CANCEL, f"{what} 가능 금액 초과 (잔액 {remaining})")
        return amount, remaining

    def _record_cancel(self, db, body, txn, revise_type, cancel_amount, notis) -> dict:
        """Apply a cancel KICC accepted: the balance, TS06 or TS02, the answer and 노티 20."""
        remaining = txn["amount"] - txn["cancelled_amount"]
        remain_after = remaining - cancel_amount
        status = "TS02" if remain_after == 0 else "TS06"
        cancel_pg_cno = self._new_number(db, "transactions", "pg_cno")
        moment = kst.datetime_text(self.now(db))
        db.execute(
            "UPDATE transactions SET cancelled_amount = cancelled_amount + ?, status_code=? "
            "WHERE pg_cno=?",
            (cancel_amount, status, txn["pg_cno"]),
        )
        db.execute(
            "INSERT INTO cancels (cancel_pg_cno, pg_cno, revise_type, amount, remain_after, at, "
            "shop_transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                cancel_pg_cno,
                txn["pg_cno"],
                revise_type,
                cancel_amount,
                remain_after,
                moment,
                body["shopTransactionId"],
            ),
        )
        response = shapes.revise_response(
            body, txn, revise_type, cancel_pg_cno, cancel_amount, remain_after, status, moment
        )
        noti = shapes.cancel_noti(txn, cancel_pg_cno, cancel_amount, remain_after, status, moment)
        notis.append(self.notifier.queue(db, "20", txn["shop_order_no"], noti))
        return response

    # --- §7 retrieve ---------------------------------------------------------------------
    def retrieve(self, body: dict) -> dict:
        try:
            validation.check(body, validation.RETRIEVE)
            self._secret(body["mallId"])
            with self.store.read() as db:
                day = kst.parse_date_text(body["transactionDate"])
                today = self.today(db)
                if not today - timedelta(days=1) <= day <= today:
                    raise Refused(
                        codes.OUTSIDE_STATUS_WINDOW, "어제와 오늘의 거래만 조회할 수 있습니다"
                    )
                key = db.execute(
                    "SELECT * FROM idempotency_keys "
                    "WHERE mall_id=? AND shop_transaction_id=? AND day=?",
                    (body["mallId"], body["shopTransactionId"], body["transactionDate"]),
                ).fetchone()
                stored = json.loads(key["response"]) if key and key["response"] else None
                if stored and stored.get("resCd") in codes.REFUND_IN_DOUBT:
                    # A refund answered VTIM / VT00 was no refusal: the same answer again,
                    # its outcome is for refundQueryFlag "Y" to tell (§9).
                    return stored
                if not stored or stored.get("resCd") != codes.SUCCESS:
                    raise Refused(codes.NOT_FOUND, "조회 결과가 없습니다")
                status = db.execute(
                    "SELECT status_code FROM transactions WHERE pg_cno=?", (key["pg_cno"],)
                ).fetchone()["status_code"]
                refund = db.execute(
                    "SELECT state FROM cancels WHERE cancel_pg_cno=? AND revise_type IN (?, ?, ?)",
                    (stored.get("cancelPgCno"), *methods.REFUND_CODES),
                ).fetchone()
                if refund:  # a refund's key: that refund's own state, not the transaction's
                    status = STATE_STATUS[refund["state"]]
                reading = self.switch("retrieve_status", db)
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        stored.pop("msgAuthValue", None)  # §7: no signature on status answers
        if reading == "current":
            stored["statusCode"] = status
            stored["statusMessage"] = codes.STATUS_MESSAGES.get(status, "")
        return stored

    def retrieve_status(self) -> str:
        """Which reading of §7 the status answers follow now: "current" or "original"."""
        return self.switch("retrieve_status")

    def set_retrieve_status(self, reading: str) -> None:
        self._set_switch("retrieve_status", _reading(reading))

    def set_easy_pay_method_code(self, code: str) -> None:
        """ "11" or "60": how approvals report an easy-pay wallet payment from now on."""
        self._set_switch("easy_pay_method_code", _easy_pay_code(code))

    # --- operator action: a cancel made in KICC's merchant console (노티 20) --------------
    def console_cancel(self, shop_order_no: str, amount: int | None = None, mall_id=None) -> dict:
        """Cancel all (amount None) or part of an order's approval as a person would in KICC's
        console: the same rules as revise, a 노티 20, and no key of the shop's involved."""
        mall_id = mall_id or next(iter(self.malls))
        notis: list[int] = []
        with self.store.write() as db:
            txn = self._order_transaction(db, mall_id, shop_order_no)
            if txn is None:
                raise Refused(codes.UNKNOWN_PG_CNO, "원거래가 없습니다 (pgCno)")
            full = amount is None or amount == txn["amount"] - txn["cancelled_amount"]
            partial = methods.partial_cancel_code(txn["pay_method"]) or methods.FULL_CANCEL
            body = {
                "mallId": mall_id,
                "pgCno": txn["pg_cno"],
                "shopTransactionId": "console-" + shapes.digits(12),
                "reviseTypeCode": methods.FULL_CANCEL if full else partial,
            }
            if amount is not None and not full:  # not full: an amount was given
                body["amount"] = int(amount)
            response = self._revise(db, body, notis)
        self.notifier.dispatch(notis, self.noti_config)
        return response

    # --- operator actions: VA deposit (§8.1 noti 30/31) ----------------------------------
    def deposit(self, shop_order_no: str, mall_id: str | None = None) -> dict:
        return self._deposit_change(shop_order_no, mall_id, deposit=True)

    def cancel_deposit(self, shop_order_no: str, mall_id: str | None = None) -> dict:
        return self._deposit_change(shop_order_no, mall_id, deposit=False)

    def _deposit_change(self, shop_order_no, mall_id, *, deposit: bool) -> dict:
        mall_id = mall_id or next(iter(self.malls))
        with self.store.write() as db:
            txn = self._order_transaction(db, mall_id, shop_order_no)
            wanted = "TS07" if deposit else "TS08"
            if (
                txn is None
                or txn["pay_method"] != methods.VIRTUAL_ACCOUNT
                or txn["status_code"] != wanted
            ):
                raise Refused(codes.REVISE_NOT_ALLOWED, f"{wanted} 상태의 가상계좌가 아닙니다")
            moment = kst.datetime_text(self.now(db))
            if deposit:
                deposit_no = self._new_number(db, "transactions", "pg_cno")
                db.execute(
                    "UPDATE transactions SET status_code='TS08', deposit_pg_cno=? WHERE pg_cno=?",
                    (deposit_no, txn["pg_cno"]),
                )
            else:
                deposit_no = txn["deposit_pg_cno"]
                db.execute(
                    "UPDATE transactions SET status_code='TS07', deposit_pg_cno=NULL "
                    "WHERE pg_cno=?",
                    (txn["pg_cno"],),
                )
            noti_type = "30" if deposit else "31"
            body = shapes.deposit_noti(txn, noti_type, deposit_no, moment)
            noti = self.notifier.queue(db, noti_type, shop_order_no, body)
        self.notifier.dispatch([noti], self.noti_config)
        return {"resCd": codes.SUCCESS, "resMsg": "정상처리", "pgCno": deposit_no}

    def _order_transaction(self, db, mall_id, shop_order_no):
        return db.execute(
            "SELECT t.* FROM orders o JOIN transactions t ON t.pg_cno = o.pg_cno "
            "WHERE o.mall_id=? AND o.shop_order_no=?",
            (mall_id, shop_order_no),
        ).fetchone()

    # --- notis ---------------------------------------------------------------------------
    def noti_config(self, db=None) -> dict:
        """Where 노티 go and how they are retried: set over _control/, else the settings'."""
        if db is None:
            with self.store.read() as db:
                return self.noti_config(db)
        return {**self.noti_defaults, **get_config(db, "noti", {})}

    def set_noti_url(self, url, *, retry_seconds=None, max_retries=None, timeout=None) -> None:
        with self.store.write() as db:
            config = get_config(db, "noti", {})
            config["url"] = url
            for key, value in (
                ("retry_seconds", retry_seconds),
                ("max_retries", max_retries),
                ("timeout", timeout),
            ):
                if value is not None:
                    config[key] = value
            set_config(db, "noti", config)

    def resend_noti(self, shop_order_no: str, noti_type: str) -> None:
        """Send the latest noti of that type again, as KICC's admin "resend" does (§8.1)."""
        with self.store.write() as db:
            row = db.execute(
                "SELECT body FROM notis WHERE shop_order_no=? AND noti_type=? "
                "ORDER BY id DESC LIMIT 1",
                (shop_order_no, str(noti_type)),
            ).fetchone()
            if row is None:
                raise Refused(codes.NOT_FOUND, "보낸 노티가 없습니다")
            noti = self.notifier.queue(db, str(noti_type), shop_order_no, json.loads(row["body"]))
        self.notifier.dispatch([noti], self.noti_config)

    def notis(self) -> list[dict]:
        with self.store.read() as db:
            rows = db.execute(
                "SELECT a.*, n.noti_type, n.shop_order_no, n.body FROM noti_attempts a "
                "JOIN notis n ON n.id = a.noti_id ORDER BY a.id"
            ).fetchall()
        return [
            {
                "noti_id": row["noti_id"],
                "noti_type": row["noti_type"],
                "shop_order_no": row["shop_order_no"],
                "attempt": row["attempt"],
                "url": row["url"],
                "body": json.loads(row["body"]),
                "http_status": row["http_status"],
                "acked": bool(row["acked"]),
                "error": row["error"],
            }
            for row in rows
        ]

    # --- inspection ----------------------------------------------------------------------
    def ledger(self, shop_order_no: str, mall_id: str | None = None) -> dict | None:
        mall_id = mall_id or next(iter(self.malls))
        with self.store.read() as db:
            order = db.execute(
                "SELECT * FROM orders WHERE mall_id=? AND shop_order_no=?",
                (mall_id, shop_order_no),
            ).fetchone()
            if order is None:
                return None
            txn = self._order_transaction(db, mall_id, shop_order_no)
            cancels = db.execute(
                "SELECT cancel_pg_cno, revise_type, sub_type, amount, remain_after, state, "
                "timeout_code FROM cancels WHERE pg_cno=? ORDER BY at, rowid",
                (txn["pg_cno"] if txn else "",),
            ).fetchall()
        approved = txn["amount"] if txn else 0
        cancelled = txn["cancelled_amount"] if txn else 0
        return {
            "mall_id": mall_id,
            "shop_order_no": shop_order_no,
            "registered_amount": order["registered_amount"],
            "approved_amount": approved,
            "cancelled_amount": cancelled,
            "remaining_amount": approved - cancelled,
            "status_code": txn["status_code"] if txn else None,
            "pg_cno": order["pg_cno"],
            "pay_method": txn["pay_method"] if txn else None,
            "deposit_pg_cno": txn["deposit_pg_cno"] if txn else None,
            "approvals": order["approvals"],
            # Each cancel and refund: its number, code, amount, what was left, and its state
            # (done; a refund also requested, failed, or in_doubt after VTIM / VT00).
            "cancels": [dict(row) for row in cancels],
        }

    def log_request(self, endpoint, shop_order_no, body, http_status, response, fault) -> None:
        with self.store.write() as db:
            db.execute(
                "INSERT INTO request_log (at, endpoint, shop_order_no, body, http_status, "
                "response, fault) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    kst.datetime_text(self.now(db)),
                    endpoint,
                    shop_order_no,
                    json.dumps(body, ensure_ascii=False),
                    http_status,
                    json.dumps(response, ensure_ascii=False),
                    fault,
                ),
            )

    def requests(self, endpoint: str | None = None, shop_order_no: str | None = None) -> list:
        sql = "SELECT * FROM request_log WHERE 1=1"
        args: list[str] = []
        if endpoint:
            sql, args = sql + " AND endpoint=?", [*args, endpoint]
        if shop_order_no:
            sql, args = sql + " AND shop_order_no=?", [*args, shop_order_no]
        with self.store.read() as db:
            rows = db.execute(sql + " ORDER BY id", args).fetchall()
        return [
            {
                "at": row["at"],
                "endpoint": row["endpoint"],
                "shop_order_no": row["shop_order_no"],
                "body": json.loads(row["body"]),
                "http_status": row["http_status"],
                "response": json.loads(row["response"]),
                "fault": row["fault"],
            }
            for row in rows
        ]


def _reading(value: str) -> str:
    if value not in RETRIEVE_STATUS_READINGS:
        raise ValueError(
            f"RETRIEVE_STATUS must be one of {RETRIEVE_STATUS_READINGS}, not {value!r}"
        )
    return value


def _easy_pay_code(value: str) -> str:
    if value not in EASY_PAY_METHOD_CODES:
        raise ValueError(
            f"EASY_PAY_METHOD_CODE must be one of {EASY_PAY_METHOD_CODES}, not {value!r}"
        )
    return value
