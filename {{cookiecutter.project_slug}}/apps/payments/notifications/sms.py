"""SMS to the buyer through SOLAPI's single-message API.

Verified against SOLAPI's own documents (github.com/solapi/documents) and official SDKs:
- Endpoint: POST https://api.solapi.com/messages/v4/send, body {"message": {"to", "from",
  "text"}}; the type (SMS/LMS) is detected from the text when not given
  (api-reference/messages/sendSimpleMessage.md). Numbers are digits only, e.g. "01000000001".
- Authorization (authentication/api-key.md, docs.solapi.com/authentication/api-key):
  ``HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<12–64 random bytes>, signature=<hex
  HMAC-SHA256 with the API secret as key over date + salt>``; the docs' sample date is
  "2019-07-01T00:41:48Z". The server refuses a date ±15 minutes off (RequestTimeTooSkewed)
  and a signature reused within 15 minutes (DuplicatedSignature), hence a fresh salt each time.
  solapi-nodejs (src/lib/authenticator.ts) builds the same header with a 32-character salt.
- Errors: HTTP 4xx/5xx with {"errorCode", "errorMessage"} (authentication failures are 403:
  InvalidAPIKey, SignatureDoesNotMatch, …); success is 200 with the message's groupId,
  messageId and statusCode "2000" (정상 접수).
"""

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from easypay.display import krw

from .delivery import NotificationError, answer_excerpt, logger, post_json, succeeded

SEND_URL = "https://api.solapi.com/messages/v4/send"


def send_sms(to: str, text: str, *, date: str | None = None, salt: str | None = None) -> bool:
    """Send text to the phone number `to` from settings.SMS_SENDER.

    Returns True when SOLAPI accepted it, False when the credentials are empty and the text
    was logged instead. Raises NotificationError on any failure (also when `to` has no
    digits). `date` and `salt` are for tests; leave them out to sign with now and a fresh salt.
    """
    recipient = digits_only(to)
    if not recipient:
        raise NotificationError("SMS: the recipient has no phone number")
    # Carriers mangle characters outside the Basic Multilingual Plane (emoji, 4 bytes in UTF-8).
    text = "".join(character for character in text if ord(character) <= 0xFFFF)

    api_key = getattr(settings, "SOLAPI_API_KEY", "")
    api_secret = getattr(settings, "SOLAPI_API_SECRET", "")
    sender = digits_only(getattr(settings, "SMS_SENDER", ""))
    if not (api_key and api_secret and sender):
        logger.info(
            "SMS not configured (SOLAPI_API_KEY / SOLAPI_API_SECRET / SMS_SENDER empty); "
            "would have sent to %s:\n%s",
            masked(recipient),
            text,
        )
        return False

    header = authorization(
        api_key, api_secret, date=date or signing_date(), salt=salt or secrets.token_hex(16)
    )
    response = post_json(
        "SMS",
        SEND_URL,
        {"message": {"to": recipient, "from": sender, "text": text}},
        headers={"Authorization": header},
    )
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise NotificationError(
            f"SMS: SOLAPI answered HTTP {response.status_code} without a JSON object: "
            f"{answer_excerpt(response)}"
        )
    if not succeeded(response) or "errorCode" in answer:
        raise NotificationError(
            f"SMS: SOLAPI answered HTTP {response.status_code}: "
            f"{answer.get('errorCode')}: {answer.get('errorMessage')}"
        )
    logger.info("SMS sent to %s (SOLAPI messageId %s)", masked(recipient), answer.get("messageId"))
    return True


def authorization(api_key: str, api_secret: str, *, date: str, salt: str) -> str:
    """SOLAPI's Authorization header value over the given ISO 8601 date and salt."""
    signature = hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


def signing_date() -> str:
    """Now in UTC, ISO 8601 as SOLAPI's docs write it: 2019-07-01T00:41:48Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def digits_only(number: str | None) -> str:
    """Strip all but digits, "010-1234-5678" → "01012345678": SOLAPI takes digits only."""
    return re.sub(r"\D", "", number or "")


def masked(number: str) -> str:
    """Mask the middle, "01012345678" → "010****5678": enough to recognise, not to dial."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def approval_text(payment) -> str:
    """The buyer's text for an approved payment; no emoji (see send_sms)."""
    return _("[%(shop)s] 결제가 완료되었습니다. 금액: %(amount)s") % {
        "shop": settings.SHOP_NAME,
        "amount": krw(payment.amount),
    }


def cancellation_text(payment, *, amount: int, partial: bool, refund: bool) -> str:
    """The buyer's text for a cancel or refund that went through; no emoji (see send_sms).

    A refund's text says only that it was processed: a deferred refund reaches the buyer's
    account when the bank pays it out, the next business day (docs/payment-lifecycle.md)."""
    values = {"shop": settings.SHOP_NAME, "amount": krw(amount)}
    if refund:
        return _("[%(shop)s] 환불이 처리되었습니다. 환불 금액: %(amount)s") % values
    if partial:
        return _("[%(shop)s] 결제의 일부가 취소되었습니다. 취소 금액: %(amount)s") % values
    return _("[%(shop)s] 결제가 취소되었습니다. 취소 금액: %(amount)s") % values
