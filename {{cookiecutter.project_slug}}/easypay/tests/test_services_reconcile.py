"""Reconcile (easypay.services.reconciliation), its command and its task."""

from datetime import timedelta
from io import StringIO

import pytest
import responses
import time_machine
from django.core.management import call_command
from django.utils import timezone

from easypay import kst, services
from easypay.client import PATHS, get_client, new_shop_transaction_id
from easypay.models import Cancellation, PgCall
from easypay.services import approval, cancellation
from easypay.tasks import reconcile_payments
from easypay.tests.contract_helpers import client_for
from easypay.tests.service_helpers import pay, recorded_signals, window

pytestmark = pytest.mark.django_db(transaction=True)


def age(payment, **delta):
    type(payment).objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(**delta)
    )


def test_abandoned_checkouts_expire_and_recent_ones_wait(easypay_emulator, make_payment, settings):
    settings.EASYPAY_PENDING_EXPIRY = timedelta(hours=1)
    abandoned, recent = make_payment(), make_payment()
    age(abandoned, hours=2)
    age(recent, minutes=10)

    with recorded_signals() as log:
        report = services.reconcile_all()

    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert (abandoned.status, abandoned.failure_code) == ("failed", "expired")
    assert recent.status == "pending"
    assert report.expired == [abandoned.shop_order_no]
    assert log.only("failed")["stage"] == "reconcile"
    assert easypay_emulator.requests() == []  # no approve was ever made: nothing to ask


def test_a_payment_stuck_in_approving_is_settled_once_it_is_stale(easypay_emulator, payment):
    """The process died after sending approve, before recording the answer."""
    post = window(easypay_emulator, payment)
    call = approval.claim(payment, post.fields["authorizationId"])
    get_client().approve(
        shop_transaction_id=call.shop_transaction_id,
        authorization_id=post.fields["authorizationId"],
        shop_order_no=payment.shop_order_no,
        approval_req_date=call.request_date,
        expected_amount=payment.amount,
    )

    services.reconcile_all(now=timezone.now())
    payment.refresh_from_db()
    assert payment.status == "approving"  # maybe still running: left alone

    with recorded_signals() as log:
        report = services.reconcile_all(now=timezone.now() + timedelta(minutes=5))

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert report.resolved == [f"{payment.shop_order_no}: approving → paid"]
    assert log.names() == ["approved"]


def test_an_unknown_payment_older_than_yesterday_is_left_for_a_human(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=True):
        report = services.reconcile_all()

    payment.refresh_from_db()
    assert payment.status == "unknown"
    assert "§7" in report.unresolved[0]
    assert easypay_emulator.requests("retrieve") == []


def test_differences_between_kicc_and_the_database_are_reported(easypay_emulator, make_payment):
    kept, cancelled_elsewhere = make_payment(), make_payment()
    pay(easypay_emulator, kept)
    paid = pay(easypay_emulator, cancelled_elsewhere)
    client_for(easypay_emulator).revise(  # in KICC's console, and its 노티 never came
        shop_transaction_id=new_shop_transaction_id(),
        pg_cno=paid.pg_cno,
        revise_type_code="40",
        cancel_req_date=kst.today(),
    )

    report = services.reconcile_all()

    assert len(report.differences) == 1
    assert report.differences[0].startswith(f"{paid.shop_order_no}: DB paid, KICC TS02")
    paid.refresh_from_db()
    assert paid.status == "paid"  # reported, not changed by a guess


def test_the_command_prints_the_report(easypay_emulator, payment):
    age(payment, days=1)
    out, err = StringIO(), StringIO()

    call_command("easypay_reconcile", stdout=out, stderr=err)

    assert "expired: 1" in out.getvalue()
    assert payment.shop_order_no in out.getvalue()


def test_the_task_runs_reconcile_and_returns_the_report(easypay_emulator, payment):
    age(payment, days=1)

    result = reconcile_payments.enqueue()

    assert result.return_value["expired"] == [payment.shop_order_no]


# ------------------------------------------------------------------------------
# KICC's "nothing" (§7, §14: it has no code) fails a payment only when it is certain
# ------------------------------------------------------------------------------
def unknown_after_a_502(emulator, payment):
    """An approve that never reached KICC's books (a 502 in front of it): KICC has nothing."""
    post = window(emulator, payment)
    emulator.inject_fault("http_502", endpoint="approve")
    return services.handle_return(payment.public_token, post.fields)


def status_of(payment) -> str:
    payment.refresh_from_db()
    return payment.status


def test_a_504_from_retrieve_is_no_answer_and_never_counts_as_kicc_having_nothing(
    easypay_emulator, payment, settings
):
    settings.EASYPAY_UNKNOWN_GRACE = timedelta(minutes=10)
    with time_machine.travel(timezone.now(), tick=True) as clock:
        unknown_after_a_502(easypay_emulator, payment)
        clock.shift(timedelta(minutes=20))  # the call is long over, the grace too
        easypay_emulator.inject_fault("http_504", endpoint="retrieve", count=2)

        first = services.reconcile_all()
        clock.shift(timedelta(minutes=20))
        second = services.reconcile_all()

        assert status_of(payment) == "unknown"
        assert "조회 실패" in first.unresolved[0] and "조회 실패" in second.unresolved[0]
        clock.shift(timedelta(minutes=1))
        services.reconcile_all()  # KICC's first definite "nothing": still not final
        assert status_of(payment) == "unknown"
    outcomes = PgCall.objects.filter(kind="retrieve").order_by("created_at")
    assert [call.outcome for call in outcomes] == ["unknown", "unknown", "declined"]


def test_one_error_code_from_retrieve_does_not_fail_a_payment_kicc_did_approve(
    easypay_emulator, payment
):
    """A throttling or system error comes as HTTP 200 with a resCd ≠ "0000", exactly like
    "not found": the emulator always finds its own approvals, so that answer is made here."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    with time_machine.travel(timezone.now(), tick=True) as clock:
        services.handle_return(payment.public_token, post.fields)
        clock.shift(timedelta(minutes=5))  # the approve call cannot still be running
        with responses.RequestsMock() as kicc_busy:
            kicc_busy.add_passthru(easypay_emulator.api_url)
            kicc_busy.post(
                easypay_emulator.api_url + PATHS["retrieve"],
                json={"resCd": "9999", "resMsg": "잠시 후 다시 시도해 주십시오"},
            )
            report = services.reconcile_all(compare=False)
        assert status_of(payment) == "unknown"  # money may have moved
        assert "KICC에 승인 내역 없음 (9999)" in report.unresolved[0]
        first_answer = PgCall.objects.filter(kind="retrieve").earliest("created_at")
        since = f"{first_answer.created_at.astimezone(kst.KST):%Y-%m-%d %H:%M} KST부터"
        assert since in report.unresolved[0]

        clock.shift(timedelta(minutes=5))
        with recorded_signals() as log:
            services.reconcile_all()
    assert status_of(payment) == "paid"
    assert log.names() == ["approved"]


def test_a_stale_approval_past_the_retrieve_window_is_unknown_and_left_for_a_human(
    easypay_emulator, payment, caplog
):
    """The process died mid-call and nobody reconciled for days: KICC can no longer be asked
    (§7), so the payment is neither failed nor left "approving" — a person checks."""
    post = window(easypay_emulator, payment)
    approval.claim(payment, post.fields["authorizationId"])  # then the process died

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=True):
        report = services.reconcile_all()

    assert status_of(payment) == "unknown"
    assert "§7" in report.unresolved[0]
    assert easypay_emulator.requests("retrieve") == []
    assert "past the retrieve window" in caplog.text


def test_a_failed_payment_that_kicc_shows_approved_is_a_reported_difference(
    easypay_emulator, payment
):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)  # approved at KICC, unknown here
    type(payment).objects.filter(pk=payment.pk).update(status="failed")  # failed by mistake

    report = services.reconcile_all()

    (difference,) = report.differences
    assert difference.startswith(f"{payment.shop_order_no}: DB failed, KICC TS03")
    assert status_of(payment) == "failed"  # reported, not changed by a guess


def test_a_failed_payment_kicc_has_nothing_for_is_not_reported(easypay_emulator, payment):
    unknown_after_a_502(easypay_emulator, payment)
    type(payment).objects.filter(pk=payment.pk).update(status="failed")

    report = services.reconcile_all()

    assert (report.differences, report.unresolved) == ([], [])
    assert len(easypay_emulator.requests("retrieve")) == 1  # it was compared


def test_a_void_kicc_refuses_for_a_failed_payment_is_reported_until_a_person_acts(
    easypay_emulator, payment, settings, caplog
):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)
    type(payment).objects.filter(pk=payment.pk).update(status="failed")
    pg_cno = easypay_emulator.ledger(payment.shop_order_no)["pg_cno"]
    settings.EASYPAY_SECRET_KEY = "not-the-malls-key"  # KICC refuses the revise (bad msgAuthValue)

    cancellation.void_approval(
        payment,
        pg_cno=pg_cno,
        amount=payment.amount,
        code="late_approval",
        message="x",
        stage="notification",
    )

    void = Cancellation.objects.get(payment=payment)
    assert (void.origin, void.status) == ("system", "failed")
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS03"  # still held
    assert any(r.levelname == "ERROR" and "refused the void" in r.message for r in caplog.records)
    for _ in range(2):  # every run, not once
        report = services.reconcile_all(compare=False)
        assert len(report.unresolved) == 1
        assert report.unresolved[0].startswith(f"{payment.shop_order_no}: ")
        assert pg_cno in report.unresolved[0]


# ------------------------------------------------------------------------------
# A cancel is settled by the same rule as an approval: never failed while KICC may hold it
# ------------------------------------------------------------------------------
@pytest.fixture
def paid(easypay_emulator, payment):
    return pay(easypay_emulator, payment)


def test_one_refusal_of_the_status_query_never_fails_a_cancel_kicc_made(easypay_emulator, paid):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    lost = services.cancel(paid, amount=3000, reason="부분 환불")
    easypay_emulator.advance_days(2)  # KICC's status query now refuses it (not "not found")

    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):
        report = services.reconcile_all(compare=False)

    lost.refresh_from_db()
    paid.refresh_from_db()
    assert easypay_emulator.ledger(paid.shop_order_no)["cancelled_amount"] == 3000  # KICC did it
    assert lost.status == "unknown"  # not failed: the shop cannot know yet
    assert any(f"취소 {lost.pk}" in line for line in report.unresolved)
    with pytest.raises(services.CancelRefused):  # no second cancel with a wrong remainAmount
        services.cancel(paid, amount=1000, reason="추가 환불")
    assert len(easypay_emulator.requests("revise")) == 1


def test_a_cancel_kicc_never_received_fails_after_two_refusals_the_grace_apart(
    easypay_emulator, paid, settings
):
    settings.EASYPAY_UNKNOWN_GRACE = timedelta(minutes=10)
    easypay_emulator.inject_fault("http_502", endpoint="revise")  # stopped before KICC's books
    with time_machine.travel(timezone.now(), tick=True) as clock:
        lost = services.cancel(paid, amount=3000, reason="부분 환불")
        assert lost.status == "unknown"
        clock.shift(timedelta(minutes=2))  # the revise call is long over

        first = services.reconcile_all(compare=False)
        lost.refresh_from_db()
        assert lost.status == "unknown"
        assert "EASYPAY_UNKNOWN_GRACE" in first.unresolved[0]

        clock.shift(timedelta(minutes=11))
        second = services.reconcile_all(compare=False)
        lost.refresh_from_db()
        assert lost.status == "failed"
        assert second.resolved == [
            f"{paid.shop_order_no}: 취소 {lost.pk} → failed (KICC에 내역 없음)"
        ]
        again = services.cancel(paid, amount=3000, reason="다시 환불")
    assert again.status == "done"


def test_a_cancel_unknown_past_the_status_window_is_reported_with_what_to_do(
    easypay_emulator, paid
):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    lost = services.cancel(paid, amount=3000, reason="부분 환불")

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=True):
        report = services.reconcile_all(compare=False)

    (line,) = [line for line in report.unresolved if f"취소 {lost.pk}" in line]
    assert "취소 결과 확정" in line and "KICC 관리자" in line
    lost.refresh_from_db()
    assert lost.status == "unknown"


# ------------------------------------------------------------------------------
# Comparing with KICC under both readings of §7 (the status now, or the original one)
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("reading", ["current", "original"])
def test_an_amount_mismatch_that_was_voided_is_no_difference(easypay_emulator, payment, reading):
    easypay_emulator.set_retrieve_status(reading)
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)
    assert status_of(payment) == "failed"

    reports = [services.reconcile_all() for _ in range(2)]

    assert [report.differences for report in reports] == [[], []]


@pytest.mark.parametrize("reading", ["current", "original"])
def test_cancelled_and_partially_cancelled_payments_agree_with_kicc(
    easypay_emulator, make_payment, reading
):
    easypay_emulator.set_retrieve_status(reading)
    partly, fully = make_payment(), make_payment()
    services.cancel(pay(easypay_emulator, partly), amount=1000, reason="")
    services.cancel(pay(easypay_emulator, fully), reason="")

    report = services.reconcile_all()

    assert report.differences == []


@pytest.mark.parametrize("reading", ["current", "original"])
def test_a_console_cancel_whose_noti_never_came_is_a_difference_when_kicc_shows_it(
    easypay_emulator, paid, reading
):
    easypay_emulator.set_retrieve_status(reading)
    easypay_emulator.console_cancel(paid.shop_order_no)  # its 노티 20 is lost

    report = services.reconcile_all()

    if reading == "current":
        assert report.differences == [f"{paid.shop_order_no}: DB paid, KICC TS02 승인취소"]
    else:  # KICC answers with the approval's own status: nothing can be told from it
        assert report.differences == []
