"""Refunds to a bank account (easypay.services.refund): what undoes a deposited virtual account
or a mobile payment (§6.3), against the real emulator — real time (63), next day (60/62, 노티
50/51), and the refund KICC answered VTIM / VT00 (§9), asked about but never paid twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from easypay import services
from easypay.client import RefundAccount
from easypay.models import Cancellation, Notification
from easypay.tests.service_helpers import noti_of, notis_sunk, pay, post_noti, recorded_signals

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = RefundAccount(bank_code="011", account_no="302-1234-5678-91", depositor_name="홍길동")


@pytest.fixture
def deposited(easypay_emulator, payment):
    """A virtual account the buyer paid into (노티 30, delivered here)."""
    with notis_sunk(easypay_emulator):
        waiting = pay(easypay_emulator, payment, "approve_va")
        easypay_emulator.deposit(waiting.shop_order_no)
        post_noti(noti_of(easypay_emulator, "30"))
    waiting.refresh_from_db()
    assert waiting.status == "paid"
    return waiting


@pytest.fixture
def by_mobile(easypay_emulator, payment):
    return pay(easypay_emulator, payment, "approve_mobile")


def later(minutes=5):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_deposited_virtual_account_is_refunded_in_real_time(easypay_emulator, deposited):
    with recorded_signals() as log:
        refund = services.refund(deposited, account=ACCOUNT, reason="주문 취소")

    deposited.refresh_from_db()
    sent = easypay_emulator.requests("revise")[0]["body"]
    assert (sent["reviseTypeCode"], sent["reviseSubTypeCode"]) == ("63", "10")
    assert sent["refundInfo"]["refundAccountNo"] == "30212345678 91".replace(" ", "")
    assert (refund.status, refund.is_refund, refund.refund_account_masked) == (
        "done",
        True,
        "*********7891",
    )
    assert (deposited.status, deposited.cancelled_amount) == ("cancelled", deposited.amount)
    cancelled = log.only("cancelled")
    assert (cancelled["cancel_type"], cancelled["refund"], cancelled["revise_type_code"]) == (
        "40",
        True,
        "63",
    )
    assert easypay_emulator.ledger(deposited.shop_order_no)["cancelled_amount"] == deposited.amount


def test_part_of_a_mobile_payment_is_refunded(easypay_emulator, by_mobile):
    refund = services.refund(by_mobile, account=ACCOUNT, amount=4000, reason="부분 환불")

    by_mobile.refresh_from_db()
    sent = easypay_emulator.requests("revise")[0]["body"]
    assert (sent["reviseTypeCode"], sent["reviseSubTypeCode"], sent["amount"]) == ("63", "11", 4000)
    assert refund.status == "done"
    assert (by_mobile.status, by_mobile.cancelled_amount) == ("partially_cancelled", 4000)


def test_a_next_day_refund_waits_for_the_bank_and_its_noti_50(easypay_emulator, deposited):
    with notis_sunk(easypay_emulator):
        refund = services.refund(deposited, account=ACCOUNT, reason="환불", real_time=False)
        assert refund.status == "accepted"  # RF01: KICC took it, the bank pays tomorrow
        deposited.refresh_from_db()
        assert (deposited.status, deposited.cancelled_amount) == ("paid", 0)
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="done")

        with recorded_signals() as log:
            answer = post_noti(noti_of(easypay_emulator, "50"))
            post_noti(noti_of(easypay_emulator, "50"))  # KICC sends it again

    refund.refresh_from_db()
    deposited.refresh_from_db()
    assert answer.json()["resCd"] == "0000"
    assert refund.status == "done"
    assert (deposited.status, deposited.cancelled_amount) == ("cancelled", deposited.amount)
    assert log.only("cancelled")["revise_type_code"] == "60"


def test_a_refund_the_bank_refuses_fails_and_can_go_to_another_account(easypay_emulator, deposited):
    with notis_sunk(easypay_emulator):
        refund = services.refund(deposited, account=ACCOUNT, reason="환불", real_time=False)
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="bank_failure")
        answer = post_noti(noti_of(easypay_emulator, "51"))

    refund.refresh_from_db()
    deposited.refresh_from_db()
    assert answer.json()["resCd"] == "0000"
    assert refund.status == "failed"
    assert (deposited.status, deposited.cancelled_amount) == ("paid", 0)
    assert Notification.objects.get(noti_type="51").status == "processed"
    again = services.refund(
        deposited,
        account=RefundAccount(bank_code="004", account_no="12345678901", depositor_name="홍길동"),
        reason="다른 계좌로",
    )
    assert again.status == "done"


@pytest.mark.parametrize("code", ["VTIM", "VT00"])
def test_a_refund_in_doubt_is_asked_about_and_never_paid_twice(easypay_emulator, deposited, code):
    easypay_emulator.inject_fault("refund_timeout", endpoint="revise", code=code, commit=True)

    refund = services.refund(deposited, account=ACCOUNT, reason="환불")
    assert refund.status == "unknown"
    with recorded_signals() as log:
        services.reconcile_all(now=later(), compare=False)

    refund.refresh_from_db()
    deposited.refresh_from_db()
    queries = easypay_emulator.requests("revise")[1:]
    assert [q["body"]["refundQueryFlag"] for q in queries] == ["Y"]
    assert queries[0]["body"]["shopTransactionId"] != refund.pg_call.shop_transaction_id
    assert refund.status == "done"
    assert deposited.status == "cancelled"
    assert log.only("cancelled")["cancel_amount"] == deposited.amount
    ledger = easypay_emulator.ledger(deposited.shop_order_no)
    assert ledger["cancelled_amount"] == deposited.amount  # paid out once


def test_a_refund_in_doubt_that_the_bank_never_paid_ends_failed(easypay_emulator, deposited):
    easypay_emulator.inject_fault("refund_timeout", endpoint="revise", commit=False)

    refund = services.refund(deposited, account=ACCOUNT, reason="환불")
    services.reconcile_all(now=later(), compare=False)

    refund.refresh_from_db()
    deposited.refresh_from_db()
    assert refund.status == "failed"
    assert (deposited.status, deposited.cancelled_amount) == ("paid", 0)
    assert easypay_emulator.ledger(deposited.shop_order_no)["cancelled_amount"] == 0


def test_a_card_is_cancelled_not_refunded(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)

    with pytest.raises(services.CancelRefused) as refused:
        services.refund(paid, account=ACCOUNT, reason="")

    assert refused.value.code == "not_refundable"
    assert easypay_emulator.requests("revise") == []


def test_a_deposited_virtual_account_is_refunded_not_cancelled(easypay_emulator, deposited):
    with pytest.raises(services.CancelRefused) as refused:
        services.cancel(deposited, reason="")

    assert refused.value.code == "refund_needed"
    assert "환불" in str(refused.value.message)


def test_an_account_kicc_would_refuse_is_refused_before_anything_is_sent(
    easypay_emulator, deposited
):
    bad = RefundAccount(bank_code="11", account_no="12-34-x", depositor_name="홍길동")

    with pytest.raises(services.CancelRefused) as refused:
        services.refund(deposited, account=bad, reason="")

    assert refused.value.code == "bad_account"
    assert not Cancellation.objects.exists()
    assert easypay_emulator.requests("revise") == []


def test_an_unpaid_virtual_account_is_voided_not_refunded(easypay_emulator, payment):
    waiting = pay(easypay_emulator, payment, "approve_va")

    with pytest.raises(services.CancelRefused) as refused:
        services.refund(waiting, account=ACCOUNT, reason="")

    assert refused.value.code == "not_deposited"
