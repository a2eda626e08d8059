"""The SMS receiver: an approval enqueues a text to the buyer's phone; the task sends it through
SOLAPI (stubbed with responses: SOLAPI cannot run here), signed as SOLAPI documents."""

import hashlib
import hmac
import json

import pytest
import time_machine

from apps.payments.models import SentNotification
from apps.payments.notifications import sms

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
