"""The emulator's business rules: what KICC would answer, and the state behind it.

Every public method is one serialised SQLite transaction (store.py). Responses are plain
dicts in KICC's shapes (easypay-api.md §3.2, §5.2, §6.2, §7); faults are applied by the
views, around these methods (faults.py). Failure codes come from codes.py.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings

from easypay import kst
from easypay.signing import approval_auth_value, revise_auth_value, signatures_match

from . import codes, shapes, validation
from .notis import Notifier
from .store import Store, get_config, set_config

# The shared KICC test mall and its key (easypay-api.md §12): what the emulator signs with
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
}
RETRIEVE_STATUS_READINGS = ("current", "original")


class Refused(Exception):
    """A business failure: answered with HTTP 200 and a non-"0000" resCd (§2)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def response(self) -> dict:
        return {"resCd": self.code, "resMsg": self.message}


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


class Emulator:
    def __init__(
        self, database, malls: dict[str, str], noti_defaults: dict, retrieve_status="current"
    ):
        self.store = Store(database)
        self.malls = dict(malls)
        self.noti_defaults = noti_defaults
        self.default_retrieve_status = _reading(retrieve_status)
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
        )

    # --- clock ---------------------------------------------------------------------------
    def now(self, db=None) -> datetime:
        """KST now, shifted by advance_days (to test the yesterday/today rules, §7)."""
        if db is None:
            with self.store.read() as db:
                return self.now(db)
        return kst.now() + timedelta(days=get_config(db, "day_offset", 0))

    def today(self, db=None) -> date:
        return self.now(db).date()

    def advance_days(self, days: int) -> None:
        with self.store.write() as db:
            set_config(db, "day_offset", get_config(db, "day_offset", 0) + days)

    def reset(self) -> None:
        self.store.reset()

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
        return {
            "authorization_id": authorization_id,
            "mall_id": row["mall_id"],
            "mall_name": request.get("mallName", ""),
            "shop_order_no": row["shop_order_no"],
            "amount": row["amount"],
            "goods_name": request["orderInfo"]["goodsName"],
            "pay_method": request["payMethodTypeCode"],
            "state": row["state"],
            "return_url": request["returnUrl"],
        }

    def authenticate(
        self, authorization_id: str, outcome: str = "approve", *, decline_code: str = "8521"
    ) -> ReturnPost:
        """What the window's buttons do (§4): returns the form it POSTs to returnUrl."""
        outcomes = {"approve", "approve_va", "decline", "user_cancel", "window_error"}
        if outcome not in outcomes:
            raise ValueError(f"outcome must be one of {sorted(outcomes)}")
        if outcome == "decline" and decline_code not in codes.DECLINES:
            raise ValueError(f"decline_code must be one of {sorted(codes.DECLINES)}")
        with self.store.write() as db:
            row = db.execute(
                "SELECT * FROM authorizations WHERE authorization_id=?", (authorization_id,)
            ).fetchone()
            if row is None:
                raise LookupError(f"unknown authorizationId {authorization_id}")
            request = json.loads(row["request"])
            method = {"approve": "11", "approve_va": "22"}.get(outcome)
            if row["state"] != "issued":
                code, message = codes.WINDOW_ALREADY_USED, codes.INVENTED[codes.WINDOW_ALREADY_USED]
            elif method and request["payMethodTypeCode"] not in ("00", method):
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
                state = "authenticated" if code == codes.SUCCESS else "failed"
                db.execute(
                    "UPDATE authorizations SET state=?, method=? WHERE authorization_id=?",
                    (state, method if code == codes.SUCCESS else None, authorization_id),
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
        notis = []
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
        self.notifier.dispatch(notis, self.noti_config())
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
        is_card = auth["method"] == "11"
        status = "TS03" if is_card else "TS07"
        response = {
            "resCd": codes.SUCCESS,
            "resMsg": "MPI결제 정상" if is_card else "정상처리",
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
            "paymentInfo": shapes.payment_info(auth["method"], moment, request, self.now(db)),
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
                auth["method"],
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
        if is_card:  # a virtual account is not paid yet: its noti is 30, on deposit (§8.1)
            noti = shapes.approval_noti(response, request)
            notis.append(self.notifier.queue(db, "10", body["shopOrderNo"], noti))
        return response

    # --- §6 revise -----------------------------------------------------------------------
    def revise(self, body: dict) -> dict:
        notis = []
        try:
            validation.check(body, validation.REVISE)
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
                    response = self._revise(db, body, notis)
                except Refused as refused:
                    response = refused.response()
                self._store_key_result(
                    db, mall_id, body["shopTransactionId"], day, response.get("oriPgCno"), response
                )
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        self.notifier.dispatch(notis, self.noti_config())
        return response

    def _revise(self, db, body, notis) -> dict:
        txn = db.execute(
            "SELECT * FROM transactions WHERE pg_cno=? AND mall_id=?",
            (body["pgCno"], body["mallId"]),
        ).fetchone()
        if txn is None:
            raise Refused(codes.UNKNOWN_PG_CNO, "원거래가 없습니다 (pgCno)")
        revise_type = body["reviseTypeCode"]
        # 40 full, 32 partial card, 33 partial transfer/mobile (§6.3). 41 does not exist;
        # refunds (60/62/63), escrow (61) and manual capture (20) are not modelled.
        if revise_type not in ("40", "32", "33"):
            raise Refused(codes.UNKNOWN_REVISE_TYPE, f"지원하지 않는 변경 구분: {revise_type}")
        if txn["status_code"] == "TS02":
            raise Refused(codes.ALREADY_CANCELLED, "이미 취소된 거래입니다")
        remaining = txn["amount"] - txn["cancelled_amount"]
        claimed = body.get("remainAmount")
        if claimed is not None and claimed != remaining:
            raise Refused(codes.REMAIN_AMOUNT_MISMATCH, f"취소 가능 잔액 불일치 (잔액 {remaining})")
        if revise_type == "40":
            cancel_amount = remaining
        else:
            if body.get("amount") is None:
                raise Refused(codes.AMOUNT_REQUIRED, "부분취소 금액(amount)이 없습니다")
            if revise_type == "32" and txn["pay_method"] != "11":
                raise Refused(
                    codes.REVISE_NOT_ALLOWED, "32(카드 부분취소)는 카드 거래에만 가능합니다"
                )
            if revise_type == "33":
                raise Refused(
                    codes.REVISE_NOT_ALLOWED, "33(계좌이체/휴대폰 부분취소) 거래가 아닙니다"
                )
            cancel_amount = body["amount"]
            if cancel_amount <= 0:
                raise Refused(codes.INVALID_VALUE, "부분취소 금액은 0보다 커야 합니다")
            if cancel_amount > remaining:
                raise Refused(codes.OVER_CANCEL, f"취소 가능 금액 초과 (잔액 {remaining})")
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
            "INSERT INTO cancels (cancel_pg_cno, pg_cno, revise_type, amount, remain_after, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (cancel_pg_cno, txn["pg_cno"], revise_type, cancel_amount, remain_after, moment),
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
                if not stored or stored.get("resCd") != codes.SUCCESS:
                    raise Refused(codes.NOT_FOUND, "조회 결과가 없습니다")
                txn = db.execute(
                    "SELECT status_code FROM transactions WHERE pg_cno=?", (key["pg_cno"],)
                ).fetchone()
        except (validation.Invalid, Refused) as error:
            return {"resCd": error.code, "resMsg": error.message}
        stored.pop("msgAuthValue", None)  # §7: no signature on status answers
        if self.retrieve_status() == "current":
            stored["statusCode"] = txn["status_code"]
            stored["statusMessage"] = codes.STATUS_MESSAGES[txn["status_code"]]
        return stored

    def retrieve_status(self) -> str:
        """Which reading of §7 the status answers follow now: "current" or "original"."""
        with self.store.read() as db:
            return get_config(db, "retrieve_status", self.default_retrieve_status)

    def set_retrieve_status(self, reading: str) -> None:
        with self.store.write() as db:
            set_config(db, "retrieve_status", _reading(reading))

    # --- operator action: a cancel made in KICC's merchant console (노티 20) --------------
    def console_cancel(self, shop_order_no: str, amount: int | None = None, mall_id=None) -> dict:
        """Cancel all (amount None) or part of an order's approval as a person would in KICC's
        console: the same rules as revise, a 노티 20, and no key of the shop's involved."""
        mall_id = mall_id or next(iter(self.malls))
        notis = []
        with self.store.write() as db:
            txn = self._order_transaction(db, mall_id, shop_order_no)
            if txn is None:
                raise Refused(codes.UNKNOWN_PG_CNO, "원거래가 없습니다 (pgCno)")
            full = amount is None or amount == txn["amount"] - txn["cancelled_amount"]
            body = {
                "mallId": mall_id,
                "pgCno": txn["pg_cno"],
                "shopTransactionId": "console-" + shapes.digits(12),
                "reviseTypeCode": "40" if full else ("32" if txn["pay_method"] == "11" else "33"),
            }
            if not full:
                body["amount"] = int(amount)
            response = self._revise(db, body, notis)
        self.notifier.dispatch(notis, self.noti_config())
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
            if txn is None or txn["pay_method"] != "22" or txn["status_code"] != wanted:
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
        self.notifier.dispatch([noti], self.noti_config())
        return {"resCd": codes.SUCCESS, "resMsg": "정상처리", "pgCno": deposit_no}

    def _order_transaction(self, db, mall_id, shop_order_no):
        return db.execute(
            "SELECT t.* FROM orders o JOIN transactions t ON t.pg_cno = o.pg_cno "
            "WHERE o.mall_id=? AND o.shop_order_no=?",
            (mall_id, shop_order_no),
        ).fetchone()

    # --- notis ---------------------------------------------------------------------------
    def noti_config(self) -> dict:
        with self.store.read() as db:
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
        self.notifier.dispatch([noti], self.noti_config())

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
                "SELECT cancel_pg_cno, revise_type, amount, remain_after FROM cancels "
                "WHERE pg_cno=? ORDER BY at, rowid",
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
            "cancels": [dict(row) for row in cancels],  # each cancel: its number and amount
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
        sql, args = "SELECT * FROM request_log WHERE 1=1", []
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
