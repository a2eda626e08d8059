"""Contract: register and approve, the real client against the emulator over real HTTP."""

from datetime import UTC, datetime

import pytest
import time_machine

from easypay import kst
from easypay.client import get_client, new_shop_transaction_id
from easypay.exceptions import Declined
from easypay.signing import approval_auth_value
from easypay.tests.contract_helpers import (
    RETURN_URL,
    approve,
    authenticated,
    authorization_id_of,
    client_for,
    new_order_no,
    paid,
)


def test_the_client_built_from_settings_talks_to_the_emulator(easypay_emulator):
    client = get_client()

    assert client.base_url == easypay_emulator.api_url
    order_no, result = paid(easypay_emulator, client)

    assert result.call.outcome == "ok"
    assert easypay_emulator.ledger(order_no)["approved_amount"] == 15000


def test_registration_sends_kicc_fields_and_returns_the_window_url(easypay_emulator):
    client = client_for(easypay_emulator)
    order_no = new_order_no()

    result = client.register(
        shop_order_no=order_no,
        amount=29900,
        goods_name="테스트 상품",
        return_url=RETURN_URL,
        device_type_code="mobile",
        customer_name="홍길동",
        shop_values=["cart-42"],
    )

    assert result.auth_page_url.startswith(easypay_emulator.api_url + "/view/trades/cert-req.do")
    assert result.call.endpoint == "register"
    [logged] = easypay_emulator.requests("register")
    assert logged["body"]["orderInfo"] == {
        "goodsName": "테스트 상품",
        "customerInfo": {"customerName": "홍길동"},
    }
    assert easypay_emulator.ledger(order_no)["registered_amount"] == 29900
    post = easypay_emulator.authenticate(authorization_id_of(result.auth_page_url))
    assert post.url == RETURN_URL
    assert post.fields["shopValue1"] == "cart-42"


def test_a_card_approval_is_verified_and_typed(easypay_emulator):
    client = client_for(easypay_emulator)

    order_no, result = paid(easypay_emulator, client, amount=15000)

    assert result.shop_order_no == order_no
    assert result.amount == 15000
    assert result.status_code == "TS03"
    assert result.pay_method_type_code == "11"
    assert result.card is not None and "*" in result.card.masked_number
    assert result.virtual_account is None
    assert result.call.response_body["msgAuthValue"] == "***"
    [logged] = easypay_emulator.requests("approve")
    signed = approval_auth_value(
        easypay_emulator.secret_key, result.pg_cno, result.amount, result.transaction_date
    )
    assert logged["response"]["msgAuthValue"] == signed


def test_a_virtual_account_approval_carries_the_account_to_pay_into(easypay_emulator):
    client = client_for(easypay_emulator)

    order_no, result = paid(easypay_emulator, client, outcome="approve_va")

    assert result.status_code == "TS07"
    assert result.pay_method_type_code == "22"
    assert result.card is None
    assert result.virtual_account.account_no
    assert result.virtual_account.bank_code


def test_an_authorization_id_approves_once(easypay_emulator):
    client = client_for(easypay_emulator)
    order_no = new_order_no()
    post = authenticated(easypay_emulator, client, order_no)
    approve(client, order_no, post.fields["authorizationId"])

    with pytest.raises(Declined) as raised:
        approve(client, order_no, post.fields["authorizationId"])

    assert raised.value.call.outcome == "declined"
    assert raised.value.res_cd != "0000"
    assert easypay_emulator.ledger(order_no)["approvals"] == 1


def test_a_reused_shop_transaction_id_is_declined_not_replayed(easypay_emulator):
    client = client_for(easypay_emulator)
    key = new_shop_transaction_id()
    first_order, second_order = new_order_no(), new_order_no()
    first = authenticated(easypay_emulator, client, first_order)
    second = authenticated(easypay_emulator, client, second_order)
    approve(client, first_order, first.fields["authorizationId"], key=key)

    with pytest.raises(Declined):
        approve(client, second_order, second.fields["authorizationId"], key=key)

    assert easypay_emulator.ledger(second_order)["approvals"] == 0


@pytest.mark.parametrize("outcome", ["decline", "user_cancel", "window_error"])
def test_approving_what_the_window_did_not_authenticate_is_declined(easypay_emulator, outcome):
    client = client_for(easypay_emulator)
    order_no = new_order_no()
    registered = client.register(
        shop_order_no=order_no,
        amount=15000,
        goods_name="테스트 상품",
        return_url=RETURN_URL,
        device_type_code="pc",
    )
    authorization_id = authorization_id_of(registered.auth_page_url)
    post = easypay_emulator.authenticate(authorization_id, outcome)
    assert "authorizationId" not in post.fields

    with pytest.raises(Declined):
        approve(client, order_no, authorization_id)

    assert easypay_emulator.ledger(order_no)["approvals"] == 0


def test_an_authorization_of_another_order_is_declined(easypay_emulator):
    client = client_for(easypay_emulator)
    order_no, other_order = new_order_no(), new_order_no()
    post = authenticated(easypay_emulator, client, order_no)
    authenticated(easypay_emulator, client, other_order)

    with pytest.raises(Declined):
        approve(client, other_order, post.fields["authorizationId"])


def test_a_request_dated_by_kst_is_what_the_emulator_accepts(easypay_emulator):
    client = client_for(easypay_emulator)

    paid(easypay_emulator, client)

    [logged] = easypay_emulator.requests("approve")
    assert logged["body"]["approvalReqDate"] == kst.date_text()


@time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
def test_at_2330_utc_the_approval_goes_out_dated_the_next_korean_day(easypay_emulator):
    client = client_for(easypay_emulator)

    paid(easypay_emulator, client)

    [logged] = easypay_emulator.requests("approve")
    assert logged["body"]["approvalReqDate"] == "20260401"
