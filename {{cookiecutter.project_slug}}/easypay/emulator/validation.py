"""Request validation: required fields, types, byte lengths, forbidden characters, enums.

Lengths are KICC's, in bytes (§2); the emulator counts UTF-8 bytes (whether KICC counts
Hangul as 2 or 3 bytes is UNKNOWN). The first problem found is reported, as one
emulator-invented code (codes.py) and a message naming the field.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from easypay import methods

from . import codes

# §2: ' " < > \ ; | CR LF & are refused in values. URLs legitimately carry '&' and ';' in
# their query strings, so they are only checked for the characters that break HTML/JSON.
FORBIDDEN = set("'\"<>\\;|&\r\n")
FORBIDDEN_IN_URLS = set("'\"<>\\\r\n")
ORDER_NO = re.compile(r"[A-Za-z0-9_-]{1,40}")  # §2


class Invalid(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    max_bytes: int = 0
    required: bool = True
    kind: str = "text"  # text | url | order_no | date | time | digits | int | object
    choices: tuple = ()


def check(data: dict, fields: list[Field], where: str = "") -> None:
    for field in fields:
        label = f"{where}{field.name}"
        value = data.get(field.name)
        if value is None or value == "":
            if field.required:
                raise Invalid(codes.MISSING_FIELD, f"필수 항목 누락: {label}")
            continue
        _check_value(field, label, value)


def _check_value(field: Field, label: str, value) -> None:
    if field.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid(codes.INVALID_VALUE, f"숫자(0 이상의 정수)가 아님: {label}")
        return
    if field.kind == "object":
        if not isinstance(value, dict):
            raise Invalid(codes.INVALID_VALUE, f"객체가 아님: {label}")
        return
    if not isinstance(value, str):
        raise Invalid(codes.INVALID_VALUE, f"문자열이 아님: {label}")
    if field.max_bytes and len(value.encode()) > field.max_bytes:
        raise Invalid(codes.TOO_LONG, f"길이 초과({field.max_bytes} bytes): {label}")
    forbidden = FORBIDDEN_IN_URLS if field.kind == "url" else FORBIDDEN
    if any(ch in forbidden or ord(ch) > 0xFFFF for ch in value):  # §2: no 4-byte chars
        raise Invalid(codes.FORBIDDEN_CHARACTER, f"허용되지 않는 문자: {label}")
    if field.kind == "order_no" and not ORDER_NO.fullmatch(value):
        raise Invalid(codes.INVALID_VALUE, f"주문번호 형식 오류: {label}")
    if field.kind == "url" and not value.startswith(("http://", "https://")):
        raise Invalid(codes.INVALID_VALUE, f"URL 형식 오류: {label}")
    if field.kind == "digits" and not (value.isascii() and value.isdigit()):
        raise Invalid(codes.INVALID_VALUE, f"숫자만 허용: {label}")
    if field.kind == "time" and not (
        len(value) == 6 and value.isdigit() and value[:2] < "24" and value[2:4] < "60"
    ):
        raise Invalid(codes.INVALID_VALUE, f"시각 형식 오류(HHmmss): {label}")
    if field.kind == "date":
        try:
            datetime.strptime(value, "%Y%m%d")
        except ValueError:
            raise Invalid(codes.INVALID_VALUE, f"날짜 형식 오류(yyyyMMdd): {label}") from None
        if len(value) != 8:
            raise Invalid(codes.INVALID_VALUE, f"날짜 형식 오류(yyyyMMdd): {label}")
    if field.choices and value not in field.choices:
        raise Invalid(codes.INVALID_VALUE, f"허용되지 않는 값: {label}={value}")


# §3.1. payMethodTypeCode: 00 (the buyer chooses) or one of the methods the window offers
# (§10.1: card, bank transfer, virtual account, mobile, easy-pay); points (41), prepaid (50)
# and billing keys (81) are not modelled.
REGISTER = [
    Field("mallId", 8),
    Field("shopOrderNo", 40, kind="order_no"),
    Field("amount", kind="int"),
    Field("payMethodTypeCode", 2, choices=(methods.ANY, *methods.WINDOW_METHODS)),
    Field("currency", 2, choices=("00",)),
    Field("returnUrl", 256, kind="url"),
    Field("deviceTypeCode", 20, choices=("pc", "mobile")),
    Field("clientTypeCode", 2, choices=("00",)),
    Field("langFlag", 3, required=False, choices=("KOR", "ENG", "JPN", "CHN")),
    Field("appScheme", 256, required=False, kind="url"),
    Field("mallName", 40, required=False),
    Field("orderInfo", kind="object"),
    Field("shopValueInfo", required=False, kind="object"),
    Field("payMethodInfo", required=False, kind="object"),
]
ORDER_INFO = [Field("goodsName", 50), Field("customerInfo", required=False, kind="object")]
CUSTOMER_INFO = [
    Field("customerId", 20, required=False),
    Field("customerName", 20, required=False),
    Field("customerMail", 50, required=False),
    Field("customerContactNo", 11, required=False),
    Field("customerAddr", 200, required=False),
]
SHOP_VALUE_BYTES = {1: 64, 2: 64, 3: 32, 4: 32, 5: 64, 6: 64, 7: 64}  # §3.1
SHOP_VALUES = [Field(f"value{n}", size, required=False) for n, size in SHOP_VALUE_BYTES.items()]

PAY_METHOD_INFO = [
    Field("cardMethodInfo", required=False, kind="object"),
    Field("virtualAccountMethodInfo", required=False, kind="object"),
]
VIRTUAL_ACCOUNT_METHOD_INFO = [  # §3.1: both optional; the account's deadline
    Field("expiryDate", 8, required=False, kind="date"),
    Field("expiryTime", 6, required=False, kind="time"),
]

APPROVE = [  # §5.1
    Field("mallId", 8),
    Field("shopTransactionId", 60),
    Field("authorizationId", 60),
    Field("shopOrderNo", 40, kind="order_no"),
    Field("approvalReqDate", 8, kind="date"),
]

REVISE = [  # §6.1
    Field("mallId", 8),
    Field("shopTransactionId", 60),
    Field("pgCno", 20),
    Field("reviseTypeCode", 2),
    Field("reviseSubTypeCode", 4, required=False),
    Field("amount", required=False, kind="int"),
    Field("remainAmount", required=False, kind="int"),
    Field("clientIp", 20, required=False),
    Field("clientId", 32, required=False),
    Field("cancelReqDate", 8, kind="date"),
    Field("msgAuthValue", 200),
    Field("reviseMessage", 100, required=False),
    Field("refundQueryFlag", 1, required=False, choices=("Y", "N")),
    Field("refundInfo", required=False, kind="object"),
]
REFUND_INFO = [  # §6.1
    Field("refundBankCode", 3, kind="digits"),
    Field("refundAccountNo", 14, kind="digits"),
    Field("refundDepositName", 50),
    Field("depositPgCno", 20, required=False),
]

RETRIEVE = [  # §7
    Field("mallId", 8),
    Field("shopTransactionId", 60),
    Field("transactionDate", 8, kind="date"),
]


def check_register(data: dict) -> None:
    check(data, REGISTER)
    check(data["orderInfo"], ORDER_INFO, "orderInfo.")
    if data["orderInfo"].get("customerInfo"):
        check(data["orderInfo"]["customerInfo"], CUSTOMER_INFO, "orderInfo.customerInfo.")
    if data.get("shopValueInfo"):
        check(data["shopValueInfo"], SHOP_VALUES, "shopValueInfo.")
    info = data.get("payMethodInfo") or {}
    check(info, PAY_METHOD_INFO, "payMethodInfo.")
    if info.get("virtualAccountMethodInfo"):
        check(
            info["virtualAccountMethodInfo"],
            VIRTUAL_ACCOUNT_METHOD_INFO,
            "payMethodInfo.virtualAccountMethodInfo.",
        )


def check_revise(data: dict) -> None:
    check(data, REVISE)
    if data.get("refundInfo"):
        check(data["refundInfo"], REFUND_INFO, "refundInfo.")
        if len(data["refundInfo"]["refundBankCode"]) != 3:
            raise Invalid(codes.INVALID_VALUE, "은행 코드는 3자리: refundInfo.refundBankCode")
