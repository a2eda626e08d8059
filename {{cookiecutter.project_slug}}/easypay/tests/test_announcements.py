"""The signals are owed from the moment a status changes: written with it, sent after commit,
and sent by reconcile when the process that owed them died first (transitions.announce)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from easypay import services
from easypay.models import Announcement
from easypay.services.transitions import announce
from easypay.signals import payment_approved
from easypay.tests.service_helpers import pay, recorded_signals

pytestmark = pytest.mark.django_db(transaction=True)


def test_money_signals_are_written_with_their_status_change_and_stamped_once_sent(
    easypay_emulator, payment
):
    with recorded_signals() as log:
        paid = pay(easypay_emulator, payment)
        services.cancel(paid, amount=1000, reason="")

    owed = list(Announcement.objects.filter(payment=paid).order_by("created_at"))
    assert [a.signal for a in owed] == ["payment_approved", "payment_cancelled"]
    assert all(a.sent_at is not None and a.attempts == 0 for a in owed)
    assert owed[0].arguments["pg_tid"] == paid.pg_cno
    assert owed[1].arguments["cancel_amount"] == 1000
    # payment_registered moves no money: sent, and owed to nobody.
    assert log.names() == ["registered", "approved", "cancelled"]


def test_a_rolled_back_change_owes_no_signal(payment):
    with recorded_signals() as log, pytest.raises(RuntimeError), transaction.atomic():
        announce(payment_approved, payment, pg_tid="1", auth_id="2")
        raise RuntimeError("the status change failed")

    assert not Announcement.objects.exists()
    assert log.names() == []


def test_a_signal_whose_process_died_before_sending_it_is_sent_by_reconcile_once(
    easypay_emulator, payment
):
    paid = pay(easypay_emulator, payment)
    # The worker was killed between the commit and the receivers: the row is all that is left.
    lost = Announcement.objects.get(payment=paid, signal="payment_approved")
    Announcement.objects.filter(pk=lost.pk).update(
        sent_at=None, created_at=timezone.now() - timedelta(minutes=5)
    )

    with recorded_signals() as log:
        first = services.reconcile_all(compare=False)
        second = services.reconcile_all(compare=False)

    lost.refresh_from_db()
    approved = log.only("approved")
    assert approved["payment"] == paid and approved["pg_tid"] == paid.pg_cno
    assert (lost.attempts, lost.sent_at is not None) == (1, True)
    assert f"{paid.shop_order_no}: payment_approved 다시 보냄 (처음 보내지 못함)" in first.resolved
    assert second.resolved == []


def test_a_signal_still_being_sent_is_left_alone(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)
    Announcement.objects.filter(payment=paid, signal="payment_approved").update(sent_at=None)

    with recorded_signals() as log:
        services.reconcile_all(compare=False)

    assert log.names() == []  # younger than EASYPAY_APPROVING_STALE_AFTER: its process may live
