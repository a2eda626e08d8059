"""The receivers in signals.py, whatever channels this project has: they only enqueue, once per
approval, after commit, and a broken receiver harms nothing.

Approvals here are real: services.handle_return against the emulator over HTTP, which sends
payment_approved after its transaction commits.
"""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.payments import signals, tasks
from apps.payments.models import Payment, PaymentReport, SentNotification
from easypay.tasks import reconcile_payments
from easypay.tests.service_helpers import pay

from .conftest import approve

pytestmark = pytest.mark.django_db(transaction=True)


def enqueued_calls(results) -> list[tuple[str, dict]]:
    return [(result.task.name, result.kwargs) for result in results]


def test_one_approval_enqueues_each_task_once(easypay_emulator, payment, enqueued):
    paid = pay(easypay_emulator, payment)

    assert paid.status == Payment.Status.PAID
    expected = [
        *[
            ("send_payment_notification", {"payment_id": paid.pk, "notification_type": kind})
            for kind in tasks.SENDERS
        ],
        ("generate_payment_report", {"payment_id": paid.pk}),
        ("send_followup_survey", {"payment_id": paid.pk}),
    ]
    assert sorted(enqueued_calls(enqueued), key=repr) == sorted(expected, key=repr)


def test_every_enqueued_argument_is_plain_json(paid, enqueued):
    approve(paid)

    for result in enqueued:
        assert json.loads(json.dumps([result.args, result.kwargs])) == [
            list(result.args),
            result.kwargs,
        ]


def test_notifications_go_first_to_the_payments_queue_and_reports_later_to_their_own():
    assert tasks.send_payment_notification.priority == 10
    assert tasks.send_payment_notification.queue_name == "payments"
    assert tasks.generate_payment_report.priority == 5
    assert tasks.generate_payment_report.queue_name == "reports"


def test_the_followup_and_the_reconcile_job_run_at_the_default_priority():
    """The README's task table: the survey waits in "payments", reconcile in "default"."""
    assert tasks.send_followup_survey.priority == 0
    assert tasks.send_followup_survey.queue_name == "payments"
    assert reconcile_payments.priority == 0
    assert reconcile_payments.queue_name == "default"


def test_without_a_queue_that_can_wait_the_followup_is_not_scheduled(paid, caplog):
    approve(paid)

    assert "not scheduled: ImmediateBackend cannot defer" in caplog.text
    assert not SentNotification.objects.filter(kind=tasks.FOLLOWUP_SURVEY).exists()


def test_the_followup_is_deferred_by_24_hours_on_a_queue_that_can_wait(paid, enqueued):
    before = timezone.now()
    approve(paid)

    (followup,) = [r for r in enqueued if r.task.name == "send_followup_survey"]
    assert before + timedelta(hours=24) <= followup.task.run_after
    assert followup.task.run_after <= timezone.now() + timedelta(hours=24)
    # The time is the task's, not an argument the survey function would receive.
    assert followup.kwargs == {"payment_id": paid.pk}


def test_a_rolled_back_transaction_enqueues_nothing(paid, enqueued):
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(paid)
        assert enqueued == []  # not before the commit either
        raise RuntimeError("the surrounding work failed")

    assert enqueued == []


def test_inside_a_transaction_the_tasks_wait_for_the_commit(paid, enqueued):
    with transaction.atomic():
        approve(paid)
        assert enqueued == []

    assert len(enqueued) == len(tasks.SENDERS) + 2


def test_a_receiver_that_raises_neither_stops_the_others_nor_changes_the_payment(
    easypay_emulator, payment, enqueued, monkeypatch
):
    class QueueDown:
        def enqueue(self, **kwargs):
            raise ConnectionError("the queue is unreachable")

    # The report's receiver runs between the notifications' and the follow-up's.
    monkeypatch.setattr(signals, "generate_payment_report", QueueDown())

    paid = pay(easypay_emulator, payment)

    paid.refresh_from_db()
    assert paid.status == Payment.Status.PAID
    names = [result.task.name for result in enqueued]
    assert names.count("send_payment_notification") == len(tasks.SENDERS)
    assert "generate_payment_report" not in names
    assert names.count("send_followup_survey") == 1


def test_with_tasks_run_at_once_an_approval_records_every_message_and_the_report(
    easypay_emulator, payment
):
    """ImmediateBackend (development, tests): the tasks run in the request; with no
    credentials every sender logs instead of sending. The follow-up is not asked for at once:
    a backend that cannot wait does not schedule it."""
    paid = pay(easypay_emulator, payment)

    recorded = dict(SentNotification.objects.filter(payment=paid).values_list("kind", "status"))
    assert recorded == dict.fromkeys(tasks.SENDERS, SentNotification.Status.LOGGED)
    assert PaymentReport.objects.get(payment=paid).data["amount"] == paid.amount


def test_a_repeated_approval_signal_sends_nothing_twice(paid):
    approve(paid)
    approve(paid)

    assert SentNotification.objects.filter(payment=paid).count() == len(tasks.SENDERS)
    assert PaymentReport.objects.filter(payment=paid).count() == 1
