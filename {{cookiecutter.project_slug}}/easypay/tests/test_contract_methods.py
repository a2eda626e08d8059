"""Contract: every method the window offers, approved and cancelled through the real client."""

import re

import pytest
from django.utils import translation

from easypay.exceptions import Declined, InvalidRequest
from easypay.tests.contract_helpers import cancel, client_for, paid


@pytest.fixture
def client(easypay_emulator):
    return client_for(easypay_emulator)


@pytest.fixture(autouse=True)
def korean():
    with translation.override("ko"):
        yield


@pytest.mark.parametrize("registered_as", ["00", "11"])
def test_a_card_approval_carries_the_card(easypay_emulator, client, registered_as):
    _, approval = paid(easypay_emulator, client, pay_method_type_code=registered_as)

    assert (approval.pay_method_type_code, approval.status_code) == ("11", "TS03")
    assert approval.card.issuer_name == "TestCard"
    assert approval.bank is None and approval.mobile is None and approval.virtual_account is None
    assert approval.method_details.describe() == "신용카드 (TestCard)"


@pytest.mark.parametrize("registered_as", ["00", "21"])
def test_a_bank_transfer_approval_carries_the_bank_the_buyer_picked(
    easypay_emulator, client, registered_as
):
    _, approval = paid(
        easypay_emulator,
        client,
        outcome="approve_transfer",
        provider="004",
        pay_method_type_code=registered_as,
    )

    assert (approval.pay_method_type_code, approval.status_code) == ("21", "TS03")
    assert (approval.bank.bank_code, approval.bank.bank_name) == ("004", "KB국민")
    assert approval.card is None and approval.mobile is None
    assert approval.method_details.describe() == "계좌이체 (KB국민은행)"


def test_a_mobile_approval_carries_the_carrier_and_a_masked_number(easypay_emulator, client):
    _, approval = paid(
        easypay_emulator,
        client,
        outcome="approve_mobile",
        provider="KTF",
        pay_method_type_code="31",
    )

    assert (approval.pay_method_type_code, approval.status_code) == ("31", "TS03")
    assert approval.mobile.carrier == "KTF"
    assert re.fullmatch(r"010-\*\*\*\*-\d{4}", approval.mobile.masked_number)
    assert re.fullmatch(r"휴대폰 \(KT 010-\*\*\*\*-\d{4}\)", approval.method_details.describe())
    # Nothing recorded of the call holds the whole number.
    recorded = approval.call.response_body["paymentInfo"]["mobInfo"]["mobileNo"]
    assert recorded == approval.mobile.masked_number


def test_an_easy_pay_approval_is_reported_as_a_card_with_its_wallet_by_default(
    easypay_emulator, client
):
    _, approval = paid(
        easypay_emulator,
        client,
        outcome="approve_easypay",
        provider="NPAY",
        pay_method_type_code="60",
    )

    assert (approval.pay_method_type_code, approval.cp_code) == ("11", "NPAY")
    assert approval.card is not None  # the card in the wallet
    assert approval.method_details.describe() == "간편 결제 (네이버페이)"


def test_an_easy_pay_approval_can_be_reported_as_easy_pay(easypay_emulator, client):
    easypay_emulator.set_easy_pay_method_code("60")

    _, approval = paid(easypay_emulator, client, outcome="approve_easypay")

    assert (approval.pay_method_type_code, approval.cp_code) == ("60", "KKO")
    assert approval.method_details.describe() == "간편 결제 (카카오페이)"


def test_a_virtual_account_waits_for_its_deposit(easypay_emulator, client):
    _, approval = paid(
        easypay_emulator, client, outcome="approve_va", provider="020", pay_method_type_code="22"
    )

    assert (approval.pay_method_type_code, approval.status_code) == ("22", "TS07")
    assert approval.virtual_account.bank_code == "020"
    assert approval.method_details.describe() == "가상계좌 (우리은행)"


@pytest.mark.parametrize(
    ("outcome", "partial_code"),
    [
        ("approve_transfer", "33"),
        ("approve_mobile", "33"),
        ("approve", "32"),
        ("approve_easypay", "32"),
    ],
)
def test_the_partial_cancel_code_of_the_method_is_taken_and_the_other_declined(
    easypay_emulator, client, outcome, partial_code
):
    order_no, approval = paid(easypay_emulator, client, outcome=outcome, amount=15000)
    other = "32" if partial_code == "33" else "33"

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, other, amount=1000)
    result = cancel(client, approval.pg_cno, partial_code, amount=1000, remain_amount=15000)

    assert (result.cancel_amount, result.remain_amount, result.status_code) == (1000, 14000, "TS06")
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 14000


def test_the_client_refuses_the_wrong_partial_code_when_told_the_method(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client, outcome="approve_transfer")

    with pytest.raises(InvalidRequest, match="33"):
        cancel(client, approval.pg_cno, "32", amount=1000, pay_method_type_code="21")

    assert easypay_emulator.requests("revise") == []


def test_a_window_registered_for_one_method_refuses_another(easypay_emulator, client):
    from easypay.tests.contract_helpers import authenticated, new_order_no

    post = authenticated(
        easypay_emulator, client, new_order_no(), outcome="approve", pay_method_type_code="31"
    )

    assert post.fields["resCd"] != "0000"
    assert "authorizationId" not in post.fields
