"""The payments' background tasks (Django's tasks framework).

https://docs.djangoproject.com/en/6.1/topics/tasks/ — the receivers in signals.py enqueue
these once the payment's transaction has committed; the worker runs them (`make worker`). In
development and tests, ImmediateBackend runs them at once, inside the request.

Every task here keeps three rules:
- its arguments are plain JSON values (ids and names, never a model instance): the queue
  stores them as JSON and the payment may have changed by the time the task runs;
- it is idempotent: it claims a SentNotification row before sending, so a task that runs
  twice does not notify twice;
- a failed send raises, so the queue records the task as failed; the payment is only read.

The periodic reconcile job is easypay's own task, ``easypay.tasks.reconcile_payments``
(README.md, "Background tasks", says how to schedule it).
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Payment, PaymentReport, SentNotification
{%- set channels = [] %}
{%- if cookiecutter.use_slack %}{% set _ = channels.append("slack") %}{% endif %}
{%- if cookiecutter.use_sms %}{% set _ = channels.append("sms") %}{% endif %}
{%- if cookiecutter.use_telegram %}{% set _ = channels.append("telegram") %}{% endif %}
{%- if channels %}
from .notifications import {{ channels | join(", ") }}
{%- endif %}

logger = logging.getLogger(__name__)

FOLLOWUP_SURVEY = "followup_survey"


@task(priority=10, queue_name="payments")
def send_payment_notification(payment_id: int, notification_type: str) -> dict:
    """Announce an approved payment through one channel (notification_type: a key of SENDERS)."""
    if notification_type not in SENDERS:
        raise ValueError(f"Unknown notification_type {notification_type!r}")
    payment = Payment.objects.select_related("user", "product").get(pk=payment_id)
    return send_once(payment, notification_type, lambda: SENDERS[notification_type](payment))
{%- if cookiecutter.use_telegram %}


def send_telegram_notification(payment) -> bool:
    """The admin chat's message: amount and product."""
    return telegram.send_message(telegram.approval_text(payment))
{%- endif %}
{%- if cookiecutter.use_sms %}


def send_sms_notification(payment) -> bool:
    """The buyer's text message, to the phone number on their account."""
    return sms.send_sms(payment.user.phone, sms.approval_text(payment))
{%- endif %}
{%- if cookiecutter.use_sms %}


@task(priority=10, queue_name="payments")
def send_cancellation_sms(
    payment_id: int, cancel_key: str, cancel_amount: int, partial: bool, refund: bool
) -> dict:
    """Tell the buyer by text that a cancel or refund went through, once per cancel:
    cancel_key names the cancel (signals.cancel_key), so a second run of the same task, or the
    same signal sent again, sends nothing."""
    payment = Payment.objects.select_related("user").get(pk=payment_id)
    text = sms.cancellation_text(payment, amount=cancel_amount, partial=partial, refund=refund)
    return send_once(
        payment, f"{CANCELLATION_SMS}{cancel_key}", lambda: sms.send_sms(payment.user.phone, text)
    )


# SentNotification.kind of a cancel's text, then the cancel's key (kind: 30 characters).
CANCELLATION_SMS = "sms_cancel_"
{%- endif %}
{%- if cookiecutter.use_slack %}


def send_slack_notification(payment) -> bool:
    """The Slack channel's message: amount, buyer's e-mail, product."""
    return slack.post_payload(slack.approval_payload(payment))
{%- endif %}


# notification_type → the function that sends it: True sent, False only logged (no
# credentials), NotificationError when it failed.
{%- if channels %}
SENDERS = {
{%- if cookiecutter.use_telegram %}
    "telegram": send_telegram_notification,
{%- endif %}
{%- if cookiecutter.use_sms %}
    "sms": send_sms_notification,
{%- endif %}
{%- if cookiecutter.use_slack %}
    "slack": send_slack_notification,
{%- endif %}
}
{%- else %}
SENDERS: dict = {}
{%- endif %}


@task(priority=5, queue_name="reports")
def generate_payment_report(payment_id: int) -> dict:
    """Write the payment's report for the books, once (lower priority than notifications)."""
    payment = Payment.objects.select_related("user", "product").get(pk=payment_id)
    report, created = PaymentReport.objects.get_or_create(
        payment=payment, defaults={"data": report_data(payment)}
    )
    return {"report_id": report.pk, "payment_id": payment_id, "created": created}


def report_data(payment) -> dict:
    """What the books need, as the PG confirmed it; no card number, no contact details."""
    return {
        "shop_order_no": payment.shop_order_no,
        "pg_cno": payment.pg_cno,
        "amount": payment.amount,
        "product_id": payment.product_id,
        "product_name": payment.product.name,
        "buyer_id": payment.user_id,
        "pay_method_type_code": payment.pay_method_type_code,
        "approval_no": payment.approval_no,
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
    }


@task(queue_name="payments")
def send_followup_survey(payment_id: int) -> dict:
    """Ask the buyer how it went, a day after the purchase (signals.schedule_followup)."""
    payment = Payment.objects.select_related("user", "product").get(pk=payment_id)
    if payment.status != Payment.Status.PAID:
        # Refunded (or cancelled) in the meantime: asking "how was it?" would be tone-deaf.
        return {"payment_id": payment_id, "status": "skipped", "payment_status": payment.status}
    text = _("[%(shop)s] %(product)s 구매는 만족스러우셨나요? 답장으로 의견을 들려주세요.") % {
        "shop": settings.SHOP_NAME,
        "product": payment.product.name,
    }
    return send_once(payment, FOLLOWUP_SURVEY, lambda: send_survey(payment, text))


def send_survey(payment, text: str) -> bool:
    """Send the survey question to the buyer."""
{%- if cookiecutter.use_sms %}
    return sms.send_sms(payment.user.phone, text)
{%- else %}
    # No message channel to buyers is set up: log the question (send it your own way here).
    logger.info(
        "Follow-up survey for payment %s (buyer %s):\n%s", payment.pk, payment.user_id, text
    )
    return False
{%- endif %}


def send_once(payment, kind: str, send) -> dict:
    """Call send() unless this payment's `kind` message was sent (or is being sent) already,
    and record the outcome on the claimed SentNotification row."""
    claimed = claim(payment, kind)
    if claimed is None:
        return {"payment_id": payment.pk, "notification_type": kind, "status": "already_sent"}
    try:
        delivered = send()
    except Exception as error:
        claimed.status = SentNotification.Status.FAILED
        claimed.error = f"{type(error).__name__}: {error}"
        claimed.save(update_fields=["status", "error", "updated_at"])
        raise
    claimed.status = SentNotification.Status.SENT if delivered else SentNotification.Status.LOGGED
    claimed.save(update_fields=["status", "updated_at"])
    return {"payment_id": payment.pk, "notification_type": kind, "status": claimed.status}


def claim(payment, kind: str) -> SentNotification | None:
    """The row that entitles this run to send, or None when another run has it.

    A new row is created as "sending" (the unique constraint lets one run win); a failed
    attempt may be taken over for another try, by one conditional UPDATE so that only one
    retry wins. A row left "sending" means a worker died mid-send and the message may have
    gone out: it is not retried automatically (delete the row to send it again).
    """
    try:
        with transaction.atomic():
            return SentNotification.objects.create(
                payment=payment, kind=kind, status=SentNotification.Status.SENDING
            )
    except IntegrityError:
        pass
    retried = SentNotification.objects.filter(
        payment=payment, kind=kind, status=SentNotification.Status.FAILED
    ).update(status=SentNotification.Status.SENDING, error="", updated_at=timezone.now())
    return SentNotification.objects.get(payment=payment, kind=kind) if retried else None
