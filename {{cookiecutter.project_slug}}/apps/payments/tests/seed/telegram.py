"""The seed's "Send Notifications" (Telegram) and "Enqueue Tasks from Signal Handlers"
(queue_notifications): pasted unchanged below the line."""

# What the seed assumes is defined in its module:
ADMIN_CHAT_ID = "-1001234567890"

# ---- pasted from the seed (docs/signals-and-receivers.md) -------------------------------
# apps/payments/signals.py
from functools import partial

from django.db import transaction
from django.dispatch import receiver

from easypay.signals import payment_approved


@receiver(payment_approved)
def send_success_notification(sender, payment, **kwargs):
    """Send Telegram notification on payment success."""
    from myapp.telegram import send_message

    send_message(
        chat_id=ADMIN_CHAT_ID,
        text=f"💰 결제 완료!\n"
             f"금액: {payment.amount:,}원\n"
             f"상품: {payment.product.name}"
    )


@receiver(payment_approved)
def queue_notifications(sender, payment, **kwargs):
    """Queue async notifications after payment approval."""
    from apps.payments.tasks import send_payment_notification
    
    # Use transaction.on_commit to ensure task is queued
    # only after the payment transaction is committed
    transaction.on_commit(
        partial(
            send_payment_notification.enqueue,
            payment_id=payment.id,
            notification_type="telegram",
        )
    )
