"""The two msgAuthValue formulas (docs/kicc-api.md §5.3 and §6.1), shared by client and emulator.

Both are lower-case hex HMAC-SHA256 over UTF-8 text with the merchant's secret key.
"""

import hashlib
import hmac


def _hmac_hex(secret_key: str, message: str) -> str:
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def approval_auth_value(secret_key: str, pg_cno: str, amount: int, transaction_date: str) -> str:
    """Signature KICC puts on an approval response: pgCno|amount|transactionDate (§5.3).

    The amount is a plain decimal integer: 0 is written "0", never "000" or "".
    """
    return _hmac_hex(secret_key, f"{pg_cno}|{int(amount)}|{transaction_date}")


def revise_auth_value(secret_key: str, pg_cno: str, shop_transaction_id: str) -> str:
    """Signature a revise (cancel/refund) request must carry: pgCno|shopTransactionId (§6.1)."""
    return _hmac_hex(secret_key, f"{pg_cno}|{shop_transaction_id}")


def signatures_match(expected: str, received: object) -> bool:
    """Constant-time comparison; anything but an ASCII string never matches (compare_digest
    raises TypeError on non-ASCII text, which would escape as no kind of EasyPay failure)."""
    return (
        isinstance(received, str)
        and received.isascii()
        and hmac.compare_digest(expected, received.lower())
    )
