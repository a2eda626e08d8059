"""Checkout: the payment is made from the product on the server, registered at the (emulated)
PG over real HTTP, and the buyer is sent to the window."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.payments.checkout import client_ip, goods_name_for
from apps.payments.models import Payment, Product
from apps.payments.tests.flow import authorization_id_of, checkout, return_from_window
from apps.payments.tests.test_device import IPHONE, WINDOWS_CHROME

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return Product.objects.create(name="전자책 - 장고로 만드는 온라인 결제", price=15000)


@pytest.fixture
def buyer(client, django_user_model):
    user = django_user_model.objects.create_user("buyer", phone="01012345678")
    client.force_login(user)
    return user


def test_checkout_registers_the_products_price_and_redirects_to_the_window(
    client, buyer, product, easypay_emulator
):
    response = checkout(client, product)

    payment = Payment.objects.get(user=buyer)
    assert response.status_code == 302
    assert response.url == payment.auth_page_url
    assert response.url.startswith(easypay_emulator.api_url + "/view/trades/cert-req.do?")
    assert payment.amount == 15000
    assert payment.product == product
    assert payment.goods_name == product.name
    assert easypay_emulator.ledger(payment.shop_order_no)["registered_amount"] == 15000


def test_a_forged_amount_in_the_request_is_ignored(client, buyer, product, easypay_emulator):
    checkout(client, product, data={"amount": "100", "price": "100", "goods_name": "공짜"})

    payment = Payment.objects.get(user=buyer)
    (register,) = easypay_emulator.requests("register")
    assert payment.amount == 15000
    assert register["body"]["amount"] == 15000
    assert register["body"]["orderInfo"]["goodsName"] == product.name


def test_the_return_url_carries_the_payments_unguessable_token(
    client, buyer, product, easypay_emulator
):
    checkout(client, product)

    payment = Payment.objects.get(user=buyer)
    (register,) = easypay_emulator.requests("register")
    expected = "http://testserver" + reverse("easypay:return", args=[payment.public_token])
    assert register["body"]["returnUrl"] == expected


@pytest.mark.parametrize(("user_agent", "device"), [(IPHONE, "mobile"), (WINDOWS_CHROME, "pc")])
def test_the_window_matches_the_buyers_device(
    client, buyer, product, easypay_emulator, user_agent, device
):
    checkout(client, product, headers={"user-agent": user_agent})

    (register,) = easypay_emulator.requests("register")
    payment = Payment.objects.get(user=buyer)
    assert register["body"]["deviceTypeCode"] == device
    assert payment.user_agent == user_agent
    assert payment.client_ip == "127.0.0.1"


def test_a_failed_registration_shows_its_message_on_the_product_page(
    client, buyer, product, easypay_emulator
):
    easypay_emulator.inject_fault("http_500", endpoint="register")

    response = checkout(client, product, follow=True)

    payment = Payment.objects.get(user=buyer)
    messages = [str(m) for m in response.context["messages"]]
    assert response.redirect_chain == [(reverse("payments:product", args=[product.pk]), 302)]
    assert payment.status == "failed"
    assert messages
    assert messages[0] in response.text


def test_a_visitor_is_sent_to_log_in_and_back_to_the_product(product):
    response = Client().post(reverse("payments:checkout", args=[product.pk]))

    product_url = reverse("payments:product", args=[product.pk])
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={product_url}"
    assert not Payment.objects.exists()


def test_checkout_refuses_get_and_a_post_without_csrf_token(
    client, buyer, product, easypay_emulator
):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)

    assert client.get(reverse("payments:checkout", args=[product.pk])).status_code == 405
    assert strict.post(reverse("payments:checkout", args=[product.pk])).status_code == 403
    assert not Payment.objects.exists()


def test_a_product_off_sale_cannot_be_bought(client, buyer, product, easypay_emulator):
    product.active = False
    product.save()

    assert checkout(client, product).status_code == 404
    assert not Payment.objects.exists()


def test_paying_in_the_window_lands_on_the_success_page(client, buyer, product, easypay_emulator):
    started = checkout(client, product)

    returned = return_from_window(client, easypay_emulator, started.url)
    page = client.get(returned.url)

    payment = Payment.objects.get(user=buyer)
    assert payment.status == "paid"
    assert returned.url == reverse("payments:detail", args=[payment.public_token])
    assert "결제가 완료되었습니다" in page.text
    assert payment.approval_no in page.text
    assert authorization_id_of(started.url) == payment.authorization_id


def test_a_declined_card_lands_on_the_failure_page(client, buyer, product, easypay_emulator):
    started = checkout(client, product)

    returned = return_from_window(client, easypay_emulator, started.url, "decline")
    page = client.get(returned.url)

    assert Payment.objects.get(user=buyer).status == "failed"
    assert "결제에 실패했습니다" in page.text


# --- what is sent as goodsName (§2, §3.1) ----------------------------------------------
@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("핸드드립 커피", "핸드드립 커피"),
        ("커피 <특가> & 'HOT'; \"1+1\" | 원두\\", "커피 특가 HOT 1+1 원두"),
        ("선물 세트 🎁 한정판", "선물 세트 한정판"),
        ("줄\n바꿈\t상품", "줄 바꿈 상품"),
        ("🎁", "상품"),
    ],
)
def test_the_goods_name_loses_the_characters_kicc_refuses(name, sent):
    assert goods_name_for(Product(name=name, price=1000)) == sent


def test_a_long_goods_name_is_cut_to_50_utf8_bytes_on_a_character_boundary():
    name = goods_name_for(Product(name="가" * 40, price=1000))

    assert len(name.encode("utf-8")) <= 50
    assert name == "가" * 15 + "…"


# --- the buyer's address ----------------------------------------------------------------
def test_the_client_ip_is_remote_addr_unless_a_trusted_proxy_forwards_it(rf, settings):
    settings.EASYPAY_TRUSTED_PROXIES = ["10.0.0.1"]
    direct = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")

    assert client_ip(direct) == "203.0.113.9"  # a header from an unknown peer is not believed
    assert client_ip(proxied) == "198.51.100.7"
