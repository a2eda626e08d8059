"""The EasyPay (KICC) HTTP client: register, approve, revise (cancel), retrieve. HTTP only.

Takes plain values, returns typed results (easypay.results), knows no models. The same code
talks to KICC's test host, its production host and the local emulator: the base URL is
EASYPAY_API_URL and KICC's paths (§1) are appended to it, nothing is inferred from its text.

Every call ends in exactly one of: a result, RequestNotSent, Declined, OutcomeUnknown or
Untrusted (easypay.exceptions), each carrying `.call`, the CallRecord to persist. Bad arguments
raise InvalidRequest (a ValueError) before anything is sent.

Methods and what undoes them (which code, whether a refund) live in easypay.methods; a refund is
a revise() with a RefundAccount (§6.1, §6.3). A real-time refund KICC answers VTIM / VT00 (§9)
raises OutcomeUnknown with `.refund_query_needed`: ask again with refund_query=True.

Retries: only a failure to *connect* is retried — the request had not left the machine. Anything
later (read timeout, connection lost, 5xx) may have reached KICC, and re-sending it with the same
shopTransactionId earns a duplicate error while a new one can charge twice (§11 idempotency):
the caller recovers with retrieve() and the original key instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util.retry import Retry

from easypay import methods, signing
from easypay import validation as check
from easypay.exceptions import (
    Declined,
    EasyPayError,
    InvalidRequest,
    OutcomeUnknown,
    RequestNotSent,
    Untrusted,
)
from easypay.masking import mask_account_number, mask_body, text_head
from easypay.results import (
    ApprovalResult,
    CallRecord,
    MalformedResponse,
    RegisterResult,
    ReviseResult,
    is_revise_shape,
    parse_approval,
    parse_register,
    parse_revise,
)

logger = logging.getLogger("easypay.client")

# KICC's paths, the same on the test and production hosts (§1) and on the emulator.
PATHS = {
    "register": "/api/ep9/trades/webpay",
    "approve": "/api/ep9/trades/approval",
    "revise": "/api/trades/revise",
    "retrieve": "/api/trades/retrieveTransaction",
}

# Seconds. "connect" bounds the TCP/TLS connection (the only retried step); the others bound the
# wait for the answer. KICC asks for 30 s on approval and revise (§11.4): they can be slow.
DEFAULT_TIMEOUTS = {
    "connect": 5.0,
    "register": 10.0,
    "approve": 30.0,
    "revise": 30.0,
    "retrieve": 10.0,
}

SUCCESS = "0000"  # §2: any other resCd is a failure
# reviseTypeCode (§6.3); easypay.methods says which applies to which method.
FULL_CANCEL = methods.FULL_CANCEL
REVISE_TYPE_CODES = (*methods.CANCEL_CODES, *methods.REFUND_CODES)
PAY_METHOD_TYPE_CODES = (  # §10.1, no billing key
    methods.ANY,
    methods.CARD,
    methods.BANK_TRANSFER,
    methods.VIRTUAL_ACCOUNT,
    methods.MOBILE,
    methods.POINTS,
    methods.PREPAID,
    methods.EASY_PAY,
)
DEVICE_TYPE_CODES = ("pc", "mobile")  # lower case in every doc (§10.2)
LANG_FLAGS = ("KOR", "ENG", "JPN", "CHN")
SHOP_VALUE_BYTES = (64, 64, 32, 32, 64, 64, 64)  # shopValueInfo.value1..7 (§3.1)

_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}


@dataclass(frozen=True)
class RefundAccount:
    """The buyer's bank account a refund is paid into (refundInfo, §6.1).

    bank_code: KICC's 3-digit code (§10.3; easypay.methods.BANK_NAMES lists the usual ones);
    account_no: up to 14 digits (dashes and spaces are dropped); depositor_name: the holder,
    up to 50 bytes; deposit_pg_cno: only for a virtual account deposited more than once —
    which deposit to refund. Checked by revise() before anything is sent.
    """

    bank_code: str
    account_no: str
    depositor_name: str
    deposit_pg_cno: str = ""

    def __repr__(self) -> str:  # never the whole account number (logs, tracebacks)
        return (
            f"RefundAccount(bank_code={self.bank_code!r}, "
            f"account_no={mask_account_number(str(self.account_no))!r}, "
            f"depositor_name={self.depositor_name!r})"
        )

    def refund_info(self) -> dict:
        """The refundInfo object as it goes on the wire; InvalidRequest when a value is wrong."""
        return check.refund_info(
            bank_code=self.bank_code,
            account_no=self.account_no,
            depositor_name=self.depositor_name,
            deposit_pg_cno=self.deposit_pg_cno,
        )


def new_shop_transaction_id() -> str:
    """A fresh idempotency key (§11: unique per request, UUID recommended): 32 hex characters."""
    return uuid.uuid4().hex


def get_client() -> EasyPayClient:
    """A client configured from settings (EASYPAY_API_URL, _MALL_ID, _SECRET_KEY, _TIMEOUTS)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    names = ("EASYPAY_API_URL", "EASYPAY_MALL_ID", "EASYPAY_SECRET_KEY")
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        message = f"Set {', '.join(missing)} to use EasyPay (see .env.example and the README)."
        if "EASYPAY_API_URL" in missing and settings.DEBUG:
            message += (
                " In development an empty EASYPAY_API_URL means the emulator of the running dev "
                "server, which only runserver knows: elsewhere (a shell, a command) set it to "
                "that server's, e.g. EASYPAY_API_URL=http://127.0.0.1:8000/__easypay__"
            )
        raise ImproperlyConfigured(message)
    return EasyPayClient(
        base_url=settings.EASYPAY_API_URL,
        mall_id=settings.EASYPAY_MALL_ID,
        secret_key=settings.EASYPAY_SECRET_KEY,
        timeouts=getattr(settings, "EASYPAY_TIMEOUTS", None),
    )


def longest_call(
    timeouts: Mapping[str, float], endpoint: str, *, attempts: int = 3, pause: float = 0.2
) -> float:
    """Seconds a call can take at worst: every connect attempt timing out but the last, the
    pauses between them (0.2 s, 0.4 s, …), then the whole wait for the answer."""
    pauses = sum(pause * n for n in range(1, attempts))
    return attempts * timeouts["connect"] + pauses + timeouts[endpoint]


# A web request's deadline (time.monotonic), set by deadline(): no call starts that could
# outlast it. None outside a web request (reconcile, tasks, the shell): no deadline.
_deadline: ContextVar[float | None] = ContextVar("easypay_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float | None):
    """Inside this block, a call that could take longer than the time left is not sent: it
    fails as RequestNotSent, before anything leaves. A web server kills a worker that takes
    too long (gunicorn's timeout); a call cut off there — a void between KICC's answer and
    the database — is worse than one never started, whose work reconcile picks up."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def merge_timeouts(overrides: Mapping[str, float] | None) -> dict[str, float]:
    timeouts = dict(DEFAULT_TIMEOUTS)
    for name, seconds in (overrides or {}).items():
        if isinstance(seconds, str):  # from the environment: EASYPAY_TIMEOUTS="approve=40"
            with contextlib.suppress(ValueError):  # not a number: refused below, by name
                seconds = float(seconds)
        if name not in DEFAULT_TIMEOUTS:
            known = ", ".join(DEFAULT_TIMEOUTS)
            raise ValueError(f"Unknown EasyPay timeout {name!r}; known: {known}")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise ValueError(f"EasyPay timeout {name!r} must be a positive number of seconds")
        timeouts[name] = float(seconds)
    return timeouts


@dataclass
class _Exchange:
    """What happened on the wire, before it is judged."""

    endpoint: str
    shop_order_no: str | None
    shop_transaction_id: str | None
    request_body: dict
    started: float
    attempts: int = 0
    sent: bool = False
    http_status: int | None = None
    content: bytes = b""
    payload: dict | None = None  # the JSON object, once parsed


class EasyPayClient:
    def __init__(
        self,
        *,
        base_url: str,
        mall_id: str,
        secret_key: str,
        timeouts: Mapping[str, float] | None = None,
        session: requests.Session | None = None,
        connect_attempts: int = 3,
        connect_retry_pause: float = 0.2,
    ):
        if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if not secret_key:
            raise ValueError("secret_key is required: msgAuthValue cannot be checked without it")
        self.base_url = base_url.rstrip("/")
        self.mall_id = check.mall_id(mall_id)
        self._secret_key = secret_key
        self.timeouts = merge_timeouts(timeouts)
        # An injected session is used as given: it must not retry POSTs (requests' default).
        self._session = session
        self.connect_attempts = max(1, connect_attempts)
        self.connect_retry_pause = connect_retry_pause

    def __repr__(self) -> str:  # never the secret
        return f"EasyPayClient(base_url={self.base_url!r}, mall_id={self.mall_id!r})"

    def longest_call(self, endpoint: str) -> float:
        return longest_call(
            self.timeouts, endpoint, attempts=self.connect_attempts, pause=self.connect_retry_pause
        )

    # --------------------------------------------------------------------------
    # The four calls
    # --------------------------------------------------------------------------
    def register(
        self,
        *,
        shop_order_no: str,
        amount: int,
        goods_name: str,
        return_url: str,
        device_type_code: str,
        pay_method_type_code: str = "00",
        customer_name: str | None = None,
        customer_mail: str | None = None,
        customer_contact_no: str | None = None,
        shop_values: Sequence[str] = (),
        lang_flag: str | None = None,
        virtual_account_expiry: datetime | None = None,
    ) -> RegisterResult:
        """Register a transaction (§3); the customer then opens `result.auth_page_url`.

        pay_method_type_code: "00" lets the buyer choose in the window; "11" card, "21" bank
        transfer, "22" virtual account, "31" mobile, "60" easy-pay show only that one (§10.1).
        None of them needs more fields (§3.1). virtual_account_expiry: when an issued virtual
        account stops taking the deposit (an aware datetime in the future; only with "00" or
        "22"); without it KICC's default applies.
        """
        order_info: dict[str, Any] = {
            "goodsName": check.text("goods_name", goods_name, max_bytes=50)
        }
        customer = {}
        if customer_name is not None:
            customer["customerName"] = check.text("customer_name", customer_name, max_bytes=20)
        if customer_mail is not None:
            customer["customerMail"] = check.text("customer_mail", customer_mail, max_bytes=50)
        if customer_contact_no is not None:
            customer["customerContactNo"] = check.contact_no(customer_contact_no)
        if customer:
            order_info["customerInfo"] = customer
        body: dict[str, Any] = {
            "mallId": self.mall_id,
            "shopOrderNo": check.order_no(shop_order_no),
            "amount": check.amount("amount", amount),
            "payMethodTypeCode": check.choice(
                "pay_method_type_code", pay_method_type_code, PAY_METHOD_TYPE_CODES
            ),
            "currency": "00",  # KRW, the only currency (§10.2)
            "returnUrl": check.url("return_url", return_url, max_bytes=256),
            "deviceTypeCode": check.choice("device_type_code", device_type_code, DEVICE_TYPE_CODES),
            "clientTypeCode": "00",  # the integrated window (§3.1)
            "orderInfo": order_info,
        }
        if lang_flag is not None:
            body["langFlag"] = check.choice("lang_flag", lang_flag, LANG_FLAGS)
        if virtual_account_expiry is not None:
            if pay_method_type_code not in (methods.ANY, methods.VIRTUAL_ACCOUNT):
                raise InvalidRequest(
                    "virtual_account_expiry: only a virtual account (22) or the buyer's choice "
                    f"(00) has one, not {pay_method_type_code}"
                )
            day, time_of_day = check.expiry("virtual_account_expiry", virtual_account_expiry)
            body["payMethodInfo"] = {
                "virtualAccountMethodInfo": {"expiryDate": day, "expiryTime": time_of_day}
            }
        if shop_values:
            body["shopValueInfo"] = _shop_value_info(shop_values)

        exchange = self._post("register", body, shop_order_no=shop_order_no)
        payload = self._business_payload(exchange)
        try:
            result = parse_register(payload)
        except MalformedResponse as error:
            raise self._untrusted(exchange, "missing_field", str(error)) from None
        return self._succeeded(exchange, result)

    def approve(
        self,
        *,
        shop_transaction_id: str,
        authorization_id: str,
        shop_order_no: str,
        approval_req_date: Any,
        expected_amount: int,
    ) -> ApprovalResult:
        """Approve an authenticated payment (§5) and check the answer before believing it.

        approval_req_date: KST today (a date or yyyyMMdd), the same value persisted with the key.
        Untrusted unless msgAuthValue (§5.3), the shopOrderNo/shopTransactionId echoes and
        amount == expected_amount all hold; `error.result.pg_cno` then names what to cancel.
        """
        expected_amount = check.amount("expected_amount", expected_amount)
        body = {
            "mallId": self.mall_id,
            "shopTransactionId": check.key("shop_transaction_id", shop_transaction_id),
            "authorizationId": check.key("authorization_id", authorization_id),
            "shopOrderNo": check.order_no(shop_order_no),
            "approvalReqDate": check.kst_today("approval_req_date", approval_req_date),
        }
        exchange = self._post(
            "approve", body, shop_order_no=shop_order_no, shop_transaction_id=shop_transaction_id
        )
        payload = self._business_payload(exchange)
        try:
            result = parse_approval(payload)
        except MalformedResponse as error:
            raise self._untrusted(
                exchange, "missing_field", str(error), pg_cno=_pg_cno_hint(payload)
            ) from None

        expected_signature = signing.approval_auth_value(
            self._secret_key, result.pg_cno, result.amount, result.transaction_date
        )
        if not signing.signatures_match(expected_signature, payload.get("msgAuthValue")):
            raise self._untrusted(
                exchange, "bad_signature", "msgAuthValue does not match (§5.3)", result=result
            )
        self._check_echoes(exchange, result, shop_transaction_id, shop_order_no)
        if result.amount != expected_amount:
            raise self._untrusted(
                exchange,
                "amount_mismatch",
                f"approved amount {result.amount} is not the expected {expected_amount} (§11.2)",
                result=result,
            )
        return self._succeeded(exchange, result)

    def revise(
        self,
        *,
        shop_transaction_id: str,
        pg_cno: str,
        revise_type_code: str,
        cancel_req_date: Any,
        amount: int | None = None,
        remain_amount: int | None = None,
        message: str = "",
        client_ip: str | None = None,
        revise_sub_type_code: str | None = None,
        refund_account: RefundAccount | None = None,
        refund_query: bool = False,
        pay_method_type_code: str | None = None,
    ) -> ReviseResult:
        """Cancel or refund all or part of an approval (§6). One call, one new key.

        Cancels: 40 full; 32 partial for a card or easy-pay, 33 for a bank transfer or mobile
        (methods.partial_cancel_code). Refunds, for a deposited virtual account or a mobile
        payment (methods.refundable), need `refund_account`: 60 full / 62 partial deferred
        ("지결": answered RF01, paid out later — 노티 50 when done, 51 when the bank refused),
        63 real time (answered RF02) with revise_sub_type_code 10/20 full or 11/21 partial
        (methods.refund_codes builds the pair). Deferred refunds carry sub-type "RF01" (§6.3),
        filled in when not given.

        cancel_req_date: KST today, persisted with the key before the call (§6.1, §11.6).
        amount: required for a partial cancel or refund, refused for a full one (which takes the
        whole balance). remain_amount: the balance the shop believes is left *before* this
        call; KICC refuses the call when it disagrees (§6.1).
        pay_method_type_code: the approval's method, when the caller knows it: a code §6.3 does
        not allow for it (32 for a transfer, 33 or a refund for a card) is refused here.

        refund_query=True asks what became of a refund KICC answered VTIM / VT00 (§6.1
        refundQueryFlag "Y", §9) instead of refunding: send the same refund (type, sub-type,
        amount, account) again with a NEW shop_transaction_id — §6.1 and §11 make every revise
        call's key its own, and a reused one only earns a duplicate-request error — and
        refundQueryFlag tells KICC not to pay out twice. The answer is that refund's result
        (RF02 and its cancelPgCno), a Declined when KICC says it did not happen, or VTIM /
        VT00 again (OutcomeUnknown, refund_query_needed).
        """
        revise_type_code = check.choice("revise_type_code", revise_type_code, REVISE_TYPE_CODES)
        if pay_method_type_code is not None:
            allowed = methods.revise_codes_for(pay_method_type_code)
            if revise_type_code not in allowed:
                raise InvalidRequest(
                    f"revise_type_code: {revise_type_code} does not apply to a "
                    f"{methods.method_name(pay_method_type_code)} payment "
                    f"(payMethodTypeCode {pay_method_type_code}), which takes "
                    f"{', '.join(allowed)} (§6.3)"
                )
        body: dict[str, Any] = {
            "mallId": self.mall_id,
            "shopTransactionId": check.key("shop_transaction_id", shop_transaction_id),
            "pgCno": check.pg_cno(pg_cno),
            "reviseTypeCode": revise_type_code,
        }
        full = _revise_sub_type(body, revise_type_code, revise_sub_type_code)
        refund = revise_type_code in methods.REFUND_CODES
        if full:
            if amount is not None:
                raise InvalidRequest(
                    f"amount: {revise_type_code} takes the whole balance; pass no amount, or "
                    "use a partial code (32/33 cancel, 62 or 63 with 11/21 refund)"
                )
        else:
            if amount is None:
                raise InvalidRequest(
                    f"amount: a partial cancel or refund ({revise_type_code}) needs one"
                )
            body["amount"] = check.amount("amount", amount)
        if remain_amount is not None:
            body["remainAmount"] = check.amount("remain_amount", remain_amount, minimum=0)
            if amount is not None and amount > remain_amount:
                raise InvalidRequest(
                    f"amount: cannot cancel {amount} when only {remain_amount} remains"
                )
        body["cancelReqDate"] = check.kst_today("cancel_req_date", cancel_req_date)
        body["msgAuthValue"] = signing.revise_auth_value(
            self._secret_key, body["pgCno"], body["shopTransactionId"]
        )
        if message:
            body["reviseMessage"] = check.text("message", message, max_bytes=100)
        if client_ip:
            address = check.ip_address(client_ip)
            if address:
                body["clientIp"] = address
        if refund:
            if not isinstance(refund_account, RefundAccount):
                raise InvalidRequest(
                    f"refund_account: a refund ({revise_type_code}) needs the buyer's account, "
                    "a RefundAccount (refundInfo, §6.1)"
                )
            if refund_query:
                body["refundQueryFlag"] = "Y"
            body["refundInfo"] = refund_account.refund_info()
        elif refund_account is not None or refund_query:
            raise InvalidRequest(
                "refund_account / refund_query: only refunds (60, 62, 63) send refundInfo or "
                f"refundQueryFlag, not {revise_type_code}"
            )

        exchange = self._post("revise", body, shop_transaction_id=shop_transaction_id)
        payload = self._business_payload(exchange)
        try:
            result = parse_revise(payload)
        except MalformedResponse as error:
            raise self._untrusted(exchange, "missing_field", str(error)) from None
        if result.shop_transaction_id != shop_transaction_id:
            raise self._untrusted(
                exchange, "echo_mismatch", "shopTransactionId echo differs", result=result
            )
        if result.ori_pg_cno and result.ori_pg_cno != pg_cno:
            raise self._untrusted(
                exchange,
                "echo_mismatch",
                f"oriPgCno {result.ori_pg_cno} is not {pg_cno}",
                result=result,
            )
        if amount is not None and result.cancel_amount not in (None, amount):
            raise self._untrusted(
                exchange,
                "amount_mismatch",
                f"cancelled {result.cancel_amount}, asked for {amount}",
                result=result,
            )
        return self._succeeded(exchange, result)

    def retrieve(
        self, *, shop_transaction_id: str, transaction_date: Any
    ) -> ApprovalResult | ReviseResult:
        """Look up what an approve or revise call did, by its original key and date (§7).

        Answers in the original call's shape with the *current* statusCode, without msgAuthValue
        (§7): the caller compares the amount itself. Only yesterday and today (KST) can be asked.
        A Declined here usually means "no such request" — KICC gives no code for it (§14).
        """
        body = {
            "mallId": self.mall_id,
            "shopTransactionId": check.key("shop_transaction_id", shop_transaction_id),
            "transactionDate": check.kst_yesterday_or_today("transaction_date", transaction_date),
        }
        exchange = self._post("retrieve", body, shop_transaction_id=shop_transaction_id)
        payload = self._business_payload(exchange)
        try:
            result = parse_revise(payload) if is_revise_shape(payload) else parse_approval(payload)
        except MalformedResponse as error:
            raise self._untrusted(
                exchange, "missing_field", str(error), pg_cno=_pg_cno_hint(payload)
            ) from None
        echoed = result.shop_transaction_id
        if echoed and echoed != shop_transaction_id:
            raise self._untrusted(
                exchange, "echo_mismatch", "shopTransactionId echo differs", result=result
            )
        if isinstance(result, ApprovalResult) and result.mall_id not in ("", self.mall_id):
            raise self._untrusted(exchange, "echo_mismatch", "mallId echo differs", result=result)
        return self._succeeded(exchange, result)

    # --------------------------------------------------------------------------
    # Transport
    # --------------------------------------------------------------------------
    def _post(
        self,
        endpoint: str,
        body: dict,
        *,
        shop_order_no: str | None = None,
        shop_transaction_id: str | None = None,
    ) -> _Exchange:
        exchange = _Exchange(
            endpoint=endpoint,
            shop_order_no=shop_order_no,
            shop_transaction_id=shop_transaction_id,
            request_body=body,
            started=time.monotonic(),
        )
        limit = _deadline.get()
        longest = self.longest_call(endpoint)
        if limit is not None and time.monotonic() + longest > limit:
            raise self._failed(
                RequestNotSent,
                exchange,
                f"not sent: {endpoint} can take {longest:.0f} s and only "
                f"{max(limit - time.monotonic(), 0):.0f} s are left of this request's budget "
                "(EASYPAY_REQUEST_BUDGET)",
            )
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        timeout = (self.timeouts["connect"], self.timeouts[endpoint])
        session = self._session or _new_session()
        try:
            while True:
                exchange.attempts += 1
                try:
                    response = session.post(
                        self.base_url + PATHS[endpoint],
                        data=data,
                        headers=_HEADERS,
                        timeout=timeout,
                        allow_redirects=False,  # a redirected POST would become a GET elsewhere
                    )
                except Exception as error:  # every failure must be classified, none escape
                    if not _never_left(error):
                        exchange.sent = True
                        raise self._failed(
                            OutcomeUnknown,
                            exchange,
                            f"no answer after sending: {_describe(error)}",
                        ) from error
                    if exchange.attempts >= self.connect_attempts:
                        raise self._failed(
                            RequestNotSent,
                            exchange,
                            f"could not connect after {exchange.attempts} attempts: "
                            f"{_describe(error)}",
                        ) from error
                    time.sleep(self.connect_retry_pause * exchange.attempts)
                    continue
                exchange.sent = True
                exchange.http_status = response.status_code
                exchange.content = response.content
                return exchange
        finally:
            if session is not self._session:
                session.close()

    def _business_payload(self, exchange: _Exchange) -> dict:
        """The answer's JSON object with resCd "0000", or the right failure."""
        if exchange.http_status != 200:
            # resCd is only promised with 200 (§2). A 5xx (or a proxy's 4xx / 3xx) may come after
            # KICC acted, so it is not a decline: the outcome is unknown until retrieve says.
            raise self._failed(OutcomeUnknown, exchange, f"HTTP {exchange.http_status}")
        try:
            payload = json.loads(exchange.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise self._untrusted(exchange, "unparsable", "the answer is not JSON") from None
        if not isinstance(payload, dict):
            raise self._untrusted(exchange, "unparsable", "the answer is not a JSON object")
        exchange.payload = payload
        res_cd = payload.get("resCd")
        if not isinstance(res_cd, str) or not res_cd:
            raise self._untrusted(exchange, "missing_field", "resCd is missing")
        res_msg = payload.get("resMsg") if isinstance(payload.get("resMsg"), str) else ""
        if res_cd in methods.REFUND_IN_DOUBT_CODES:
            # §9: the bank did not answer KICC in time — the refund may or may not be paid
            # out. Not a no: a second refund could pay twice. Ask with refundQueryFlag "Y".
            raise self._failed(
                OutcomeUnknown,
                exchange,
                f"refund in doubt: {res_cd} {res_msg}".strip()
                + ' — ask again with refundQueryFlag "Y" (revise(refund_query=True))',
                res_cd=res_cd,
                res_msg=res_msg,
                refund_query_needed=True,
            )
        if res_cd != SUCCESS:
            raise self._failed(
                Declined,
                exchange,
                f"declined: {res_cd} {res_msg}".strip(),
                res_cd=res_cd,
                res_msg=res_msg,
            )
        return payload

    def _check_echoes(
        self, exchange: _Exchange, result: ApprovalResult, shop_transaction_id: str, order_no: str
    ) -> None:
        for name, echoed, sent in (
            ("shopTransactionId", result.shop_transaction_id, shop_transaction_id),
            ("shopOrderNo", result.shop_order_no, order_no),
        ):
            if echoed != sent:
                raise self._untrusted(
                    exchange,
                    "echo_mismatch",
                    f"{name} echo {echoed!r} is not {sent!r}",
                    result=result,
                )
        if result.mall_id not in ("", self.mall_id):
            raise self._untrusted(
                exchange, "echo_mismatch", f"mallId echo {result.mall_id!r}", result=result
            )

    # --------------------------------------------------------------------------
    # Records and the log line
    # --------------------------------------------------------------------------
    def _record(self, exchange: _Exchange, outcome: str, error: str = "") -> CallRecord:
        payload = exchange.payload
        if payload is not None:
            response_body: dict | str | None = mask_body(payload)
        elif exchange.content:
            response_body = text_head(exchange.content.decode("utf-8", errors="replace"))
        else:
            response_body = None
        res_cd = payload.get("resCd") if payload else None
        res_msg = payload.get("resMsg") if payload else None
        record = CallRecord(
            endpoint=exchange.endpoint,
            shop_order_no=exchange.shop_order_no,
            shop_transaction_id=exchange.shop_transaction_id,
            request_body=mask_body(exchange.request_body),
            response_body=response_body,
            http_status=exchange.http_status,
            res_cd=res_cd if isinstance(res_cd, str) else None,
            res_msg=res_msg if isinstance(res_msg, str) else None,
            latency_ms=round((time.monotonic() - exchange.started) * 1000),
            sent=exchange.sent,
            attempts=exchange.attempts,
            outcome=outcome,
            error=error,
        )
        _log(record)
        return record

    def _succeeded(self, exchange: _Exchange, result):
        return replace(result, call=self._record(exchange, "ok"))

    def _failed(
        self, kind: type[EasyPayError], exchange: _Exchange, message: str, **extra: Any
    ) -> EasyPayError:
        call = self._record(exchange, kind.kind, message)
        return kind(f"EasyPay {exchange.endpoint}: {message}", call=call, **extra)

    def _untrusted(
        self,
        exchange: _Exchange,
        reason: str,
        message: str,
        *,
        result: ApprovalResult | ReviseResult | None = None,
        pg_cno: str = "",
    ) -> Untrusted:
        call = self._record(exchange, Untrusted.kind, f"{reason}: {message}")
        return Untrusted(
            f"EasyPay {exchange.endpoint}: untrusted answer ({reason}): {message}",
            call=call,
            reason=reason,
            result=result,
            pg_cno=pg_cno,
        )


def _new_session() -> requests.Session:
    """A session for one call: a fresh connection each time.

    A pooled keep-alive connection that the server closed while idle fails *after* the request
    was written, which would turn a harmless hiccup into an unknown outcome for an approval.
    """
    session = requests.Session()
    # No retries of any kind by the transport: connect retries are done (and counted) above.
    adapter = HTTPAdapter(max_retries=Retry(total=0, read=False, redirect=False))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _never_left(error: BaseException) -> bool:
    """True only when connecting failed, so no byte of the request was sent.

    requests wraps urllib3's MaxRetryError whose reason is a ConnectTimeoutError — the base of
    NewConnectionError (refused, unreachable, DNS) — for exactly that case. Everything else,
    including TLS and proxy errors, may have happened after sending: not proven unsent.
    """
    if not isinstance(error, requests.ConnectionError) or isinstance(
        error, requests.exceptions.SSLError | requests.exceptions.ProxyError
    ):
        return False
    cause = error.args[0] if error.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, ConnectTimeoutError)


def _describe(error: BaseException) -> str:
    if isinstance(error, requests.ConnectTimeout):
        return "connect timeout"
    if isinstance(error, requests.ReadTimeout):
        return "read timeout"
    if _never_left(error):
        return "connection refused or unreachable"
    if isinstance(error, requests.ConnectionError):
        return "connection lost"
    return type(error).__name__


def _revise_sub_type(body: dict, revise_type_code: str, sub_type: str | None) -> bool:
    """Put reviseSubTypeCode into `body` where the code takes one (§6.3); True when the call
    takes the whole balance (and so no amount)."""
    if revise_type_code == methods.REAL_TIME_REFUND:
        body["reviseSubTypeCode"] = check.choice(
            "revise_sub_type_code", sub_type, methods.REAL_TIME_SUB_TYPES.values()
        )
    elif revise_type_code in methods.REFUND_CODES:
        body["reviseSubTypeCode"] = check.choice(
            "revise_sub_type_code",
            methods.DEFERRED_REFUND_SUB_TYPE if sub_type is None else sub_type,
            (methods.DEFERRED_REFUND_SUB_TYPE,),
        )
    elif sub_type is not None:
        raise InvalidRequest(
            f"revise_sub_type_code: only refunds (60, 62, 63) take one, not {revise_type_code}"
        )
    return methods.takes_whole_balance(revise_type_code, sub_type)


def _shop_value_info(values: Sequence[str]) -> dict[str, str]:
    if isinstance(values, str) or len(values) > len(SHOP_VALUE_BYTES):
        raise InvalidRequest("shop_values: a sequence of up to 7 strings (shopValue1..7, §3.1)")
    return {
        f"value{number}": check.text(
            f"shop_values[{number - 1}]", value, max_bytes=limit, required=False
        )
        for number, (value, limit) in enumerate(
            zip(values, SHOP_VALUE_BYTES, strict=False), start=1
        )
    }


def _pg_cno_hint(payload: Mapping[str, Any]) -> str:
    """pgCno from an answer that failed to parse: enough to cancel what may have been approved."""
    value = payload.get("pgCno")
    return value if isinstance(value, str) else ""


def _log(call: CallRecord) -> None:
    """One structured line per call. Bodies never go to the log: they live in the CallRecord."""
    fields = {
        "endpoint": call.endpoint,
        "outcome": call.outcome,
        "shopOrderNo": call.shop_order_no,
        "shopTransactionId": call.shop_transaction_id,
        "resCd": call.res_cd,
        "http": call.http_status,
        "latency_ms": call.latency_ms,
        "attempts": call.attempts,
        "sent": call.sent,
    }
    level = logging.INFO if call.outcome in ("ok", "declined") else logging.WARNING
    text = " ".join(f"{name}={value}" for name, value in fields.items() if value is not None)
    if call.error:
        text += f" error={call.error!r}"
    logger.log(level, "easypay call %s", text, extra={"easypay": fields})
