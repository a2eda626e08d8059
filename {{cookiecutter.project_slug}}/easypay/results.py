"""Typed answers from EasyPay, and the record of each call.

Parsing follows §2 "forward compatibility": unknown fields are ignored (kept in `raw`), sub-objects
may be absent or present with empty strings (§5.2). Only the fields money depends on are strict —
pgCno, amount, transactionDate, cancelPgCno: without them a response raises MalformedResponse,
which the client turns into Untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from easypay import kst
from easypay.masking import mask_body, mask_card_number, mask_phone_number
from easypay.methods import MethodDetails

DATETIME_TEXT = re.compile(r"\d{14}")


class MalformedResponse(ValueError):
    """A 200 answer without a field the contract promises (or with the wrong type)."""

    def __init__(self, field_name: str, problem: str):
        super().__init__(f"{field_name}: {problem}")
        self.field_name = field_name


@dataclass(frozen=True)
class CallRecord:
    """One call to EasyPay as it happened — what the payment service stores (a PgCall).

    Bodies are masked (no msgAuthValue, no full card number). `response_body` is the parsed JSON
    object, or the first characters of the text when it was not JSON, or None when nothing came.
    `sent` is False only when the request certainly never left this machine.
    """

    endpoint: str  # "register" | "approve" | "revise" | "retrieve"
    shop_order_no: str | None
    shop_transaction_id: str | None
    request_body: dict
    response_body: dict | str | None
    http_status: int | None
    res_cd: str | None
    res_msg: str | None
    latency_ms: int
    sent: bool
    attempts: int
    outcome: str  # "ok" | "declined" | "unknown" | "untrusted" | "not_sent"
    error: str = ""  # why, when the outcome is not "ok"


@dataclass(frozen=True)
class CardInfo:
    masked_number: str
    issuer_code: str
    issuer_name: str
    acquirer_code: str
    acquirer_name: str
    installment_month: int | None
    free_installment_type_code: str
    card_gubun: str  # N credit, Y check/debit, G gift (§5.2)
    part_cancel_used: str  # "Y" when KICC allows partial cancels of this card


@dataclass(frozen=True)
class VirtualAccountInfo:
    bank_code: str
    bank_name: str
    account_no: str
    depositor_name: str
    expiry_date: str  # yyyyMMddHHmmss (String 14, §5.2)


@dataclass(frozen=True)
class BankInfo:
    """A bank transfer's bank (paymentInfo.bankInfo, §5.2)."""

    bank_code: str  # 3 digits (§10.3)
    bank_name: str


@dataclass(frozen=True)
class MobileInfo:
    """A mobile phone payment (paymentInfo.mobInfo, §5.2); the number is masked here."""

    masked_number: str  # 010-****-1234
    carrier: str  # mobileCd: SKT, KTF, LGT, … (§10.3)


@dataclass(frozen=True)
class RegisterResult:
    auth_page_url: str
    res_cd: str
    res_msg: str
    raw: dict = field(repr=False)
    call: CallRecord | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ApprovalResult:
    res_cd: str
    res_msg: str
    mall_id: str
    shop_order_no: str
    shop_transaction_id: str
    pg_cno: str
    amount: int
    transaction_date: str  # yyyyMMddHHmmss, KST, as KICC wrote it (it is signed, §5.3)
    status_code: str  # §10.4: TS03 card captured-on-request, TS07 virtual account waiting, ...
    status_message: str
    pay_method_type_code: str  # §10.1: 11 card, 21 transfer, 22 virtual account, ...
    approval_no: str
    approval_date: str
    cp_code: str  # easy-pay provider (§10.3), "" for a plain card
    card: CardInfo | None
    virtual_account: VirtualAccountInfo | None
    bank: BankInfo | None  # bank transfer (21)
    mobile: MobileInfo | None  # mobile phone billing (31)
    raw: dict = field(repr=False)  # the whole answer, masked
    call: CallRecord | None = field(default=None, repr=False)

    @property
    def transacted_at(self) -> datetime:
        return kst.parse_datetime_text(self.transaction_date)

    @property
    def method_details(self) -> MethodDetails:
        """How it was paid, masked, for the shop to store and show (methods.MethodDetails):
        `.describe()` → "휴대폰 (SKT 010-****-1234)", `.as_dict()` for a JSON field."""
        card, bank, account, mobile = self.card, self.bank, self.virtual_account, self.mobile
        return MethodDetails(
            pay_method_type_code=self.pay_method_type_code,
            cp_code=self.cp_code,
            card_issuer_name=card.issuer_name if card else "",
            card_no_masked=card.masked_number if card else "",
            bank_code=bank.bank_code if bank else (account.bank_code if account else ""),
            bank_name=bank.bank_name if bank else (account.bank_name if account else ""),
            mobile_carrier=mobile.carrier if mobile else "",
            mobile_no_masked=mobile.masked_number if mobile else "",
        )


@dataclass(frozen=True)
class ReviseResult:
    res_cd: str
    res_msg: str
    shop_order_no: str
    shop_transaction_id: str
    ori_pg_cno: str
    cancel_pg_cno: str
    cancel_amount: int | None  # amount cancelled by this call (doc example / OBS, §6.2)
    remain_amount: int | None  # balance left after this call
    transaction_date: str
    # TS02 / TS05 full, TS06 partial cancel (§6.2); a refund: RF01 requested (deferred: done
    # later, 노티 50 or 51), RF02 done, RF03 refused (§10.4).
    status_code: str
    status_message: str
    pay_method_type_code: str  # from reviseInfo
    approval_no: str  # the cancel's approval number, from reviseInfo
    approval_date: str
    deposit_pg_cno: str  # reviseInfo.refundInfo.depositPgCno: the VA deposit it refunds
    raw: dict = field(repr=False)
    call: CallRecord | None = field(default=None, repr=False)


# ------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------
def parse_register(body: Mapping[str, Any]) -> RegisterResult:
    url = body.get("authPageUrl")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise MalformedResponse("authPageUrl", "missing or not an http(s) URL")
    return RegisterResult(
        auth_page_url=url,
        res_cd=_text(body, "resCd"),
        res_msg=_text(body, "resMsg"),
        raw=mask_body(body),
    )


def parse_approval(body: Mapping[str, Any]) -> ApprovalResult:
    payment = _object(body, "paymentInfo")
    return ApprovalResult(
        res_cd=_text(body, "resCd"),
        res_msg=_text(body, "resMsg"),
        mall_id=_text(body, "mallId"),
        shop_order_no=_text(body, "shopOrderNo"),
        shop_transaction_id=_text(body, "shopTransactionId"),
        pg_cno=_required_text(body, "pgCno"),
        amount=_required_amount(body, "amount"),
        transaction_date=_required_datetime_text(body, "transactionDate"),
        status_code=_text(body, "statusCode"),
        status_message=_text(body, "statusMessage"),
        pay_method_type_code=_text(payment, "payMethodTypeCode"),
        approval_no=_text(payment, "approvalNo"),
        approval_date=_text(payment, "approvalDate"),
        cp_code=_text(payment, "cpCode"),
        card=_card(_object(payment, "cardInfo")),
        virtual_account=_virtual_account(_object(payment, "virtualAccountInfo")),
        bank=_bank(_object(payment, "bankInfo")),
        mobile=_mobile(_object(payment, "mobInfo")),
        raw=mask_body(body),
    )


def parse_revise(body: Mapping[str, Any]) -> ReviseResult:
    revise_info = _object(body, "reviseInfo")
    refund_info = _object(revise_info, "refundInfo")
    return ReviseResult(
        res_cd=_text(body, "resCd"),
        res_msg=_text(body, "resMsg"),
        shop_order_no=_text(body, "shopOrderNo"),
        shop_transaction_id=_text(body, "shopTransactionId"),
        ori_pg_cno=_text(body, "oriPgCno"),
        cancel_pg_cno=_required_text(body, "cancelPgCno"),
        cancel_amount=_optional_amount(body, "cancelAmount"),
        remain_amount=_optional_amount(body, "remainAmount"),
        transaction_date=_text(body, "transactionDate"),
        status_code=_text(body, "statusCode"),
        status_message=_text(body, "statusMessage"),
        pay_method_type_code=_text(revise_info, "payMethodTypeCode"),
        approval_no=_text(revise_info, "approvalNo"),
        approval_date=_text(revise_info, "approvalDate"),
        deposit_pg_cno=_text(refund_info, "depositPgCno"),
        raw=mask_body(body),
    )


def is_revise_shape(body: Mapping[str, Any]) -> bool:
    """retrieveTransaction answers in the shape of the original call (§7): a cancel has cancelPgCno."""
    return bool(_text(body, "cancelPgCno"))


def _card(info: Mapping[str, Any]) -> CardInfo | None:
    # Unused sub-objects come as {"cardNo": "", ...} (§5.2): no identifying value → no card.
    number = _text(info, "cardMaskNo") or _text(info, "cardNo")
    if not (number or _text(info, "issuerCode") or _text(info, "issuerName")):
        return None
    return CardInfo(
        masked_number=str(mask_card_number(number)),
        issuer_code=_text(info, "issuerCode"),
        issuer_name=_text(info, "issuerName"),
        acquirer_code=_text(info, "acquirerCode"),
        acquirer_name=_text(info, "acquirerName"),
        installment_month=_loose_int(info.get("installmentMonth")),
        free_installment_type_code=_text(info, "freeInstallmentTypeCode"),
        card_gubun=_text(info, "cardGubun"),
        part_cancel_used=_text(info, "partCancelUsed"),
    )


def _virtual_account(info: Mapping[str, Any]) -> VirtualAccountInfo | None:
    if not (_text(info, "accountNo") or _text(info, "bankCode")):
        return None
    return VirtualAccountInfo(
        bank_code=_text(info, "bankCode"),
        bank_name=_text(info, "bankName"),
        account_no=_text(info, "accountNo"),
        depositor_name=_text(info, "depositName"),
        expiry_date=_text(info, "expiryDate"),
    )


def _bank(info: Mapping[str, Any]) -> BankInfo | None:
    if not (_text(info, "bankCode") or _text(info, "bankName")):
        return None
    return BankInfo(bank_code=_text(info, "bankCode"), bank_name=_text(info, "bankName"))


def _mobile(info: Mapping[str, Any]) -> MobileInfo | None:
    if not (_text(info, "mobileNo") or _text(info, "mobileCd")):
        return None
    return MobileInfo(
        masked_number=str(mask_phone_number(_text(info, "mobileNo"))),
        carrier=_text(info, "mobileCd"),
    )


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(body: Mapping[str, Any], key: str) -> str:
    """A string field, tolerantly: numbers become text, anything else becomes ""."""
    value = body.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _required_text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedResponse(key, "missing or not a non-empty string")
    return value


def _amount(value: object) -> int | None:
    # A JSON number in every real response; the doc example once shows "51004" (§5.2).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _required_amount(body: Mapping[str, Any], key: str) -> int:
    amount = _amount(body.get(key))
    if amount is None:
        raise MalformedResponse(key, f"not a whole number of won: {body.get(key)!r}")
    return amount


def _optional_amount(body: Mapping[str, Any], key: str) -> int | None:
    if body.get(key) in (None, ""):
        return None
    return _required_amount(body, key)


def _required_datetime_text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not DATETIME_TEXT.fullmatch(value):
        raise MalformedResponse(key, f"not yyyyMMddHHmmss: {value!r}")
    return value


def _loose_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    # isascii: str.isdigit() also accepts "²", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() else None
