"""Reconcile (easypay.services.reconciliation), its command and its task."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from easypay import kst, services
from easypay.client import get_client, new_shop_transaction_id
from easypay.services import approval
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
