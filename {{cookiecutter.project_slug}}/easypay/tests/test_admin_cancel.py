"""The admin's cancel confirmation and "reconcile now", end to end against the real emulator:
a payment paid through the window, then cancelled in part and in full from the admin."""

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from easypay import kst, validation
from easypay.models import AdminAuditLog, Cancellation, Notification, PgCall
from easypay.services import manual
from easypay.tests.service_helpers import (
    noti_of,
    notis_sunk,
    post_noti,
    recorded_signals,
    window,
)
from easypay.validation import is_kicc_number

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
    [
        ("15001", "취소할 수 있는 금액(15,000원)보다 큽니다."),
        ("0", "0원보다 커야"),
        ("", "필수 항목입니다."),
    ],
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


def test_staff_who_may_cancel_but_not_view_payments_cannot_open_or_post_the_cancel_page(
    client, django_user_model, paid, easypay_emulator
):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="cancel_payment"))
    client.force_login(clerk)

    page = client.get(cancel_url(paid))
    posted = client.post(cancel_url(paid), {"amount": "15000", "reason": "고객 요청"})

    paid.refresh_from_db()
    assert (page.status_code, posted.status_code) == (403, 403)
    assert paid.status == "paid"
    assert easypay_emulator.requests("revise") == []


def test_behind_a_trusted_proxy_the_audit_and_kicc_get_the_staff_members_address(
    admin_client, paid, easypay_emulator, settings
):
    settings.EASYPAY_TRUSTED_PROXIES = ["10.0.0.0/8"]

    admin_client.post(
        cancel_url(paid),
        {"amount": "3000", "reason": "부분 환불"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    logs = AdminAuditLog.objects.filter(payment=paid)
    assert {log.remote_addr for log in logs} == {"203.0.113.7"}
    (revise,) = easypay_emulator.requests("revise")
    assert revise["body"]["clientIp"] == "203.0.113.7"


# ------------------------------------------------------------------------------
# Settling by hand, with KICC's console, what KICC can no longer be asked about
# ------------------------------------------------------------------------------
def settle_url(cancellation):
    return reverse("admin:easypay_cancellation_settle", args=[cancellation.pk])


@pytest.fixture
def lost_cancel(admin_client, paid, easypay_emulator):
    """A partial cancel KICC made whose answer was lost, three days ago (past §7's window)."""
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    admin_client.post(cancel_url(paid), {"amount": "3000", "reason": "부분 환불"})
    cancellation = Cancellation.objects.get(payment=paid)
    assert cancellation.status == "unknown"
    three_days_ago = kst.today() - timedelta(days=3)
    PgCall.objects.filter(pk=cancellation.pg_call_id).update(request_date=three_days_ago)
    return cancellation


def test_a_cancel_lost_past_the_window_is_settled_by_hand_with_the_consoles_number(
    admin_client,
    admin_user,
    paid,
    lost_cancel,
    easypay_emulator,
    django_capture_on_commit_callbacks,
):
    number = easypay_emulator.requests("revise")[0]["response"]["cancelPgCno"]
    page = admin_client.get(settle_url(lost_cancel))

    with recorded_signals() as log, django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            settle_url(lost_cancel),
            {"outcome": "done", "cancel_pg_cno": number, "confirmed": "on"},
        )

    lost_cancel.refresh_from_db()
    paid.refresh_from_db()
    assert page.status_code == 200 and "KICC" in page.text
    assert "요청한 취소 금액" in page.text and "3,000원" in page.text
    back = reverse("admin:easypay_cancellation_change", args=[lost_cancel.pk])
    assert 'value="확정"' in page.text and f'<a href="{back}" class="closelink">' in page.text
    assert response.status_code == 302
    assert (lost_cancel.status, lost_cancel.cancel_pg_cno) == ("done", number)
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
    assert log.only("cancelled")["cancel_amount"] == 3000
    audit = AdminAuditLog.objects.get(action="cancel_settled_by_hand")
    assert (audit.actor, audit.detail["cancel_pg_cno"]) == (admin_user, number)
    # and the shop can refund the rest again, with the right remainAmount
    admin_client.post(cancel_url(paid), {"amount": "12000", "reason": "나머지 환불"})
    paid.refresh_from_db()
    assert paid.status == "cancelled"


def test_a_cancel_kicc_never_made_is_settled_as_not_done_and_unblocks_the_payment(
    admin_client, paid, lost_cancel, easypay_emulator
):
    response = admin_client.post(
        settle_url(lost_cancel), {"outcome": "not_done", "confirmed": "on"}
    )

    lost_cancel.refresh_from_db()
    assert response.status_code == 302
    assert lost_cancel.status == "failed"
    assert AdminAuditLog.objects.filter(action="cancel_settled_by_hand").exists()
    # unblocked: the next cancel is no longer refused for the one in flight, it goes to KICC
    assert len(easypay_emulator.requests("revise")) == 1
    admin_client.post(cancel_url(paid), {"amount": "3000", "reason": "다시 취소"})
    assert len(easypay_emulator.requests("revise")) == 2


def test_settling_by_hand_needs_the_consoles_figures_and_a_confirmation(admin_client, lost_cancel):
    unconfirmed = admin_client.post(
        settle_url(lost_cancel), {"outcome": "done", "cancel_pg_cno": "1" * 20}
    )
    no_number = admin_client.post(settle_url(lost_cancel), {"outcome": "done", "confirmed": "on"})

    lost_cancel.refresh_from_db()
    assert "confirmed" in unconfirmed.context["form"].errors
    assert "cancel_pg_cno" in no_number.context["form"].errors
    assert lost_cancel.status == "unknown"


def test_a_kicc_number_typed_in_full_width_digits_is_refused(admin_client, lost_cancel):
    # A Korean IME types "１２…": such a number would never match the one KICC later sends.
    full_width = "１" * 20

    response = admin_client.post(
        settle_url(lost_cancel),
        {"outcome": "done", "cancel_pg_cno": full_width, "confirmed": "on"},
    )

    lost_cancel.refresh_from_db()
    assert "cancel_pg_cno" in response.context["form"].errors
    assert lost_cancel.status == "unknown"
    assert not is_kicc_number(full_width) and is_kicc_number("1" * 20)
    assert manual.KICC_NUMBER is validation.KICC_NUMBER  # one rule for the form and the service


def test_settling_by_hand_needs_the_cancel_and_view_permissions(
    client, django_user_model, lost_cancel
):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_payment"),
        Permission.objects.get(codename="view_cancellation"),
    )
    client.force_login(viewer)

    response = client.post(settle_url(lost_cancel), {"outcome": "not_done", "confirmed": "on"})

    lost_cancel.refresh_from_db()
    assert response.status_code == 403
    assert lost_cancel.status == "unknown"


def test_a_cancel_kicc_can_still_be_asked_about_is_not_settled_by_hand(
    admin_client, paid, easypay_emulator
):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    admin_client.post(cancel_url(paid), {"amount": "3000", "reason": "부분 환불"})
    recent = Cancellation.objects.get(payment=paid)

    response = admin_client.post(
        settle_url(recent), {"outcome": "not_done", "confirmed": "on"}, follow=True
    )

    recent.refresh_from_db()
    assert recent.status == "unknown"
    assert "더 조회할 수 없는 것만" in response.text


def settle_approval_url(payment):
    return reverse("admin:payments_payment_settle", args=[payment.pk])


@pytest.fixture
def lost_approval(client, make_payment, easypay_emulator):
    """An approval KICC made whose answer was lost, three days ago (past §7's window)."""
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    payment = pay(client, easypay_emulator, make_payment(amount=15000))
    assert payment.status == "unknown"
    PgCall.objects.filter(payment=payment, kind="approve").update(
        request_date=kst.today() - timedelta(days=3)
    )
    return payment


def test_an_approval_lost_past_the_window_is_settled_by_hand_as_the_console_shows_it(
    admin_client, admin_user, lost_approval, easypay_emulator, django_capture_on_commit_callbacks
):
    pg_cno = easypay_emulator.ledger(lost_approval.shop_order_no)["pg_cno"]
    page = admin_client.get(change_url(lost_approval))
    settle_page = admin_client.get(settle_approval_url(lost_approval))

    with recorded_signals() as log, django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            settle_approval_url(lost_approval),
            {"outcome": "paid", "pg_cno": pg_cno, "amount": "15000", "confirmed": "on"},
        )

    lost_approval.refresh_from_db()
    assert settle_approval_url(lost_approval) in page.text
    # an approval has no cancel amount: the order's amount must not show as one
    assert settle_page.status_code == 200 and "요청한 취소 금액" not in settle_page.text
    assert response.status_code == 302
    assert (lost_approval.status, lost_approval.pg_cno) == ("paid", pg_cno)
    assert log.only("approved")["pg_tid"] == pg_cno
    audit = AdminAuditLog.objects.get(action="approval_settled_by_hand")
    assert (audit.actor, audit.detail["outcome"]) == (admin_user, "paid")


def test_an_approval_of_another_amount_is_not_kept_by_hand(admin_client, lost_approval):
    response = admin_client.post(
        settle_approval_url(lost_approval),
        {"outcome": "paid", "pg_cno": "1" * 20, "amount": "16000", "confirmed": "on"},
    )

    lost_approval.refresh_from_db()
    assert "승인 금액이 주문 금액과 다릅니다" in response.text
    assert lost_approval.status == "unknown"


def test_an_approval_the_console_does_not_show_is_failed_by_hand(admin_client, lost_approval):
    admin_client.post(
        settle_approval_url(lost_approval), {"outcome": "not_approved", "confirmed": "on"}
    )

    lost_approval.refresh_from_db()
    assert (lost_approval.status, lost_approval.failure_code) == ("failed", "not_approved")


def test_an_approval_kicc_can_still_be_asked_about_is_not_settled_by_hand(
    admin_client, client, make_payment, easypay_emulator
):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    recent = pay(client, easypay_emulator, make_payment(amount=15000))

    response = admin_client.post(
        settle_approval_url(recent), {"outcome": "not_approved", "confirmed": "on"}, follow=True
    )

    recent.refresh_from_db()
    assert recent.status == "unknown"
    assert "더 조회할 수 없는 것만" in response.text


# ------------------------------------------------------------------------------
# Refunds to a bank account (a deposited virtual account, a mobile payment)
# ------------------------------------------------------------------------------
def refund_url(payment):
    return reverse("admin:payments_payment_refund", args=[payment.pk])


@pytest.fixture
def by_mobile(client, make_payment, easypay_emulator):
    payment = pay(client, easypay_emulator, make_payment(amount=15000), "approve_mobile")
    assert payment.status == "paid"
    return payment


def test_an_admin_refunds_a_mobile_payment_to_the_buyers_account(
    admin_client, admin_user, by_mobile, easypay_emulator
):
    page = admin_client.get(change_url(by_mobile))
    form = admin_client.get(refund_url(by_mobile))

    response = admin_client.post(
        refund_url(by_mobile),
        {
            "amount": "5000",
            "bank_code": "011",
            "account_no": "302-1234-5678-91",
            "depositor_name": "홍길동",
            "real_time": "1",
            "reason": "부분 환불",
        },
        follow=True,
    )

    by_mobile.refresh_from_db()
    assert refund_url(by_mobile) in page.text
    assert "환불 실행" in form.text
    assert "5,000원을 환불했습니다." in response.text
    assert (by_mobile.status, by_mobile.cancelled_amount) == ("partially_cancelled", 5000)
    refund = Cancellation.objects.get(payment=by_mobile)
    assert (refund.revise_type_code, refund.requested_by) == ("63", admin_user)
    assert AdminAuditLog.objects.filter(payment=by_mobile, action="refund_requested").exists()


@pytest.fixture
def deposited(client, make_payment, easypay_emulator):
    """A virtual account of 15,000원 the buyer paid into (KICC's 노티 30, delivered here)."""
    payment = pay(client, easypay_emulator, make_payment(amount=15000), "approve_va")
    assert payment.status == "awaiting_deposit"
    with notis_sunk(easypay_emulator):
        easypay_emulator.deposit(payment.shop_order_no)
        post_noti(noti_of(easypay_emulator, "30"))
    payment.refresh_from_db()
    assert payment.status == "paid"
    return payment


BUYERS_ACCOUNT = {
    "bank_code": "004",
    "account_no": "110-123-456789",
    "depositor_name": "홍길동",
}


def buyers_pages(client, payment):
    """The buyer's payment page and receipt, as the buyer sees them."""
    client.force_login(payment.user)
    return [
        client.get(reverse(name, args=[payment.public_token])).text
        for name in ("payments:detail", "payments:receipt")
    ]


def test_an_admin_refunds_a_deposited_virtual_account_and_the_buyer_sees_it_masked(
    admin_client,
    admin_user,
    client,
    deposited,
    easypay_emulator,
    django_capture_on_commit_callbacks,
):
    page = admin_client.get(change_url(deposited))
    not_cancelled = admin_client.get(cancel_url(deposited), follow=True)
    form = admin_client.get(refund_url(deposited))

    with recorded_signals() as log, django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            refund_url(deposited),
            {"amount": "15000", **BUYERS_ACCOUNT, "real_time": "1", "reason": "주문 취소"},
            follow=True,
        )

    deposited.refresh_from_db()
    # The admin: a refund, not a cancel, entered on the confirmation page.
    assert refund_url(deposited) in page.text and cancel_url(deposited) not in page.text
    assert "여기서 처리할 수 없습니다" in not_cancelled.text
    assert "환불 실행" in form.text and "환불 계좌번호" in form.text
    assert response.redirect_chain[-1][0] == change_url(deposited)
    assert "15,000원을 환불했습니다." in response.text
    # What moved: the whole deposit, into the account entered, once.
    assert (deposited.status, deposited.cancelled_amount) == ("cancelled", 15000)
    (revise,) = easypay_emulator.requests("revise")
    sent = revise["body"]
    assert (sent["reviseTypeCode"], sent["reviseSubTypeCode"]) == ("63", "10")
    assert (sent["refundInfo"]["refundBankCode"], sent["refundInfo"]["refundAccountNo"]) == (
        "004",
        "110123456789",
    )
    assert easypay_emulator.ledger(deposited.shop_order_no)["cancelled_amount"] == 15000
    refund = Cancellation.objects.get(payment=deposited)
    assert (refund.status, refund.requested_by, refund.amount) == ("done", admin_user, 15000)
    cancelled = log.only("cancelled")
    assert (cancelled["refund"], cancelled["cancel_amount"]) == (True, 15000)
    actions = AdminAuditLog.objects.filter(payment=deposited).values_list("action", flat=True)
    assert set(actions) == {"refund_requested", "cancel_done"}
    # The buyer: the refund with its state, the account masked, on the page and the receipt.
    for text in buyers_pages(client, deposited):
        assert "취소·환불 내역" in text
        assert '<span class="status cancel-done">환불 완료</span>' in text
        assert "환불 계좌: KB국민은행 ********6789" in text
        assert "110123456789" not in text and "110-123-456789" not in text
        assert "15,000원" in text


def test_a_next_day_refund_from_the_admin_shows_in_progress_until_the_bank_pays_it(
    admin_client, client, deposited, easypay_emulator, django_capture_on_commit_callbacks
):
    response = admin_client.post(
        refund_url(deposited),
        {"amount": "5000", **BUYERS_ACCOUNT, "real_time": "0", "reason": "부분 환불"},
        follow=True,
    )

    deposited.refresh_from_db()
    refund = Cancellation.objects.get(payment=deposited)
    assert "5,000원 환불을 KICC가 접수했습니다." in response.text
    assert (refund.revise_type_code, refund.status) == ("62", "accepted")
    assert (deposited.status, deposited.cancelled_amount) == ("paid", 0)  # not paid out yet
    for text in buyers_pages(client, deposited):
        assert '<span class="status cancel-in-flight">환불 처리 중</span>' in text
        assert "환불 계좌: KB국민은행 ********6789" in text
        assert "110123456789" not in text

    with notis_sunk(easypay_emulator), django_capture_on_commit_callbacks(execute=True):
        easypay_emulator.complete_refund(deposited.shop_order_no, outcome="done")
        assert post_noti(noti_of(easypay_emulator, "50")).json()["resCd"] == "0000"

    deposited.refresh_from_db()
    assert (deposited.status, deposited.cancelled_amount) == ("partially_cancelled", 5000)
    detail, receipt = buyers_pages(client, deposited)
    for text in (detail, receipt):
        assert '<span class="status cancel-done">환불 완료</span>' in text
        assert "환불 처리 중" not in text
        assert "10,000원" in text  # what is left
    assert "결제의 일부가 취소되었습니다" in detail


def test_the_refund_page_refuses_a_second_refund_while_the_first_waits_for_the_bank(
    admin_client, deposited, easypay_emulator
):
    admin_client.post(
        refund_url(deposited),
        {"amount": "5000", **BUYERS_ACCOUNT, "real_time": "0", "reason": "부분 환불"},
    )

    second = admin_client.post(
        refund_url(deposited),
        {"amount": "10000", **BUYERS_ACCOUNT, "real_time": "1", "reason": "나머지 환불"},
    )

    deposited.refresh_from_db()
    assert second.status_code == 200
    assert "처리 중인 취소 요청이 있습니다" in second.text
    assert len(easypay_emulator.requests("revise")) == 1
    assert list(Cancellation.objects.values_list("status", flat=True)) == ["accepted"]
    assert (deposited.status, deposited.cancelled_amount) == ("paid", 0)
    refused = AdminAuditLog.objects.get(payment=deposited, action="cancel_refused")
    assert refused.detail["amount"] == 10000


def test_a_refund_account_is_checked_before_anything_is_sent(
    admin_client, by_mobile, easypay_emulator
):
    response = admin_client.post(
        refund_url(by_mobile),
        {
            "amount": "5000",
            "bank_code": "011",
            "account_no": "1234-5678-9012-3456",
            "depositor_name": "홍<길동>",
            "real_time": "1",
            "reason": "환불",
        },
    )

    errors = response.context["form"].errors
    assert {"account_no", "depositor_name"} <= set(errors)
    assert easypay_emulator.requests("revise") == []


def test_a_refund_account_in_full_width_digits_is_refused_by_the_form(
    admin_client, by_mobile, easypay_emulator
):
    # The form used to take "１２３…" (isdigit) and the refund then failed as cancel_refused.
    response = admin_client.post(
        refund_url(by_mobile),
        {
            "amount": "5000",
            "bank_code": "011",
            "account_no": "１２３-４５６７-８９０１",
            "depositor_name": "홍길동",
            "real_time": "1",
            "reason": "환불",
        },
    )

    errors = response.context["form"].errors
    assert errors["account_no"] == ["계좌번호는 숫자 14자리까지입니다 (KICC의 제한)."]
    assert easypay_emulator.requests("revise") == []
    assert not AdminAuditLog.objects.filter(payment=by_mobile, action="cancel_refused").exists()


def test_a_card_has_no_refund_page(admin_client, paid):
    page = admin_client.get(change_url(paid))
    response = admin_client.get(refund_url(paid), follow=True)

    assert refund_url(paid) not in page.text
    assert "여기서 처리할 수 없습니다" in response.text


def test_refunding_needs_the_cancel_and_view_permissions(
    client, django_user_model, by_mobile, easypay_emulator
):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(viewer)

    response = client.post(refund_url(by_mobile), {"amount": "15000"})

    assert response.status_code == 403
    assert easypay_emulator.requests("revise") == []


def test_the_page_for_a_held_noti_shows_its_body_masked(admin_client, paid):
    body = {"notiType": "20", "pgCno": paid.pg_cno, "mobileNo": "01012345678"}
    held = Notification.objects.create(
        raw_body=json.dumps(body).encode(),
        status="held",
        noti_type="20",
        pg_cno=paid.pg_cno,
        payment=paid,
        error="확인 필요",
    )

    page = admin_client.get(reverse("admin:easypay_notification_settle", args=[held.pk]))

    assert page.status_code == 200
    assert "01012345678" not in page.text
    assert paid.pg_cno in page.text
