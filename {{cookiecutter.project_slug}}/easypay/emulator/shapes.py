"""The shapes of KICC's answers and 노티 bodies, filled with test-host-like values.

Field names only from easypay-api.md: approval §5.2, revise §6.2, noti §8.1 (whose values
are all Strings, even amounts).
"""

import json
import secrets
from datetime import datetime, timedelta

from . import codes


def digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def payment_info(method: str, moment: str, request: dict, now: datetime) -> dict:
    """§5.2's paymentInfo tree; unused sub-objects present with empty values, as observed."""
    card = {
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
    account = {"bankCode": "", "bankName": "", "accountNo": "", "depositName": "", "expiryDate": ""}
    if method == "11":
        masked = f"9490{digits(4)}****{digits(3)}*"
        card.update(
            cardNo=masked,
            cardMaskNo=masked,
            issuerCode="026",
            issuerName="TestCard",  # §16.9: what the test host prints
            acquirerCode="026",
            acquirerName="Payzone TestCard",
            freeInstallmentTypeCode="00",
            cardGubun="N",
            cardBizGubun="P",
            partCancelUsed="Y",
            vanSno=digits(12),
        )
    else:
        customer = request["orderInfo"].get("customerInfo") or {}
        va = (request.get("payMethodInfo") or {}).get("virtualAccountMethodInfo") or {}
        expiry = (va.get("expiryDate") or (now + timedelta(days=3)).strftime("%Y%m%d")) + (
            va.get("expiryTime") or "235959"
        )
        account.update(
            bankCode="011",
            bankName="NH농협",
            accountNo="790" + digits(11),
            depositName=customer.get("customerName") or "이지페이",
            expiryDate=expiry,
        )
    return {
        "payMethodTypeCode": method,
        "approvalNo": digits(8),
        "approvalDate": moment,
        "cpCode": "",
        "multiCardAmount": "",
        "multiPntAmount": "",
        "multiCponAmount": "",
        "cardInfo": card,
        "bankInfo": {"bankCode": "", "bankName": ""},
        "virtualAccountInfo": account,
        "mobInfo": {"authId": "", "billId": "", "mobileNo": "", "mobileCd": ""},
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
    """Noti 10 (§8.1): only §8.1's field names, every value a String."""
    info = response["paymentInfo"]
    card = info["cardInfo"]
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
        "cardNo": card["cardNo"],
        "cardMaskNo": card["cardMaskNo"],
        "issuerCode": card["issuerCode"],
        "issuerName": card["issuerName"],
        "acquirerCode": card["acquirerCode"],
        "acquirerName": card["acquirerName"],
        "installmentMonth": str(card["installmentMonth"]),
        "freeInstallmentTypeCode": card["freeInstallmentTypeCode"],
        "cardGubun": card["cardGubun"],
        "cardBizGubun": card["cardBizGubun"],
        "partCancelUsed": card["partCancelUsed"],
        "statusCode": response["statusCode"],
        "statusMessage": response["statusMessage"],
        "escrowUsed": "N",
    }
    for n in range(1, 7):  # §8.1 lists shopValue1..6 only
        body[f"shopValue{n}"] = values.get(f"value{n}", "")
    return body


def revise_response(body, txn, revise_type, cancel_pg_cno, cancel_amount, remain, status, moment):
    """§6.2; no msgAuthValue on revise answers."""
    return {
        "resCd": codes.SUCCESS,
        "resMsg": "정상취소" if revise_type == "40" else "정상처리",
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
            "refundInfo": {"refundDate": "", "depositPgCno": ""},
            "cashReceiptInfo": {"resCd": "", "resMsg": "", "approvalNo": "", "cancelDate": ""},
        },
    }


def cancel_noti(txn, cancel_pg_cno, cancel_amount, remain, status, moment) -> dict:
    """Noti 20: pgCno is the original approval, cancelPgCno this cancel (§8.1)."""
    return {
        **noti_head(txn, "20", "정상취소"),
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


def deposit_noti(txn, noti_type: str, deposit_no: str, moment: str) -> dict:
    """Noti 30 (deposit) / 31 (deposit cancelled by the bank), §8.1."""
    account = json.loads(txn["approval"])["paymentInfo"]["virtualAccountInfo"]
    body = {
        **noti_head(txn, noti_type, "입금완료" if noti_type == "30" else "입금취소"),
        "pgCno": deposit_no,  # §8.1: for 30 the deposit number; the VA is in tlfSno
        "tlfSno": txn["pg_cno"],
        "amount": str(txn["amount"]),
        "transactionDate": moment,
        "payMethodTypeCode": "22",
        "bankCode": account["bankCode"],
        "bankName": account["bankName"],
        "accountNo": account["accountNo"],
        "depositName": account["depositName"],
        "statusCode": "",  # as in KICC's deposit noti example
    }
    if noti_type == "31":
        body["cancelDate"] = moment
    return body
