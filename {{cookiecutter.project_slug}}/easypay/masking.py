"""What may be stored or logged of an EasyPay exchange.

Never a full card number, never a msgAuthValue (it is derived from the secret key; storing it
helps nobody and the issue forbids logging it). KICC already masks `cardNo` (§5.2), but a
billing-key response or a misbehaving server could send a full number: mask again, defensively.
Nor a buyer's full mobile number (mobInfo.mobileNo, §5.2) or refund account number
(refundInfo.refundAccountNo, §6.1): the middle digits go.
"""

import re
from collections.abc import Mapping
from typing import Any

SIGNATURE_KEYS = frozenset({"msgAuthValue"})
CARD_NUMBER_KEYS = frozenset({"cardNo", "cardMaskNo", "card_no"})
PHONE_NUMBER_KEYS = frozenset({"mobileNo"})
ACCOUNT_NUMBER_KEYS = frozenset({"refundAccountNo"})
REDACTED = "***"

# 13–19 digits is a card number (ISO/IEC 7812); KICC's pgCno / authorizationId are 20 digits.
_FULL_CARD_NUMBER = re.compile(r"(?<!\d)(\d[ -]?){12,18}\d(?!\d)")


def mask_card_number(value: object) -> object:
    """Keep the first 6 and last 4 digits of an unmasked card number; leave masked ones alone."""
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[ -]", "", value)
    if "*" in value or not digits.isdigit() or not 13 <= len(digits) <= 19:
        return value
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_phone_number(value: object) -> object:
    """010-1234-5678 / 01012345678 → "010-****-5678": the carrier prefix and the last four
    digits, as Korean receipts print it. A number KICC masked already keeps its own mask."""
    if not isinstance(value, str) or not value:
        return value
    compact = re.sub(r"[ -]", "", value)
    if not compact.isdigit() or not 10 <= len(compact) <= 11:
        if "*" in compact and len(compact) >= 7:  # masked by KICC: only re-dash it
            return f"{compact[:3]}-{compact[3:-4]}-{compact[-4:]}"
        return "*" * len(value)  # not a phone number we can read: show none of it
    return f"{compact[:3]}-{'*' * (len(compact) - 7)}-{compact[-4:]}"


def mask_account_number[V](value: V) -> V | str:
    """A bank account number with all but its last four digits starred (refund accounts)."""
    if not isinstance(value, str) or not value:
        return value
    digits = re.sub(r"[ -]", "", value)
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_text(text: str) -> str:
    """Mask what in free text looks like a full card number: 13–19 digits passing Luhn."""

    def mask_if_card(found: re.Match) -> str:
        number = found.group()
        return str(mask_card_number(number)) if _passes_luhn(number) else number

    return _FULL_CARD_NUMBER.sub(mask_if_card, text)


def _passes_luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_body(body: Any) -> Any:
    """A deep copy of a JSON body that is safe to store and log."""
    if isinstance(body, Mapping):
        masked: dict[Any, Any] = {}
        for key, value in body.items():
            if key in SIGNATURE_KEYS and value:
                masked[key] = REDACTED
            elif key in CARD_NUMBER_KEYS:
                masked[key] = mask_card_number(value)
            elif key in PHONE_NUMBER_KEYS:
                masked[key] = mask_phone_number(value)
            elif key in ACCOUNT_NUMBER_KEYS:
                masked[key] = mask_account_number(value)
            else:
                masked[key] = mask_body(value)
        return masked
    if isinstance(body, list):
        return [mask_body(item) for item in body]
    # Other strings stay as they are: order numbers and account numbers can be 13–19 digits too.
    return body


def text_head(text: str, limit: int = 500) -> str:
    """The start of a body that is not JSON (an HTML error page), masked, for the record."""
    return mask_text(text[:limit])
