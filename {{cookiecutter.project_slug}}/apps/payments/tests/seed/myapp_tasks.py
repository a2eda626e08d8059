"""``myapp.tasks`` of the seed's "Trigger Post-Payment Tasks", on Django's tasks
(docs/signals-and-receivers.md).

The seed calls ``generate_report_task.delay(payment.pk)``: ``delay`` is Celery's name for
"enqueue with these arguments". Django's tasks call it ``enqueue``, so the shim forwards.
"""

from apps.payments.tasks import generate_payment_report


class CeleryStyleTask:
    """A Django task with Celery's ``delay``."""

    def __init__(self, task):
        self.task = task

    def delay(self, *args, **kwargs):
        return self.task.enqueue(*args, **kwargs)


generate_report_task = CeleryStyleTask(generate_payment_report)
