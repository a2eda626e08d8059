"""The shop's Product and Payment: the money rules the database itself enforces."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from apps.payments.models import Payment, Product
from easypay.models import get_payment_model

pytestmark = pytest.mark.django_db


def test_a_payment_knows_its_buyers_phone_and_product_name(payment):
    """What the seed's receivers read (docs/signals-and-receivers.md)."""
    payment = Payment.objects.get(pk=payment.pk)

    assert payment.user.phone == "01012345678"
    assert payment.product.name == "테스트 상품"
    assert payment.amount == 15000
    assert payment.status == Payment.Status.PENDING


def test_the_shops_payment_is_easypays_payment_model():
    assert get_payment_model() is Payment


def test_every_payment_gets_its_own_unguessable_token(make_payment):
    first, second = make_payment(), make_payment()

    assert first.public_token != second.public_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first.public_token)  # 256 random bits


def test_two_payments_cannot_share_a_token(payment, make_payment):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(public_token=payment.public_token)


def test_a_payment_gets_a_valid_order_number_by_default(payment):
    assert re.fullmatch(r"\d{8}-[0-9A-F]{16}", payment.shop_order_no)
    payment.full_clean()


def test_two_payments_cannot_share_an_order_number(payment, make_payment):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(shop_order_no=payment.shop_order_no)


@pytest.mark.parametrize("order_no", ["주문-1", "ORD 1", "ORD;1", "ORD|1", "A" * 41, ""])
def test_an_order_number_outside_kiccs_alphabet_is_invalid(payment, order_no):
    payment.shop_order_no = order_no

    with pytest.raises(ValidationError) as error:
        payment.full_clean()

    assert "shop_order_no" in error.value.message_dict


def test_remaining_amount_is_what_was_not_cancelled_yet(make_payment):
    payment = make_payment(amount=39000, cancelled_amount=4000)

    assert payment.remaining_amount == 35000


# Each row breaks one rule; .update() skips Python so only the database stands in the way.
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"amount": 0}, id="amount-zero"),
        pytest.param({"cancelled_amount": 15001}, id="cancelled-more-than-paid"),
        pytest.param({"status": "refunded"}, id="status-not-in-the-lifecycle"),
        pytest.param({"status": "paid"}, id="paid-without-pg-cno"),
        pytest.param({"status": "awaiting_deposit"}, id="va-without-pg-cno"),
        pytest.param(
            {"status": "paid", "pg_cno": "1", "cancelled_amount": 1}, id="paid-but-cancelled"
        ),
        pytest.param(
            {"status": "partially_cancelled", "pg_cno": "1"}, id="partial-cancel-of-nothing"
        ),
        pytest.param(
            {"status": "partially_cancelled", "pg_cno": "1", "cancelled_amount": 15000},
            id="partial-cancel-of-everything",
        ),
    ],
)
def test_the_database_refuses_a_payment_that_breaks_a_money_rule(payment, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(**change)


@pytest.mark.parametrize(
    "change",
    [
        {"status": "paid", "pg_cno": "1"},
        {"status": "partially_cancelled", "pg_cno": "1", "cancelled_amount": 14999},
        {"status": "cancelled", "pg_cno": "1", "cancelled_amount": 15000},
        {"status": "failed", "failure_code": "8521"},
        {"status": "unknown"},
    ],
)
def test_the_database_accepts_a_payment_that_keeps_the_rules(payment, change):
    assert Payment.objects.filter(pk=payment.pk).update(**change) == 1


def test_one_kicc_approval_belongs_to_one_payment(make_payment):
    make_payment(pg_cno="24081308560510790235")
    make_payment()  # payments without a pgCno yet do not collide
    make_payment()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(pg_cno="24081308560510790235")


def test_a_product_with_payments_cannot_be_deleted(payment):
    with pytest.raises(ProtectedError):
        payment.product.delete()


def test_a_buyer_with_payments_cannot_be_deleted(payment):
    with pytest.raises(ProtectedError):
        payment.user.delete()


# ------------------------------------------------------------------------------
# Querysets for reconcile
# ------------------------------------------------------------------------------
def _aged(payment, **fields):
    Payment.objects.filter(pk=payment.pk).update(**fields)
    return payment


def test_stale_approving_finds_approvals_older_than_the_limit(make_payment):
    now = timezone.now()
    stale = _aged(make_payment(), status="approving", approving_at=now - timedelta(minutes=5))
    _aged(make_payment(), status="approving", approving_at=now - timedelta(seconds=10))
    _aged(make_payment(), status="paid", pg_cno="1", approving_at=now - timedelta(hours=1))

    found = Payment.objects.stale_approving(timedelta(minutes=2))

    assert list(found) == [stale]


def test_unknown_finds_the_payments_whose_outcome_is_unknown(make_payment):
    unknown = _aged(make_payment(), status="unknown")
    make_payment()

    assert list(Payment.objects.unknown()) == [unknown]


def test_abandoned_pending_finds_old_unfinished_checkouts(make_payment):
    now = timezone.now()
    old = _aged(make_payment(), created_at=now - timedelta(hours=2))
    make_payment()  # just created
    _aged(make_payment(), status="failed", created_at=now - timedelta(hours=2))

    assert list(Payment.objects.abandoned_pending(timedelta(hours=1))) == [old]


def test_overdue_deposits_finds_virtual_accounts_past_their_expiry(make_payment):
    now = timezone.now()
    overdue = _aged(
        make_payment(),
        status="awaiting_deposit",
        pg_cno="1",
        va_expires_at=now - timedelta(minutes=1),
    )
    _aged(
        make_payment(), status="awaiting_deposit", pg_cno="2", va_expires_at=now + timedelta(days=1)
    )

    assert list(Payment.objects.overdue_deposits()) == [overdue]
    assert Payment.objects.overdue_deposits(at=now + timedelta(days=2)).count() == 2


# ------------------------------------------------------------------------------
# Product, permission, demo fixture
# ------------------------------------------------------------------------------
def test_a_product_must_cost_something():
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(name="무료", price=0)


def test_active_lists_only_products_on_sale():
    on_sale = Product.objects.create(name="판매 중", price=1000)
    Product.objects.create(name="판매 중지", price=1000, active=False)

    assert list(Product.objects.active()) == [on_sale]


def test_the_cancel_permission_exists_for_the_admin_action():
    permission = Permission.objects.get(
        codename="cancel_payment", content_type__app_label="payments"
    )

    assert permission.name == "결제 취소 가능"


def test_the_demo_products_load_with_korean_names_and_kicc_safe_values():
    call_command("loaddata", "demo_products", verbosity=0)
    call_command("loaddata", "demo_products", verbosity=0)  # loading again changes nothing

    products = list(Product.objects.order_by("price"))
    assert [p.price for p in products] == [1000, 15000, 39000]
    for product in products:
        assert product.active
        assert any("가" <= ch <= "힣" for ch in product.name)
        # goodsName: 50 bytes, and none of §2's forbidden characters.
        assert len(product.name.encode()) <= 50
        assert not set(product.name) & set("'\"<>\\;|&\r\n")


@pytest.mark.parametrize(
    ("status", "paid", "has_receipt"),
    [
        ("paid", True, True),
        ("partially_cancelled", True, True),
        ("cancelled", True, True),
        ("cancelled", False, False),  # a virtual account voided before any deposit
        ("awaiting_deposit", False, False),
        ("unknown", False, False),
        ("pending", False, False),
    ],
)
def test_a_receipt_is_for_money_that_moved(status, paid, has_receipt):
    payment = Payment(status=status, paid_at=timezone.now() if paid else None)

    assert payment.has_receipt is has_receipt
