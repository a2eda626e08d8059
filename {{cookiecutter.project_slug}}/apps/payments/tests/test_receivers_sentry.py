"""The Sentry receiver: a failed payment is reported with its code, message, id and amount, and
nothing a buyer or a card would want kept private. Events are caught before they leave."""

import json

import pytest
import sentry_sdk

from apps.payments.models import Payment
from easypay.signals import payment_failed
from easypay.tests.service_helpers import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def sentry_events():
    """Sentry on, with every event kept here instead of sent (before_send drops it)."""
    events = []

    def keep(event, hint):
        events.append(event)
        return None

    sentry_sdk.init(dsn="https://public@sentry.example.com/1", before_send=keep)
    yield events
    sentry_sdk.init()  # back to a client that sends nothing


@pytest.fixture
def failed(make_payment):
    return make_payment(
        status="failed",
        failure_code="8521",
        failure_message="한도 초과",
        card_no_masked="5361-48**-****-9876",
    )


def fail(payment, **extra):
    return payment_failed.send_robust(
        sender=Payment,
        payment=payment,
        error_code=payment.failure_code,
        error_message=payment.failure_message,
        **extra,
    )


def test_a_failed_payment_is_reported_with_its_code_message_id_and_amount(failed, sentry_events):
    fail(failed, stage="approval")

    (event,) = sentry_events
    assert event["message"] == "Payment failed: 8521"
    assert event["level"] == "warning"
    assert event["extra"] == {
        "payment_id": failed.pk,
        "error_code": "8521",
        "error_message": "한도 초과",
        "amount": "15000",
        **{key: value for key, value in event["extra"].items() if key == "sys.argv"},
    }
    assert event["tags"]["payment.error_code"] == "8521"
    assert event["tags"]["payment.stage"] == "approval"


def test_the_report_carries_no_card_number_phone_or_secret(failed, sentry_events, settings):
    fail(failed)

    text = json.dumps(sentry_events, ensure_ascii=False, default=str)
    assert "9876" not in text
    assert failed.user.phone not in text
    assert settings.EASYPAY_SECRET_KEY not in text


@pytest.mark.django_db(transaction=True)
def test_a_payment_the_card_company_declines_is_reported(easypay_emulator, payment, sentry_events):
    declined = pay(easypay_emulator, payment, outcome="decline")

    assert declined.status == Payment.Status.FAILED
    (event,) = sentry_events
    assert event["message"] == f"Payment failed: {declined.failure_code}"
    assert event["extra"]["payment_id"] == declined.pk


def test_the_seeds_sentry_example_raises_because_sentry_sdk_takes_extras_not_extra(
    failed, sentry_events, seed_receivers
):
    """seed/sentry.py, pasted unchanged, passes extra= to capture_message: sentry-sdk 2 raises
    TypeError (its keyword is extras=), so the seed's receiver never reports anything. easypay
    sends signals with send_robust, so the payment is unharmed; ours (signals.py) uses extras=."""
    seed = seed_receivers("sentry")

    # By module: Sentry's Django integration wraps the receivers it calls.
    (raised,) = [error for receiver, error in fail(failed) if receiver.__module__ == seed.__name__]

    assert isinstance(raised, TypeError)
    assert "unexpected keyword argument 'extra'" in str(raised)
    # Ours reported it (the seed's TypeError reaches Sentry too, as django.dispatch's log).
    assert [event["message"] for event in sentry_events if "message" in event] == [
        "Payment failed: 8521"
    ]
