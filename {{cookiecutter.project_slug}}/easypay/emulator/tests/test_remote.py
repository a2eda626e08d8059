"""RemoteEmulator: the fixture's levers and views, over the standalone server's HTTP."""

import inspect
from datetime import timedelta

import pytest

from easypay import kst
from easypay.emulator.engine import ReturnPost
from easypay.emulator.remote import RemoteEmulator, RemoteEmulatorError
from easypay.testing import EmulatorHandle


@pytest.fixture
def remote(easypay_emulator):
    emulator = RemoteEmulator(easypay_emulator.api_url)
    yield emulator
    emulator.session.close()


def _public_methods(cls) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(method)
        for name, method in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_the_remote_emulator_has_the_fixtures_methods_arguments_and_return_types():
    remote, handle = _public_methods(RemoteEmulator), _public_methods(EmulatorHandle)

    assert remote.keys() == handle.keys()
    for name, signature in remote.items():
        assert signature == handle[name], name


def test_the_fixture_answers_as_the_remote_emulator_does(kicc, remote, easypay_emulator):
    registered = kicc.register(payMethodTypeCode="22")
    easypay_emulator.authenticate(registered["authorizationId"], "approve_va")
    kicc.approve(registered)

    deposited = easypay_emulator.deposit(registered["shopOrderNo"])
    undone = easypay_emulator.cancel_deposit(registered["shopOrderNo"])
    config = easypay_emulator.set_noti_url("", retry_seconds=0.05)
    kept = easypay_emulator.set_noti_url("")  # None keeps what was set

    assert deposited["resCd"] == undone["resCd"] == "0000"
    assert deposited["pgCno"] == undone["pgCno"]
    assert config["retry_seconds"] == kept["retry_seconds"] == 0.05
    assert kept == remote.set_noti_url("")
    assert easypay_emulator.advance_days(1) == (kst.today() + timedelta(days=1)).strftime("%Y%m%d")


def test_a_fault_injected_remotely_hits_the_next_matching_call(kicc, remote):
    remote.inject_fault("http_502", endpoint="register", count=2)

    answers = [kicc.post("/api/ep9/trades/webpay", kicc.register_body()) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [502, 502, 200]


def test_a_fault_for_one_order_takes_its_parameters(kicc, remote):
    registered = kicc.register(amount=15000)
    remote.inject_fault("amount_mismatch", shop_order_no=registered["shopOrderNo"], amount=999)
    remote.authenticate(registered["authorizationId"])

    answer = kicc.approve(registered).json()

    assert answer["resCd"] == "0000" and answer["amount"] == 999


def test_the_emulators_refusal_is_raised_with_its_message(remote):
    with pytest.raises(RemoteEmulatorError, match="fault kind must be one of") as raised:
        remote.inject_fault("meteor_strike")

    assert raised.value.status == 400


def test_pressing_a_window_button_remotely_returns_what_the_window_posts(kicc, remote):
    registered = kicc.register(returnUrl="http://shop.test/return/abc")

    post = remote.authenticate(registered["authorizationId"], "decline", decline_code="8035")

    assert isinstance(post, ReturnPost)
    assert post.url == "http://shop.test/return/abc"
    assert post.fields["resCd"] == "8035"
    assert post.fields["shopOrderNo"] == registered["shopOrderNo"]
    assert "authorizationId" not in post.fields  # only a success carries it


def test_the_ledger_and_request_log_are_the_emulators_own(kicc, remote, easypay_emulator):
    approval = kicc.paid(amount=21000)

    assert remote.ledger(approval["shopOrderNo"]) == easypay_emulator.ledger(
        approval["shopOrderNo"]
    )
    assert remote.ledger(approval["shopOrderNo"])["approved_amount"] == 21000
    assert remote.ledger("NEVER-SEEN") is None
    assert remote.requests() == easypay_emulator.requests()
    assert [entry["endpoint"] for entry in remote.requests(endpoint="approve")] == ["approve"]


def test_notis_are_pointed_listed_waited_for_and_resent(kicc, remote, noti_receiver):
    config = remote.set_noti_url(noti_receiver.url, retry_seconds=0.05, max_retries=2)
    assert config["url"] == noti_receiver.url and config["max_retries"] == 2

    approval = kicc.paid()
    (first,) = remote.wait_for_notis(1, acked=True)
    remote.resend_noti(approval["shopOrderNo"], 10)
    attempts = remote.wait_for_notis(2, acked=True)

    assert first["body"]["pgCno"] == approval["pgCno"]
    assert [attempt["body"] for attempt in attempts] == [first["body"], first["body"]]
    assert len(noti_receiver.bodies) == 2


def test_a_virtual_account_is_paid_and_unpaid_remotely(kicc, remote, easypay_emulator):
    registered = kicc.register(payMethodTypeCode="22")
    remote.authenticate(registered["authorizationId"], "approve_va")
    kicc.approve(registered)

    deposited = remote.deposit(registered["shopOrderNo"])
    assert remote.ledger(registered["shopOrderNo"])["status_code"] == "TS08"
    remote.cancel_deposit(registered["shopOrderNo"])

    assert deposited["resCd"] == "0000"
    assert easypay_emulator.ledger(registered["shopOrderNo"])["status_code"] == "TS07"
    with pytest.raises(RemoteEmulatorError) as raised:
        remote.cancel_deposit(registered["shopOrderNo"])  # nothing deposited any more
    assert raised.value.status == 409


def test_the_clock_moves_and_a_reset_forgets(kicc, remote, easypay_emulator):
    approval = kicc.paid()

    today = remote.advance_days(2)
    remote.reset()

    assert today == (kst.today() + timedelta(days=2)).strftime("%Y%m%d")
    assert easypay_emulator.ledger(approval["shopOrderNo"]) is None
    assert remote.requests() == []


def test_a_console_cancel_and_the_status_reading_are_set_remotely(kicc, remote, easypay_emulator):
    approval = kicc.paid()

    cancelled = remote.console_cancel(approval["shopOrderNo"], 2000)
    remote.set_retrieve_status("original")

    assert cancelled["cancelAmount"] == 2000
    assert easypay_emulator.ledger(approval["shopOrderNo"])["cancelled_amount"] == 2000
    assert kicc.retrieve(approval["shopTransactionId"]).json()["statusCode"] == "TS03"


def test_the_method_and_refund_levers_work_remotely(kicc, remote, easypay_emulator):
    registered = kicc.register(amount=10000)
    remote.authenticate(registered["authorizationId"], "approve_mobile", provider="LGT")
    approval = kicc.approve(registered).json()
    account = {"refundBankCode": "004", "refundAccountNo": "1234", "refundDepositName": "홍길동"}
    remote.inject_fault("refund_bank_failure", shop_order_no=registered["shopOrderNo"])
    remote.set_refund_delay(None)
    kicc.revise(approval["pgCno"], "62", amount=4000, refundInfo=account, reviseSubTypeCode="RF01")

    completed = remote.complete_refund(registered["shopOrderNo"])
    remote.set_easy_pay_method_code("60")
    remote.set_auto_void(True)

    assert approval["paymentInfo"]["mobInfo"]["mobileCd"] == "LGT"
    assert completed["statusCode"] == "RF03"  # as the fault chose
    assert remote.ledger(registered["shopOrderNo"])["remaining_amount"] == 10000
    assert easypay_emulator._emulator.switch("easy_pay_method_code") == "60"
    assert easypay_emulator._emulator.auto_void() is True
    with pytest.raises(RemoteEmulatorError):
        remote.complete_refund(registered["shopOrderNo"])
