"""KICC's payment methods: their codes (docs/kicc-api.md §10.1), what undoes each of them
(§6.3), and how each is named to people without showing what must stay masked.

Plain functions and values over codes, no models and no HTTP: the client, the services, the
admin, the templates and the emulator ask here instead of keeping tables of their own.

    partial_cancel_code("21")                 # "33": a bank transfer's partial cancel
    refund_codes(partial=True, real_time=False)  # ("62", "RF01"): a deferred partial refund
    details = approval.method_details          # MethodDetails, every value already masked
    details.describe()                         # "휴대폰 (SKT 010-****-1234)"
    MethodDetails.from_dict(details.as_dict())  # what a JSON field stores, and back
"""

from dataclasses import asdict, dataclass, fields

from django.utils.translation import gettext_lazy as _

# --- payMethodTypeCode (§10.1) -----------------------------------------------------------
ANY = "00"  # registration only: the window lets the buyer choose
CARD = "11"  # credit card, incl. easy-pay wallets paid by card
BANK_TRANSFER = "21"  # real-time bank transfer
VIRTUAL_ACCOUNT = "22"
MOBILE = "31"  # mobile phone billing
POINTS = "41"
PREPAID = "50"  # KakaoMoney, NaverPay points, TossMoney, …
EASY_PAY = "60"

# What the integrated window offers for a general payment, in the order a buyer sees them.
WINDOW_METHODS = (CARD, BANK_TRANSFER, VIRTUAL_ACCOUNT, MOBILE, EASY_PAY)

# --- reviseTypeCode (§6.3) ---------------------------------------------------------------
FULL_CANCEL = "40"
PARTIAL_CANCEL_CARD = "32"  # card, incl. easy-pay
PARTIAL_CANCEL_TRANSFER_MOBILE = "33"  # bank transfer, mobile
DEFERRED_FULL_REFUND = "60"  # "지결": paid out by the bank on D+1, then 노티 50 (or 51)
DEFERRED_PARTIAL_REFUND = "62"
REAL_TIME_REFUND = "63"  # paid out at once; full or partial by its reviseSubTypeCode
CANCEL_CODES = (FULL_CANCEL, PARTIAL_CANCEL_CARD, PARTIAL_CANCEL_TRANSFER_MOBILE)
REFUND_CODES = (DEFERRED_FULL_REFUND, DEFERRED_PARTIAL_REFUND, REAL_TIME_REFUND)

# reviseSubTypeCode: §6.3 lists "RF01" for deferred refund requests, and for 63 the pairs
# 10/11 (KICC verifies the refund account) and 20/21 (the shop verified it). Which of each pair
# is full and which partial the docs do not spell out; read in their order: 10/20 full,
# 11/21 partial.
DEFERRED_REFUND_SUB_TYPE = "RF01"
REAL_TIME_SUB_TYPES = {
    # (partial, account checked by the shop): reviseSubTypeCode
    (False, False): "10",
    (True, False): "11",
    (False, True): "20",
    (True, True): "21",
}
FULL_REFUND_SUB_TYPES = ("10", "20")


def takes_whole_balance(revise_type_code: str, sub_type_code: str | None = None) -> bool:
    """True when this revise takes the whole balance, so carries no amount (§6.3): a full
    cancel (40), a deferred full refund (60), a real-time refund with sub-type 10 or 20.
    The client and the emulator both ask here."""
    if revise_type_code == REAL_TIME_REFUND:
        return sub_type_code in FULL_REFUND_SUB_TYPES
    return revise_type_code in (FULL_CANCEL, DEFERRED_FULL_REFUND)


# Codes a real-time refund may answer instead of a result (§9): timed out / unknown at the
# bank. Not a no: ask again with refundQueryFlag "Y" (EasyPayClient.revise(refund_query=True)).
REFUND_IN_DOUBT_CODES = ("VTIM", "VT00")
# The bank refused to pay into the refund account (§9, in §8.1's 노티 51 example): a definite no.
BANK_REFUSED = "5413"

# --- statusCode of a refund (§10.4) ------------------------------------------------------
REFUND_REQUESTED = "RF01"
REFUND_DONE = "RF02"
REFUND_REFUSED = "RF03"

_CARD_LIKE = frozenset({CARD, POINTS, PREPAID, EASY_PAY})
_TRANSFER_OR_MOBILE = frozenset({BANK_TRANSFER, MOBILE})
_REFUNDABLE = frozenset({VIRTUAL_ACCOUNT, MOBILE})  # §6.3: refunds are for VA and mobile


def partial_cancel_code(pay_method_type_code: str) -> str | None:
    """The reviseTypeCode of a partial cancel of this method (§6.3): "32" for a card and what
    is paid like one (easy-pay, points, prepaid), "33" for a bank transfer or mobile payment,
    None when the method has no partial cancel (a virtual account is refunded instead) or is
    a code this module does not know."""
    if pay_method_type_code in _CARD_LIKE:
        return PARTIAL_CANCEL_CARD
    if pay_method_type_code in _TRANSFER_OR_MOBILE:
        return PARTIAL_CANCEL_TRANSFER_MOBILE
    return None


def refundable(pay_method_type_code: str) -> bool:
    """True when KICC takes refunds (60/62/63 with a refund account) for this method (§6.3):
    a virtual account once deposited, and a mobile payment."""
    return pay_method_type_code in _REFUNDABLE


def refund_codes(
    *, partial: bool, real_time: bool, checked_by_shop: bool = False
) -> tuple[str, str]:
    """(reviseTypeCode, reviseSubTypeCode) of a refund (§6.3).

    Deferred ("지결"): 60 full / 62 partial, sub-type RF01. Real time: 63 with 10/11 (KICC
    checks the account holder) or, checked_by_shop=True, 20/21 (the shop did).
    """
    if not real_time:
        code = DEFERRED_PARTIAL_REFUND if partial else DEFERRED_FULL_REFUND
        return code, DEFERRED_REFUND_SUB_TYPE
    return REAL_TIME_REFUND, REAL_TIME_SUB_TYPES[(bool(partial), bool(checked_by_shop))]


def revise_codes_for(pay_method_type_code: str) -> tuple[str, ...]:
    """The reviseTypeCodes §6.3 allows for this method: 40 and its partial cancel code, plus
    the refund codes where refunds exist (a virtual account: 40 only before the deposit,
    refunds after — which of the two applies, only the payment's state can say). An unknown
    code allows everything: KICC may add methods (§2), and KICC itself is the judge."""
    if pay_method_type_code not in _CARD_LIKE | _TRANSFER_OR_MOBILE | _REFUNDABLE:
        return (*CANCEL_CODES, *REFUND_CODES)
    codes = [FULL_CANCEL]
    partial = partial_cancel_code(pay_method_type_code)
    if partial:
        codes.append(partial)
    if refundable(pay_method_type_code):
        codes.extend(REFUND_CODES)
    return tuple(codes)


# --- names ---------------------------------------------------------------------------------
# cpCode (§10.3): the easy-pay wallet or point provider.
EASY_PAY_NAMES = {
    "KKO": _("카카오페이"),
    "NPAY": _("네이버페이"),
    "TOS": _("토스페이"),
    "PCO": _("페이코"),
    "SAM": _("삼성페이"),
    "APY": _("애플페이"),
    "SSG": _("SSG페이"),
    "LPAY": "L.pay",
    "LTM": "L.POINT",
    "ECB": _("이지캐시"),
}

# mobileCd (§10.3): the carrier, by the name buyers know it by.
CARRIER_NAMES = {"SKT": "SKT", "KTF": "KT", "LGT": "LG U+"}

# Bank codes (§10.3's list): what a refund account form offers (refundBankCode).
BANK_NAMES = {
    "003": _("IBK기업은행"),
    "004": _("KB국민은행"),
    "011": _("NH농협은행"),
    "020": _("우리은행"),
    "023": _("SC제일은행"),
    "026": _("신한은행"),
    "031": _("iM뱅크"),
    "032": _("부산은행"),
    "039": _("경남은행"),
    "071": _("우체국"),
    "081": _("하나은행"),
    "089": _("케이뱅크"),
    "090": _("카카오뱅크"),
    "092": _("토스뱅크"),
}

_METHOD_NAMES = {
    CARD: _("신용카드"),
    BANK_TRANSFER: _("계좌이체"),
    VIRTUAL_ACCOUNT: _("가상계좌"),
    MOBILE: _("휴대폰"),
    POINTS: _("포인트"),
    PREPAID: _("선불 결제"),
    EASY_PAY: _("간편 결제"),
}


def method_name(pay_method_type_code: str) -> str:
    """The method's name ("신용카드", "계좌이체", …); the code itself when KICC adds a method this does not know."""
    return str(_METHOD_NAMES.get(pay_method_type_code, pay_method_type_code))


def easy_pay_name(cp_code: str) -> str:
    return str(EASY_PAY_NAMES.get(cp_code, cp_code))


def carrier_name(mobile_cd: str) -> str:
    return CARRIER_NAMES.get(mobile_cd, mobile_cd)


def bank_name(bank_code: str) -> str:
    return str(BANK_NAMES.get(bank_code, bank_code))


@dataclass(frozen=True)
class MethodDetails:
    """How a payment was paid, in values safe to store and show (masked where they must be).

    From an approval (ApprovalResult.method_details) or from what the shop stored
    (MethodDetails.from_dict). `describe()` names it for people: "신용카드 (TestCard)",
    "계좌이체 (NH농협은행)", "가상계좌 (NH농협은행)", "휴대폰 (SKT 010-****-1234)",
    "간편 결제 (카카오페이)". A wallet payment is named by its wallet whether KICC reports
    it as easy-pay (60) or as a card paid through a wallet (11 with a cpCode, §10.1).
    """

    pay_method_type_code: str = ""
    cp_code: str = ""  # easy-pay wallet / point provider (§10.3), "" otherwise
    card_issuer_name: str = ""  # the slip name (§5.2), e.g. "TestCard"
    card_no_masked: str = ""
    bank_code: str = ""  # transfer: the buyer's bank; virtual account: the account's bank
    bank_name: str = ""
    mobile_carrier: str = ""  # mobileCd: SKT, KTF, LGT, …
    mobile_no_masked: str = ""  # 010-****-1234

    @property
    def is_easy_pay(self) -> bool:
        return self.pay_method_type_code == EASY_PAY or bool(self.cp_code)

    @property
    def method_code(self) -> str:
        """The method as a buyer chose it: "60" for any wallet payment, else KICC's code."""
        return EASY_PAY if self.is_easy_pay else self.pay_method_type_code

    def describe(self) -> str:
        name = method_name(self.method_code)
        detail = self.detail()
        return f"{name} ({detail})" if detail else name

    def detail(self) -> str:
        """The part in brackets: wallet, card issuer, bank, or carrier and masked number."""
        code = self.method_code
        if code == EASY_PAY:
            return easy_pay_name(self.cp_code)
        if code == MOBILE:
            return " ".join(
                part for part in (carrier_name(self.mobile_carrier), self.mobile_no_masked) if part
            )
        if code in (BANK_TRANSFER, VIRTUAL_ACCOUNT):
            # The shop's own (translated) name for a bank it knows; else KICC's bankName.
            if self.bank_code in BANK_NAMES:
                return bank_name(self.bank_code)
            return self.bank_name or self.bank_code
        if code in _CARD_LIKE:
            return self.card_issuer_name
        return ""

    def as_dict(self) -> dict[str, str]:
        """Only the non-empty values: what a JSON field keeps."""
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def from_dict(cls, values: dict | None) -> "MethodDetails":
        """Back from as_dict(); unknown keys (a later version's) are ignored."""
        known = {field.name for field in fields(cls)}
        return cls(
            **{
                name: str(value)
                for name, value in (values or {}).items()
                if name in known and value is not None
            }
        )
