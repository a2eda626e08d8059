"""Voiding an approval the shop cannot keep (integrity rules 1 and 4) when someone else has
already recorded that approval: the books must end as KICC has them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from easypay import services
from easypay.client import EasyPayClient
from easypay.exceptions import Untrusted
from easypay.models import Cancellation
from easypay.services import cancellation, conf
from easypay.tests.service_helpers import recorded_signals, window

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_void_of_an_approval_a_noti_already_recorded_as_paid_leaves_the_payment_cancelled(
    easypay_emulator, payment, monkeypatch
):
    """Our approve answer cannot be believed (bad msgAuthValue), but KICC's 노티 10 arrived
    while we waited and, confirmed through retrieve, recorded the payment as paid. The void
    still cancels the approval at KICC, so the payment must not stay "paid"."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("bad_signature", endpoint="approve")
    real_approve = EasyPayClient.approve

    def approve_while_a_noti_10_is_handled(self, **kwargs):
        try:
            return real_approve(self, **kwargs)
        except Untrusted:
            # What the 노티 10 handler does for a payment still approving (notifications.py).
            services.reconcile(type(payment).objects.get(pk=payment.pk), force=True)
            raise

    monkeypatch.setattr(EasyPayClient, "approve", approve_while_a_noti_10_is_handled)
    with recorded_signals() as log:
        after = services.handle_return(payment.public_token, post.fields)

    ledger = easypay_emulator.ledger(payment.shop_order_no)
    assert ledger["status_code"] == "TS02"  # KICC cancelled it
    assert (after.status, after.cancelled_amount) == ("cancelled", after.amount)
    assert log.names() == ["approved", "cancelled"]
    assert log.only("cancelled")["cancel_type"] == "40"


def test_the_return_and_a_noti_10_that_both_find_a_wrong_amount_void_the_approval_once(
    easypay_emulator, payment, monkeypatch, caplog
):
    """The 노티 10 path (reconcile: the amount is wrong → void) and the return's own
    untrusted answer (amount mismatch → void) both want to cancel the same approval. One
    revise goes to KICC; the other path sees the claim and leaves it."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    real_approve = EasyPayClient.approve

    def approve_while_a_noti_10_is_handled(self, **kwargs):
        try:
            return real_approve(self, **kwargs)
        except Untrusted:
            services.reconcile(type(payment).objects.get(pk=payment.pk), force=True)
            raise

    monkeypatch.setattr(EasyPayClient, "approve", approve_while_a_noti_10_is_handled)
    with recorded_signals() as log:
        after = services.handle_return(payment.public_token, post.fields)

    revises = easypay_emulator.requests("revise")
    assert [r["response"]["resCd"] for r in revises] == ["0000"]
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS02"
    assert (after.status, after.failure_code) == ("failed", "amount_mismatch")
    voids = Cancellation.objects.filter(payment=payment)
    assert [(v.origin, v.status) for v in voids] == [("system", "done")]
    assert log.names() == ["failed"]
    assert "money may be held" not in caplog.text


def test_a_second_void_of_the_same_approval_sends_nothing(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)  # voided once
    pg_cno = easypay_emulator.ledger(payment.shop_order_no)["pg_cno"]

    cancellation.void_approval(
        payment, pg_cno=pg_cno, amount=16000, code="late_approval", message="x", stage="reconcile"
    )

    assert len(easypay_emulator.requests("revise")) == 1
    assert Cancellation.objects.filter(payment=payment).count() == 1


def test_a_void_that_cannot_finish_within_the_requests_budget_is_left_to_reconcile(
    easypay_emulator, payment, settings
):
    """gunicorn kills a worker at its timeout; a void cut off there is worse than one not
    started. With too little of the request's budget left, the return sends no revise: the
    payment is unknown, and reconcile voids the approval (integrity rule 1)."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    settings.EASYPAY_TIMEOUTS = {"connect": 5, "approve": 30, "revise": 40}
    # An approve can take 45.6 s at worst (3 connects, the pauses, 30 s), a revise 55.6 s.
    settings.EASYPAY_REQUEST_BUDGET = 50

    with conf.request_deadline():
        after = services.handle_return(payment.public_token, post.fields)

    assert after.status == "unknown"
    assert easypay_emulator.requests("revise") == []
    services.reconcile_all(now=timezone.now() + timedelta(minutes=5))
    after.refresh_from_db()
    assert (after.status, after.failure_code) == ("failed", "amount_mismatch")
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS02"


def test_claiming_a_void_stamps_the_payments_last_change(payment):
    """The claim writes the payment with a queryset update, which skips auto_now: it stamps
    updated_at itself, as every other write of a payment does (the admin sorts by it)."""
    before = payment.updated_at

    claimed = cancellation._claim_void(
        payment, pg_cno="24120100000000000001", amount=payment.amount, code="x", message="y"
    )

    assert claimed is not None
    assert payment.updated_at > before
    assert payment.pg_cno == "24120100000000000001"


def test_a_void_sent_across_kst_midnight_asks_for_the_date_its_call_stored(
    easypay_emulator, payment, monkeypatch
):
    """The void's cancelReqDate is the request_date committed with its PgCall (rule 2): KICC's
    day turning between two readings of the clock must not send one date and store another,
    or reconcile would later ask KICC about the wrong day."""
    from easypay import kst

    real_today = kst.today
    readings = []

    def midnight_passes():  # the first reading is day D, every later one D + 1
        readings.append(None)
        return real_today() + timedelta(days=len(readings) > 1)

    sent = {}
    real_revise = EasyPayClient.revise

    def revise(self, **kwargs):
        sent.update(kwargs)
        return real_revise(self, **kwargs)

    monkeypatch.setattr(kst, "today", midnight_passes)
    monkeypatch.setattr(EasyPayClient, "revise", revise)
    cancellation.void_approval(
        payment,
        pg_cno="24120100000000000001",
        amount=payment.amount,
        code="x",
        message="y",
        stage="reconcile",
    )

    void = Cancellation.objects.get(payment=payment)
    assert sent["cancel_req_date"] == void.pg_call.request_date


@pytest.mark.parametrize("stage", ["notification", "manual"])
def test_a_void_settled_outside_reconcile_fails_the_payment_at_its_own_stage(
    easypay_emulator, payment, stage
):
    """The void of an untrustworthy approval lost its answer; whoever settles it with KICC's
    figures (a 노티 20, a person) is the stage payment_failed names — not the "reconcile"
    apply_cancellation used to claim whoever settled it."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    after = services.handle_return(payment.public_token, post.fields)
    void = Cancellation.objects.get(payment=payment)
    assert (after.status, void.status) == ("unknown", "unknown")
    number = easypay_emulator.requests("revise")[0]["response"]["cancelPgCno"]

    with recorded_signals() as log:
        applied = cancellation.resolve_cancellation(
            void, cancellation.CancelFigures(number, 0), stage=stage
        )

    after.refresh_from_db()
    assert applied
    assert (after.status, after.failure_code) == ("failed", "amount_mismatch")
    assert log.only("failed")["stage"] == stage
