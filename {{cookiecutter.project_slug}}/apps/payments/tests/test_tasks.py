"""The tasks in tasks.py: idempotent, failures raised for the queue to record, payments only read.

A stand-in channel ("pigeon") takes the place of the real senders here, so these tests hold
for every combination of channels; each channel's own tests send through its real API.
"""

import json

import pytest
from django.db import IntegrityError
from django.forms.models import model_to_dict
from django.tasks import TaskResultStatus

from apps.payments import tasks
from apps.payments.models import PaymentReport, SentNotification

pytestmark = pytest.mark.django_db


class Pigeon:
    """A channel that counts what it carries, and fails when told to."""

    def __init__(self):
        self.carried = []
        self.failure = None

    def __call__(self, payment) -> bool:
        if self.failure:
            raise self.failure
        self.carried.append(payment.pk)
        return True


@pytest.fixture
def pigeon(monkeypatch):
    channel = Pigeon()
    monkeypatch.setitem(tasks.SENDERS, "pigeon", channel)
    return channel


def notify(payment):
    """Run the task as the worker would (ImmediateBackend: at once, result recorded)."""
    return tasks.send_payment_notification.enqueue(
        payment_id=payment.pk, notification_type="pigeon"
    )


def test_a_notification_runs_twice_but_is_sent_once(paid, pigeon):
    first = notify(paid)
    second = notify(paid)

    assert pigeon.carried == [paid.pk]
    assert first.return_value["status"] == "sent"
    assert second.return_value["status"] == "already_sent"
    record = SentNotification.objects.get(payment=paid, kind="pigeon")
    assert record.status == SentNotification.Status.SENT


def test_a_failed_send_fails_the_task_and_leaves_the_payment_untouched(paid, pigeon):
    before = model_to_dict(paid)
    pigeon.failure = ConnectionError("the coop is closed")

    result = notify(paid)

    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is ConnectionError
    paid.refresh_from_db()
    assert model_to_dict(paid) == before
    record = SentNotification.objects.get(payment=paid, kind="pigeon")
    assert record.status == SentNotification.Status.FAILED
    assert record.error == "ConnectionError: the coop is closed"


def test_a_failed_notification_can_be_sent_by_running_the_task_again(paid, pigeon):
    pigeon.failure = ConnectionError("the coop is closed")
    notify(paid)
    pigeon.failure = None

    assert notify(paid).status == TaskResultStatus.SUCCESSFUL
    assert notify(paid).return_value["status"] == "already_sent"
    assert pigeon.carried == [paid.pk]
    assert SentNotification.objects.get(payment=paid, kind="pigeon").error == ""


def test_a_send_cut_off_midway_is_not_repeated(paid, pigeon):
    """A row left "sending" (the worker died mid-send): the message may have gone out."""
    SentNotification.objects.create(
        payment=paid, kind="pigeon", status=SentNotification.Status.SENDING
    )

    assert notify(paid).return_value["status"] == "already_sent"
    assert pigeon.carried == []


def test_an_unknown_notification_type_fails_the_task(paid):
    result = tasks.send_payment_notification.enqueue(
        payment_id=paid.pk, notification_type="carrier-owl"
    )

    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is ValueError
    assert not SentNotification.objects.exists()


def test_one_record_per_payment_and_kind_is_all_the_database_allows(paid):
    SentNotification.objects.create(payment=paid, kind="x", status=SentNotification.Status.SENT)

    with pytest.raises(IntegrityError):
        SentNotification.objects.create(
            payment=paid, kind="x", status=SentNotification.Status.SENDING
        )


def test_the_report_is_written_once_with_what_the_books_need_and_no_card_number(paid):
    paid.card_no_masked = "5361-48**-****-9876"
    paid.save()

    first = tasks.generate_payment_report.enqueue(payment_id=paid.pk).return_value
    second = tasks.generate_payment_report.enqueue(payment_id=paid.pk).return_value

    report = PaymentReport.objects.get(payment=paid)
    assert first == {"report_id": report.pk, "payment_id": paid.pk, "created": True}
    assert second == {"report_id": report.pk, "payment_id": paid.pk, "created": False}
    assert report.data["amount"] == paid.amount
    assert report.data["pg_cno"] == paid.pg_cno
    assert report.data["product_name"] == paid.product.name
    assert "9876" not in json.dumps(report.data)


def test_the_followup_survey_is_sent_once(paid, caplog):
    first = tasks.send_followup_survey.enqueue(payment_id=paid.pk)
    second = tasks.send_followup_survey.enqueue(payment_id=paid.pk)

    assert first.return_value["status"] == SentNotification.Status.LOGGED  # no credentials
    assert second.return_value["status"] == "already_sent"
    assert SentNotification.objects.get(payment=paid, kind=tasks.FOLLOWUP_SURVEY)
    assert caplog.text.count(paid.product.name) == 1


def test_a_buyer_refunded_before_the_followup_is_not_asked(make_payment):
    refunded = make_payment(status="cancelled", pg_cno="1", cancelled_amount=15000)

    result = tasks.send_followup_survey.enqueue(payment_id=refunded.pk)

    assert result.return_value == {
        "payment_id": refunded.pk,
        "status": "skipped",
        "payment_status": "cancelled",
    }
    assert not SentNotification.objects.exists()


def test_a_task_for_a_payment_that_does_not_exist_fails(db):
    result = tasks.generate_payment_report.enqueue(payment_id=999_999)

    assert result.status == TaskResultStatus.FAILED
