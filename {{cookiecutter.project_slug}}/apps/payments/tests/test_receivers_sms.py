"""The SMS receivers: an approval, and each cancel or refund, enqueues a text to the buyer's
phone; the task sends it through SOLAPI (stubbed with responses: SOLAPI cannot run here),
signed as SOLAPI documents, once."""

import hashlib
import hmac
import json

import pytest
import time_machine

from apps.payments.models import SentNotification
from apps.payments.notifications import sms
from easypay import services, signals
from easypay.tests.service_helpers import pay

from .conftest import approved_after_commit

pytestmark = pytest.mark.django_db

SEND_URL = "https://api.solapi.com/messages/v4/send"
API_KEY = "NCSAYU7YDBXYORXC"
API_SECRET = "SECRET-api-secret-value"
SENDER = "029302266"
ACCEPTED = {"groupId": "G4V2020", "messageId": "M4V2020", "statusCode": "2000"}
# SOLAPI's documentation sample date (authentication/api-key.md) and a fixed salt.
DATE = "2019-07-01T00:41:48Z"
SALT = "jqsba2jxjnrjor"


@pytest.fixture
def configured(settings):
    settings.SOLAPI_API_KEY = API_KEY
    settings.SOLAPI_API_SECRET = API_SECRET
    settings.SMS_SENDER = SENDER
    return settings


@pytest.fixture
def fixed_date_and_salt(monkeypatch):
    monkeypatch.setattr(sms.secrets, "token_hex", lambda nbytes: SALT)
    with time_machine.travel(DATE, tick=False):
        yield


def test_an_approval_texts_the_buyer_with_a_request_signed_as_solapi_documents(
    paid, settings, configured, mocked, fixed_date_and_salt, django_capture_on_commit_callbacks
):
    mocked.post(SEND_URL, json=ACCEPTED)

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    (call,) = mocked.calls
    signature = hmac.new(API_SECRET.encode(), (DATE + SALT).encode(), hashlib.sha256).hexdigest()
    assert call.request.url == SEND_URL
    assert call.request.headers["Authorization"] == (
        f"HMAC-SHA256 apiKey={API_KEY}, date={DATE}, salt={SALT}, signature={signature}"
    )
    assert json.loads(call.request.body) == {
        "message": {
            "to": "01012345678",
            "from": SENDER,
            "text": sms.approval_text(paid),
        }
    }
    assert settings.SHOP_NAME in sms.approval_text(paid) and "15,000" in sms.approval_text(paid)
    record = SentNotification.objects.get(payment=paid, kind="sms")
    assert record.status == SentNotification.Status.SENT


def test_without_credentials_the_text_is_logged_instead_with_the_number_masked(
    paid, caplog, django_capture_on_commit_callbacks
):
    approved_after_commit(paid, django_capture_on_commit_callbacks)

    assert "010****5678" in caplog.text and "01012345678" not in caplog.text
    record = SentNotification.objects.get(payment=paid, kind="sms")
    assert record.status == SentNotification.Status.LOGGED


def test_a_refused_text_fails_the_task_and_leaves_the_payment_paid(
    paid, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(
        SEND_URL,
        status=403,
        json={"errorCode": "SignatureDoesNotMatch", "errorMessage": "signature mismatch"},
    )

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    record = SentNotification.objects.get(payment=paid, kind="sms")
    assert record.status == SentNotification.Status.FAILED
    assert "SignatureDoesNotMatch" in record.error and API_SECRET not in record.error
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_the_seeds_sms_example_runs_unchanged(
    paid, configured, mocked, myapp, seed_receivers, django_capture_on_commit_callbacks
):
    myapp.provide("sms", sms)
    seed_receivers("sms")
    mocked.post(SEND_URL, json=ACCEPTED)

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    texts = [json.loads(call.request.body)["message"]["text"] for call in mocked.calls]
    # The seed's, sent in the request, and ours, from the task.
    assert sorted(texts) == sorted(
        [
            "[MyApp] 결제가 완료되었습니다. 금액: 15,000원",
            sms.approval_text(paid),
        ]
    )


# --- payment_cancelled: the buyer hears that a cancel or refund went through ------------
def cancelled_after_commit(payment, capture, **kwargs):
    """Send payment_cancelled as easypay's services do, inside a transaction that commits."""
    arguments = {"cancel_type": "40", "cancel_amount": payment.amount, **kwargs}
    with capture(execute=True):
        signals.payment_cancelled.send_robust(sender=type(payment), payment=payment, **arguments)


@pytest.fixture
def cancelled(paid):
    paid.status = "cancelled"
    paid.cancelled_amount = paid.amount
    paid.save()
    return paid


def test_a_cancel_texts_the_buyer_the_amount_through_solapi(
    cancelled, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(SEND_URL, json=ACCEPTED)

    cancelled_after_commit(cancelled, django_capture_on_commit_callbacks)

    (call,) = mocked.calls
    message = json.loads(call.request.body)["message"]
    assert message["to"] == "01012345678"
    assert message["text"].endswith("결제가 취소되었습니다. 취소 금액: 15,000원")
    record = SentNotification.objects.get(payment=cancelled, kind="sms_cancel_at15000")
    assert record.status == SentNotification.Status.SENT


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (
            {"cancel_type": "41", "cancel_amount": 4000},
            "결제의 일부가 취소되었습니다. 취소 금액: 4,000원",
        ),
        ({"refund": True, "revise_type_code": "60"}, "환불이 처리되었습니다. 환불 금액: 15,000원"),
        # A signal that names only the revise type: 60/62/63 pay back into a bank account.
        ({"revise_type_code": "63"}, "환불이 처리되었습니다. 환불 금액: 15,000원"),
        ({"revise_type_code": "32", "cancel_type": "41", "cancel_amount": 500}, "취소 금액: 500원"),
    ],
)
def test_the_text_says_whether_it_was_a_cancel_part_of_one_or_a_refund(
    cancelled, caplog, django_capture_on_commit_callbacks, arguments, says
):
    cancelled_after_commit(cancelled, django_capture_on_commit_callbacks, **arguments)

    assert says in caplog.text
    assert "010****5678" in caplog.text and "01012345678" not in caplog.text
    if "환불" not in says:
        assert "환불" not in caplog.text


def test_the_same_cancel_announced_twice_texts_once_and_the_next_cancel_texts_again(
    paid, django_capture_on_commit_callbacks
):
    paid.status, paid.cancelled_amount = "partially_cancelled", 4000
    paid.save()
    for _ in range(2):
        cancelled_after_commit(
            paid, django_capture_on_commit_callbacks, cancel_type="41", cancel_amount=4000
        )
    paid.cancelled_amount = 7000
    paid.save()
    cancelled_after_commit(
        paid, django_capture_on_commit_callbacks, cancel_type="41", cancel_amount=3000
    )

    kinds = SentNotification.objects.filter(payment=paid).values_list("kind", "status")
    assert sorted(kinds) == [
        ("sms_cancel_at4000", SentNotification.Status.LOGGED),
        ("sms_cancel_at7000", SentNotification.Status.LOGGED),
    ]


def test_a_signal_naming_its_cancellation_is_keyed_by_it(
    cancelled, django_capture_on_commit_callbacks
):
    cancelled_after_commit(cancelled, django_capture_on_commit_callbacks, cancellation_id=42)

    assert SentNotification.objects.get(payment=cancelled).kind == "sms_cancel_42"


def test_a_refused_cancel_text_fails_its_task_and_changes_nothing_else(
    cancelled, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(SEND_URL, status=500, json={"errorCode": "InternalError", "errorMessage": "x"})

    cancelled_after_commit(cancelled, django_capture_on_commit_callbacks)

    record = SentNotification.objects.get(payment=cancelled)
    assert record.status == SentNotification.Status.FAILED
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"


def test_a_real_cancel_through_the_emulator_texts_the_buyer_once(
    easypay_emulator, payment, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paid = pay(easypay_emulator, payment)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(paid, amount=6000, reason="부분 취소")

    record = SentNotification.objects.get(payment=paid, kind__startswith="sms_cancel_")
    assert record.status == SentNotification.Status.LOGGED
    assert "결제의 일부가 취소되었습니다. 취소 금액: 6,000원" in caplog.text
