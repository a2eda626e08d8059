"""Voiding an approval the shop cannot keep (integrity rules 1 and 4) when someone else has
already recorded that approval: the books must end as KICC has them."""

import pytest

from easypay import services
from easypay.client import EasyPayClient
from easypay.exceptions import Untrusted
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
