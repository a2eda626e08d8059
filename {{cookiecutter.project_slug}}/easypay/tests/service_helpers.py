"""Steps shared by the payment-service tests: a payment through the real emulator over HTTP."""

import contextlib
import json
import socket
import time
from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse

from easypay import services, signals
from easypay.tests.contract_helpers import authorization_id_of

SIGNALS = {
    "registered": signals.payment_registered,
    "approved": signals.payment_approved,
    "failed": signals.payment_failed,
    "cancelled": signals.payment_cancelled,
}


def return_url(payment) -> str:
    return "http://testserver" + reverse("easypay:return", args=[payment.public_token])


def register(payment) -> str:
    return services.register(payment, return_url=return_url(payment), device_type_code="pc")


def window(emulator, payment, outcome="approve", **options):
    """Register and press a button in the window: the ReturnPost the buyer's browser sends."""
    return emulator.authenticate(authorization_id_of(register(payment)), outcome, **options)


def pay(emulator, payment, outcome="approve"):
    """Register, authenticate, return: the payment as handle_return leaves it."""
    post = window(emulator, payment, outcome)
    return services.handle_return(payment.public_token, post.fields)


@dataclass
class SignalLog:
    sent: list[tuple[str, dict]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def only(self, name: str) -> dict:
        matching = [kwargs for sent, kwargs in self.sent if sent == name]
        assert len(matching) == 1, f"{name} sent {len(matching)} times: {self.names()}"
        return matching[0]


@contextlib.contextmanager
def recorded_signals():
    """Record every payment signal sent inside the block, in order."""
    log = SignalLog()
    receivers = {}
    for name, signal in SIGNALS.items():

        def receiver(sender, _name=name, **kwargs):
            log.sent.append((_name, {"sender": sender, **kwargs}))

        receivers[name] = receiver
        signal.connect(receiver, weak=False)
    try:
        yield log
    finally:
        for name, signal in SIGNALS.items():
            signal.disconnect(receivers[name])


@contextlib.contextmanager
def notis_sunk(emulator):
    """Have the emulator send its 노티 where nothing answers — a port held open but never
    listening, so each attempt is refused at once — and record each body (emulator.notis())
    without reaching the shop: for a test that delivers them itself."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        emulator.set_noti_url(f"http://127.0.0.1:{port}/", max_retries=0)
        yield


def noti_of(emulator, noti_type, timeout=10.0) -> dict:
    """The body of the latest 노티 of that type the emulator sent."""
    deadline = time.monotonic() + timeout
    while True:
        sent = [n for n in emulator.notis() if n["noti_type"] == noti_type]
        if sent or time.monotonic() > deadline:
            assert sent, f"the emulator sent no 노티 {noti_type}"
            return sent[-1]["body"]
        time.sleep(0.05)


KICC_IP = "203.233.72.150"  # a production 노티 sender (docs/kicc-api.md §2)


def post_noti(body, *, remote_addr=KICC_IP, **extra):
    """Deliver a 노티 (a dict, or raw bytes) to the shop from KICC's address, in this thread."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(
        reverse("easypay:noti"),
        data,
        content_type="application/json; charset=utf-8",
        REMOTE_ADDR=remote_addr,
        **extra,
    )
