"""Helpers for the emulator's own tests: raw HTTP in KICC's shapes, a noti receiver."""

import itertools
import json
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from easypay import kst
from easypay.signing import revise_auth_value

_orders = itertools.count(1)
_keys = itertools.count(1)


class Kicc:
    """Plain requests against the emulator, the way a merchant's client would send them."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.base = emulator.api_url

    def post(self, path, body, **kwargs):
        timeout = kwargs.pop("timeout", 5)
        return requests.post(self.base + path, json=body, timeout=timeout, **kwargs)

    def register_body(self, **overrides):
        body = {
            "mallId": self.emulator.mall_id,
            "shopOrderNo": f"ORD-{next(_orders)}",
            "amount": 15000,
            "payMethodTypeCode": "00",
            "currency": "00",
            "clientTypeCode": "00",
            "deviceTypeCode": "pc",
            "returnUrl": "http://shop.test/pay/return?step=1&x=2",
            "orderInfo": {"goodsName": "테스트 상품", "customerInfo": {"customerName": "홍길동"}},
            "shopValueInfo": {"value1": "cart-42", "value3": "c"},
        }
        body.update(overrides)
        return body

    def register(self, **overrides):
        body = self.register_body(**overrides)
        answer = self.post("/api/ep9/trades/webpay", body).json()
        assert answer["resCd"] == "0000", answer
        answer["shopOrderNo"] = body["shopOrderNo"]
        answer["authorizationId"] = answer["authPageUrl"].rsplit("=", 1)[1]
        return answer

    def approve_body(self, registered, **overrides):
        body = {
            "mallId": self.emulator.mall_id,
            "shopTransactionId": f"approve-{next(_keys)}",
            "authorizationId": registered["authorizationId"],
            "shopOrderNo": registered["shopOrderNo"],
            "approvalReqDate": self.today(),
        }
        body.update(overrides)
        return body

    def approve(self, registered, **overrides):
        return self.post("/api/ep9/trades/approval", self.approve_body(registered, **overrides))

    def paid(self, outcome="approve", **register_overrides):
        """Register, authenticate in the window, approve: the approval response."""
        registered = self.register(**register_overrides)
        self.emulator.authenticate(registered["authorizationId"], outcome)
        answer = self.approve(registered).json()
        assert answer["resCd"] == "0000", answer
        return answer

    def revise_body(self, pg_cno, revise_type="40", **overrides):
        key = overrides.pop("shopTransactionId", f"revise-{next(_keys)}")
        body = {
            "mallId": self.emulator.mall_id,
            "shopTransactionId": key,
            "pgCno": pg_cno,
            "reviseTypeCode": revise_type,
            "cancelReqDate": self.today(),
            "msgAuthValue": revise_auth_value(self.emulator.secret_key, pg_cno, key),
            "reviseMessage": "고객 요청",
        }
        body.update(overrides)
        return body

    def revise(self, pg_cno, revise_type="40", **overrides):
        return self.post("/api/trades/revise", self.revise_body(pg_cno, revise_type, **overrides))

    def retrieve(self, shop_transaction_id, transaction_date=None, **kwargs):
        body = {
            "mallId": self.emulator.mall_id,
            "shopTransactionId": shop_transaction_id,
            "transactionDate": transaction_date or self.today(),
        }
        return self.post("/api/trades/retrieveTransaction", body, **kwargs)

    @staticmethod
    def today():
        return kst.date_text()


@pytest.fixture
def kicc(easypay_emulator):
    return Kicc(easypay_emulator)


class FormParser(HTMLParser):
    """Reads the first <form> of a page: method, action and its inputs (no browser needed)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": attrs.get("method"), "action": attrs["action"], "fields": {}}
            )
        elif tag in ("input", "button", "select") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].setdefault(attrs["name"], attrs.get("value", ""))


def parse_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


class NotiReceiver:
    """A merchant's noti endpoint that fails the first `failures` deliveries (HTTP 500)."""

    def __init__(self):
        self.failures = 0
        self.bodies = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.bodies.append(
                        {"content_type": self.headers["Content-Type"], "body": json.loads(raw)}
                    )
                    fail = len(receiver.bodies) <= receiver.failures
                status, answer = (
                    (500, b"oops") if fail else (200, b'{"resCd":"0000","resMsg":"OK"}')
                )
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/noti"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def noti_receiver(easypay_emulator):
    receiver = NotiReceiver()
    easypay_emulator.set_noti_url(receiver.url, retry_seconds=0.05, max_retries=3)
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
