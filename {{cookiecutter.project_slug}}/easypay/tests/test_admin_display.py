"""What a merchant reads in the payment admin: won amounts, method names, Django's breadcrumbs."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from easypay.models import Cancellation

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:payments_payment_changelist"


def squeezed(html: str) -> str:
    """The page without the whitespace between tags."""
    return re.sub(r">\s+<", "><", html)


@pytest.fixture
def cancelled(make_payment):
    """A card payment of 10,000원 cancelled in full."""
    payment = make_payment(
        status="cancelled",
        amount=10000,
        cancelled_amount=10000,
        pg_cno="26040100000000000001",
        pay_method_type_code="11",
        paid_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    )
    Cancellation.objects.create(
        payment=payment,
        revise_type_code="40",
        amount=10000,
        remaining_before=10000,
        remaining_after=0,
        origin="admin",
        status="done",
    )
    return payment


def test_the_payment_page_lists_its_cancellations_in_won(admin_client, cancelled):
    response = admin_client.get(reverse("admin:payments_payment_change", args=[cancelled.pk]))

    page = squeezed(response.text)
    assert '<td class="field-amount_krw"><p>10,000원</p></td>' in page
    assert '<td class="field-remaining_after_krw"><p>0원</p></td>' in page
    assert "<p>10000</p>" not in page and "<p>0</p>" not in page


def test_the_cancellation_list_shows_won(admin_client, cancelled):
    response = admin_client.get(reverse("admin:easypay_cancellation_changelist"))

    assert '<td class="field-amount_krw">10,000원</td>' in response.text
    assert '<td class="field-remaining_before_krw">10,000원</td>' in response.text
    assert '<td class="field-remaining_after_krw">0원</td>' in response.text


def test_the_method_filter_names_the_methods_not_their_codes(admin_client, make_payment):
    make_payment(pay_method_type_code="11")
    make_payment(pay_method_type_code="22")
    make_payment()  # not paid yet: no method

    response = admin_client.get(reverse(CHANGELIST))
    card_only = admin_client.get(reverse(CHANGELIST), {"pay_method_type_code": "22"})

    filters = response.text[response.text.index('id="changelist-filter"') :]
    assert 'href="?pay_method_type_code=11">신용카드</a>' in filters
    assert 'href="?pay_method_type_code=22">가상계좌</a>' in filters
    assert ">11</a>" not in filters and ">22</a>" not in filters
    assert card_only.context["cl"].result_count == 1


def test_the_cancel_page_has_django_admins_breadcrumbs(admin_client, make_payment):
    payment = make_payment(status="paid", pg_cno="26040100000000000002")

    response = admin_client.get(reverse("admin:payments_payment_cancel", args=[payment.pk]))

    assert '<ol class="breadcrumbs">' in response.text
    assert '<li aria-current="page">결제 취소 확인</li>' in response.text
    assert "&rsaquo;" not in response.text
    change = reverse("admin:payments_payment_change", args=[payment.pk])
    assert f'<li><a href="{change}">{payment}</a></li>' in response.text
    assert 'value="취소 실행"' in response.text
    assert f'<a href="{change}" class="closelink">' in response.text
