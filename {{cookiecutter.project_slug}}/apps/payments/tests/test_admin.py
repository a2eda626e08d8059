"""The admin pages for products, payments and easypay's records render and stay read-only."""

import pytest
from django.urls import reverse

from easypay.models import AdminAuditLog, Cancellation, Notification, PgCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(payment):
    approve = PgCall.objects.create(
        payment=payment, kind=PgCall.Kind.APPROVE, shop_transaction_id="k-1"
    )
    Notification.objects.create(raw_body=b"{}", noti_type="10", pg_cno="1", payment=payment)
    Cancellation.objects.create(
        payment=payment,
        revise_type_code="40",
        amount=payment.amount,
        remaining_before=payment.amount,
        origin="admin",
        pg_call=approve,
    )
    AdminAuditLog.objects.create(actor_repr="admin", action="cancel_requested", payment=payment)
    return payment


MODELS = [
    "payments_product",
    "payments_payment",
    "easypay_pgcall",
    "easypay_notification",
    "easypay_cancellation",
    "easypay_adminauditlog",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_page_renders(admin_client, records, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS[1:])
def test_every_detail_page_renders(admin_client, records, model):
    from django.apps import apps

    obj = apps.get_model(model.replace("_", ".", 1)).objects.first()

    response = admin_client.get(reverse(f"admin:{model}_change", args=[obj.pk]))

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}  # nothing editable


@pytest.mark.parametrize("model", MODELS[1:])
def test_payments_and_records_cannot_be_added_by_hand(admin_client, model):
    response = admin_client.get(reverse(f"admin:{model}_add"))

    assert response.status_code == 403


def test_the_payment_page_shows_the_amount_but_cannot_change_it(admin_client, payment):
    url = reverse("admin:payments_payment_change", args=[payment.pk])

    admin_client.post(url, {"amount": 1, "status": "paid"})

    payment.refresh_from_db()
    assert payment.amount == 15000
    assert payment.status == "pending"
