"""Slack: a message to a channel through an incoming webhook.

https://api.slack.com/messaging/webhooks — POST the JSON payload to the webhook URL; Slack
answers 200 "ok", or 4xx with a plain-text reason (invalid_payload, no_service, …).
The webhook URL is itself the credential: it never appears in a log or an error.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from easypay.display import krw

from .delivery import NotificationError, answer_excerpt, logger, post_json, succeeded


def post_payload(payload: dict) -> bool:
    """Post payload (a dict with "text" and optionally "attachments") to SLACK_WEBHOOK_URL.

    Returns True when Slack accepted it, False when the webhook URL is empty and the payload
    was logged instead. Raises NotificationError on any failure.
    """
    webhook_url = getattr(settings, "SLACK_WEBHOOK_URL", "")
    if not webhook_url:
        logger.info(
            "Slack not configured (SLACK_WEBHOOK_URL empty); would have posted:\n%s",
            json.dumps(payload, ensure_ascii=False, indent=2),
        )
        return False

    response = post_json("Slack", webhook_url, payload)
    if not succeeded(response):
        raise NotificationError(
            f"Slack: the webhook answered HTTP {response.status_code}: {answer_excerpt(response)}"
        )
    logger.info("Slack message posted")
    return True


def approval_payload(payment) -> dict:
    """The channel's message for an approved payment: the seed's (docs/signals-and-receivers.md)."""
    return {
        "text": _("💰 새 결제: %(amount)s") % {"amount": krw(payment.amount)},
        "attachments": [
            {
                "color": "good",
                "fields": [
                    {
                        "title": pgettext("field", "사용자"),
                        "value": payment.user.email,
                        "short": True,
                    },
                    {
                        "title": pgettext("field", "상품"),
                        "value": payment.product.name,
                        "short": True,
                    },
                ],
            }
        ],
    }
