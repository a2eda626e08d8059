"""The shop's receivers of easypay's payment signals (connected in PaymentsConfig.ready).

easypay sends each signal once the payment's transaction has committed, with send_robust: a
receiver that raises is logged and stops neither the other receivers nor the payment. The
receivers run inside the buyer's request, so they only enqueue; the sending runs in tasks.py
on the worker, where a slow or failing API cannot hold the buyer up.

transaction.on_commit keeps that promise when a signal is sent inside a transaction (your own
code, a test): the task is enqueued when it commits, and never if it rolls back. Outside a
transaction, on_commit runs the enqueue at once.
"""

import logging
from datetime import timedelta
from functools import partial
{% if cookiecutter.use_sentry %}
import sentry_sdk
{%- endif %}
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

{% if cookiecutter.use_sms -%}
from easypay import methods
{% endif -%}
from easypay.signals import payment_approved{% if cookiecutter.use_sms %}, payment_cancelled{% endif %}{% if cookiecutter.use_sentry %}, payment_failed{% endif %}
{% if cookiecutter.use_sms %}
from .tasks import (
    generate_payment_report,
    send_cancellation_sms,
    send_followup_survey,
    send_payment_notification,
)
{%- elif cookiecutter.use_telegram or cookiecutter.use_slack %}
from .tasks import generate_payment_report, send_followup_survey, send_payment_notification
{%- else %}
from .tasks import generate_payment_report, send_followup_survey
{%- endif %}

logger = logging.getLogger(__name__)

FOLLOWUP_DELAY = timedelta(hours=24)
{%- if cookiecutter.use_telegram %}


@receiver(payment_approved)
def queue_telegram_notification(sender, payment, **kwargs):
    """Telegram message to the admin chat: amount and product."""
    transaction.on_commit(
        partial(
            send_payment_notification.enqueue,
            payment_id=payment.pk,
            notification_type="telegram",
        )
    )
{%- endif %}
{%- if cookiecutter.use_sms %}


@receiver(payment_approved)
def queue_sms_to_buyer(sender, payment, **kwargs):
    """Text message to the buyer's phone: the payment is complete."""
    transaction.on_commit(
        partial(
            send_payment_notification.enqueue,
            payment_id=payment.pk,
            notification_type="sms",
        )
    )


@receiver(payment_cancelled)
def queue_cancellation_sms_to_buyer(sender, payment, cancel_amount, **kwargs):
    """Text message to the buyer: a cancel or a refund went through (once per cancel).

    payment_cancelled's cancel_type ('40' full, '41' partial) and cancel_amount are the seed's;
    refund (True for money paid back into a bank account) and revise_type_code may come too:
    read with defaults, so a receiver written for the seed's signal keeps working."""
    revise_type_code = kwargs.get("revise_type_code", "")
    transaction.on_commit(
        partial(
            send_cancellation_sms.enqueue,
            payment_id=payment.pk,
            cancel_key=cancel_key(payment, kwargs),
            cancel_amount=int(cancel_amount),
            partial=kwargs.get("cancel_type") == "41",
            refund=bool(kwargs.get("refund", revise_type_code in methods.REFUND_CODES)),
        )
    )


def cancel_key(payment, kwargs) -> str:
    """What tells this cancel from the payment's others: its cancellation_id when the signal
    names it, else the cancelled total it left — every cancel announced raises the total,
    so no two of one payment's cancels share it. Read as the signal is received (the task
    may run after another cancel)."""
    cancellation_id = kwargs.get("cancellation_id")
    if cancellation_id is not None:
        return str(cancellation_id)
    return f"at{payment.cancelled_amount}"
{%- endif %}
{%- if cookiecutter.use_slack %}


@receiver(payment_approved)
def queue_slack_notification(sender, payment, **kwargs):
    """Slack message to the shop's channel: amount, buyer, product."""
    transaction.on_commit(
        partial(
            send_payment_notification.enqueue,
            payment_id=payment.pk,
            notification_type="slack",
        )
    )
{%- endif %}


@receiver(payment_approved)
def queue_report_generation(sender, payment, **kwargs):
    """The payment's report for the books (a lower-priority queue than the notifications)."""
    transaction.on_commit(partial(generate_payment_report.enqueue, payment_id=payment.pk))


@receiver(payment_approved)
def schedule_followup(sender, payment, **kwargs):
    """Ask the buyer how it went, 24 hours after the payment."""
    backend = send_followup_survey.get_backend()
    if not backend.supports_defer:
        # ImmediateBackend (development, tests) runs a task at once: the buyer would be asked
        # seconds after paying. The worker's queue (production settings) can wait.
        logger.info(
            "Follow-up for payment %s not scheduled: %s cannot defer tasks",
            payment.pk,
            type(backend).__name__,
        )
        return
    # The seed (docs/signals-and-receivers.md) passes run_after= to enqueue(), but enqueue()'s
    # keywords are the task's own arguments in Django 6: the survey would get a datetime (which
    # Django refuses: arguments must be JSON). When a task may start is part of the task,
    # set with .using(run_after=...).
    followup = send_followup_survey.using(run_after=timezone.now() + FOLLOWUP_DELAY)
    transaction.on_commit(partial(followup.enqueue, payment_id=payment.pk))
{%- if cookiecutter.use_sentry %}


@receiver(payment_failed)
def log_payment_failure(sender, payment, error_code, error_message, **kwargs):
    """Report a failed payment to Sentry: ids, code, message and amount, no card or buyer data."""
    # Not queued: capture_message hands the event to the SDK's own background thread. The
    # seed writes extra=, which sentry-sdk refuses (TypeError): its keyword is extras=.
    sentry_sdk.capture_message(
        f"Payment failed: {error_code}",
        level="warning",
        tags={"payment.error_code": error_code, "payment.stage": kwargs.get("stage", "")},
        extras={
            "payment_id": payment.pk,
            "error_code": error_code,
            "error_message": error_message,
            "amount": str(payment.amount),
        },
    )
{%- endif %}
