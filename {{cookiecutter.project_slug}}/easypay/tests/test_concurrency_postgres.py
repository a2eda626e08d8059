"""Races that only a real multi-connection database can show: PostgreSQL, real threads, one
connection each. Skipped on SQLite, whose single writer serialises everything anyway."""

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from easypay import services
from easypay.client import EasyPayClient, RefundAccount
from easypay.models import Cancellation, Notification
from easypay.services.cancellation import void_approval
from easypay.tests.service_helpers import noti_of, notis_sunk, pay, recorded_signals, window

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def run_together(count, work):
    """Run work(i) in `count` threads released at the same moment; returns results/errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def body(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 — reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_returns_approve_once(easypay_emulator, payment):
    post = window(easypay_emulator, payment)

    with recorded_signals() as log:
        results = run_together(
            6, lambda i: services.handle_return(payment.public_token, post.fields)
        )

    assert all(not isinstance(result, BaseException) for result in results), results
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(easypay_emulator.requests("approve")) == 1
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 1
    assert log.names().count("approved") == 1


def test_concurrent_partial_cancels_never_exceed_what_was_paid(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)  # 15,000

    results = run_together(
        5, lambda i: services.cancel(type(paid).objects.get(pk=paid.pk), amount=6000, reason="")
    )

    done = Cancellation.objects.filter(status="done")
    refused = [r for r in results if isinstance(r, services.CancelRefused)]
    paid.refresh_from_db()
    ledger = easypay_emulator.ledger(paid.shop_order_no)
    assert sum(c.amount for c in done) <= 15000
    assert paid.cancelled_amount == ledger["cancelled_amount"] == sum(c.amount for c in done)
    assert len(refused) + done.count() == 5
    assert done.count() >= 1


def test_no_row_lock_is_held_while_approve_is_on_the_wire(easypay_emulator, payment, monkeypatch):
    post = window(easypay_emulator, payment)
    real_approve = EasyPayClient.approve
    seen = {}

    def approve_while_another_connection_locks_the_row(self, **kwargs):
        def lock_from_elsewhere(_):
            with connection.cursor() as cursor:  # a connection of this other thread
                table = type(payment)._meta.db_table
                cursor.execute("BEGIN")
                sql = f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT"  # noqa: S608
                cursor.execute(sql, [payment.pk])
                cursor.execute("ROLLBACK")
            return "locked it"

        seen["other"] = run_together(1, lock_from_elsewhere)[0]
        return real_approve(self, **kwargs)

    monkeypatch.setattr(EasyPayClient, "approve", approve_while_another_connection_locks_the_row)
    paid = services.handle_return(payment.public_token, post.fields)

    assert seen["other"] == "locked it"  # NOWAIT would have raised if we held the row
    assert paid.status == "paid"


def test_an_approval_noti_during_the_approve_call_is_confirmed_and_applied_once(
    easypay_emulator, payment, live_server, settings
):
    """KICC's 노티 10 can arrive before our own approve answer: it is confirmed through
    retrieve, and our answer then finds the approval already recorded — no void, no repeat."""
    settings.EASYPAY_NOTI_ALLOWED_IPS = ["127.0.0.1"]
    easypay_emulator.set_noti_url(live_server.url + reverse("easypay:noti"), retry_seconds=0.2)
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("delay", endpoint="approve", seconds=2)  # under the 30 s timeout

    with recorded_signals() as log:
        paid = services.handle_return(payment.public_token, post.fields)

    ledger = easypay_emulator.ledger(payment.shop_order_no)
    assert easypay_emulator.wait_for_notis(1, acked=True)[0]["noti_type"] == "10"
    assert paid.status == "paid"
    assert ledger["status_code"] == "TS03"  # not voided
    assert easypay_emulator.requests("revise") == []
    assert log.names().count("approved") == 1
    assert len(easypay_emulator.requests("retrieve")) == 1  # the 노티 was confirmed


def test_a_cancel_noti_during_the_cancel_call_counts_the_cancel_once(
    easypay_emulator, payment, live_server, settings
):
    settings.EASYPAY_NOTI_ALLOWED_IPS = ["127.0.0.1"]
    paid = pay(easypay_emulator, payment)
    easypay_emulator.set_noti_url(live_server.url + reverse("easypay:noti"), retry_seconds=0.2)
    easypay_emulator.inject_fault("delay", endpoint="revise", seconds=2)

    with recorded_signals() as log:
        cancellation = services.cancel(paid, amount=4000, reason="")

    easypay_emulator.wait_for_notis(1, acked=True)
    paid.refresh_from_db()
    assert cancellation.status == "done"
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 4000)
    assert Cancellation.objects.count() == 1
    assert log.names() == ["cancelled"]


def post_noti(body):
    return Client().post(
        reverse("easypay:noti"),
        json.dumps(body),
        content_type="application/json; charset=utf-8",
        REMOTE_ADDR="203.233.72.150",
    )


def test_concurrent_cancel_notis_never_record_more_than_kicc_cancelled(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)  # 15,000
    with notis_sunk(easypay_emulator):
        easypay_emulator.console_cancel(paid.shop_order_no, 1000)  # KICC: TS06, 14,000 left
        real = noti_of(easypay_emulator, "20")
    # The real one and 15 copies under made-up cancel numbers, all at once.
    bodies = [real] + [{**real, "cancelPgCno": f"{n:020d}"} for n in range(1, 16)]

    with recorded_signals() as log:
        results = run_together(16, lambda i: post_noti(bodies[i]).status_code)

    paid.refresh_from_db()
    assert results == [200] * 16
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 1000)
    done = Cancellation.objects.filter(payment=paid, status="done")
    assert sum(c.amount for c in done) == 1000
    assert log.names().count("cancelled") == 1


def test_concurrent_cancel_notis_without_what_is_left_apply_nothing(easypay_emulator, payment):
    """The attack as it was run: 16 notis of 1,000 each, no remainAmount, on 15,000."""
    paid = pay(easypay_emulator, payment)
    with notis_sunk(easypay_emulator):
        easypay_emulator.console_cancel(paid.shop_order_no, 1000)
        real = noti_of(easypay_emulator, "20")
    del real["remainAmount"]
    bodies = [{**real, "cancelPgCno": f"{n:020d}"} for n in range(16)]

    run_together(16, lambda i: post_noti(bodies[i]))

    paid.refresh_from_db()
    assert paid.cancelled_amount == 0  # held for a person: nothing says what is left
    assert Notification.objects.filter(status="held").count() == 16


def test_concurrent_voids_of_one_approval_send_one_revise(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)  # approved at KICC, unknown here
    pg_cno = easypay_emulator.ledger(payment.shop_order_no)["pg_cno"]

    run_together(
        6,
        lambda i: void_approval(
            type(payment).objects.get(pk=payment.pk),
            pg_cno=pg_cno,
            amount=payment.amount,
            code="amount_mismatch",
            message="x",
            stage="reconcile",
        ),
    )

    assert len(easypay_emulator.requests("revise")) == 1
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS02"
    assert Cancellation.objects.filter(payment=payment).count() == 1


ACCOUNT = RefundAccount(bank_code="004", account_no="11012345678", depositor_name="홍길동")


def deposited_account(emulator, payment):
    """A virtual account the buyer paid into (its 노티 30 delivered here)."""
    waiting = pay(emulator, payment, "approve_va")
    with notis_sunk(emulator):
        emulator.deposit(waiting.shop_order_no)
        post_noti(noti_of(emulator, "30"))
    waiting.refresh_from_db()
    assert waiting.status == "paid"
    return waiting


def outcome(call):
    try:
        return call().status
    except services.CancelRefused as refused:
        return refused.code


@pytest.mark.parametrize("method", ["virtual account", "mobile"])
def test_concurrent_refunds_of_one_payment_send_one_revise(easypay_emulator, payment, method):
    """Six refunds (and, for a mobile payment, cancels) at once while the first is still on
    the wire: one claims the payment and is sent; the others are refused before any call."""
    paid = (
        deposited_account(easypay_emulator, payment)
        if method == "virtual account"
        else pay(easypay_emulator, payment, "approve_mobile")
    )
    easypay_emulator.inject_fault("delay", endpoint="revise", seconds=1, count=6)

    def work(i):
        fresh = type(paid).objects.get(pk=paid.pk)
        if method == "mobile" and i % 2:
            return outcome(lambda: services.cancel(fresh, amount=4000, reason=""))
        return outcome(
            lambda: services.refund(fresh, account=ACCOUNT, amount=4000, reason="", real_time=i < 3)
        )

    with recorded_signals() as log:
        results = run_together(6, work)

    paid.refresh_from_db()
    (sent,) = Cancellation.objects.filter(payment=paid)
    winner = "accepted" if sent.status == "accepted" else "done"
    assert sorted(results) == sorted([winner] + ["in_flight"] * 5), results
    assert len(easypay_emulator.requests("revise")) == 1
    assert easypay_emulator.ledger(paid.shop_order_no)["cancelled_amount"] == 4000
    # Done: in the books and announced once. Accepted: reserved at KICC until the bank pays.
    assert paid.cancelled_amount == (4000 if winner == "done" else 0)
    assert log.names().count("cancelled") == (1 if winner == "done" else 0)
