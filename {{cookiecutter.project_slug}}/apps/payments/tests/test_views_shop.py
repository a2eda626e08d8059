"""The product list (home page) and the product page with its pay button."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from apps.payments.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def coffee():
    return Product.objects.create(name="핸드드립 커피", price=12000, description="진한 커피")


def test_the_home_page_lists_the_products_on_sale_with_won_prices(client, coffee):
    Product.objects.create(name="단종된 상품", price=5000, active=False)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "핸드드립 커피" in response.text
    assert "12,000원" in response.text
    assert "단종된 상품" not in response.text
    assert reverse("payments:product", args=[coffee.pk]) in response.text


def test_the_product_list_is_also_payments_products(client, coffee):
    response = client.get(reverse("payments:products"))

    assert response.status_code == 200
    assert "핸드드립 커피" in response.text


def test_the_product_list_says_so_when_nothing_is_on_sale(client):
    response = client.get(reverse("home"))

    assert "판매 중인 상품이 없습니다." in response.text


def test_a_visitor_sees_the_product_and_a_login_link_that_comes_back(client, coffee):
    url = reverse("payments:product", args=[coffee.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert "진한 커피" in response.text
    assert "로그인하고 결제하기" in response.text
    assert f'href="{reverse("login")}?next={url}"' in response.text
    assert reverse("payments:checkout", args=[coffee.pk]) not in response.text


def test_a_logged_in_buyer_sees_a_pay_button_posting_to_checkout_without_an_amount(
    client, django_user_model, coffee
):
    client.force_login(django_user_model.objects.create_user("kim"))

    response = client.get(reverse("payments:product", args=[coffee.pk]))

    assert "12,000원 결제하기" in response.text
    assert f'action="{reverse("payments:checkout", args=[coffee.pk])}"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert 'name="amount"' not in response.text


def test_the_pay_form_offers_each_method_and_lets_the_window_choose_by_default(
    client, django_user_model, coffee
):
    client.force_login(django_user_model.objects.create_user("kim"))

    response = client.get(reverse("payments:product", args=[coffee.pk]))

    offered = re.findall(
        r'<input type="radio" name="pay_method" value="(\d\d)"([^>]*)>', response.text
    )
    assert [value for value, _ in offered] == ["00", "11", "21", "22", "31", "60"]
    assert [value for value, rest in offered if "checked" in rest] == ["00"]
    for name in ("결제창에서 선택", "신용카드", "계좌이체", "가상계좌", "휴대폰", "간편 결제"):
        assert name in response.text


def test_the_pay_methods_are_named_in_english_when_asked(client, django_user_model, coffee):
    client.force_login(django_user_model.objects.create_user("kim"))

    response = client.get(
        reverse("payments:product", args=[coffee.pk]), headers={"accept-language": "en"}
    )

    assert "Choose in the payment window" in response.text
    with translation.override("en"):
        assert translation.gettext("가상계좌") in response.text
    assert "결제창에서 선택" not in response.text


def test_a_product_off_sale_or_missing_is_not_found(client):
    hidden = Product.objects.create(name="숨김", price=1000, active=False)

    assert client.get(reverse("payments:product", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("payments:product", args=[9999])).status_code == 404


def test_the_product_page_speaks_english_when_asked(client, coffee):
    response = client.get(
        reverse("payments:product", args=[coffee.pk]), headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text
    with translation.override("en"):
        assert translation.gettext("로그인하고 결제하기") in response.text
