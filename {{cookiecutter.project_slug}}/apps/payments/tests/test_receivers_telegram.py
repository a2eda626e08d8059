"""The Telegram receiver: an approval enqueues a message to the admin chat; the task sends it
through the Bot API's sendMessage (stubbed with responses: Telegram cannot run here)."""

import json

import pytest

from apps.payments.models import SentNotification
from apps.payments.notifications import telegram

from .conftest import approved_after_commit

pytestmark = pytest.mark.django_db

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
CHAT_ID = "-1009876543210"
SEND_URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
SENT = {"ok": True, "result": {"message_id": 42}}


@pytest.fixture
def configured(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_CHAT_ID = CHAT_ID
    return settings


def approval_text(payment) -> str:
    """The message in the active language (Korean unless LANGUAGE_CODE says otherwise)."""
    text = telegram.approval_text(payment)
    assert "15,000" in text and payment.product.name in text
    return text


def test_an_approval_sends_the_admin_chat_the_amount_and_product(
    paid, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(SEND_URL, json=SENT)

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    (call,) = mocked.calls
    assert call.request.url == SEND_URL
    assert call.request.headers["Content-Type"] == "application/json"
    assert json.loads(call.request.body) == {"chat_id": CHAT_ID, "text": approval_text(paid)}
    record = SentNotification.objects.get(payment=paid, kind="telegram")
    assert record.status == SentNotification.Status.SENT


def test_without_credentials_the_message_is_logged_instead(
    paid, caplog, django_capture_on_commit_callbacks
):
    approved_after_commit(paid, django_capture_on_commit_callbacks)

    assert "would have sent" in caplog.text and "15,000원" in caplog.text
    record = SentNotification.objects.get(payment=paid, kind="telegram")
    assert record.status == SentNotification.Status.LOGGED


def test_a_refused_message_fails_the_task_without_the_token_and_without_touching_the_payment(
    paid, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(SEND_URL, status=401, json={"ok": False, "description": "Unauthorized"})
    updated_at = paid.updated_at

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    record = SentNotification.objects.get(payment=paid, kind="telegram")
    assert record.status == SentNotification.Status.FAILED
    assert "HTTP 401: Unauthorized" in record.error
    assert TOKEN not in record.error
    paid.refresh_from_db()
    assert (paid.status, paid.updated_at) == ("paid", updated_at)


def test_the_seeds_telegram_examples_run_unchanged(
    paid, configured, mocked, myapp, seed_receivers, django_capture_on_commit_callbacks
):
    """seed/telegram.py: send_success_notification sends in the request (to its ADMIN_CHAT_ID);
    queue_notifications enqueues the same task as ours, which the task sends only once."""
    myapp.provide("telegram", telegram)
    seed = seed_receivers("telegram")
    mocked.post(SEND_URL, json=SENT)

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    sent = [json.loads(call.request.body) for call in mocked.calls]
    assert sorted(sent, key=lambda body: body["chat_id"]) == [
        {"chat_id": seed.ADMIN_CHAT_ID, "text": "💰 결제 완료!\n금액: 15,000원\n상품: 테스트 상품"},
        {"chat_id": CHAT_ID, "text": approval_text(paid)},
    ]
