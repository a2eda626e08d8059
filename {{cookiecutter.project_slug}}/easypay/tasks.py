"""easypay's background task: the periodic reconcile (Django's tasks framework).

Django 6 has no scheduler: run it every few minutes from cron, a systemd timer or the
worker platform's scheduler, either as `python manage.py easypay_reconcile` or by enqueueing
this task (`reconcile_payments.enqueue()`) so the worker runs it.
"""

from django.tasks import task


@task
def reconcile_payments() -> dict:
    """Settle unknown outcomes, expire abandoned checkouts, report PG-vs-DB differences.
    Returns the report as plain data (task results must be JSON)."""
    from easypay.services import reconcile_all

    return reconcile_all().as_dict()
