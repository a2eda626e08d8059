"""Refunds to a bank account (easypay.services.refund): what undoes a deposited virtual account
or a mobile payment (§6.3), against the real emulator — real time (63), next day (60/62, 노티
50/51), and the refund KICC answered VTIM / VT00 (§9), asked about but never paid twice."""

from datetime import timedelta

import pytest
from django.conf import settings
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


# ------------------------------------------------------------------------------
# A 노티 50 / 51 is news about our own refund, asked about with its key: alone it moves nothing
# ------------------------------------------------------------------------------
MADE_UP = "99999999999999999999"


def refund_noti(payment, noti_type, *, cancel_pg_cno=MADE_UP, amount=None):
    """A 노티 50 (paid out) or 51 (refused by the bank) as §8.1 shapes them."""
    amount = payment.amount if amount is None else amount
    return {
        "resCd": "0000" if noti_type == "50" else "5413",
        "resMsg": "환불완료" if noti_type == "50" else "환불 계좌 오류",
        "mallId": settings.EASYPAY_MALL_ID,  # the shop's own (the emulator's test mall)
        "notiType": noti_type,
        "pgCno": payment.pg_cno,
        "shopOrderNo": payment.shop_order_no,
        "cancelPgCno": cancel_pg_cno,
        "cancelAmount": str(amount),
        "remainAmount": str(payment.amount - amount if noti_type == "50" else payment.amount),
        "statusCode": "RF02" if noti_type == "50" else "RF03",
    }


@pytest.fixture
def waiting_refund(easypay_emulator, deposited):
    """A next-day refund of all of it that KICC took (RF01) and the bank has not paid yet."""
    with notis_sunk(easypay_emulator):
        refund = services.refund(deposited, account=ACCOUNT, reason="환불", real_time=False)
    assert refund.status == "accepted"
    return refund


def books(payment, refund=None):
    payment.refresh_from_db()
    if refund is not None:
        refund.refresh_from_db()
    return (payment.status, payment.cancelled_amount, refund.status if refund else None)


@pytest.mark.parametrize("noti_type", ["50", "51"])
def test_a_refund_noti_for_a_refund_the_shop_never_asked_for_is_held(
    easypay_emulator, deposited, noti_type
):
    with recorded_signals() as log:
        response = post_noti(refund_noti(deposited, noti_type))

    held = Notification.objects.get(noti_type=noti_type)
    assert response.json()["resCd"] == "0000"  # stored and reported: a resend changes nothing
    assert books(deposited) == ("paid", 0, None)
    assert not Cancellation.objects.exists()
    assert log.names() == []
    assert held.status == "held"
    assert "맞는 환불 요청이 없음" in held.error
    assert easypay_emulator.requests("revise") == []
    assert any(
        f"노티 {noti_type} ({held.pk}) 확인 필요" in line
        for line in services.reconcile_all(compare=False).unresolved
    )


@pytest.mark.parametrize("cancel_pg_cno", [MADE_UP, "real"])
@pytest.mark.parametrize("noti_type", ["50", "51"])
def test_a_refund_noti_kicc_does_not_confirm_leaves_the_waiting_refund_as_it_is(
    easypay_emulator, waiting_refund, noti_type, cancel_pg_cno
):
    """The bank has neither paid nor refused it: KICC's status query, asked with the refund's
    own key, still says RF01. A 50 would record money paid out that was not; a 51 would free
    the amount to be refunded a second time while the first may still be paid."""
    deposited = waiting_refund.payment
    number = waiting_refund.cancel_pg_cno if cancel_pg_cno == "real" else MADE_UP

    with recorded_signals() as log:
        response = post_noti(refund_noti(deposited, noti_type, cancel_pg_cno=number))

    record = Notification.objects.get(noti_type=noti_type)
    assert response.json()["resCd"] == "5001"  # KICC sends it again; reconcile asks again too
    assert books(deposited, waiting_refund) == ("paid", 0, "accepted")
    assert log.names() == []
    assert record.status == "failed"
    retrieve = easypay_emulator.requests("retrieve")[-1]["body"]
    assert retrieve["shopTransactionId"] == waiting_refund.pg_call.shop_transaction_id
    with pytest.raises(services.CancelRefused):  # still one refund in flight
        services.refund(deposited, account=ACCOUNT, reason="다시")
    assert len(easypay_emulator.requests("revise")) == 1


@pytest.mark.parametrize("noti_type", ["50", "51"])
def test_a_refund_noti_is_resent_while_kicc_cannot_be_asked(
    easypay_emulator, waiting_refund, noti_type
):
    deposited = waiting_refund.payment
    easypay_emulator.inject_fault("http_500", endpoint="retrieve", count=5)
    body = refund_noti(deposited, noti_type, cancel_pg_cno=waiting_refund.cancel_pg_cno)

    with recorded_signals() as log:
        response = post_noti(body)

    assert response.json()["resCd"] == "5001"
    assert books(deposited, waiting_refund) == ("paid", 0, "accepted")
    assert log.names() == []
    assert Notification.objects.get(noti_type=noti_type).status == "failed"


def test_a_refused_refund_noti_for_a_refund_the_bank_paid_is_held_and_the_refund_stays_paid(
    easypay_emulator, waiting_refund
):
    deposited = waiting_refund.payment
    with notis_sunk(easypay_emulator):
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="done")
        post_noti(noti_of(easypay_emulator, "50"))
    assert books(deposited, waiting_refund) == ("cancelled", deposited.amount, "done")
    forged = refund_noti(deposited, "51", cancel_pg_cno=waiting_refund.cancel_pg_cno)

    with recorded_signals() as log:
        response = post_noti(forged)

    held = Notification.objects.get(noti_type="51")
    assert response.json()["resCd"] == "0000"
    assert books(deposited, waiting_refund) == ("cancelled", deposited.amount, "done")
    assert log.names() == []
    assert (held.status, held.cancellations.exists()) == ("held", False)


def test_a_paid_out_noti_for_a_refund_the_bank_refused_is_held_and_the_money_stays_refundable(
    easypay_emulator, waiting_refund
):
    deposited = waiting_refund.payment
    with notis_sunk(easypay_emulator):
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="bank_failure")
        post_noti(noti_of(easypay_emulator, "51"))
    assert books(deposited, waiting_refund) == ("paid", 0, "failed")
    forged = refund_noti(deposited, "50", cancel_pg_cno=waiting_refund.cancel_pg_cno)

    with recorded_signals() as log:
        response = post_noti(forged)

    assert response.json()["resCd"] == "0000"
    assert books(deposited, waiting_refund) == ("paid", 0, "failed")
    assert log.names() == []
    assert Notification.objects.get(noti_type="50").status == "held"
    with notis_sunk(easypay_emulator):
        again = services.refund(deposited, account=ACCOUNT, reason="다른 계좌로")
    assert again.status == "done"


def test_a_refused_refund_noti_kicc_contradicts_applies_what_kicc_says_and_is_held(
    easypay_emulator, waiting_refund
):
    """The bank paid it out, and a 51 says it refused: KICC's status query is what counts."""
    deposited = waiting_refund.payment
    with notis_sunk(easypay_emulator):
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="done")
    forged = refund_noti(deposited, "51", cancel_pg_cno=waiting_refund.cancel_pg_cno)

    with recorded_signals() as log:
        response = post_noti(forged)

    assert response.json()["resCd"] == "0000"
    assert books(deposited, waiting_refund) == ("cancelled", deposited.amount, "done")
    assert log.only("cancelled")["refund"] is True
    assert Notification.objects.get(noti_type="51").status == "held"
    assert easypay_emulator.ledger(deposited.shop_order_no)["cancelled_amount"] == deposited.amount


def test_a_cancel_noti_does_not_settle_a_refund_waiting_for_the_bank(
    easypay_emulator, waiting_refund
):
    """A next-day refund ends with KICC's 50 or 51, confirmed through its key; a 노티 20 that
    repeats its figures is not KICC's word that the bank paid it."""
    deposited = waiting_refund.payment
    forged = {
        **refund_noti(deposited, "50"),
        "notiType": "20",
        "resCd": "0000",
        "remainAmount": "0",
        "statusCode": "RF02",
    }

    with recorded_signals() as log:
        response = post_noti(forged)

    assert response.json()["resCd"] == "5001"  # a refund is in flight: KICC resends
    assert books(deposited, waiting_refund) == ("paid", 0, "accepted")
    assert waiting_refund.notification is None
    assert log.names() == []
    assert Notification.objects.get(noti_type="20").status == "failed"
    assert easypay_emulator.ledger(deposited.shop_order_no)["status_code"] == "RF01"


# ------------------------------------------------------------------------------
# One refund in flight per payment: the next refund or cancel waits for its outcome
# ------------------------------------------------------------------------------
OTHER_ACCOUNT = RefundAccount(bank_code="004", account_no="12345678901", depositor_name="홍길동")


def second_attempts(payment):
    """A second refund and a cancel of the same payment: each refused, or what it returned."""
    outcomes = []
    for attempt in (
        lambda: services.refund(payment, account=OTHER_ACCOUNT, amount=1000, reason="다시"),
        lambda: services.refund(payment, account=OTHER_ACCOUNT, reason="전액", real_time=False),
        lambda: services.cancel(payment, amount=1000, reason="취소"),
        lambda: services.cancel(payment, reason="전체 취소"),
    ):
        try:
            outcomes.append(attempt().status)
        except services.CancelRefused as refused:
            outcomes.append(refused.code)
    return outcomes


@pytest.mark.parametrize("code", ["VTIM", "VT00"])
def test_while_a_refund_is_in_doubt_no_other_refund_or_cancel_is_sent(
    easypay_emulator, by_mobile, code
):
    easypay_emulator.inject_fault(
        "refund_timeout", endpoint="revise", code=code, commit=True, unknown_queries=1
    )
    first = services.refund(by_mobile, account=ACCOUNT, amount=4000, reason="부분 환불")
    assert first.status == "unknown"

    with recorded_signals() as log:
        outcomes = second_attempts(by_mobile)

    by_mobile.refresh_from_db()
    assert outcomes == ["in_flight"] * 4
    assert len(easypay_emulator.requests("revise")) == 1  # only the refund in doubt
    assert Cancellation.objects.filter(payment=by_mobile).count() == 1
    assert (by_mobile.status, by_mobile.cancelled_amount) == ("paid", 0)
    assert log.names() == []
    # Once KICC tells what became of it, the payment takes the next one, with the right balance.
    services.reconcile_all(now=later(), compare=False)  # VT00: the bank has not answered yet
    services.reconcile_all(now=later(10), compare=False)
    first.refresh_from_db()
    assert first.status == "done"
    again = services.cancel(by_mobile, amount=1000, reason="취소")
    by_mobile.refresh_from_db()
    assert again.status == "done"
    assert by_mobile.cancelled_amount == 5000
    assert easypay_emulator.ledger(by_mobile.shop_order_no)["cancelled_amount"] == 5000


def test_while_a_next_day_refund_waits_for_the_bank_no_other_refund_or_cancel_is_sent(
    easypay_emulator, by_mobile
):
    with notis_sunk(easypay_emulator):
        first = services.refund(
            by_mobile, account=ACCOUNT, amount=4000, reason="부분 환불", real_time=False
        )
        assert first.status == "accepted"

        outcomes = second_attempts(by_mobile)

        by_mobile.refresh_from_db()
        assert outcomes == ["in_flight"] * 4
        assert len(easypay_emulator.requests("revise")) == 1
        assert (by_mobile.status, by_mobile.cancelled_amount) == ("paid", 0)
        # The bank refuses the account (노티 51): the slot is free, the money refundable again.
        easypay_emulator.complete_refund(by_mobile.shop_order_no, outcome="bank_failure")
        post_noti(noti_of(easypay_emulator, "51"))
        again = services.refund(by_mobile, account=OTHER_ACCOUNT, amount=4000, reason="다른 계좌")

    first.refresh_from_db()
    by_mobile.refresh_from_db()
    assert (first.status, again.status) == ("failed", "done")
    assert by_mobile.cancelled_amount == 4000
    assert easypay_emulator.ledger(by_mobile.shop_order_no)["cancelled_amount"] == 4000
