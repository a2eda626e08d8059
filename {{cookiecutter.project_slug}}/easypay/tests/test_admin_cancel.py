"""The admin's cancel confirmation and "reconcile now", end to end against the real emulator:
a payment paid through the window, then cancelled in part and in full from the admin."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from easypay.models import AdminAuditLog, Cancellation
from easypay.tests.service_helpers import window

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:payments_payment_changelist"


def cancel_url(payment):
    return reverse("admin:payments_payment_cancel", args=[payment.pk])


def change_url(payment):
    return reverse("admin:payments_payment_change", args=[payment.pk])


def pay(client, emulator, payment, outcome="approve"):
    """Register, press the window button, deliver the window's POST to our return URL."""
    posted = window(emulator, payment, outcome)
    client.post(urlsplit(posted.url).path, posted.fields)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def paid(client, make_payment, easypay_emulator):
    payment = pay(client, easypay_emulator, make_payment(amount=15000))
    assert payment.status == "paid"
    return payment


def test_an_admin_cancels_part_then_the_rest_through_the_confirmation_page(
    admin_client, admin_user, paid, easypay_emulator
):
    page = admin_client.get(cancel_url(paid))
    partial = admin_client.post(
        cancel_url(paid), {"amount": "5000", "reason": "고객 요청 일부 환불"}
    )
    paid.refresh_from_db()
    after_partial = (paid.status, paid.cancelled_amount)
    full = admin_client.post(
        cancel_url(paid), {"amount": "10000", "reason": "주문 취소"}, follow=True
    )
    paid.refresh_from_db()

    assert page.status_code == 200
    assert partial.status_code == 302 and partial.url == change_url(paid)
    assert after_partial == ("partially_cancelled", 5000)
    assert (paid.status, paid.cancelled_amount) == ("cancelled", 15000)
    assert "10,000원을 취소했습니다." in full.text
    ledger = easypay_emulator.ledger(paid.shop_order_no)
    assert (ledger["cancelled_amount"], ledger["remaining_amount"]) == (15000, 0)
    revises = easypay_emulator.requests("revise")
    assert [r["body"]["reviseTypeCode"] for r in revises] == ["32", "40"]
    assert revises[0]["body"]["reviseMessage"] == "고객 요청 일부 환불"
    done = Cancellation.objects.filter(payment=paid, status="done").order_by("created_at")
    assert [(c.amount, c.requested_by) for c in done] == [(5000, admin_user), (10000, admin_user)]


def test_every_admin_cancel_leaves_an_audit_record_with_its_outcome(
    admin_client, admin_user, paid, easypay_emulator
):
    admin_client.post(cancel_url(paid), {"amount": "3000", "reason": "부분 환불"})

    logs = AdminAuditLog.objects.filter(payment=paid).order_by("created_at")
    assert [log.action for log in logs] == ["cancel_requested", "cancel_done"]
    assert all(log.actor == admin_user for log in logs)
    assert logs[1].detail["amount"] == 3000
    assert logs[1].remote_addr == "127.0.0.1"


@pytest.mark.parametrize(
    ("amount", "error"),
    [("15001", "취소할 수 있는 금액(15,000원)보다 큽니다."), ("0", "0원보다 커야"), ("", "")],
)
def test_a_cancel_amount_above_the_balance_or_not_positive_is_refused_before_any_pg_call(
    admin_client, paid, easypay_emulator, amount, error
):
    response = admin_client.post(cancel_url(paid), {"amount": amount, "reason": "실수"})

    paid.refresh_from_db()
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert error in response.text
    assert paid.status == "paid"
    assert easypay_emulator.requests("revise") == []


def test_a_cancel_needs_a_reason_kicc_accepts(admin_client, paid, easypay_emulator):
    missing = admin_client.post(cancel_url(paid), {"amount": "1000", "reason": ""})
    forbidden = admin_client.post(cancel_url(paid), {"amount": "1000", "reason": "A&B <환불>"})

    assert "reason" in missing.context["form"].errors
    assert "reason" in forbidden.context["form"].errors
    assert easypay_emulator.requests("revise") == []


def test_staff_with_the_cancel_permission_may_cancel(client, django_user_model, paid):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_payment"),
        Permission.objects.get(codename="cancel_payment"),
    )
    client.force_login(clerk)

    response = client.post(cancel_url(paid), {"amount": "15000", "reason": "고객 요청"})

    paid.refresh_from_db()
    assert response.status_code == 302
    assert paid.status == "cancelled"
    assert AdminAuditLog.objects.filter(actor=clerk, action="cancel_done").exists()


def test_staff_without_the_cancel_permission_are_refused_and_nothing_is_sent(
    client, django_user_model, paid, easypay_emulator
):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)

    response = client.post(cancel_url(paid), {"amount": "15000", "reason": "고객 요청"})

    assert response.status_code == 403
    assert easypay_emulator.requests("revise") == []
    assert not AdminAuditLog.objects.exists()


def test_a_cancel_without_an_answer_is_reported_as_unknown_and_logged(
    admin_client, paid, easypay_emulator
):
    easypay_emulator.inject_fault("http_504", endpoint="revise")

    response = admin_client.post(
        cancel_url(paid), {"amount": "15000", "reason": "고객 요청"}, follow=True
    )

    paid.refresh_from_db()
    assert response.redirect_chain[-1][0] == change_url(paid)
    assert "다시 취소하지 마세요" in response.text
    assert paid.status == "paid"  # until reconcile learns what happened
    assert AdminAuditLog.objects.filter(payment=paid, action="cancel_unknown").exists()


def test_a_cancel_kicc_declines_is_reported_and_logged(admin_client, paid, easypay_emulator):
    # KICC's day moved on: the cancelReqDate the shop sends is no longer "today" there (§6.1).
    easypay_emulator.advance_days(1)

    response = admin_client.post(
        cancel_url(paid), {"amount": "15000", "reason": "고객 요청"}, follow=True
    )

    paid.refresh_from_db()
    assert response.redirect_chain[-1][0] == change_url(paid)
    assert paid.status == "paid"
    assert AdminAuditLog.objects.filter(payment=paid, action="cancel_failed").exists()


def test_reconcile_now_settles_a_payment_whose_approval_answer_was_lost(
    admin_client, admin_user, client, make_payment, easypay_emulator
):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    payment = pay(client, easypay_emulator, make_payment(amount=15000))
    assert payment.status == "unknown"

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "reconcile_selected", "_selected_action": [payment.pk]},
        follow=True,
    )

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert "결제 완료" in response.text
    log = AdminAuditLog.objects.get(payment=payment, action="reconcile")
    assert (log.actor, log.detail) == (admin_user, {"before": "unknown", "after": "paid"})


def test_the_change_pages_reconcile_button_asks_the_pg_only_when_posted(
    admin_client, make_payment, client, easypay_emulator
):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    payment = pay(client, easypay_emulator, make_payment(amount=15000))
    url = reverse("admin:payments_payment_reconcile", args=[payment.pk])
    retrieves = len(easypay_emulator.requests("retrieve"))

    page = admin_client.get(change_url(payment))
    refused_get = admin_client.get(url)
    posted = admin_client.post(url)

    payment.refresh_from_db()
    assert url in page.text
    assert refused_get.status_code == 405
    assert posted.status_code == 302
    assert len(easypay_emulator.requests("retrieve")) > retrieves
    assert payment.status == "paid"
