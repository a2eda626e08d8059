"""The seed's "Slack Integration", docs/signals-and-receivers.md: pasted unchanged below the
line."""

# What the seed assumes is defined in its module:
SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T000/B000/seed-example"

# ---- pasted from the seed (docs/signals-and-receivers.md) -------------------------------
from django.dispatch import receiver

from easypay.signals import payment_approved


@receiver(payment_approved)
def notify_slack(sender, payment, **kwargs):
    """Post to Slack channel on payment."""
    import requests

    requests.post(
        SLACK_WEBHOOK_URL,
        json={
            "text": f"💰 New payment: {payment.amount:,}원",
            "attachments": [
                {
                    "color": "good",
                    "fields": [
                        {"title": "User", "value": payment.user.email, "short": True},
                        {"title": "Product", "value": payment.product.name, "short": True},
                    ]
                }
            ]
        }
    )
