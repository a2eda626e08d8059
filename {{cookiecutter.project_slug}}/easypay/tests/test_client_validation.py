"""A call KICC would refuse raises InvalidRequest and never leaves the machine.

The client points at a closed port: had a bad call been sent, RequestNotSent would be raised
instead of InvalidRequest, and the test would fail.
"""

from datetime import timedelta

import pytest

from easypay import kst
from easypay.exceptions import InvalidRequest, RequestNotSent
from easypay.tests.client_helpers import unreachable_client

REGISTER = {
    "shop_order_no": "ORD-20260101-0001",
    "amount": 15000,
    "goods_name": "테스트 상품",
    "return_url": "https://shop.example/payments/return/abc123/",
    "device_type_code": "pc",
}


@pytest.fixture
def client():
    return unreachable_client()


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"shop_order_no": "ORD 1"}, "shop_order_no"),
        ({"shop_order_no": "주문1"}, "shop_order_no"),
        ({"shop_order_no": "A" * 41}, "shop_order_no"),
        ({"amount": 0}, "amount"),
        ({"amount": "15000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"goods_name": ""}, "goods_name"),
        ({"goods_name": "Tom's"}, "goods_name"),
        ({"goods_name": "<b>bold</b>"}, "goods_name"),
        ({"goods_name": "a|b"}, "goods_name"),
        ({"goods_name": "salt & pepper"}, "goods_name"),
        ({"goods_name": "two\nlines"}, "goods_name"),
        ({"goods_name": "선물 🎁"}, "goods_name"),  # 4-byte characters (§2)
        ({"goods_name": "가" * 17}, "goods_name"),  # 51 bytes > 50
        ({"return_url": "/payments/return/"}, "return_url"),
        ({"return_url": "https://shop.example/r?a=1&b=2"}, "return_url"),
        ({"device_type_code": "PC"}, "device_type_code"),
        ({"pay_method_type_code": "81"}, "pay_method_type_code"),
        ({"customer_name": "O'Brien"}, "customer_name"),
        ({"customer_contact_no": "010-1234-56789"}, "customer_contact_no"),
        ({"customer_contact_no": "+821012345678"}, "customer_contact_no"),
        ({"shop_values": ["a", "b", "c" * 33]}, "shop_values[2]"),  # value3 is 32 bytes
        ({"shop_values": ["a"] * 8}, "shop_values"),
        ({"shop_values": "cart-42"}, "shop_values"),
        ({"lang_flag": "KO"}, "lang_flag"),
    ],
)
def test_a_registration_kicc_would_refuse_is_never_sent(client, changes, named):
    with pytest.raises(InvalidRequest, match=named.replace("[", r"\[").replace("]", r"\]")):
        client.register(**{**REGISTER, **changes})


def test_a_valid_registration_goes_out_in_kicc_field_names(client):
    with pytest.raises(RequestNotSent) as raised:
        client.register(
            **REGISTER,
            pay_method_type_code="11",
            customer_name="홍길동",
            customer_mail="hong@example.com",
            customer_contact_no="010-1234-5678",
            shop_values=["cart-42", ""],
            lang_flag="KOR",
        )

    assert raised.value.call.request_body == {
        "mallId": "T0000000",
        "shopOrderNo": "ORD-20260101-0001",
        "amount": 15000,
        "payMethodTypeCode": "11",
        "currency": "00",
        "returnUrl": "https://shop.example/payments/return/abc123/",
        "deviceTypeCode": "pc",
        "clientTypeCode": "00",
        "langFlag": "KOR",
        "orderInfo": {
            "goodsName": "테스트 상품",
            "customerInfo": {
                "customerName": "홍길동",
                "customerMail": "hong@example.com",
                "customerContactNo": "01012345678",
            },
        },
        "shopValueInfo": {"value1": "cart-42", "value2": ""},
    }


def on_the_day(changes: dict) -> dict:
    """A parameter that is a function is a date, read when the test runs: read at collection,
    "tomorrow" is today for a test that runs after midnight in Seoul, and KICC gets the call."""
    return {name: value() if callable(value) else value for name, value in changes.items()}


def approve_arguments(**changes):
    return {
        "shop_transaction_id": "a" * 32,
        "authorization_id": "12345678901234567890",
        "shop_order_no": "ORD-1",
        "approval_req_date": kst.today(),
        "expected_amount": 15000,
        **on_the_day(changes),
    }


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"shop_transaction_id": "x" * 61}, "shop_transaction_id"),
        ({"shop_transaction_id": ""}, "shop_transaction_id"),
        ({"authorization_id": "1234 5678"}, "authorization_id"),
        ({"authorization_id": None}, "authorization_id"),
        ({"shop_order_no": "ORD;1"}, "shop_order_no"),
        ({"expected_amount": 0}, "expected_amount"),
        ({"expected_amount": 15000.0}, "expected_amount"),
        ({"approval_req_date": "2026-04-01"}, "approval_req_date"),
        ({"approval_req_date": lambda: kst.today() - timedelta(days=1)}, "approval_req_date"),
    ],
)
def test_an_approval_kicc_would_refuse_is_never_sent(client, changes, named):
    with pytest.raises(InvalidRequest, match=named):
        client.approve(**approve_arguments(**changes))


def revise_arguments(**changes):
    return {
        "shop_transaction_id": "b" * 32,
        "pg_cno": "24081308560510790235",
        "revise_type_code": "32",
        "cancel_req_date": kst.today(),
        "amount": 1000,
        **on_the_day(changes),
    }


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"revise_type_code": "41"}, "revise_type_code"),  # DJ's partial code, not KICC's (§13)
        ({"revise_type_code": 40}, "revise_type_code"),
        ({"revise_type_code": "32", "amount": None}, "amount"),
        ({"revise_type_code": "33", "amount": None}, "amount"),
        ({"revise_type_code": "40", "amount": 1000}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 5000, "remain_amount": 4000}, "amount"),
        ({"remain_amount": -1}, "remain_amount"),
        ({"pg_cno": "2408-1308"}, "pg_cno"),
        ({"message": "고객 요청; 환불"}, "message"),
        ({"message": "가" * 34}, "message"),  # 102 bytes > 100
        ({"client_ip": "localhost"}, "client_ip"),
        ({"cancel_req_date": lambda: kst.today() + timedelta(days=1)}, "cancel_req_date"),
    ],
)
def test_a_cancel_kicc_would_refuse_is_never_sent(client, changes, named):
    with pytest.raises(InvalidRequest, match=named):
        client.revise(**revise_arguments(**changes))


def test_a_partial_cancel_goes_out_signed_with_amount_and_remaining_balance(client):
    with pytest.raises(RequestNotSent) as raised:
        client.revise(**revise_arguments(remain_amount=15000, message="고객 요청", client_ip="::1"))

    body = raised.value.call.request_body
    assert body["reviseTypeCode"] == "32"
    assert (body["amount"], body["remainAmount"]) == (1000, 15000)
    assert body["reviseMessage"] == "고객 요청"
    assert body["clientIp"] == "::1"
    assert body["msgAuthValue"] == "***"  # computed, sent, never recorded


def test_a_full_cancel_goes_out_without_an_amount(client):
    with pytest.raises(RequestNotSent) as raised:
        client.revise(**revise_arguments(revise_type_code="40", amount=None))

    assert "amount" not in raised.value.call.request_body


@pytest.mark.parametrize("day", [lambda: kst.today() - timedelta(days=2), lambda: "20260401x"])
def test_a_status_query_outside_kicc_window_is_never_sent(client, day):
    with pytest.raises(InvalidRequest, match="transaction_date"):
        client.retrieve(shop_transaction_id="c" * 32, transaction_date=day())
