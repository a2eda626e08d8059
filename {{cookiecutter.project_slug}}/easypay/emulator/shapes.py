"""The shapes of KICC's answers and 노티 bodies, filled with test-host-like values.

Field names only from the contract (docs/kicc-api.md): approval §5.2, revise §6.2, noti §8.1
(whose values are all Strings, even amounts). The values — bank and wallet names, numbers —
are the emulator's: realistic, not KICC's.
"""

import json
import secrets
from datetime import datetime, timedelta

from easypay import methods

from . import codes

# What the window lets a buyer pick, per method: code → the name KICC would send back.
# The codes are easypay.methods' (§10.3), so the window offers no bank the shop's refund
# form lacks (a test keeps them equal); the Korean names are KICC-style, the emulator's.
BANKS = {
    "003": "IBK기업",
    "004": "KB국민",
    "011": "NH농협",
    "020": "우리",
    "023": "SC제일",
    "026": "신한",
    "031": "iM뱅크",
    "032": "부산",
    "039": "경남",
    "071": "우체국",
    "081": "하나",
    "089": "케이뱅크",
    "090": "카카오뱅크",
    "092": "토스뱅크",
}
# Banks the emulator issues virtual accounts at (§10.3 marks VA banks in its source, not here).
VA_BANKS = ("011", "004", "020", "026", "081", "003", "071")
CARRIERS = methods.CARRIER_NAMES
WALLETS = {
    "KKO": "카카오페이",
    "NPAY": "네이버페이",
    "TOS": "토스페이",
    "PCO": "페이코",
    "SAM": "삼성페이",
    "SSG": "SSG페이",
    "APY": "애플페이",
}
# method → (what the buyer picks, the default)
PROVIDERS = {
    methods.BANK_TRANSFER: (BANKS, "011"),
    methods.VIRTUAL_ACCOUNT: ({code: BANKS[code] for code in VA_BANKS}, "011"),
    methods.MOBILE: (CARRIERS, "SKT"),
    methods.EASY_PAY: (WALLETS, "KKO"),
}


def digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def _empty_card() -> dict:
    return {
        "cardNo": "",
        "issuerCode": "",
        "issuerName": "",
        "acquirerCode": "",
        "acquirerName": "",
        "installmentMonth": 0,
        "freeInstallmentTypeCode": "",
        "cardGubun": "",
        "cardBizGubun": "",
        "partCancelUsed": "",
        "subCardCd": "",
        "couponAmount": 0,
        "vanSno": "",
        "cardMaskNo": "",
    }


def _test_card() -> dict:
    masked = f"9490{digits(4)}****{digits(3)}*"
    return {
        **_empty_card(),
        "cardNo": masked,
        "cardMaskNo": masked,
        "issuerCode": "026",
        "issuerName": "TestCard",  # §16.9: what the test host prints
        "acquirerCode": "026",
        "acquirerName": "Payzone TestCard",
        "freeInstallmentTypeCode": "00",
        "cardGubun": "N",
        "cardBizGubun": "P",
        "partCancelUsed": "Y",
        "vanSno": digits(12),
    }


def payment_info(
    method: str,
    moment: str,
    request: dict,
    now: datetime,
    *,
    provider: str | None = None,
    reported_code: str | None = None,
) -> dict:
    """§5.2's paymentInfo tree: the method's own sub-object filled, the others present with
    empty values, as observed (OBS). `provider` is the bank, carrier or wallet picked in the
    window; `reported_code` the payMethodTypeCode to report (an easy-pay wallet paid by card
    is "11" or "60", §10.1 — the emulator's setting decides)."""
    card = _empty_card()
    bank = {"bankCode": "", "bankName": ""}
    account = {"bankCode": "", "bankName": "", "accountNo": "", "depositName": "", "expiryDate": ""}
    mobile = {"authId": "", "billId": "", "mobileNo": "", "mobileCd": ""}
    cp_code = ""
    if method in (methods.CARD, methods.EASY_PAY):
        card = _test_card()  # a wallet pays with a card registered in it
        if method == methods.EASY_PAY:
            cp_code = provider or PROVIDERS[method][1]
    elif method == methods.BANK_TRANSFER:
        code = provider or PROVIDERS[method][1]
        bank = {"bankCode": code, "bankName": BANKS[code]}
    elif method == methods.MOBILE:
        mobile = {
            "authId": digits(12),
            "billId": digits(15),
            "mobileNo": "010" + digits(8),
            "mobileCd": provider or PROVIDERS[method][1],
        }
    else:
        customer = request["orderInfo"].get("customerInfo") or {}
        va = (request.get("payMethodInfo") or {}).get("virtualAccountMethodInfo") or {}
        expiry = (va.get("expiryDate") or (now + timedelta(days=3)).strftime("%Y%m%d")) + (
            va.get("expiryTime") or "235959"
        )
        code = provider or PROVIDERS[methods.VIRTUAL_ACCOUNT][1]
        account.update(
            bankCode=code,
            bankName=BANKS[code],
            accountNo="790" + digits(11),
            depositName=customer.get("customerName") or "이지페이",
            expiryDate=expiry,
        )
    return {
        "payMethodTypeCode": reported_code or method,
        "approvalNo": digits(8),
        "approvalDate": moment,
        "cpCode": cp_code,
        "multiCardAmount": "",
        "multiPntAmount": "",
        "multiCponAmount": "",
        "cardInfo": card,
        "bankInfo": bank,
        "virtualAccountInfo": account,
        "mobInfo": mobile,
        "cashReceiptInfo": {"resCd": "", "resMsg": "", "approvalNo": "", "approvalDate": ""},
    }


def noti_head(txn, noti_type: str, message: str) -> dict:
    return {
        "resCd": codes.SUCCESS,
        "resMsg": message,
        "mallId": txn["mall_id"],
        "notiType": noti_type,
        "shopOrderNo": txn["shop_order_no"],
        "escrowUsed": "N",
    }


def approval_noti(response: dict, request: dict) -> dict:
    """Noti 10 (§8.1): only §8.1's field names, every value a String; the method's own
    fields (card, bank, mobile, wallet) filled, the others left out."""
    info = response["paymentInfo"]
    values = request.get("shopValueInfo") or {}
    body = {
        "resCd": codes.SUCCESS,
        "resMsg": "정상",
        "mallId": response["mallId"],
        "notiType": "10",
        "pgCno": response["pgCno"],
        "shopOrderNo": response["shopOrderNo"],
        "amount": str(response["amount"]),
        "approvalNo": info["approvalNo"],
        "transactionDate": response["transactionDate"],
        "payMethodTypeCode": info["payMethodTypeCode"],
        "statusCode": response["statusCode"],
        "statusMessage": response["statusMessage"],
        "escrowUsed": "N",
    }
    card = info["cardInfo"]
    if card["cardNo"]:
        body.update(
            cardNo=card["cardNo"],
            cardMaskNo=card["cardMaskNo"],
            issuerCode=card["issuerCode"],
            issuerName=card["issuerName"],
            acquirerCode=card["acquirerCode"],
            acquirerName=card["acquirerName"],
            installmentMonth=str(card["installmentMonth"]),
            freeInstallmentTypeCode=card["freeInstallmentTypeCode"],
            cardGubun=card["cardGubun"],
            cardBizGubun=card["cardBizGubun"],
            partCancelUsed=card["partCancelUsed"],
        )
    if info["cpCode"]:
        body["cpCode"] = info["cpCode"]
    if info["bankInfo"]["bankCode"]:
        body.update(bankCode=info["bankInfo"]["bankCode"], bankName=info["bankInfo"]["bankName"])
    mobile = info["mobInfo"]
    if mobile["mobileNo"]:
        body.update(
            authId=mobile["authId"],
            billId=mobile["billId"],
            mobileNo=mobile["mobileNo"],
            mobileCd=mobile["mobileCd"],
        )
    for n in range(1, 7):  # §8.1 lists shopValue1..6 only
        body[f"shopValue{n}"] = values.get(f"value{n}", "")
    return body


def revise_response(
    body, txn, revise_type, cancel_pg_cno, cancel_amount, remain, status, moment, *, refund=None
):
    """§6.2; no msgAuthValue on revise answers. `refund`: reviseInfo.refundInfo's values
    (refundDate, depositPgCno) for a refund."""
    full_cancel = revise_type == methods.FULL_CANCEL and not status.startswith("RF")
    return {
        "resCd": codes.SUCCESS,
        "resMsg": "정상취소" if full_cancel else "정상처리",
        "mallId": body["mallId"],
        "shopTransactionId": body["shopTransactionId"],
        "shopOrderNo": txn["shop_order_no"],
        "oriPgCno": txn["pg_cno"],
        "cancelPgCno": cancel_pg_cno,
        "cancelAmount": cancel_amount,
        "remainAmount": remain,
        "transactionDate": moment,
        "statusCode": status,
        "statusMessage": codes.STATUS_MESSAGES[status],
        "escrowUsed": "N",
        "multiCardAmount": "",
        "multiPntAmount": "",
        "multiCponAmount": "",
        "reviseInfo": {
            "payMethodTypeCode": txn["pay_method"],
            "approvalNo": digits(8),
            "approvalDate": moment,
            "cardInfo": {"couponAmount": 0},
            "refundInfo": {"refundDate": "", "depositPgCno": "", **(refund or {})},
            "cashReceiptInfo": {"resCd": "", "resMsg": "", "approvalNo": "", "cancelDate": ""},
        },
    }


def cancel_noti(txn, cancel_pg_cno, cancel_amount, remain, status, moment, message="정상취소"):
    """Noti 20 — a cancel, or a real-time refund done (§8.1): pgCno is the original approval,
    cancelPgCno this cancel or refund."""
    body = {
        **noti_head(txn, "20", message),
        "pgCno": txn["pg_cno"],
        "amount": str(txn["amount"]),
        "payMethodTypeCode": txn["pay_method"],
        "cancelPgCno": cancel_pg_cno,
        "cancelAmount": str(cancel_amount),
        "remainAmount": str(remain),
        "cancelDate": moment,
        "transactionDate": moment,
        "statusCode": status,
        "statusMessage": codes.STATUS_MESSAGES[status],
    }
    if status.startswith("RF") and txn["deposit_pg_cno"]:
        body["depositPgCno"] = txn["deposit_pg_cno"]
    return body


def refund_noti(txn, refund, remain: int, moment: str, *, done: bool) -> dict:
    """Noti 50 (a deferred refund paid out, RF02) or 51 (a refund the bank refused: resCd
    5413 inside the noti, RF03, the money back in the balance), §8.1: a 20's body otherwise
    (pgCno the original approval, cancelPgCno the refund, depositPgCno the deposit)."""
    status = methods.REFUND_DONE if done else methods.REFUND_REFUSED
    message = "환불완료" if done else codes.BANK_REFUSED_MESSAGE
    body = {
        **cancel_noti(
            txn, refund["cancel_pg_cno"], refund["amount"], remain, status, moment, message
        ),
        "notiType": "50" if done else "51",
    }
    if not done:
        body["resCd"] = codes.BANK_REFUSED  # §8.1's 51 example: a non-0000 resCd in a noti
    return body


def deposit_noti(txn, noti_type: str, deposit_no: str, moment: str) -> dict:
    """Noti 30 (deposit) / 31 (deposit cancelled by the bank), §8.1."""
    account = json.loads(txn["approval"])["paymentInfo"]["virtualAccountInfo"]
    body = {
        **noti_head(txn, noti_type, "입금완료" if noti_type == "30" else "입금취소"),
        "pgCno": deposit_no,  # §8.1: for 30 the deposit number; the VA is in tlfSno
        "tlfSno": txn["pg_cno"],
        "amount": str(txn["amount"]),
        "transactionDate": moment,
        "payMethodTypeCode": methods.VIRTUAL_ACCOUNT,
        "bankCode": account["bankCode"],
        "bankName": account["bankName"],
        "accountNo": account["accountNo"],
        "depositName": account["depositName"],
        "statusCode": "",  # as in KICC's deposit noti example
    }
    if noti_type == "31":
        body["cancelDate"] = moment
    return body
