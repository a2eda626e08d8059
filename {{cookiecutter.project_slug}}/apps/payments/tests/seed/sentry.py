"""The seed's "Log Failures", docs/signals-and-receivers.md: pasted unchanged below the line."""

# ---- pasted from the seed (docs/signals-and-receivers.md) -------------------------------
from django.dispatch import receiver

from easypay.signals import payment_failed


@receiver(payment_failed)
def log_payment_failure(sender, payment, error_code, error_message, **kwargs):
    """Log payment failures to Sentry."""
    import sentry_sdk

    sentry_sdk.capture_message(
        f"Payment failed: {error_code}",
        level="warning",
        extra={
            'payment_id': payment.pk,
            'error_code': error_code,
            'error_message': error_message,
            'amount': str(payment.amount),
        }
    )
