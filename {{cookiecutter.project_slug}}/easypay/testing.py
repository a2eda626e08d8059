"""pytest plugin: the `easypay_emulator` fixture (registered by the root conftest.py).

A real emulator over real HTTP: a standalone threaded WSGI server on 127.0.0.1:<free port>,
started once per test session with its own SQLite file, reset before each test. The
fixture points settings.EASYPAY_API_URL / EASYPAY_MALL_ID / EASYPAY_SECRET_KEY at it.

    def test_a_payment(easypay_emulator):
        ...register through the client...
        post = easypay_emulator.authenticate(authorization_id, "approve")
        assert easypay_emulator.ledger("ORD-1")["status_code"] == "TS03"
"""

from collections.abc import Iterator

import pytest

from easypay.emulator.engine import TEST_MALL_ID as MALL_ID
from easypay.emulator.engine import TEST_SECRET_KEY as SECRET_KEY
from easypay.emulator.engine import ReturnPost
from easypay.emulator.remote import NotiWaiting


class EmulatorHandle(NotiWaiting):
    """What a test may do to the emulator: see easypay/emulator/README.md. The same methods,
    arguments and return values as RemoteEmulator's (a test compares them)."""

    def __init__(self, server):
        self._server = server
        self._emulator = server.emulator
        self.api_url = server.url
        self.mall_id = MALL_ID
        self.secret_key = SECRET_KEY

    def reset(self) -> None:
        self._emulator.reset()

    def inject_fault(self, kind, *, count=1, shop_order_no=None, endpoint=None, **params) -> None:
        """kind: delay (seconds=…), drop_after_commit, http_500, http_502, http_504,
        html_error, malformed_json, amount_mismatch (amount=…), bad_signature; refunds:
        refund_timeout (code="VTIM"|"VT00", commit=paid out or not, unknown_queries=n),
        refund_bank_failure."""
        from easypay.emulator import faults

        faults.inject(
            self._emulator.store,
            kind,
            count=count,
            shop_order_no=shop_order_no,
            endpoint=endpoint,
            **params,
        )

    def authenticate(
        self, authorization_id, outcome="approve", *, decline_code="8521", provider=None
    ) -> ReturnPost:
        """Press a window button: approve (card) | approve_transfer | approve_va |
        approve_mobile | approve_easypay | decline | user_cancel | window_error; provider: the
        bank code, carrier (SKT/KTF/LGT) or wallet (KKO, NPAY, TOS, …) picked.
        Returns a ReturnPost (.url, .fields) — what the window form-POSTs to returnUrl."""
        return self._emulator.authenticate(
            authorization_id, outcome, decline_code=decline_code, provider=provider
        )

    def ledger(self, shop_order_no) -> dict | None:
        return self._emulator.ledger(shop_order_no, self.mall_id)

    def requests(self, endpoint=None, shop_order_no=None) -> list[dict]:
        return self._emulator.requests(endpoint, shop_order_no)

    def deposit(self, shop_order_no) -> dict:
        """The buyer pays into the order's virtual account (노티 30)."""
        return self._emulator.deposit(shop_order_no, self.mall_id)

    def cancel_deposit(self, shop_order_no) -> dict:
        """The bank cancels that deposit (노티 31)."""
        return self._emulator.cancel_deposit(shop_order_no, self.mall_id)

    def set_noti_url(self, url, *, retry_seconds=None, max_retries=None, timeout=None) -> dict:
        """Where 노티 go ("" = recorded, not sent) and how they are retried; None keeps the
        current value (after the reset: 0.2 s, 10 retries, 2 s). Returns the noti config."""
        self._emulator.set_noti_url(
            url, retry_seconds=retry_seconds, max_retries=max_retries, timeout=timeout
        )
        return self._emulator.noti_config()

    def notis(self) -> list[dict]:
        """Every noti delivery attempt: noti_type, body, http_status, acked, attempt, error."""
        return self._emulator.notis()

    def resend_noti(self, shop_order_no, noti_type) -> None:
        self._emulator.resend_noti(shop_order_no, str(noti_type))

    def advance_days(self, n: int = 1) -> str:
        """Move the emulator's KST clock `n` days on; returns its new today (yyyyMMdd)."""
        return self._emulator.advance_days(n)

    def set_retrieve_status(self, reading: str) -> None:
        """ "current" (default) or "original": which status a status answer carries (§7)."""
        self._emulator.set_retrieve_status(reading)

    def complete_refund(self, shop_order_no=None, *, cancel_pg_cno=None, outcome=None) -> dict:
        """The bank pays a waiting deferred refund out ("done": 노티 50) or refuses it
        ("bank_failure": 노티 51); None: as a refund_bank_failure fault chose."""
        return self._emulator.complete_refund(
            shop_order_no, cancel_pg_cno=cancel_pg_cno, outcome=outcome, mall_id=self.mall_id
        )

    def set_refund_delay(self, seconds) -> None:
        """Deferred refunds complete by themselves after `seconds` (None: complete_refund)."""
        self._emulator.set_refund_delay(seconds)

    def set_easy_pay_method_code(self, code: str) -> None:
        """ "11" (default) or "60": how an easy-pay approval reports its payMethodTypeCode."""
        self._emulator.set_easy_pay_method_code(code)

    def set_auto_void(self, on: bool) -> None:
        """The test host's 23:00 void of easy-pay and mobile transactions (off by default)."""
        self._emulator.set_auto_void(on)

    def console_cancel(self, shop_order_no, amount=None) -> dict:
        """Cancel all (None) or part of an order in KICC's console: a 노티 20, no shop key."""
        return self._emulator.console_cancel(shop_order_no, amount, self.mall_id)


@pytest.fixture(scope="session")
def easypay_emulator_server():
    """The session's emulator server (use the `easypay_emulator` fixture in tests)."""
    from easypay.emulator.server import temporary_emulator

    with temporary_emulator(retry_seconds=0.2, max_retries=10, timeout=2.0) as server:
        yield server


@pytest.fixture
def easypay_emulator(easypay_emulator_server, settings) -> Iterator[EmulatorHandle]:
    handle = EmulatorHandle(easypay_emulator_server)
    handle.reset()
    settings.EASYPAY_API_URL = handle.api_url
    settings.EASYPAY_MALL_ID = handle.mall_id
    settings.EASYPAY_SECRET_KEY = handle.secret_key
    yield handle
    handle.reset()  # stop this test's noti retries before the next test
