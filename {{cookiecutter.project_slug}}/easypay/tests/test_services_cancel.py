"""Cancels (easypay.services.cancellation): full 40, partial 32, refused, unknown."""

from datetime import timedelta

import pytest
from django.utils import timezone

from easypay import kst, services
from easypay.client import new_shop_transaction_id
from easypay.models import AdminAuditLog, Cancellation, PgCall
from easypay.tests.contract_helpers import client_for
from easypay.tests.service_helpers import pay, recorded_signals

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid(easypay_emulator, payment):
    return pay(easypay_emulator, payment)


def revise_bodies(emulator):
    return [request["body"] for request in emulator.requests("revise")]


def test_a_full_cancel_is_a_40_and_cancels_everything(easypay_emulator, paid, admin_user):
    with recorded_signals() as log:
        cancellation = services.cancel(paid, reason="고객 요청", actor=admin_user)

    paid.refresh_from_db()
    ledger = easypay_emulator.ledger(paid.shop_order_no)
    (body,) = revise_bodies(easypay_emulator)
    assert (body["reviseTypeCode"], body["remainAmount"], body["pgCno"]) == (
        "40",
        15000,
        paid.pg_cno,
    )
    assert "amount" not in body
    assert cancellation.status == "done" and cancellation.cancel_pg_cno
    assert (paid.status, paid.cancelled_amount) == ("cancelled", 15000)
    assert (ledger["status_code"], ledger["remaining_amount"]) == ("TS02", 0)
    cancelled = log.only("cancelled")
    assert (cancelled["cancel_type"], cancelled["cancel_amount"]) == ("40", 15000)
    assert cancelled["sender"] is type(paid)
    assert AdminAuditLog.objects.get(action="cancel_requested").actor == admin_user
    assert cancellation.requested_by == admin_user


def test_partial_cancels_are_32_on_the_wire_41_in_the_signal_with_the_stored_balance(
    easypay_emulator, paid
):
    with recorded_signals() as log:
        first = services.cancel(paid, amount=5000, reason="부분 환불")
        second = services.cancel(paid, amount=4000, reason="부분 환불")
        rest = services.cancel(paid, reason="나머지 취소")

    bodies = revise_bodies(easypay_emulator)
    assert [(b["reviseTypeCode"], b.get("amount"), b["remainAmount"]) for b in bodies] == [
        ("32", 5000, 15000),
        ("32", 4000, 10000),
        ("40", None, 6000),
    ]
    assert [c.status for c in (first, second, rest)] == ["done", "done", "done"]
    assert [c.remaining_after for c in (first, second, rest)] == [10000, 6000, 0]
    assert [(k["cancel_type"], k["cancel_amount"]) for n, k in log.sent] == [
        ("41", 5000),
        ("41", 4000),
        ("40", 6000),
    ]
    paid.refresh_from_db()
    assert (paid.status, paid.cancelled_amount) == ("cancelled", 15000)


def test_after_a_partial_cancel_the_payment_is_partially_cancelled(easypay_emulator, paid):
    services.cancel(paid, amount=1000, reason="")

    paid.refresh_from_db()
    assert (paid.status, paid.cancelled_amount, paid.remaining_amount) == (
        "partially_cancelled",
        1000,
        14000,
    )
    assert easypay_emulator.ledger(paid.shop_order_no)["remaining_amount"] == 14000


@pytest.mark.parametrize("amount", [15001, 0, -5])
def test_a_wrong_amount_is_refused_before_any_pg_call(easypay_emulator, paid, amount):
    with pytest.raises(services.CancelRefused):
        services.cancel(paid, amount=amount, reason="")

    assert revise_bodies(easypay_emulator) == []
    assert not Cancellation.objects.exists()
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_a_payment_that_was_never_paid_cannot_be_cancelled(easypay_emulator, payment):
    with pytest.raises(services.CancelRefused) as refused:
        services.cancel(payment, reason="")

    assert "취소할 수 없는" in str(refused.value.message)
    assert revise_bodies(easypay_emulator) == []


def test_a_reason_kicc_would_refuse_is_refused_first(easypay_emulator, paid):
    with pytest.raises(services.CancelRefused):
        services.cancel(paid, reason="<script>")

    assert revise_bodies(easypay_emulator) == []


def test_a_cancel_without_an_answer_is_unknown_and_reconcile_settles_it_with_its_key(
    easypay_emulator, paid, settings
):
    settings.EASYPAY_TIMEOUTS = {"revise": 0.3}
    easypay_emulator.inject_fault("delay", endpoint="revise", seconds=1)

    with recorded_signals() as log:
        cancellation = services.cancel(paid, amount=5000, reason="")
        assert cancellation.status == "unknown"
        paid.refresh_from_db()
        assert paid.status == "paid"  # nothing is assumed
        assert log.names() == []

        services.reconcile(paid)

    cancellation.refresh_from_db()
    call = PgCall.objects.get(pk=cancellation.pg_call_id)
    retrieve = easypay_emulator.requests("retrieve")[0]["body"]
    assert retrieve["shopTransactionId"] == call.shop_transaction_id
    assert retrieve["transactionDate"] == kst.date_text(call.request_date)
    assert cancellation.status == "done"
    paid.refresh_from_db()
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 5000)
    assert log.only("cancelled")["cancel_amount"] == 5000


def test_while_a_cancel_is_unresolved_another_is_refused(easypay_emulator, paid):
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    assert services.cancel(paid, amount=1000, reason="").status == "unknown"

    with pytest.raises(services.CancelRefused):
        services.cancel(paid, amount=1000, reason="")

    assert len(revise_bodies(easypay_emulator)) == 1


def test_a_cancel_kicc_refuses_changes_nothing(easypay_emulator, paid):
    # Someone cancelled part of it in KICC's console: our stored balance is now wrong and
    # KICC refuses the remainAmount we send (§6.1).
    client_for(easypay_emulator).revise(
        shop_transaction_id=new_shop_transaction_id(),
        pg_cno=paid.pg_cno,
        revise_type_code="32",
        amount=1000,
        cancel_req_date=kst.today(),
    )

    with recorded_signals() as log, pytest.raises(services.CancelDeclined) as declined:
        services.cancel(paid, reason="")

    assert declined.value.cancellation.status == "failed"
    paid.refresh_from_db()
    assert paid.status == "paid"
    assert log.names() == []


def test_an_unpaid_virtual_account_is_closed_with_a_full_cancel(easypay_emulator, payment):
    waiting = pay(easypay_emulator, payment, "approve_va")

    with pytest.raises(services.CancelRefused):
        services.cancel(waiting, amount=1000, reason="")
    cancellation = services.cancel(waiting, reason="입금 전 취소")

    waiting.refresh_from_db()
    assert cancellation.status == "done"
    assert waiting.status == "cancelled"
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS02"


def test_a_stuck_requested_cancel_is_settled_once_it_is_stale(easypay_emulator, paid, monkeypatch):
    """The process died between sending the revise and recording its answer."""
    from easypay.services import cancellation as module

    def die_after_sending(cancellation, result, **where):
        raise SystemExit("killed")

    monkeypatch.setattr(module, "resolve_cancellation", die_after_sending)
    with pytest.raises(SystemExit):
        services.cancel(paid, amount=2000, reason="")
    monkeypatch.undo()
    assert Cancellation.objects.get().status == "requested"

    services.reconcile_all(now=timezone.now())  # not stale yet: its call may be running
    assert Cancellation.objects.get().status == "requested"

    services.reconcile_all(now=timezone.now() + timedelta(minutes=5))
    paid.refresh_from_db()
    assert Cancellation.objects.get().status == "done"
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 2000)
