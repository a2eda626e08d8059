"""The return endpoint (easypay:return): what the window's form POST does over HTTP."""

import pytest
from django.test import Client
from django.urls import reverse

from easypay.tests.service_helpers import recorded_signals, window

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("easypay.tests.urls_for_return"),
]


def test_the_window_post_approves_and_lands_on_the_payments_page(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    browser = Client(enforce_csrf_checks=True)  # a form from KICC's page carries no CSRF token

    with recorded_signals() as log:
        response = browser.post(post.url, post.fields)

    payment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:detail", args=[payment.public_token])
    assert payment.status == "paid"
    assert log.names() == ["approved"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_get_return_works_too(easypay_emulator, payment):
    post = window(easypay_emulator, payment)

    response = Client().get(post.url, post.fields)

    payment.refresh_from_db()
    assert response.status_code == 302
    assert payment.status == "paid"


def test_posting_the_same_return_twice_approves_once(easypay_emulator, payment):
    post = window(easypay_emulator, payment)

    first = Client().post(post.url, post.fields)
    second = Client().post(post.url, post.fields)

    assert first["Location"] == second["Location"]
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 1
    assert len(easypay_emulator.requests("approve")) == 1


def test_an_unknown_token_is_404(db):
    url = reverse("easypay:return", args=["not-a-token"])

    assert Client().post(url, {"resCd": "0000", "shopOrderNo": "X"}).status_code == 404


def test_a_return_for_another_order_is_400_and_approves_nothing(
    easypay_emulator, payment, make_payment
):
    other = make_payment()
    post = window(easypay_emulator, payment)
    url = reverse("easypay:return", args=[other.public_token])

    response = Client().post(url, post.fields)

    assert response.status_code == 400
    assert "일치하지 않습니다" in response.content.decode()
    assert easypay_emulator.requests("approve") == []


def test_other_methods_are_not_allowed(payment):
    url = reverse("easypay:return", args=[payment.public_token])

    assert Client().put(url).status_code == 405


def test_the_return_and_noti_views_stay_out_of_atomic_requests():
    from easypay import views

    # Django marks views excluded from ATOMIC_REQUESTS with this attribute, per database alias.
    assert "default" in views.payment_return._non_atomic_requests
    assert "default" in views.notification._non_atomic_requests


def test_a_nul_byte_in_the_returns_message_fails_the_payment_without_a_500(
    easypay_emulator, payment
):
    post = window(easypay_emulator, payment, "user_cancel")
    fields = {**post.fields, "resMsg": "a\x00b"}

    with recorded_signals() as log:
        response = Client().post(post.url, fields)

    payment.refresh_from_db()
    assert response.status_code == 302
    assert (payment.status, payment.failure_message) == ("failed", "a\ufffdb")
    assert log.only("failed")["error_message"] == "a\ufffdb"
