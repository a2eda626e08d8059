"""Argument checks run before anything is sent: a call KICC would refuse never leaves the shop.

Each function returns the value as it goes on the wire or raises InvalidRequest (a ValueError)
naming the argument. Lengths are KICC's byte lengths (§2); whether KICC counts a Hangul
syllable as 2 or 3 bytes is not documented, so the stricter UTF-8 count is used.
"""

import ipaddress
import re
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import urlsplit

from easypay import kst
from easypay.exceptions import InvalidRequest

# §2 "special characters": ' " < > \ ; | CR LF & are refused in values; so are other control
# characters (they cannot be typed into a form anyway).
FORBIDDEN_CHARACTERS = frozenset("'\"<>\\;|&") | {chr(code) for code in range(32)} | {"\x7f"}

ORDER_NO = re.compile(r"[A-Za-z0-9_-]{1,40}")  # §2: shopOrderNo
KEY = re.compile(r"[A-Za-z0-9_-]{1,60}")  # shopTransactionId, authorizationId (60, §5.1)
PG_CNO = re.compile(r"[0-9A-Za-z]{1,20}")  # pgCno: String 20 (§6.1)
MALL_ID = re.compile(r"[A-Za-z0-9]{1,8}")  # mallId: String 8
DATE_TEXT = re.compile(r"\d{8}")
BANK_CODE = re.compile(r"\d{3}")  # refundBankCode: String 3 (§6.1), KICC's bank codes (§10.3)
# A KICC transaction number as its console shows it (pgCno, cancelPgCno: §6.2): 20 ASCII digits.
# Not \d, which also takes full-width digits a Korean IME types: a number stored that way would
# never match the one KICC sends in a 노티 or a status answer.
KICC_NUMBER = re.compile(r"[0-9]{20}")


def fail(name: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{name}: {problem}")


def refused_by_kicc(character: str) -> bool:
    """One of §2's forbidden characters, or a 4-byte one (emoji)."""
    return character in FORBIDDEN_CHARACTERS or ord(character) > 0xFFFF


def byte_length(text: str) -> int:
    return len(text.encode("utf-8"))


def fit_text(text: str, max_bytes: int, ellipsis: str = "…") -> str:
    """Shorten text to fit a byte limit (e.g. a goodsName built from a cart), whole characters only."""
    if byte_length(text) <= max_bytes:
        return text
    room = max_bytes - byte_length(ellipsis)
    shortened = text
    while shortened and byte_length(shortened) > room:
        shortened = shortened[:-1]
    return shortened + ellipsis


def text(name: str, value: object, *, max_bytes: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise fail(name, f"must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise fail(name, "must not be empty")
    bad = sorted(set(filter(refused_by_kicc, value)))
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise fail(name, f"contains characters KICC refuses (§2): {shown}")
    if byte_length(value) > max_bytes:
        raise fail(name, f"is {byte_length(value)} bytes long; KICC allows {max_bytes} (§2)")
    return value


def pattern(name: str, value: object, regex: re.Pattern, description: str) -> str:
    if not isinstance(value, str) or not regex.fullmatch(value):
        raise fail(name, f"must be {description}, got {value!r}")
    return value


def order_no(value: object) -> str:
    return pattern("shop_order_no", value, ORDER_NO, "1–40 characters of A-Z a-z 0-9 _ - (§2)")


def key(name: str, value: object) -> str:
    return pattern(name, value, KEY, "1–60 characters of A-Z a-z 0-9 _ -")


def pg_cno(value: object) -> str:
    return pattern("pg_cno", value, PG_CNO, "KICC's transaction number (up to 20 characters)")


def is_kicc_number(value: str) -> bool:
    """20 ASCII digits: what a person copies from KICC's console (pgCno, cancelPgCno)."""
    return bool(KICC_NUMBER.fullmatch(value))


def mall_id(value: object) -> str:
    return pattern("mall_id", value, MALL_ID, "the mall id KICC issued (up to 8 letters/digits)")


def amount(name: str, value: object, *, minimum: int = 1) -> int:
    # bool is an int in Python; True must not pass as 1 won.
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(name, f"must be an int number of won, not {type(value).__name__}")
    if value < minimum:
        raise fail(name, f"must be at least {minimum}, got {value}")
    return value


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise fail(name, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def request_date(name: str, value: object) -> date:
    """A date given as a date or as yyyyMMdd text."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_TEXT.fullmatch(value):
        try:
            return kst.parse_date_text(value)
        except ValueError:
            pass
    raise fail(name, f"must be a date or yyyyMMdd text, got {value!r}")


def kst_today(name: str, value: object) -> str:
    """approvalReqDate / cancelReqDate: KICC's today in Seoul (§5.1, §6.1, integrity rule 6).

    Catches the classic bug of dating a request with the server's UTC date between 00:00 and
    09:00 KST — compute it with easypay.kst.today() (and persist it) before calling.
    """
    day = request_date(name, value)
    if day != kst.today():
        raise fail(name, f"must be today in KST ({kst.date_text()}), got {kst.date_text(day)}")
    return kst.date_text(day)


def kst_yesterday_or_today(name: str, value: object) -> str:
    """retrieveTransaction only covers yesterday and today, KST (§7)."""
    day = request_date(name, value)
    if not kst.is_yesterday_or_today(day):
        raise fail(
            name,
            f"KICC only looks up requests dated yesterday or today in KST (§7), "
            f"got {kst.date_text(day)}",
        )
    return kst.date_text(day)


def url(name: str, value: object, *, max_bytes: int) -> str:
    value = text(name, value, max_bytes=max_bytes)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(name, f"must be an absolute http(s) URL, got {value!r}")
    return value


def contact_no(value: object) -> str:
    """customerContactNo: digits only, up to 11 (§3.1); dashes and spaces are dropped."""
    if not isinstance(value, str):
        raise fail("customer_contact_no", "must be a string")
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit() or len(digits) > 11:
        raise fail("customer_contact_no", f"must be up to 11 digits, got {value!r}")
    return digits


def ip_address(value: object) -> str | None:
    """clientIp (String 20, §6.1) or None when it does not fit (a long IPv6 address).

    The field is informational: a cancel must not fail because the operator uses IPv6.
    """
    try:
        address = str(ipaddress.ip_address(value))  # type: ignore[arg-type]
    except ValueError:
        raise fail("client_ip", f"must be an IP address, got {value!r}") from None
    return address if len(address) <= 20 else None


def refund_info(
    *, bank_code: object, account_no: object, depositor_name: object, deposit_pg_cno: object = ""
) -> dict:
    """refundInfo of a refund request (§6.1): the buyer's account the money goes back to.

    bank_code: KICC's 3-digit bank code (§10.3, methods.BANK_NAMES); account_no: digits, up
    to 14 (dashes and spaces are dropped, as people type them); depositor_name: the account
    holder, up to 50 bytes; deposit_pg_cno: which deposit of a virtual account paid more than
    once (optional).
    """
    body = {
        "refundBankCode": pattern(
            "refund bank_code", bank_code, BANK_CODE, "KICC's 3-digit bank code (e.g. 011)"
        ),
        "refundAccountNo": refund_account_no(account_no),
        "refundDepositName": refund_depositor_name(depositor_name),
    }
    if deposit_pg_cno:
        body["depositPgCno"] = pattern(
            "refund deposit_pg_cno", deposit_pg_cno, PG_CNO, "KICC's deposit number (up to 20)"
        )
    return body


def refund_account_no(value: object) -> str:
    """refundAccountNo: ASCII digits, up to 14; dashes and spaces (as people type them) dropped."""
    if not isinstance(value, str):
        raise fail("refund account_no", f"must be a string, not {type(value).__name__}")
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isascii() or not digits.isdigit():
        raise fail("refund account_no", f"must be digits only (dashes allowed), got {value!r}")
    if len(digits) > 14:
        raise fail("refund account_no", f"has {len(digits)} digits; KICC takes up to 14 (§6.1)")
    return digits


def refund_depositor_name(value: object) -> str:
    """refundDepositName: the account holder, up to 50 bytes, none of §2's refused characters."""
    return text("refund depositor_name", value, max_bytes=50)


def expiry(name: str, value: object) -> tuple[str, str]:
    """A virtual account's deadline (virtualAccountMethodInfo, §3.1) as (yyyyMMdd, HHmmss) KST.

    An aware datetime in the future: a naive one would be read in the server's zone, which
    is not KICC's (integrity rule 6).
    """
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise fail(name, f"must be a timezone-aware datetime, got {value!r}")
    if value <= kst.now():
        raise fail(name, f"must be in the future, got {value.isoformat()}")
    local = value.astimezone(kst.KST)
    return local.strftime("%Y%m%d"), local.strftime("%H%M%S")
