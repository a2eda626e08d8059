"""The buyer and the floor over real HTTP: the shop under pytest-django's live server, the
emulator standalone (the easypay_emulator fixture)."""

import pytest
from django.urls import reverse

from apps.payments.loadtest.buyer import PATHS, Buyer
from apps.payments.loadtest.floor import KiccOnly
from apps.payments.models import Payment, Product

SHOP_STEPS = ["checkout", "window", "press", "return", "result"]


def test_the_buyers_paths_are_the_shops_urls():
    assert {
        "signup": reverse("users:signup"),
        "login": reverse("login"),
        "products": reverse("home"),
        "product": reverse("payments:product", args=[123]).replace("123", "{pk}"),
        "checkout": reverse("payments:checkout", args=[123]).replace("123", "{pk}"),
        "detail": reverse("payments:detail", args=["tok"]).replace("tok", "{token}"),
    } == PATHS


@pytest.fixture
def product(transactional_db):
    return Product.objects.create(name="부하 테스트 상품", price=12000)


@pytest.fixture
def buyer(live_server, easypay_emulator):
    buyer = Buyer(live_server.url)
    buyer.sign_up()
    return buyer


def test_a_buyer_signs_up_and_pays_by_card_step_by_step(buyer, product, easypay_emulator):
    purchase = buyer.pay(product.pk, "approve", browse=True)

    assert purchase.ok, purchase.error
    assert purchase.status == "paid"
    assert [step.name for step in purchase.steps] == ["product", *SHOP_STEPS]
    assert [step.status for step in purchase.steps] == [200, 302, 200, 200, 302, 200]
    assert all(step.ms > 0 for step in purchase.steps)
    payment = Payment.objects.get(public_token=purchase.token)
    assert payment.status == "paid" and payment.user.username == buyer.username
    assert payment.shop_order_no == purchase.shop_order_no
    assert purchase.auth_page_url.endswith(f"authorizationId={purchase.authorization_id}")
    assert easypay_emulator.ledger(payment.shop_order_no)["approved_amount"] == 12000


@pytest.mark.parametrize(
    ("button", "status"),
    [
        ("approve_va", "awaiting_deposit"),
        ("decline", "failed"),
        ("user_cancel", "failed"),
        ("window_error", "failed"),
    ],
)
def test_each_window_button_ends_where_the_shop_says(buyer, product, button, status):
    purchase = buyer.pay(product.pk, button, decline_code="8035")

    assert purchase.ok, purchase.error
    assert purchase.status == status
    assert Payment.objects.get(public_token=purchase.token).status == status
    if button == "decline":
        assert Payment.objects.get(public_token=purchase.token).failure_code == "8035"


def test_a_purchase_the_shop_cannot_start_says_where_it_stopped(buyer, product, easypay_emulator):
    easypay_emulator.inject_fault("http_500", endpoint="register")

    purchase = buyer.pay(product.pk)

    assert not purchase.ok
    assert purchase.error.startswith("checkout: sent back to ")
    assert [step.name for step in purchase.steps] == ["checkout"]
    assert Payment.objects.get().status == "failed"


def test_a_buyer_reaches_production_cookies_and_csrf_only_through_the_https_proxy(
    live_server, easypay_emulator, product, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    behind_proxy = Buyer(live_server.url, behind_https_proxy=True)
    behind_proxy.sign_up()

    purchase = behind_proxy.pay(product.pk)

    assert purchase.status == "paid", purchase.error
    assert purchase.return_url.startswith("https://")  # built by the shop for the https page
    with pytest.raises(RuntimeError, match="signup: HTTP 403"):
        Buyer(live_server.url).sign_up()  # the Secure CSRF cookie never comes back over http


def test_the_floor_makes_kiccs_calls_and_nothing_else(easypay_emulator):
    purchase = KiccOnly(easypay_emulator.api_url, amount=5000).pay()

    assert purchase.ok, purchase.error
    assert purchase.status == "paid"
    assert [step.name for step in purchase.steps] == ["register", "window", "press", "approve"]
    assert [step.status for step in purchase.steps] == [200, 200, 200, 200]
    assert easypay_emulator.ledger(purchase.shop_order_no)["approved_amount"] == 5000
    assert [entry["endpoint"] for entry in easypay_emulator.requests()] == ["register", "approve"]
