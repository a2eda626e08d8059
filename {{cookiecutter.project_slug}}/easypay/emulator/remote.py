"""Drive a standalone emulator from anywhere, over HTTP: its `_control/…` endpoints as methods.

The pytest fixture (easypay/testing.py) controls the emulator in its own process; a load test,
a chaos run or a script talks to one started by `manage.py easypay_emulator --port …` (or
served by gunicorn), so it goes through the operator endpoints (README.md, "Operator
endpoints") instead. The methods have the fixture's names, arguments and return values (a
test compares their signatures), so code written against one works with the other:

    from easypay.emulator.remote import RemoteEmulator

    emulator = RemoteEmulator("http://127.0.0.1:9100")
    emulator.set_noti_url("http://127.0.0.1:8000/payments/easypay/noti/", retry_seconds=1)
    emulator.inject_fault("drop_after_commit", endpoint="approve", count=3)
    emulator.inject_fault("http_502", shop_order_no="ORD-7", commit=True)
    emulator.ledger("ORD-7")           # None for an order it never saw
    emulator.authenticate(authorization_id, "decline", decline_code="8035")  # a ReturnPost
    emulator.authenticate(authorization_id, "approve_mobile", provider="KTF")
    emulator.deposit("ORD-8"); emulator.advance_days(1); emulator.notis()
    emulator.inject_fault("refund_timeout", shop_order_no="ORD-8", code="VT00", commit=False)
    emulator.complete_refund("ORD-8", outcome="bank_failure")  # a deferred refund: 노티 51

A refusal by the emulator (unknown fault kind, unknown order…) raises RemoteEmulatorError with
the emulator's own message; a transport failure raises the requests library's exception. One instance keeps
one keep-alive connection (requests.Session): use one per thread.
"""

import time

# from-imports: the class has a method named `requests` (the fixture's name for the log).
from requests import Response, Session

from .engine import TEST_MALL_ID, TEST_SECRET_KEY, ReturnPost

__all__ = ["NotiWaiting", "RemoteEmulator", "RemoteEmulatorError"]


class NotiWaiting:
    """wait_for_notis over notis(): shared by RemoteEmulator and the pytest fixture's handle
    (easypay.testing.EmulatorHandle)."""

    def notis(self) -> list[dict]:
        raise NotImplementedError

    def wait_for_notis(self, count=1, *, acked=None, timeout=5.0) -> list[dict]:
        """Poll until `count` attempts (only acked ones if acked=True) were recorded; returns
        what there is when `timeout` runs out."""
        deadline = time.monotonic() + timeout
        while True:
            attempts = [n for n in self.notis() if acked is None or n["acked"] == acked]
            if len(attempts) >= count or time.monotonic() > deadline:
                return attempts
            time.sleep(0.05)


class RemoteEmulatorError(Exception):
    """The emulator answered a control request with an error (HTTP 4xx, JSON {"error": …})."""

    def __init__(self, path: str, status: int, answer: dict):
        self.path = path
        self.status = status
        self.answer = answer
        super().__init__(f"_control/{path}: HTTP {status}: {answer.get('error', answer)}")


class RemoteEmulator(NotiWaiting):
    """The operator endpoints of the emulator whose base URL (its EASYPAY_API_URL) is `api_url`."""

    def __init__(
        self,
        api_url: str,
        *,
        mall_id: str = TEST_MALL_ID,
        secret_key: str = TEST_SECRET_KEY,
        timeout: float = 10.0,
        session: Session | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self.mall_id = mall_id  # what the shop must be configured with to pay through it
        self.secret_key = secret_key
        self.timeout = timeout
        self.session = session or Session()

    def __repr__(self) -> str:
        return f"RemoteEmulator({self.api_url!r})"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every order, fault, request and noti; stop pending noti retries."""
        self._post("reset")

    def advance_days(self, n: int = 1) -> str:
        """Move the emulator's KST clock `n` days on; returns its new today (yyyyMMdd)."""
        return self._post("advance-days", {"days": n})["today"]

    def set_retrieve_status(self, reading: str) -> None:
        """ "current" or "original": which status a status answer carries (§7 leaves it open)."""
        self._post("retrieve-status", {"reading": reading})

    def set_easy_pay_method_code(self, code: str) -> None:
        """ "11" (default) or "60": how an easy-pay approval reports its payMethodTypeCode."""
        self._post("easy-pay-method-code", {"code": code})

    def set_refund_delay(self, seconds) -> None:
        """Deferred refunds (60/62) complete by themselves after `seconds` (None: only by
        complete_refund)."""
        self._post("refund-delay", {"seconds": seconds})

    def set_auto_void(self, on: bool) -> None:
        """The test host's 23:00 void of easy-pay and mobile transactions (off by default)."""
        self._post("test-host", {"auto_void": bool(on)})

    # --- faults and the window ------------------------------------------------------------
    def inject_fault(self, kind, *, count=1, shop_order_no=None, endpoint=None, **params) -> None:
        """kind: delay (seconds=…), drop_after_commit, http_500, http_502, http_504, html_error,
        malformed_json, amount_mismatch (amount=…), bad_signature; commit=True/False where the
        emulator's README allows. Refunds: refund_timeout (code="VTIM"|"VT00", commit=paid out
        or not, unknown_queries=n), refund_bank_failure. For one order (shop_order_no) or the
        next `count` calls, optionally of one endpoint (register, approve, revise, retrieve)."""
        self._post(
            "faults",
            {
                "kind": kind,
                "count": count,
                "params": params,
                "shop_order_no": shop_order_no,
                "endpoint": endpoint,
            },
        )

    def authenticate(
        self, authorization_id, outcome="approve", *, decline_code="8521", provider=None
    ) -> ReturnPost:
        """Press a window button without opening the window: approve (card) |
        approve_transfer | approve_va | approve_mobile | approve_easypay | decline |
        user_cancel | window_error; provider: the bank code, carrier (SKT/KTF/LGT) or wallet
        (KKO, NPAY, TOS, …) picked. Returns the ReturnPost (.url, .fields) the window would
        form-POST to the shop's returnUrl (delivering it is the caller's job)."""
        answer = self._post(
            "authenticate",
            {
                "authorization_id": authorization_id,
                "outcome": outcome,
                "decline_code": decline_code,
                "provider": provider,
            },
        )
        return ReturnPost(url=answer["url"], fields=answer["fields"])

    # --- virtual accounts -----------------------------------------------------------------
    def deposit(self, shop_order_no) -> dict:
        """The buyer pays into the order's virtual account (노티 30)."""
        return self._post("deposit", {"shop_order_no": shop_order_no, "mall_id": self.mall_id})

    def cancel_deposit(self, shop_order_no) -> dict:
        """The bank cancels that deposit (노티 31)."""
        return self._post(
            "deposit-cancel", {"shop_order_no": shop_order_no, "mall_id": self.mall_id}
        )

    # --- KICC's merchant console ---------------------------------------------------------
    def console_cancel(self, shop_order_no, amount=None) -> dict:
        """Cancel all (None) or part of an order as a person in KICC's console: 노티 20."""
        return self._post(
            "console-cancel",
            {"shop_order_no": shop_order_no, "amount": amount, "mall_id": self.mall_id},
        )

    # --- refunds --------------------------------------------------------------------------
    def complete_refund(self, shop_order_no=None, *, cancel_pg_cno=None, outcome=None) -> dict:
        """The bank pays the order's oldest waiting deferred refund out ("done": RF02, 노티 50)
        or refuses it ("bank_failure": RF03, 노티 51); None: as a refund_bank_failure fault
        chose. Or name the refund by its cancel_pg_cno."""
        return self._post(
            "refund-complete",
            {
                "shop_order_no": shop_order_no,
                "cancel_pg_cno": cancel_pg_cno,
                "outcome": outcome,
                "mall_id": self.mall_id,
            },
        )

    # --- 노티 -------------------------------------------------------------------------------
    def set_noti_url(self, url, *, retry_seconds=None, max_retries=None, timeout=None) -> dict:
        """Where 노티 go ("" = recorded, not sent) and how they are retried; None keeps the
        current value. Returns the emulator's noti configuration."""
        return self._post(
            "noti-url",
            {
                "url": url,
                "retry_seconds": retry_seconds,
                "max_retries": max_retries,
                "timeout": timeout,
            },
        )

    def notis(self) -> list[dict]:
        """Every noti delivery attempt: noti_type, body, http_status, acked, attempt, error."""
        return self._get("notis")["notis"]

    def resend_noti(self, shop_order_no, noti_type) -> None:
        """Send the order's latest noti of that type again (a duplicate, as KICC may send)."""
        self._post("resend-noti", {"shop_order_no": shop_order_no, "noti_type": str(noti_type)})

    # --- inspection -----------------------------------------------------------------------
    def ledger(self, shop_order_no) -> dict | None:
        """The order's money and status (registered/approved/cancelled/remaining amounts,
        status_code, pg_cno, approvals…), or None when the emulator never saw the order."""
        try:
            return self._get(f"ledger/{shop_order_no}", mallId=self.mall_id)
        except RemoteEmulatorError as error:
            if error.status == 404:  # the emulator never saw the order
                return None
            raise

    def requests(self, endpoint=None, shop_order_no=None) -> list[dict]:
        """The API request log with the answers, oldest first, optionally filtered."""
        # requests leaves None-valued parameters out of the query string.
        return self._get("requests", endpoint=endpoint, shop_order_no=shop_order_no)["requests"]

    # --- transport ------------------------------------------------------------------------
    def _get(self, path: str, **params) -> dict:
        response = self.session.get(
            f"{self.api_url}/_control/{path}", params=params, timeout=self.timeout
        )
        return self._answer(path, response)

    def _post(self, path: str, body: dict | None = None) -> dict:
        response = self.session.post(
            f"{self.api_url}/_control/{path}", json=body or {}, timeout=self.timeout
        )
        return self._answer(path, response)

    @staticmethod
    def _answer(path: str, response: Response) -> dict:
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": response.text[:500]}
        if response.status_code != 200:
            raise RemoteEmulatorError(path, response.status_code, answer)
        return answer
