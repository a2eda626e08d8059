"""Checkout's registration (easypay.services.registration) against the real emulator."""

import pytest

from easypay import services
from easypay.models import PgCall
from easypay.tests.service_helpers import recorded_signals, register, return_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_registering_stores_the_window_address_and_announces_it_once(easypay_emulator, payment):
    with recorded_signals() as log:
        auth_page_url = register(payment)

    payment.refresh_from_db()
    assert payment.status == "pending"
    assert payment.auth_page_url == auth_page_url
    assert auth_page_url.startswith(easypay_emulator.api_url)
    assert payment.registered_at is not None
    assert PgCall.objects.get(payment=payment).kind == "register"
    assert log.names() == ["registered"]
    assert log.only("registered")["payment"].pk == payment.pk


def test_kicc_is_asked_for_the_amount_the_server_set(easypay_emulator, make_payment):
    payment = make_payment(amount=4200)

    register(payment)

    body = easypay_emulator.requests("register")[0]["body"]
    assert body["amount"] == 4200
    assert body["returnUrl"] == return_url(payment)
    assert body["shopOrderNo"] == payment.shop_order_no


@pytest.mark.parametrize("method", ["00", "11", "21", "22", "31", "60"])
def test_the_window_offers_the_method_the_shop_asks_for(easypay_emulator, payment, method):
    services.register(
        payment, return_url=return_url(payment), device_type_code="pc", pay_method_type_code=method
    )

    assert easypay_emulator.requests("register")[0]["body"]["payMethodTypeCode"] == method


def test_the_buyers_address_and_browser_are_kept(easypay_emulator, payment):
    services.register(
        payment,
        return_url=return_url(payment),
        device_type_code="mobile",
        client_ip="203.0.113.7",
        user_agent="Mozilla/5.0",
    )

    payment.refresh_from_db()
    assert (payment.client_ip, payment.user_agent) == ("203.0.113.7", "Mozilla/5.0")
    assert easypay_emulator.requests("register")[0]["body"]["deviceTypeCode"] == "mobile"


def test_a_registration_that_fails_fails_the_payment_with_a_korean_message(
    easypay_emulator, payment
):
    easypay_emulator.inject_fault("http_502", endpoint="register")

    with recorded_signals() as log, pytest.raises(services.PaymentError) as raised:
        register(payment)

    payment.refresh_from_db()
    assert "결제를 시작하지 못했습니다" in str(raised.value.message)
    assert payment.status == "failed"
    assert PgCall.objects.get(payment=payment).outcome == "unknown"
    assert log.names() == ["failed"]
    assert log.only("failed")["stage"] == "registration"


def test_a_payment_that_is_no_longer_pending_is_not_registered_again(
    easypay_emulator, make_payment
):
    payment = make_payment(status="failed")

    with pytest.raises(services.PaymentError):
        register(payment)

    assert easypay_emulator.requests("register") == []
