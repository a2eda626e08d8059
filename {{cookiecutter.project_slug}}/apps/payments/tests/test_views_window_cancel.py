"""A buyer who presses cancel in the payment window is told they cancelled, not that it failed."""

import pytest
from django.urls import reverse

from apps.payments.models import Product
from apps.payments.tests.flow import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(client, django_user_model):
    user = django_user_model.objects.create_user("buyer", phone="01012345678")
    client.force_login(user)
    return user


@pytest.fixture
def product(db):
    return Product.objects.create(name="유기농 사과", price=15000)


def test_cancelling_in_the_window_is_titled_as_the_buyers_own_cancel(
    client, buyer, product, easypay_emulator
):
    returned = pay(client, easypay_emulator, product, outcome="user_cancel")

    page = client.get(returned.url)
    mine = client.get(reverse("payments:mine"))

    assert "결제를 취소하셨습니다" in page.text
    assert "청구된 금액은 없습니다" in page.text
    assert "결제에 실패했습니다" not in page.text
    assert "결제 실패" not in page.text and "결제 실패" not in mine.text
    assert "직접 취소" in mine.text
    assert "다시 결제하기" in page.text


def test_a_declined_card_is_still_a_failure(client, buyer, product, easypay_emulator):
    returned = pay(client, easypay_emulator, product, outcome="decline")

    page = client.get(returned.url)

    assert "결제에 실패했습니다" in page.text
    assert "결제를 취소하셨습니다" not in page.text
