"""The seed's task examples (seed/background.py), pasted unchanged, run in this project;
where the seed is wrong about Django 6 these tests show what goes wrong, and signals.py does
the right thing instead (see schedule_followup there)."""

import pytest

from .conftest import approve

pytestmark = pytest.mark.django_db


def run_each(callbacks) -> list[Exception]:
    """Run on-commit callbacks one by one, as easypay's robust on_commit does, keeping errors."""
    errors = []
    for callback in callbacks:
        try:
            callback()
        except Exception as error:
            errors.append(error)
    return errors


def test_the_seeds_task_receivers_enqueue_what_they_say(
    paid, enqueued, seed_receivers, django_capture_on_commit_callbacks
):
    seed_receivers("background")

    with django_capture_on_commit_callbacks() as callbacks:
        approve(paid)
    run_each(callbacks)

    calls = [(result.task.name, tuple(result.args), result.kwargs) for result in enqueued]
    # generate_report: Celery's .delay(payment.pk), which myapp.tasks maps onto enqueue.
    assert ("generate_payment_report", (paid.pk,), {}) in calls
    # queue_report_generation: the same call as ours in signals.py, so two of them.
    assert calls.count(("generate_payment_report", (), {"payment_id": paid.pk})) == 2


def test_the_seeds_deferred_followup_cannot_be_enqueued_in_django_6(
    paid, enqueued, seed_receivers, django_capture_on_commit_callbacks
):
    """enqueue(run_after=...) makes run_after an argument of the task function, and task
    arguments must be JSON: Django refuses the datetime. signals.py uses .using(run_after=)."""
    seed_receivers("background")

    with django_capture_on_commit_callbacks() as callbacks:
        approve(paid)
    errors = run_each(callbacks)

    assert [type(error) for error in errors] == [TypeError]
    assert "datetime" in str(errors[0])
    followups = [r for r in enqueued if r.task.name == "send_followup_survey"]
    assert [r.kwargs for r in followups] == [{"payment_id": paid.pk}]  # ours
    assert followups[0].task.run_after is not None


def test_the_seeds_safe_handler_logs_the_failure_and_lets_the_others_run(
    paid, enqueued, seed_receivers, caplog
):
    seed_receivers("background")

    responses = approve(paid)

    assert "Notification failed: the notification service is down" in caplog.text
    assert not [error for _, error in responses if isinstance(error, Exception)]
