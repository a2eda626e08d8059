"""The seed's "Trigger Post-Payment Tasks", "Enqueue Tasks from Signal Handlers"
(queue_report_generation), "Deferred Tasks" and "Best Practices" (safe_notification):
pasted unchanged below the line."""

import logging

logger = logging.getLogger(__name__)


# What the seed assumes is defined in its module: a sender that fails here, to show the
# "safe handler" swallowing it.
def send_notification(payment):
    raise ConnectionError("the notification service is down")


# ---- pasted from the seed (docs/signals-and-receivers.md) -------------------------------
from functools import partial

from django.db import transaction
from django.dispatch import receiver

from easypay.signals import payment_approved

from datetime import timedelta
from django.utils import timezone


@receiver(payment_approved)
def generate_report(sender, payment, **kwargs):
    """Start report generation after payment."""
    from myapp.tasks import generate_report_task

    generate_report_task.delay(payment.pk)


@receiver(payment_approved)  
def queue_report_generation(sender, payment, **kwargs):
    """Queue report generation (lower priority)."""
    from apps.payments.tasks import generate_payment_report
    
    transaction.on_commit(
        partial(
            generate_payment_report.enqueue,
            payment_id=payment.id,
        )
    )


@receiver(payment_approved)
def schedule_followup(sender, payment, **kwargs):
    """Schedule a follow-up task for 24 hours later."""
    from apps.payments.tasks import send_followup_survey
    
    transaction.on_commit(
        partial(
            send_followup_survey.enqueue,
            payment_id=payment.id,
            run_after=timezone.now() + timedelta(hours=24),
        )
    )


# Example: Safe handler with error handling
@receiver(payment_approved)
def safe_notification(sender, payment, **kwargs):
    try:
        send_notification(payment)
    except Exception as e:
        logger.error(f"Notification failed: {e}", exc_info=True)
        # Don't re-raise - payment already succeeded
