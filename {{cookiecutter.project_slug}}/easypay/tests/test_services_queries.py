"""How many queries each step of the services costs (printed; run with -s to see them), with
the shop's receivers muted — they add their own (notifications, reports) after commit. The
ceilings catch an N+1 or a lost select creeping in. payment_approved and payment_cancelled
cost two of them: the Announcement written with the status change, and stamped sent after
the receivers ran."""

import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from easypay import services
from easypay.tests.contract_helpers import authorization_id_of
from easypay.tests.service_helpers import SIGNALS, register, return_url

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def receivers_muted():
    saved = {signal: signal.receivers[:] for signal in SIGNALS.values()}
    try:
        for signal in saved:
            signal.receivers = []
            signal.sender_receivers_cache.clear()
        yield
    finally:
        for signal, receivers in saved.items():
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def counted(label, ceiling, step):
    with receivers_muted(), CaptureQueriesContext(connection) as queries:
        result = step()
    print(f"\n{label}: {len(queries)} queries")
    for query in queries.captured_queries:
        print("   ", query["sql"][:110])
    assert len(queries) <= ceiling
    return result


def test_queries_per_step_checkout_return_and_cancel(easypay_emulator, payment):
    auth_page_url = counted(
        "checkout (register)",
        4,
        lambda: services.register(payment, return_url=return_url(payment), device_type_code="pc"),
    )
    post = easypay_emulator.authenticate(authorization_id_of(auth_page_url), "approve")
    paid = counted(
        "return (approve)", 11, lambda: services.handle_return(payment.public_token, post.fields)
    )
    # 20 on SQLite, whose row lock (transitions.lock) is an UPDATE and a SELECT; 19 elsewhere.
    counted("full cancel", 20, lambda: services.cancel(paid, reason="고객 요청"))

    paid.refresh_from_db()
    assert paid.status == "cancelled"


def test_a_repeated_return_costs_two_queries(easypay_emulator, payment):
    post = easypay_emulator.authenticate(authorization_id_of(register(payment)), "approve")
    services.handle_return(payment.public_token, post.fields)

    counted("repeated return", 2, lambda: services.handle_return(payment.public_token, post.fields))


def test_reporting_held_notis_costs_one_query_however_many_there_are(payment):
    """reconcile_all reports every held 노티 that no copy settled since: one query for all of
    them (it was one more for each held row), and a settled copy still drops its 노티."""
    from easypay.models import Notification
    from easypay.services.reconciliation import ReconcileReport, _report_held_notifications

    N = Notification.Status
    for n in range(5):
        key = {"noti_type": "20", "pg_cno": "1" * 20, "cancel_pg_cno": f"{n:020d}"}
        Notification.objects.create(raw_body=b"{}", status=N.HELD, payment=payment, **key)
        Notification.objects.create(raw_body=b"{}", status=N.HELD, payment=payment, **key)
        if n == 0:
            Notification.objects.create(raw_body=b"{}", status=N.DISMISSED, **key)
        if n == 1:
            Notification.objects.create(raw_body=b"{}", status=N.PROCESSED, **key)
    report = ReconcileReport()

    counted("held 노티 report", 1, lambda: _report_held_notifications(report))

    assert len(report.unresolved) == 3  # one line per 노티 (not per copy), the settled two gone
