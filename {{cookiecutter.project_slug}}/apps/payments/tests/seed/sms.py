"""The seed's "Send Notifications" (SMS), docs/signals-and-receivers.md: pasted unchanged
below the line."""

# ---- pasted from the seed (docs/signals-and-receivers.md) -------------------------------
from django.dispatch import receiver

from easypay.signals import payment_approved


@receiver(payment_approved)
def send_sms_to_user(sender, payment, **kwargs):
    """Send SMS confirmation to user."""
    from myapp.sms import send_sms

    send_sms(
        to=payment.user.phone,
        text=f"[MyApp] 결제가 완료되었습니다. 금액: {payment.amount:,}원"
    )
