import json
import logging

import pytest
import requests

from apps.payments.notifications.delivery import NotificationError
from apps.payments.notifications.telegram import approval_text, send_message

TOKEN = "123456:SECRET-bot-token"
URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
SENT = {"ok": True, "result": {"message_id": 1, "chat": {"id": -100123}, "text": "hi"}}


@pytest.fixture
def configured(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_CHAT_ID = "-100123"
    return settings


def test_a_message_is_posted_to_the_bot_api_as_json(configured, mocked):
    mocked.post(URL, json=SENT)

    assert send_message("결제 완료") is True

    request = mocked.calls[0].request
    assert request.url == URL
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"chat_id": "-100123", "text": "결제 완료"}


def test_a_chat_id_given_by_the_caller_wins_over_the_setting(configured, mocked):
    mocked.post(URL, json=SENT)

    send_message(chat_id="42", text="hi")

    assert json.loads(mocked.calls[0].request.body)["chat_id"] == "42"


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, "Unauthorized"),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            "chat not found",
        ),
        (
            429,
            {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5"},
            "retry after 5",
        ),
    ],
)
def test_an_error_answer_raises_with_telegrams_reason(configured, mocked, status, answer, reason):
    mocked.post(URL, status=status, json=answer)

    with pytest.raises(NotificationError, match=reason) as error:
        send_message("hi")

    assert f"HTTP {status}" in str(error.value)
    assert TOKEN not in str(error.value)


def test_a_server_error_page_raises(configured, mocked):
    mocked.post(URL, status=502, body="<html>Bad Gateway</html>")

    with pytest.raises(NotificationError, match="HTTP 502"):
        send_message("hi")


def test_a_200_answer_that_is_not_ok_raises(configured, mocked):
    mocked.post(URL, json={"ok": False, "description": "Forbidden: bot was blocked by the user"})

    with pytest.raises(NotificationError, match="bot was blocked"):
        send_message("hi")


def test_a_connection_failure_raises_without_the_token(configured, mocked):
    mocked.post(URL, body=requests.ConnectionError(f"Max retries exceeded with url: {URL}"))

    with pytest.raises(NotificationError) as error:
        send_message("hi")

    assert TOKEN not in str(error.value)
    assert error.value.__context__ is None


@pytest.mark.parametrize(("token", "chat_id"), [("", "-100123"), (TOKEN, ""), ("", "")])
def test_without_credentials_the_text_is_logged_and_nothing_is_sent(
    settings, mocked, caplog, token, chat_id
):
    settings.TELEGRAM_BOT_TOKEN = token
    settings.TELEGRAM_CHAT_ID = chat_id
    caplog.set_level(logging.INFO, logger="apps.payments.notifications")

    assert send_message("💰 결제 완료!\n금액: 12,345원") is False

    assert len(mocked.calls) == 0
    [record] = [r for r in caplog.records if r.name == "apps.payments.notifications"]
    assert record.levelno == logging.INFO
    assert "💰 결제 완료!\n금액: 12,345원" in record.getMessage()
    assert TOKEN not in caplog.text


def test_the_token_never_appears_in_the_logs(configured, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    mocked.post(URL, json=SENT)
    mocked.post(
        URL, status=401, json={"ok": False, "error_code": 401, "description": "Unauthorized"}
    )

    send_message("first")
    with pytest.raises(NotificationError):
        send_message("second")

    assert "Telegram message sent" in caplog.text
    assert TOKEN not in caplog.text
    assert "SECRET" not in caplog.text


def test_the_approval_text_is_the_seeds(payment):
    assert approval_text(payment) == "💰 결제 완료!\n금액: 12,345원\n상품: 프리미엄 플랜"


def test_a_redirect_raises_instead_of_being_followed(configured, mocked):
    mocked.post(URL, status=302, json=SENT, headers={"Location": "https://example.com/"})

    with pytest.raises(NotificationError, match="HTTP 302"):
        send_message("hi")
