"""Refunds and method rules on the client's side: what goes on the wire, and what never leaves.

The client points at a closed port (client_helpers.unreachable_client): a call that passes the
checks ends in RequestNotSent whose record shows the body it would have sent; one that does
not raises InvalidRequest instead.
"""

from datetime import timedelta

import pytest

from easypay import kst
from easypay.client import RefundAccount
from easypay.exceptions import InvalidRequest, RequestNotSent
from easypay.tests.client_helpers import unreachable_client

ACCOUNT = RefundAccount(bank_code="011", account_no="302-1234-5678-91", depositor_name="홍길동")


@pytest.fixture
def client():
    return unreachable_client()


def refund(**changes):
    return {
        "shop_transaction_id": "r" * 32,
        "pg_cno": "24081308560510790235",
        "revise_type_code": "62",
        "cancel_req_date": kst.today(),
        "amount": 5000,
        "refund_account": ACCOUNT,
        **changes,
    }


def sent_body(client, **arguments) -> dict:
    with pytest.raises(RequestNotSent) as raised:
        client.revise(**arguments)
    return raised.value.call.request_body


def test_a_deferred_partial_refund_goes_out_with_its_sub_type_and_a_masked_account(client):
    body = sent_body(client, **refund(remain_amount=15000))

    assert body["reviseTypeCode"] == "62"
    assert body["reviseSubTypeCode"] == "RF01"  # §6.3: the deferred refund's sub-type
    assert (body["amount"], body["remainAmount"]) == (5000, 15000)
    # Dashes dropped as typed; only the last four digits are ever recorded.
    assert body["refundInfo"] == {
        "refundBankCode": "011",
        "refundAccountNo": "*********7891",
        "refundDepositName": "홍길동",
    }
    assert "refundQueryFlag" not in body


def test_a_full_deferred_refund_takes_the_balance_and_no_amount(client):
    body = sent_body(client, **refund(revise_type_code="60", amount=None))

    assert (body["reviseTypeCode"], body["reviseSubTypeCode"]) == ("60", "RF01")
    assert "amount" not in body


@pytest.mark.parametrize(
    ("sub_type", "amount"), [("10", None), ("20", None), ("11", 5000), ("21", 5000)]
)
def test_a_real_time_refund_goes_out_with_its_documented_sub_type(client, sub_type, amount):
    body = sent_body(
        client, **refund(revise_type_code="63", revise_sub_type_code=sub_type, amount=amount)
    )

    assert (body["reviseTypeCode"], body["reviseSubTypeCode"]) == ("63", sub_type)
    assert body.get("amount") == amount


def test_a_refund_query_is_the_same_refund_with_refund_query_flag_y(client):
    body = sent_body(client, **refund(refund_query=True))

    assert body["refundQueryFlag"] == "Y"
    assert body["reviseTypeCode"] == "62" and body["amount"] == 5000
    assert body["refundInfo"]["refundBankCode"] == "011"


def test_a_deposit_number_names_the_deposit_of_a_virtual_account(client):
    account = RefundAccount(
        "004", "12345678901234", "김철수", deposit_pg_cno="24081308560510790236"
    )

    body = sent_body(client, **refund(refund_account=account))

    assert body["refundInfo"]["depositPgCno"] == "24081308560510790236"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"refund_account": None}, "refund_account"),
        ({"refund_account": {"bank_code": "011"}}, "refund_account"),
        ({"refund_account": RefundAccount("11", "123", "홍길동")}, "bank_code"),
        ({"refund_account": RefundAccount("NH1", "123", "홍길동")}, "bank_code"),
        ({"refund_account": RefundAccount("011", "1" * 15, "홍길동")}, "account_no"),
        ({"refund_account": RefundAccount("011", "123-45a", "홍길동")}, "account_no"),
        ({"refund_account": RefundAccount("011", "１２３", "홍길동")}, "account_no"),
        ({"refund_account": RefundAccount("011", "123", "")}, "depositor_name"),
        ({"refund_account": RefundAccount("011", "123", "가" * 17)}, "depositor_name"),
        ({"refund_account": RefundAccount("011", "123", "O'Brien")}, "depositor_name"),
        ({"refund_account": RefundAccount("011", "123", "홍", "12-34")}, "deposit_pg_cno"),
        ({"amount": None}, "amount"),  # 62 is partial
        ({"revise_type_code": "60"}, "amount"),  # 60 is full: the balance, no amount
        ({"revise_type_code": "63"}, "revise_sub_type_code"),  # 63 needs 10/11/20/21
        ({"revise_type_code": "63", "revise_sub_type_code": "RF01"}, "revise_sub_type_code"),
        ({"revise_type_code": "63", "revise_sub_type_code": "10"}, "amount"),  # 10 is full
        ({"revise_type_code": "63", "revise_sub_type_code": "11", "amount": None}, "amount"),
        ({"revise_sub_type_code": "10"}, "revise_sub_type_code"),  # 62 takes RF01 only
        ({"revise_type_code": "40", "amount": None}, "refund_account"),  # a cancel has none
        ({"revise_type_code": "32", "refund_account": None, "refund_query": True}, "refund_query"),
        ({"revise_type_code": "32", "revise_sub_type_code": "RF01"}, "revise_sub_type_code"),
    ],
)
def test_a_refund_kicc_would_refuse_is_never_sent(client, changes, named):
    with pytest.raises(InvalidRequest, match=named):
        client.revise(**refund(**changes))


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("21", "32"),  # a bank transfer's partial cancel is 33 (§6.3)
        ("31", "32"),
        ("11", "33"),
        ("60", "33"),
        ("11", "62"),  # cards are not refunded to an account
        ("21", "63"),
        ("22", "32"),  # a virtual account has no partial cancel
    ],
)
def test_a_code_the_method_does_not_take_is_refused_when_the_method_is_known(client, method, code):
    arguments = refund(revise_type_code=code, pay_method_type_code=method)
    if code == "63":
        arguments["revise_sub_type_code"] = "11"
    if code in ("32", "33"):
        arguments["refund_account"] = None

    with pytest.raises(InvalidRequest, match="§6.3"):
        client.revise(**arguments)


@pytest.mark.parametrize(
    ("method", "code"), [("21", "33"), ("31", "33"), ("31", "62"), ("11", "32"), ("60", "32")]
)
def test_a_code_the_method_takes_goes_out(client, method, code):
    arguments = refund(revise_type_code=code, pay_method_type_code=method)
    if code in ("32", "33"):
        arguments["refund_account"] = None

    assert sent_body(client, **arguments)["reviseTypeCode"] == code


def test_a_refund_account_never_shows_its_whole_number():
    assert "3021234567891" not in repr(ACCOUNT) and "302-1234" not in repr(ACCOUNT)
    assert "'*********7891'" in repr(ACCOUNT)


# --- registration per method --------------------------------------------------------------
REGISTER = {
    "shop_order_no": "ORD-20260101-0001",
    "amount": 15000,
    "goods_name": "테스트 상품",
    "return_url": "https://shop.example/payments/return/abc123/",
    "device_type_code": "pc",
}


@pytest.mark.parametrize("method", ["00", "11", "21", "22", "31", "60"])
def test_each_method_registers_with_no_field_of_its_own(client, method):
    with pytest.raises(RequestNotSent) as raised:
        client.register(**REGISTER, pay_method_type_code=method)

    body = raised.value.call.request_body
    assert body["payMethodTypeCode"] == method
    assert "payMethodInfo" not in body  # §3.1: nothing a method requires


def test_a_virtual_account_deadline_goes_out_in_kst(client):
    deadline = (kst.now() + timedelta(days=2)).replace(hour=18, minute=30, second=0)

    with pytest.raises(RequestNotSent) as raised:
        client.register(**REGISTER, pay_method_type_code="22", virtual_account_expiry=deadline)

    assert raised.value.call.request_body["payMethodInfo"] == {
        "virtualAccountMethodInfo": {
            "expiryDate": deadline.strftime("%Y%m%d"),
            "expiryTime": "183000",
        }
    }


@pytest.mark.parametrize(
    ("method", "deadline"),
    [
        ("11", lambda: kst.now() + timedelta(days=1)),  # a card has no deadline
        ("22", lambda: kst.now() - timedelta(minutes=1)),  # already passed
        ("22", lambda: (kst.now() + timedelta(days=1)).replace(tzinfo=None)),  # naive
    ],
)
def test_a_virtual_account_deadline_kicc_would_refuse_is_never_sent(client, method, deadline):
    with pytest.raises(InvalidRequest, match="virtual_account_expiry"):
        client.register(**REGISTER, pay_method_type_code=method, virtual_account_expiry=deadline())
