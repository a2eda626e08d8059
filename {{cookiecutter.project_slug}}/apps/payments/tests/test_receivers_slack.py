"""The Slack receiver: an approval enqueues a post to the shop's channel; the task posts it to
the incoming webhook (stubbed with responses: Slack cannot run here)."""

import json
from unittest.mock import ANY

import pytest

from apps.payments.models import SentNotification
from apps.payments.notifications import slack

from .conftest import approved_after_commit

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "https://hooks.slack.com/services/T0001/B0001/secret-part-of-the-url"


@pytest.fixture
def configured(settings):
    settings.SLACK_WEBHOOK_URL = WEBHOOK_URL
    return settings


def expected_payload(payment) -> dict:
    """The seed's shape, its titles in the active language (Korean unless LANGUAGE_CODE says
    otherwise)."""
    payload = slack.approval_payload(payment)
    assert "15,000" in payload["text"]
    assert payload["attachments"] == [
        {
            "color": "good",
            "fields": [
                {"title": ANY, "value": payment.user.email, "short": True},
                {"title": ANY, "value": "테스트 상품", "short": True},
            ],
        }
    ]
    return payload


def test_an_approval_posts_the_seeds_attachment_fields_to_the_webhook(
    paid, configured, mocked, django_capture_on_commit_callbacks
):
    paid.user.email = "buyer@example.com"
    paid.user.save()
    mocked.post(WEBHOOK_URL, body="ok")

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    (call,) = mocked.calls
    assert call.request.url == WEBHOOK_URL
    assert call.request.headers["Content-Type"] == "application/json"
    assert json.loads(call.request.body) == expected_payload(paid)
    record = SentNotification.objects.get(payment=paid, kind="slack")
    assert record.status == SentNotification.Status.SENT


def test_without_a_webhook_the_post_is_logged_instead(
    paid, caplog, django_capture_on_commit_callbacks
):
    approved_after_commit(paid, django_capture_on_commit_callbacks)

    assert "would have posted" in caplog.text and "15,000원" in caplog.text
    record = SentNotification.objects.get(payment=paid, kind="slack")
    assert record.status == SentNotification.Status.LOGGED


def test_a_refused_post_fails_the_task_without_the_webhook_url(
    paid, configured, mocked, django_capture_on_commit_callbacks
):
    mocked.post(WEBHOOK_URL, status=404, body="no_service")

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    record = SentNotification.objects.get(payment=paid, kind="slack")
    assert record.status == SentNotification.Status.FAILED
    assert "no_service" in record.error and "secret-part" not in record.error
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_the_seeds_slack_example_runs_unchanged(
    paid, configured, mocked, seed_receivers, django_capture_on_commit_callbacks
):
    seed = seed_receivers("slack")
    mocked.post(seed.SLACK_WEBHOOK_URL, body="ok")
    mocked.post(WEBHOOK_URL, body="ok")

    approved_after_commit(paid, django_capture_on_commit_callbacks)

    by_url = {call.request.url: json.loads(call.request.body) for call in mocked.calls}
    assert by_url[seed.SLACK_WEBHOOK_URL] == {
        "text": "💰 New payment: 15,000원",
        "attachments": [
            {
                "color": "good",
                "fields": [
                    {"title": "User", "value": paid.user.email, "short": True},
                    {"title": "Product", "value": "테스트 상품", "short": True},
                ],
            }
        ],
    }
    assert by_url[WEBHOOK_URL] == expected_payload(paid)
