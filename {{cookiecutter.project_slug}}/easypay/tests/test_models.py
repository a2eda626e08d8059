"""easypay's records (PG calls, 노티, cancels, audit log) and the payment model plumbing.

The payment comes from the project's ``make_payment`` fixture (conftest.py): easypay itself
knows only settings.EASYPAY_PAYMENT_MODEL.
"""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from easypay import models as easypay_models
from easypay.models import (
    AbstractPayment,
    AdminAuditLog,
    Cancellation,
    Notification,
    PgCall,
    get_payment_model,
    new_public_token,
    new_shop_order_no,
)

EASYPAY_DIR = Path(easypay_models.__file__).resolve().parent


# ------------------------------------------------------------------------------
# The payment model plumbing
# ------------------------------------------------------------------------------
def test_the_payment_model_is_the_one_named_in_settings(settings):
    model = get_payment_model()

    assert model._meta.label == settings.EASYPAY_PAYMENT_MODEL
    assert issubclass(model, AbstractPayment)


@pytest.mark.parametrize(
    ("value", "message"),
    [("Payment", "form 'app_label.ModelName'"), ("shop.Payment", "not installed")],
)
def test_a_wrong_payment_model_setting_is_explained(settings, value, message):
    settings.EASYPAY_PAYMENT_MODEL = value

    with pytest.raises(ImproperlyConfigured, match=message):
        get_payment_model()


def test_a_missing_payment_model_setting_is_explained(settings):
    del settings.EASYPAY_PAYMENT_MODEL

    with pytest.raises(ImproperlyConfigured, match="not set"):
        get_payment_model()


def test_the_records_point_at_the_configured_payment_model():
    for model in (PgCall, Notification, Cancellation, AdminAuditLog):
        assert model._meta.get_field("payment").related_model is get_payment_model()


def test_easypay_imports_nothing_from_the_shops_apps():
    """easypay is self-contained and knows nothing of apps.* (docs/payment-lifecycle.md)."""
    offenders = []
    for path in EASYPAY_DIR.rglob("*.py"):
        if "tests" in path.relative_to(EASYPAY_DIR).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "apps"]

    assert offenders == []


def test_public_tokens_are_long_random_and_url_safe():
    tokens = {new_public_token() for _ in range(1000)}

    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)


@time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=False)
def test_a_new_order_number_starts_with_the_kst_date_and_fits_kiccs_rules():
    order_no = new_shop_order_no()

    # 23:30 UTC is already April 1st in Seoul (integrity rule 6).
    assert re.fullmatch(r"20260401-[0-9A-F]{16}", order_no)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", order_no)  # §2
    assert new_shop_order_no() != order_no


# ------------------------------------------------------------------------------
# PgCall
# ------------------------------------------------------------------------------
@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=False)
def test_a_pg_call_is_dated_by_kicc_s_kst_day(payment):
    call = PgCall.objects.create(payment=payment, kind=PgCall.Kind.REGISTER)

    call.refresh_from_db()
    assert call.request_date == date(2026, 4, 1)
    assert call.outcome == PgCall.Outcome.PENDING
    assert call.finished_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [PgCall.Kind.APPROVE, PgCall.Kind.REVISE])
def test_a_money_moving_call_cannot_be_recorded_without_its_key(payment, kind):
    with pytest.raises(IntegrityError), transaction.atomic():
        PgCall.objects.create(payment=payment, kind=kind, shop_transaction_id="")


@pytest.mark.django_db
def test_a_shop_transaction_id_is_used_once(payment):
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.APPROVE, shop_transaction_id="k-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        PgCall.objects.create(payment=payment, kind=PgCall.Kind.REVISE, shop_transaction_id="k-1")


@pytest.mark.django_db
def test_calls_without_their_own_key_do_not_collide(payment):
    approve = PgCall.objects.create(
        payment=payment, kind=PgCall.Kind.APPROVE, shop_transaction_id="k-2"
    )
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.REGISTER)
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.REGISTER)
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.RETRIEVE, original_call=approve)
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.RETRIEVE, original_call=approve)

    assert approve.retrievals.count() == 2


@pytest.mark.django_db
def test_a_status_query_must_name_the_call_it_asks_about(payment):
    with pytest.raises(IntegrityError), transaction.atomic():
        PgCall.objects.create(payment=payment, kind=PgCall.Kind.RETRIEVE)


@pytest.mark.django_db
def test_a_payment_with_recorded_pg_calls_cannot_be_deleted(payment):
    PgCall.objects.create(payment=payment, kind=PgCall.Kind.REGISTER)

    with pytest.raises(ProtectedError):
        payment.delete()


@pytest.mark.django_db
def test_a_pg_call_keeps_its_masked_request_and_response(payment):
    call = PgCall.objects.create(
        payment=payment,
        kind=PgCall.Kind.APPROVE,
        shop_transaction_id="k-3",
        request={"shopOrderNo": payment.shop_order_no, "authorizationId": "1" * 20},
    )
    PgCall.objects.filter(pk=call.pk).update(
        response={
            "resCd": "0000",
            "amount": 15000,
            "paymentInfo": {"cardInfo": {"cardNo": "4119****"}},
        },
        outcome=PgCall.Outcome.OK,
        http_status=200,
        res_cd="0000",
        res_msg="MPI결제 정상",
        latency_ms=120,
    )

    call.refresh_from_db()
    assert call.response["paymentInfo"]["cardInfo"]["cardNo"] == "4119****"
    assert call.request["authorizationId"] == "1" * 20
    assert call.res_msg == "MPI결제 정상"


# ------------------------------------------------------------------------------
# Notification (노티)
# ------------------------------------------------------------------------------
def _noti(status=Notification.Status.RECEIVED, **fields):
    fields = {"noti_type": "10", "pg_cno": "24081308560510790235", **fields}
    return Notification.objects.create(raw_body=b"{}", status=status, **fields)


@pytest.mark.django_db
def test_a_repeated_noti_is_stored_every_time():
    _noti()
    _noti()
    _noti(status=Notification.Status.PROCESSED)
    _noti(status=Notification.Status.DUPLICATE)

    assert Notification.objects.count() == 4


@pytest.mark.django_db
def test_a_repeated_noti_is_applied_once():
    _noti(status=Notification.Status.PROCESSED)
    second = _noti()

    second.status = Notification.Status.PROCESSED
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.django_db
def test_two_partial_cancels_of_one_payment_are_two_notis():
    _noti(noti_type="20", cancel_pg_cno="24081310000000000001", status="processed")
    _noti(noti_type="20", cancel_pg_cno="24081310000000000002", status="processed")
    _noti(noti_type="10", status="processed")

    assert Notification.objects.filter(status="processed").count() == 3


# ------------------------------------------------------------------------------
# Cancellation
# ------------------------------------------------------------------------------
def _cancel(payment, **fields):
    fields = {
        "revise_type_code": Cancellation.ReviseType.PARTIAL_CARD,
        "amount": 1000,
        "remaining_before": payment.remaining_amount,
        "origin": Cancellation.Origin.ADMIN,
        **fields,
    }
    return Cancellation.objects.create(payment=payment, **fields)


@pytest.mark.django_db
def test_a_cancel_cannot_exceed_what_remained(payment):
    with pytest.raises(IntegrityError), transaction.atomic():
        _cancel(payment, amount=payment.amount + 1, remaining_before=payment.amount)


@pytest.mark.django_db
def test_a_cancel_of_nothing_is_refused(payment):
    with pytest.raises(IntegrityError), transaction.atomic():
        _cancel(payment, amount=0)


@pytest.mark.django_db
def test_one_kicc_cancel_is_recorded_once(payment):
    """The revise answer and the 노티 20 of the same cancel carry the same cancelPgCno."""
    _cancel(payment, cancel_pg_cno="24081310000000000001")
    _cancel(payment)  # still requested: no cancelPgCno yet
    _cancel(payment)

    with pytest.raises(IntegrityError), transaction.atomic():
        _cancel(payment, cancel_pg_cno="24081310000000000001")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "partial", "cancel_type"),
    [("40", False, "40"), ("32", True, "41"), ("33", True, "41")],
)
def test_a_cancel_speaks_kiccs_codes_and_the_seeds_vocabulary(payment, code, partial, cancel_type):
    cancel = _cancel(payment, revise_type_code=code)

    assert cancel.is_partial is partial
    assert cancel.cancel_type == cancel_type


# ------------------------------------------------------------------------------
# AdminAuditLog
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_audit_log_outlives_the_admin_account(payment, django_user_model):
    admin = django_user_model.objects.create_user("staff")
    entry = AdminAuditLog.objects.create(
        actor=admin,
        actor_repr=admin.username,
        action="cancel_requested",
        payment=payment,
        detail={"amount": 1000},
    )

    admin.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert str(entry) == "staff cancel_requested"
