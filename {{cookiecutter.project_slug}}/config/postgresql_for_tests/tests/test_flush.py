"""The test database backend on PostgreSQL (config/postgresql_for_tests): what a test that
commits leaves behind is gone before the next one, by DELETE. Skipped on SQLite."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from easypay.models import Notification

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def test_the_tests_flush_postgresql_with_delete_and_keep_truncate_for_restarting_ids():
    tables = ["payments_payment", "users_user"]

    emptied = connection.ops.sql_flush(no_style(), tables)
    restarted = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)

    assert emptied == ['DELETE FROM "payments_payment";', 'DELETE FROM "users_user";']
    assert restarted[0].startswith("TRUNCATE")


def test_a_flush_empties_tables_whose_rows_point_at_each_other(make_payment):
    payment = make_payment()
    Notification.objects.create(
        payment=payment, noti_type="10", shop_order_no=payment.shop_order_no
    )

    # What pytest-django runs after a test that commits (TransactionTestCase._fixture_teardown).
    call_command("flush", verbosity=0, interactive=False)

    assert [model.objects.count() for model in (type(payment), Notification)] == [0, 0]
    # post_migrate ran again: the admin's permissions exist for the next test.
    assert ContentType.objects.filter(app_label="payments", model="payment").exists()
    assert Permission.objects.filter(codename="change_payment").exists()


def test_every_foreign_key_is_checked_at_commit_so_tables_empty_in_any_order():
    """The DELETEs run in no set order (Django lists the tables from a set): what lets a parent
    go before its children is that each foreign key waits for the commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
        )
        checked_at_once = cursor.fetchall()

    assert checked_at_once == []
