"""Checkout with a payment method: the buyer picks one (or lets KICC's window choose), a code
not offered is refused before anything is written, and each method, paid through the
emulator over real HTTP, is named on the result page with its own details, masked."""

import pytest
import requests
from django.urls import reverse

from apps.payments.models import Payment, Product
from apps.payments.tests.flow import checkout, return_from_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return Product.objects.create(name="핸드드립 커피", price=15000)


@pytest.fixture
def buyer(client, django_user_model):
    user = django_user_model.objects.create_user("buyer", phone="01012345678")
    client.force_login(user)
    return user


def pay_with(client, product, method, outcome, **window):
    """Checkout with `method`, press `outcome` in the window; the result page's response."""
    started = checkout(client, product, data={"pay_method": method})
    assert started.status_code == 302, started
    returned = return_from_window(client, window.pop("emulator"), started.url, outcome, **window)
    return client.get(returned.url)


# --- the choice -------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["41", "50", "99", "11 ", "<script>", "x" * 5000])
def test_a_method_not_offered_is_refused_with_a_message_and_nothing_is_written(
    client, buyer, product, easypay_emulator, method
):
    response = checkout(client, product, data={"pay_method": method}, follow=True)

    product_url = reverse("payments:product", args=[product.pk])
    messages = [str(m) for m in response.context["messages"]]
    assert response.redirect_chain == [(product_url, 302)]
    assert messages == [
        "선택할 수 없는 결제 수단입니다. 목록에 있는 결제 수단 중 하나를 골라 다시 결제해 주세요."
    ]
    assert messages[0] in response.text
    assert "x" * 100 not in response.text  # the posted value is not echoed
    assert not Payment.objects.exists()
    assert easypay_emulator.requests("register") == []


def test_a_checkout_without_a_method_lets_the_window_offer_every_method(
    client, buyer, product, easypay_emulator
):
    started = checkout(client, product)

    (register,) = easypay_emulator.requests("register")
    window = requests.get(started.url, timeout=5)  # KICC's (the emulator's) page, over HTTP
    assert register["body"]["payMethodTypeCode"] == "00"
    for button in (
        "카드 결제 승인",
        "계좌이체 승인",
        "가상계좌 발급",
        "휴대폰 결제 승인",
        "간편결제 승인",
    ):
        assert button in window.text


def test_a_forged_amount_beside_a_chosen_method_is_still_ignored(
    client, buyer, product, easypay_emulator
):
    checkout(client, product, data={"pay_method": "22", "amount": "100"})

    (register,) = easypay_emulator.requests("register")
    assert Payment.objects.get(user=buyer).amount == 15000
    assert register["body"]["amount"] == 15000


@pytest.mark.parametrize("method", ["11", "21", "22", "31", "60"])
def test_the_chosen_method_is_what_the_shop_registers_with_kicc(
    client, buyer, product, easypay_emulator, method
):
    checkout(client, product, data={"pay_method": method})

    (register,) = easypay_emulator.requests("register")
    assert register["body"]["payMethodTypeCode"] == method


# --- each method paid and named ---------------------------------------------------------
def test_a_card_payment_is_named_with_its_issuer_and_the_card_masked(
    client, buyer, product, easypay_emulator
):
    page = pay_with(client, product, "11", "approve", emulator=easypay_emulator)

    payment = Payment.objects.get(user=buyer)
    assert payment.status == "paid"
    assert '<dd class="pay-method">신용카드 (TestCard)</dd>' in page.text


@pytest.mark.parametrize(("bank_code", "bank_name"), [("011", "NH농협은행"), ("004", "KB국민은행")])
def test_a_bank_transfer_is_named_with_the_buyers_bank(
    client, buyer, product, easypay_emulator, bank_code, bank_name
):
    page = pay_with(
        client, product, "21", "approve_transfer", emulator=easypay_emulator, provider=bank_code
    )

    assert Payment.objects.get(user=buyer).status == "paid"
    assert f'<dd class="pay-method">계좌이체 ({bank_name})</dd>' in page.text


def test_a_mobile_payment_is_named_with_its_carrier_and_never_the_full_number(
    client, buyer, product, easypay_emulator
):
    page = pay_with(
        client, product, "31", "approve_mobile", emulator=easypay_emulator, provider="KTF"
    )

    (approve,) = easypay_emulator.requests("approve")
    full_number = approve["response"]["paymentInfo"]["mobInfo"]["mobileNo"]
    masked = f"{full_number[:3]}-****-{full_number[-4:]}"
    assert Payment.objects.get(user=buyer).status == "paid"
    assert f'<dd class="pay-method">휴대폰 (KT {masked})</dd>' in page.text
    assert full_number not in page.text


def test_an_easy_pay_payment_is_named_by_its_wallet(client, buyer, product, easypay_emulator):
    page = pay_with(
        client, product, "60", "approve_easypay", emulator=easypay_emulator, provider="NPAY"
    )

    assert Payment.objects.get(user=buyer).status == "paid"
    assert '<dd class="pay-method">간편 결제 (네이버페이)</dd>' in page.text


def test_a_virtual_account_is_named_with_its_bank_while_it_waits_for_the_deposit(
    client, buyer, product, easypay_emulator
):
    page = pay_with(client, product, "22", "approve_va", emulator=easypay_emulator, provider="004")

    payment = Payment.objects.get(user=buyer)
    assert payment.status == "awaiting_deposit"
    assert '<dd class="pay-method">가상계좌 (KB국민은행)</dd>' in page.text
    assert payment.va_account_no in page.text  # the buyer must see where to pay


def test_my_payments_name_each_payments_method(client, buyer, product, easypay_emulator):
    pay_with(client, product, "60", "approve_easypay", emulator=easypay_emulator, provider="TOS")
    pay_with(client, product, "21", "approve_transfer", emulator=easypay_emulator, provider="090")

    page = client.get(reverse("payments:mine"))

    assert "간편 결제 (토스페이)" in page.text
    assert "계좌이체 (카카오뱅크)" in page.text


# --- each method named on the receipt ---------------------------------------------------
def receipt_of(client, buyer):
    payment = Payment.objects.get(user=buyer)
    assert payment.status == "paid"
    return client.get(reverse("payments:receipt", args=[payment.public_token]))


@pytest.mark.parametrize(("bank_code", "bank_name"), [("011", "NH농협은행"), ("090", "카카오뱅크")])
def test_the_receipt_names_a_bank_transfer_with_the_buyers_bank(
    client, buyer, product, easypay_emulator, bank_code, bank_name
):
    pay_with(
        client, product, "21", "approve_transfer", emulator=easypay_emulator, provider=bank_code
    )

    receipt = receipt_of(client, buyer)

    assert receipt.status_code == 200
    assert f'<dd class="pay-method">계좌이체 ({bank_name})</dd>' in receipt.text
    assert "<dt>카드</dt>" not in receipt.text
    assert "15,000원" in receipt.text


@pytest.mark.parametrize(("carrier", "carrier_name"), [("SKT", "SKT"), ("KTF", "KT")])
def test_the_receipt_names_a_mobile_payment_with_its_carrier_and_the_number_masked(
    client, buyer, product, easypay_emulator, carrier, carrier_name
):
    pay_with(client, product, "31", "approve_mobile", emulator=easypay_emulator, provider=carrier)

    receipt = receipt_of(client, buyer)

    (approve,) = easypay_emulator.requests("approve")
    full_number = approve["response"]["paymentInfo"]["mobInfo"]["mobileNo"]
    masked = f"{full_number[:3]}-****-{full_number[-4:]}"
    assert f'<dd class="pay-method">휴대폰 ({carrier_name} {masked})</dd>' in receipt.text
    assert full_number not in receipt.text
    assert "<dt>카드</dt>" not in receipt.text
    assert "15,000원" in receipt.text


@pytest.mark.parametrize(("wallet", "wallet_name"), [("NPAY", "네이버페이"), ("TOS", "토스페이")])
def test_the_receipt_names_an_easy_pay_payment_by_its_wallet(
    client, buyer, product, easypay_emulator, wallet, wallet_name
):
    pay_with(client, product, "60", "approve_easypay", emulator=easypay_emulator, provider=wallet)

    receipt = receipt_of(client, buyer)

    (approve,) = easypay_emulator.requests("approve")
    card = approve["response"]["paymentInfo"]["cardInfo"]  # the wallet paid with a card
    assert f'<dd class="pay-method">간편 결제 ({wallet_name})</dd>' in receipt.text
    assert f"<dt>카드</dt><dd>{card['issuerName']} {card['cardNo']}</dd>" in receipt.text
    assert "15,000원" in receipt.text
