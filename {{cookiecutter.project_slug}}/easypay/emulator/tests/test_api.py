"""The four API endpoints over real HTTP: happy paths, response shapes, validation."""

import pytest
import requests

from easypay.signing import approval_auth_value

PAYMENT_INFO_KEYS = {
    "payMethodTypeCode",
    "approvalNo",
    "approvalDate",
    "cpCode",
    "multiCardAmount",
    "multiPntAmount",
    "multiCponAmount",
    "cardInfo",
    "bankInfo",
    "virtualAccountInfo",
    "mobInfo",
    "cashReceiptInfo",
}


def test_register_answers_an_auth_page_url_with_a_20_digit_authorization_id(kicc):
    answer = kicc.post("/api/ep9/trades/webpay", kicc.register_body())

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"resCd", "resMsg", "authPageUrl"}
    assert body["resCd"] == "0000"
    prefix = f"{kicc.base}/view/trades/cert-req.do?authorizationId="
    assert body["authPageUrl"].startswith(prefix)
    authorization_id = body["authPageUrl"].removeprefix(prefix)
    assert len(authorization_id) == 20 and authorization_id.isdigit()


def test_a_card_approval_has_the_documented_shape_and_a_verifiable_signature(
    kicc, easypay_emulator
):
    registered = kicc.register(amount=51004)
    easypay_emulator.authenticate(registered["authorizationId"], "approve")
    request = kicc.approve_body(registered)

    answer = kicc.post("/api/ep9/trades/approval", request).json()

    assert answer["resCd"] == "0000"
    assert answer["amount"] == 51004 and isinstance(answer["amount"], int)
    assert answer["shopTransactionId"] == request["shopTransactionId"]
    assert answer["shopOrderNo"] == registered["shopOrderNo"]
    assert answer["mallId"] == "T0000000"
    assert len(answer["pgCno"]) == 20 and answer["pgCno"].isdigit()
    assert len(answer["transactionDate"]) == 14
    assert (answer["statusCode"], answer["statusMessage"]) == ("TS03", "매입요청")
    assert answer["escrowUsed"] == "N"
    assert answer["msgAuthValue"] == approval_auth_value(
        "easypay!KICCTEST", answer["pgCno"], 51004, answer["transactionDate"]
    )
    info = answer["paymentInfo"]
    assert set(info) == PAYMENT_INFO_KEYS
    assert info["payMethodTypeCode"] == "11"
    assert len(info["approvalNo"]) == 8
    assert info["cardInfo"]["issuerName"] == "TestCard"
    assert info["cardInfo"]["installmentMonth"] == 0
    assert info["bankInfo"] == {"bankCode": "", "bankName": ""}
    assert set(info["virtualAccountInfo"].values()) == {""}


def test_a_virtual_account_approval_waits_for_deposit_with_account_details(kicc, easypay_emulator):
    answer = kicc.paid("approve_va")

    assert (answer["statusCode"], answer["statusMessage"]) == ("TS07", "입금대기")
    account = answer["paymentInfo"]["virtualAccountInfo"]
    assert answer["paymentInfo"]["payMethodTypeCode"] == "22"
    assert account["bankCode"] == "011" and account["accountNo"].isdigit()
    assert account["depositName"] == "홍길동"
    assert len(account["expiryDate"]) == 14
    assert answer["paymentInfo"]["cardInfo"]["cardNo"] == ""


def test_a_partial_then_a_full_cancel_use_up_the_balance(kicc, easypay_emulator):
    approval = kicc.paid(amount=15000)
    pg_cno = approval["pgCno"]

    partial = kicc.revise(pg_cno, "32", amount=5000, remainAmount=15000).json()
    full = kicc.revise(pg_cno, "40").json()

    assert partial["resCd"] == "0000"
    assert partial["oriPgCno"] == pg_cno and partial["cancelPgCno"] != pg_cno
    assert (partial["cancelAmount"], partial["remainAmount"]) == (5000, 10000)
    assert partial["statusCode"] == "TS06"
    assert "msgAuthValue" not in partial
    assert set(partial["reviseInfo"]) >= {"payMethodTypeCode", "approvalNo", "approvalDate"}
    assert full["resCd"] == "0000" and full["resMsg"] == "정상취소"
    assert (full["cancelAmount"], full["remainAmount"], full["statusCode"]) == (10000, 0, "TS02")
    ledger = easypay_emulator.ledger(approval["shopOrderNo"])
    assert ledger["cancelled_amount"] == 15000 and ledger["remaining_amount"] == 0


def test_retrieve_returns_the_original_approval_with_the_current_status_and_no_signature(kicc):
    approval = kicc.paid()
    kicc.revise(approval["pgCno"], "32", amount=1000)

    answer = kicc.retrieve(approval["shopTransactionId"]).json()

    assert answer["resCd"] == "0000"
    assert "msgAuthValue" not in answer
    assert answer["statusCode"] == "TS06" and answer["statusMessage"] == "부분매입취소"
    expected = {
        k: v
        for k, v in approval.items()
        if k not in ("msgAuthValue", "statusCode", "statusMessage")
    }
    assert {k: answer[k] for k in expected} == expected


def test_retrieve_finds_a_cancel_by_its_own_key(kicc):
    approval = kicc.paid()
    cancel = kicc.revise(approval["pgCno"], "40").json()

    answer = kicc.retrieve(cancel["shopTransactionId"]).json()

    assert answer["cancelPgCno"] == cancel["cancelPgCno"]
    assert answer["statusCode"] == "TS02"


VALID_REGISTER_FAILURES = [
    ({"mallId": None}, "X001"),
    ({"orderInfo": {"customerInfo": {}}}, "X001"),
    ({"amount": "15000"}, "X004"),
    ({"amount": True}, "X004"),
    ({"currency": "01"}, "X004"),
    ({"clientTypeCode": "10"}, "X004"),
    ({"deviceTypeCode": "PC"}, "X004"),
    ({"payMethodTypeCode": "81"}, "X004"),
    ({"shopOrderNo": "ORD 1"}, "X004"),
    ({"shopOrderNo": "A" * 41}, "X002"),
    ({"returnUrl": "ftp://shop.test/return"}, "X004"),
    ({"orderInfo": {"goodsName": "가" * 17}}, "X002"),  # 51 UTF-8 bytes > 50
    ({"orderInfo": {"goodsName": "it's"}}, "X003"),
    ({"orderInfo": {"goodsName": "a|b"}}, "X003"),
    ({"orderInfo": {"goodsName": "선물 🎁"}}, "X003"),
    ({"shopValueInfo": {"value3": "x" * 33}}, "X002"),
    ({"mallId": "T9999999"}, "X005"),
]


@pytest.mark.parametrize(("overrides", "code"), VALID_REGISTER_FAILURES)
def test_register_refuses_an_invalid_request_with_http_200(kicc, overrides, code):
    body = kicc.register_body(**overrides)
    body = {k: v for k, v in body.items() if v is not None}

    answer = kicc.post("/api/ep9/trades/webpay", body)

    assert answer.status_code == 200
    assert answer.json()["resCd"] == code
    assert set(answer.json()) == {"resCd", "resMsg"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/ep9/trades/webpay",
        "/api/ep9/trades/approval",
        "/api/trades/revise",
        "/api/trades/retrieveTransaction",
    ],
)
@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_an_unparsable_request_gets_http_400(kicc, path, raw):
    answer = kicc.post(path, None, data=raw, headers={"Content-Type": "application/json"})

    assert answer.status_code == 400
    assert answer.json()["resCd"] == "X000"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("shopTransactionId", None, "X001"),
        ("approvalReqDate", "2026-01-01", "X002"),
        ("approvalReqDate", "20261301", "X004"),
        ("approvalReqDate", "20000101", "X006"),
    ],
)
def test_approval_validates_its_fields(kicc, easypay_emulator, field, value, code):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"])
    body = kicc.approve_body(registered)
    body[field] = value
    body = {k: v for k, v in body.items() if v is not None}

    assert kicc.post("/api/ep9/trades/approval", body).json()["resCd"] == code
    assert easypay_emulator.ledger(registered["shopOrderNo"])["approvals"] == 0


def test_an_empty_post_is_a_bad_request_and_a_get_is_not_allowed(kicc):
    assert kicc.post("/api/ep9/trades/webpay", None).status_code == 400
    assert requests.get(kicc.base + "/api/ep9/trades/webpay", timeout=5).status_code == 405


def test_the_readme_lists_every_emulator_invented_code():
    from pathlib import Path

    from easypay.emulator import codes

    readme = (Path(codes.__file__).parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Result codes — emulator-invented", 1)[1]

    for code, meaning in codes.INVENTED.items():
        assert f"| `{code}` | {meaning}" in table
