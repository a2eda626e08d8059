"""The admin names each payment by its method's own details (wallet, bank, carrier) in the
list, on the payment's page and in the CSV — and never shows a full mobile number or refund
account number, wherever the admin would otherwise print one."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from easypay.models import Cancellation, Notification

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:payments_payment_changelist"
MOBILE_NO = "01098765432"  # what a mobile payment's 노티 10 carries in full (§8.1)
ACCOUNT = "110123456789"


@pytest.fixture
def mobile(make_payment):
    return make_payment(
        status="paid",
        pg_cno="26040100000000000101",
        pay_method_type_code="31",
        method_details={
            "pay_method_type_code": "31",
            "mobile_carrier": "LGT",
            "mobile_no_masked": "010-****-5432",
        },
        paid_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    )


@pytest.fixture
def wallet(make_payment):
    """An easy-pay payment KICC reported as a card paid through a wallet (11 + cpCode)."""
    return make_payment(
        status="paid",
        pg_cno="26040100000000000102",
        pay_method_type_code="11",
        method_details={
            "pay_method_type_code": "11",
            "cp_code": "KKO",
            "card_issuer_name": "TestCard",
        },
    )


def test_the_list_names_each_method_with_its_own_details(admin_client, mobile, wallet):
    response = admin_client.get(reverse(CHANGELIST))

    assert '<td class="field-pay_method">휴대폰 (LG U+ 010-****-5432)</td>' in response.text
    assert '<td class="field-pay_method">간편 결제 (카카오페이)</td>' in response.text


def test_the_method_filter_lists_a_wallet_as_the_column_names_it(admin_client, mobile, wallet):
    with CaptureQueriesContext(connection) as queries:
        listed = admin_client.get(reverse(CHANGELIST))
    easy_pay = admin_client.get(reverse(CHANGELIST), {"pay_method_type_code": "60"})
    card = admin_client.get(reverse(CHANGELIST), {"pay_method_type_code": "11"})

    filters = listed.text[listed.text.index('id="changelist-filter"') :]
    assert 'href="?pay_method_type_code=60">간편 결제</a>' in filters
    assert [p.pk for p in easy_pay.context["cl"].result_list] == [wallet.pk]
    assert list(card.context["cl"].result_list) == []
    # the choices are every method, not a SELECT DISTINCT over every payment
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


def test_the_change_page_names_the_method_and_not_its_stored_json(admin_client, mobile):
    response = admin_client.get(reverse("admin:payments_payment_change", args=[mobile.pk]))

    assert "휴대폰 (LG U+ 010-****-5432)" in response.text
    assert "mobile_no_masked" not in response.text  # method_details is not shown raw


def test_the_csv_names_each_method_with_its_own_details(admin_client, mobile, wallet):
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [mobile.pk, wallet.pk]},
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["결제수단"] for row in rows) == [
        "간편 결제 (카카오페이)",
        "휴대폰 (LG U+ 010-****-5432)",
    ]


@pytest.fixture
def refund(mobile):
    return Cancellation.objects.create(
        payment=mobile,
        revise_type_code="60",
        revise_sub_type_code="RF01",
        amount=15000,
        remaining_before=15000,
        origin="admin",
        status="accepted",
        pg_cno=mobile.pg_cno,
        refund_bank_code="088",
        refund_account_no=ACCOUNT,
        refund_depositor_name="홍길동",
    )


@pytest.mark.parametrize(
    "page",
    [
        lambda refund: reverse("admin:easypay_cancellation_change", args=[refund.pk]),
        lambda refund: reverse("admin:payments_payment_change", args=[refund.payment_id]),
    ],
    ids=["the cancellation's page", "the payment's inline"],
)
def test_a_refund_account_is_shown_masked_with_its_bank_and_holder(admin_client, refund, page):
    response = admin_client.get(page(refund))

    assert response.status_code == 200
    assert "088 ********6789 (홍길동)" in response.text  # a bank code the shop has no name for
    assert ACCOUNT not in response.text


def test_a_notis_body_is_shown_with_the_mobile_number_masked(admin_client, mobile):
    body = {"notiType": "10", "pgCno": mobile.pg_cno, "mobileNo": MOBILE_NO, "mobileCd": "LGT"}
    noti = Notification.objects.create(
        raw_body=json.dumps(body).encode(), noti_type="10", pg_cno=mobile.pg_cno, payment=mobile
    )

    response = admin_client.get(reverse("admin:easypay_notification_change", args=[noti.pk]))

    assert "010-****-5432" in response.text
    assert MOBILE_NO not in response.text
    assert "LGT" in response.text


def test_a_body_that_is_not_json_is_shown_with_card_numbers_masked(admin_client, mobile):
    noti = Notification.objects.create(
        raw_body=b"cardNo=4111111111111111&x=1", pg_cno=mobile.pg_cno, payment=mobile
    )

    response = admin_client.get(reverse("admin:easypay_notification_change", args=[noti.pk]))

    assert "411111******1111" in response.text
    assert "4111111111111111" not in response.text
