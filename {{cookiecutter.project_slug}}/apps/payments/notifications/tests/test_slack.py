import json
import logging

import pytest
import requests

from apps.payments.notifications.delivery import NotificationError
from apps.payments.notifications.slack import approval_payload, post_payload

WEBHOOK_URL = "https://hooks.slack.com/services/T000/B000/SECRETsecretSECRET"
PAYLOAD = {"text": "💰 새 결제: 12,345원", "attachments": [{"color": "good", "fields": []}]}


@pytest.fixture
def configured(settings):
    settings.SLACK_WEBHOOK_URL = WEBHOOK_URL
    return settings


def test_the_payload_is_posted_to_the_webhook_as_json(configured, mocked):
    mocked.post(WEBHOOK_URL, body="ok")

    assert post_payload(PAYLOAD) is True

    request = mocked.calls[0].request
    assert request.url == WEBHOOK_URL
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == PAYLOAD


@pytest.mark.parametrize(
    ("status", "reason"),
    [(400, "invalid_payload"), (403, "action_prohibited"), (404, "no_service"), (500, "oops")],
)
def test_an_error_answer_raises_with_slacks_reason_but_not_the_url(
    configured, mocked, status, reason
):
    mocked.post(WEBHOOK_URL, status=status, body=reason)

    with pytest.raises(NotificationError, match=reason) as error:
        post_payload(PAYLOAD)

    assert f"HTTP {status}" in str(error.value)
    assert "SECRET" not in str(error.value)


def test_a_redirect_raises_instead_of_being_followed(configured, mocked):
    mocked.post(WEBHOOK_URL, status=301, headers={"Location": "https://example.com/"})

    with pytest.raises(NotificationError, match="HTTP 301"):
        post_payload(PAYLOAD)

    assert len(mocked.calls) == 1


def test_a_connection_failure_raises_without_the_url(configured, mocked):
    mocked.post(WEBHOOK_URL, body=requests.ConnectionError(f"Max retries exceeded: {WEBHOOK_URL}"))

    with pytest.raises(NotificationError) as error:
        post_payload(PAYLOAD)

    assert "SECRET" not in str(error.value)


def test_without_a_webhook_url_the_payload_is_logged_and_nothing_is_sent(settings, mocked, caplog):
    settings.SLACK_WEBHOOK_URL = ""
    caplog.set_level(logging.INFO, logger="apps.payments.notifications")

    assert post_payload(PAYLOAD) is False

    assert len(mocked.calls) == 0
    [record] = [r for r in caplog.records if r.name == "apps.payments.notifications"]
    assert record.levelno == logging.INFO
    assert "💰 새 결제: 12,345원" in record.getMessage()


def test_the_webhook_url_never_appears_in_the_logs(configured, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    mocked.post(WEBHOOK_URL, body="ok")
    mocked.post(WEBHOOK_URL, status=404, body="no_service")

    post_payload(PAYLOAD)
    with pytest.raises(NotificationError):
        post_payload(PAYLOAD)

    assert "Slack message posted" in caplog.text
    assert "SECRET" not in caplog.text


def test_the_approval_payload_has_the_seeds_attachment_fields(payment):
    assert approval_payload(payment) == {
        "text": "💰 새 결제: 12,345원",
        "attachments": [
            {
                "color": "good",
                "fields": [
                    {"title": "사용자", "value": "buyer@example.com", "short": True},
                    {"title": "상품", "value": "프리미엄 플랜", "short": True},
                ],
            }
        ],
    }
