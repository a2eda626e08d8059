"""The benchmark's in-worker counters, driven by hand as gunicorn_probe.py's hooks drive them."""

import json

import pytest
from django.db import connection

from apps.payments.loadtest import probe
from apps.payments.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed(tmp_path):
    counters = probe.Probe(tmp_path)
    counters.install()
    yield counters
    counters.uninstall()


def test_statements_are_counted_per_url_name_and_written_after_each_request(installed, tmp_path):
    installed.request_started()
    Product.objects.count()
    list(Product.objects.all())
    installed.request_finished("/products/7/checkout/")
    installed.request_started()
    Product.objects.exists()
    installed.request_finished("/no/such/page/")

    written = json.loads(installed.path.read_text())

    assert written["payments:checkout"][:2] == [1, 2]  # requests, statements
    assert written["(no view)"][:2] == [1, 1]
    assert isinstance(written["payments:checkout"][2], float)  # CPU seconds
    assert probe.read(tmp_path)["payments:checkout"]["queries"] == 2


def test_a_new_connection_is_counted_and_wrapped_once(installed):
    installed.connected(sender=None, connection=connection)
    installed.connected(sender=None, connection=connection)

    assert installed.connects == 2
    assert connection.execute_wrappers.count(installed.execute) == 1


def test_nothing_is_counted_once_uninstalled(installed):
    installed.uninstall()
    Product.objects.count()

    assert installed.queries == 0
    installed.install()  # for the fixture's own uninstall


def test_workers_are_summed_and_runs_subtracted(tmp_path):
    (tmp_path / "worker-1.json").write_text(json.dumps({"easypay:return": [2, 30, 0.5, 0]}))
    (tmp_path / "worker-2.json").write_text(json.dumps({"easypay:return": [1, 14, 0.25, 1]}))
    before = {"easypay:return": {"requests": 1, "queries": 15, "cpu_s": 0.25, "connects": 0}}

    after = probe.read(tmp_path)

    assert after == {"easypay:return": {"requests": 3, "queries": 44, "cpu_s": 0.75, "connects": 1}}
    assert probe.difference(after, before) == {
        "easypay:return": {"requests": 2, "queries": 29, "cpu_s": 0.5, "connects": 1}
    }


def test_with_keep_sql_each_urls_latest_statements_are_kept(tmp_path):
    counters = probe.Probe(tmp_path, keep_sql=True)
    counters.install()
    try:
        for _ in range(2):
            counters.request_started()
            Product.objects.filter(active=True).count()
            counters.request_finished("/p/some-token/")
    finally:
        counters.uninstall()

    (statement,) = probe.read_sql(tmp_path)["payments:detail"]
    assert statement.startswith("SELECT COUNT(*)")
