"""What the buyer sees of cancels and refunds on the payment page and the receipt: each with
its kind and state (a deferred refund is "환불 처리 중" until the bank pays it), the refund
account masked, and nothing of cancels that did not happen or were not of this payment."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from apps.payments.cancellations import rows_for
from easypay.models import Cancellation

pytestmark = pytest.mark.django_db

PG_CNO = "26040108300012345678"
ACCOUNT = "110123456789"  # the buyer's refund account: shown masked only
PAID_AT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def buyer(client, django_user_model):
    user = django_user_model.objects.create_user("buyer", phone="01012345678")
    client.force_login(user)
    return user


@pytest.fixture
def deposited(make_payment, buyer):
    """A virtual account of 30,000원, deposited; 10,000원 of it refunded so far."""
    return make_payment(
        user=buyer,
        status="partially_cancelled",
        amount=30000,
        cancelled_amount=10000,
        pg_cno=PG_CNO,
        pay_method_type_code="22",
        method_details={"pay_method_type_code": "22", "bank_code": "011", "bank_name": "농협"},
        paid_at=PAID_AT,
    )


def cancellation(payment, **fields):
    defaults = {
        "payment": payment,
        "amount": 5000,
        "remaining_before": 30000,
        "origin": "admin",
        "pg_cno": "",
        "refund_bank_code": "004",
        "refund_account_no": ACCOUNT,
        "refund_depositor_name": "홍길동",
    }
    return Cancellation.objects.create(**{**defaults, **fields})


@pytest.fixture
def history(deposited):
    """A refund paid at once, one the bank refused, one the bank pays tomorrow, and what the
    buyer is not shown: a card-style cancel KICC refused and a void of another approval."""
    cancellation(
        deposited,
        revise_type_code="63",
        revise_sub_type_code="11",
        amount=10000,
        status="done",
        finished_at=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
    )
    cancellation(deposited, revise_type_code="62", revise_sub_type_code="RF01", status="failed")
    cancellation(
        deposited,
        revise_type_code="62",
        revise_sub_type_code="RF01",
        amount=7000,
        status="accepted",
        pg_cno=PG_CNO,
    )
    cancellation(
        deposited, revise_type_code="40", amount=30000, status="failed", refund_account_no=""
    )
    cancellation(
        deposited,
        revise_type_code="40",
        amount=30000,
        status="done",
        origin="system",
        pg_cno="26040108300099999999",
        refund_account_no="",
    )
    return deposited


def test_the_rows_are_this_payments_refunds_with_their_states_oldest_first(history):
    rows = rows_for(history)

    assert [(row.kind, row.amount, row.state, row.state_class) for row in rows] == [
        ("부분 환불", 10000, "환불 완료", "done"),
        ("부분 환불", 5000, "환불 실패", "failed"),
        ("부분 환불", 7000, "환불 처리 중", "in-flight"),
    ]
    assert {row.refund_account for row in rows} == {"KB국민은행 ********6789"}


@pytest.mark.parametrize("page", ["payments:detail", "payments:receipt"])
def test_the_payment_page_and_receipt_show_refunds_with_state_and_the_account_masked(
    client, history, page
):
    response = client.get(reverse(page, args=[history.public_token]))

    text = response.text
    assert response.status_code == 200
    assert "취소·환불 내역" in text
    assert '<span class="status cancel-in-flight">환불 처리 중</span>' in text
    assert '<span class="status cancel-done">환불 완료</span>' in text
    assert '<span class="status cancel-failed">환불 실패</span>' in text
    assert "환불 계좌: KB국민은행 ********6789" in text
    assert ACCOUNT not in text
    assert "7,000원" in text
    # Three rows: the refused cancel and the void of another approval are not the buyer's.
    assert text.count('<span class="status cancel-') == 3
    assert '<dd class="pay-method">가상계좌 (NH농협은행)</dd>' in text


def test_a_full_card_cancel_is_one_done_row_without_an_account(client, make_payment, buyer):
    payment = make_payment(
        user=buyer,
        status="cancelled",
        amount=15000,
        cancelled_amount=15000,
        pg_cno=PG_CNO,
        pay_method_type_code="11",
        paid_at=PAID_AT,
    )
    cancellation(
        payment,
        revise_type_code="40",
        amount=15000,
        remaining_before=15000,
        status="done",
        refund_bank_code="",
        refund_account_no="",
    )

    response = client.get(reverse("payments:detail", args=[payment.public_token]))

    assert [(row.kind, row.state, row.refund_account) for row in rows_for(payment)] == [
        ("취소", "취소 완료", "")
    ]
    assert '<span class="status cancel-done">취소 완료</span>' in response.text
    assert "환불 계좌" not in response.text


def test_a_payment_that_never_took_money_shows_no_cancellations(client, make_payment, buyer):
    failed = make_payment(user=buyer, status="failed", failure_code="8521")
    cancellation(failed, revise_type_code="40", status="done", origin="system")

    response = client.get(reverse("payments:detail", args=[failed.public_token]))

    assert "취소·환불 내역" not in response.text


@pytest.mark.parametrize("page", ["payments:detail", "payments:receipt"])
def test_a_refund_asked_for_shows_while_nothing_is_cancelled_yet(client, make_payment, buyer, page):
    """The page skips the cancels' query only when the payment has none at all: a refund in
    flight leaves status and cancelled_amount as they were, and must still be shown."""
    payment = make_payment(
        user=buyer,
        status="paid",
        amount=30000,
        pg_cno=PG_CNO,
        pay_method_type_code="22",
        paid_at=PAID_AT,
    )
    cancellation(payment, revise_type_code="62", revise_sub_type_code="RF01", status="accepted")

    response = client.get(reverse(page, args=[payment.public_token]))

    payment.refresh_from_db()
    assert payment.cancelled_amount == 0  # the books say nothing is cancelled yet
    assert '<span class="status cancel-in-flight">환불 처리 중</span>' in response.text
