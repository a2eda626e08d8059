"""Telegram: a message to the admin chat through the Bot API's sendMessage.

https://core.telegram.org/bots/api#sendmessage — POST https://api.telegram.org/bot<token>/sendMessage
with a JSON body {"chat_id", "text"}; the answer is {"ok": true, "result": …} or
{"ok": false, "error_code": …, "description": …}.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from easypay.display import krw

from .delivery import NotificationError, answer_excerpt, logger, post_json, succeeded

SEND_MESSAGE_URL = "https://api.telegram.org/bot{token}/sendMessage"


def send_message(text: str, *, chat_id: str | None = None) -> bool:
    """Send text to chat_id (default: settings.TELEGRAM_CHAT_ID).

    Returns True when sent, False when the credentials are empty and the text was logged
    instead. Raises NotificationError on any failure; its text never includes the token.
    """
    token = getattr(settings, "TELEGRAM_BOT_TOKEN", "")
    chat_id = chat_id or getattr(settings, "TELEGRAM_CHAT_ID", "")
    if not (token and chat_id):
        logger.info(
            "Telegram not configured (TELEGRAM_BOT_TOKEN / TELEGRAM_CHAT_ID empty); "
            "would have sent to chat %r:\n%s",
            chat_id,
            text,
        )
        return False

    response = post_json(
        "Telegram", SEND_MESSAGE_URL.format(token=token), {"chat_id": chat_id, "text": text}
    )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if not succeeded(response) or not isinstance(answer, dict) or answer.get("ok") is not True:
        description = answer.get("description") if isinstance(answer, dict) else None
        raise NotificationError(
            f"Telegram: sendMessage answered HTTP {response.status_code}: "
            f"{description or answer_excerpt(response)}"
        )
    logger.info("Telegram message sent to chat %r", chat_id)
    return True


def approval_text(payment) -> str:
    """The admin's message for an approved payment: the seed's (docs/signals-and-receivers.md)."""
    return _("💰 결제 완료!\n금액: %(amount)s\n상품: %(product)s") % {
        "amount": krw(payment.amount),
        "product": payment.product.name,
    }
