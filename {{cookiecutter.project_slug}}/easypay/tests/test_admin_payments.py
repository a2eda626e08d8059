"""The payment admin (PaymentAdminMixin): read-only pages with badges, KRW and masked cards,
KST totals, CSV export, the cancel page's permission — and no PG call while rendering."""

import csv
import io
import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from easypay.exports import spreadsheet_safe
from easypay.models import Cancellation, Notification, PgCall
from easypay.tests.client_helpers import closed_port_url
from easypay.totals import payment_totals

pytestmark = pytest.mark.django_db

_pg_cnos = itertools.count(26040100000000000001)


@pytest.fixture
def make_paid(make_payment):
    def make(**fields):
        fields.setdefault("status", "paid")
        fields.setdefault("pg_cno", str(next(_pg_cnos)))
        fields.setdefault("paid_at", datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
        return make_payment(**fields)

    return make


@pytest.fixture
def paid(make_paid):
    payment = make_paid(
        amount=15000,
        pay_method_type_code="11",
        approval_no="30012345",
        card_no_masked="5365101234567890",
        card_issuer_name="신한카드",
    )
    approve = PgCall.objects.create(
        payment=payment, kind=PgCall.Kind.APPROVE, shop_transaction_id="t-approve-1"
    )
    Notification.objects.create(
        raw_body=b"{}", noti_type="10", pg_cno=payment.pg_cno, payment=payment
    )
    Cancellation.objects.create(
        payment=payment,
        revise_type_code="32",
        amount=1,
        remaining_before=15000,
        origin="admin",
        status="failed",
        pg_call=approve,
    )
    return payment


def change_url(payment):
    return reverse("admin:payments_payment_change", args=[payment.pk])


def cancel_url(payment):
    return reverse("admin:payments_payment_cancel", args=[payment.pk])


CHANGELIST = "admin:payments_payment_changelist"


@pytest.fixture
def clerk(django_user_model):
    """Staff who may look at payments but not cancel them."""
    user = django_user_model.objects.create_user("clerk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_payment"))
    return user


# --- the pages ----------------------------------------------------------------------
def test_the_list_shows_status_badges_won_amounts_masked_cards_and_pg_ids(admin_client, paid):
    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert 'class="easypay-status easypay-status-paid"' in response.text
    assert "결제 완료" in response.text
    assert "15,000원" in response.text
    assert paid.pg_cno in response.text
    assert "536510******7890" in response.text
    assert "5365101234567890" not in response.text


def test_the_change_page_is_read_only_with_the_pg_records_inline(admin_client, paid):
    response = admin_client.get(change_url(paid))

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    assert "t-approve-1" in response.text  # PG call inline
    assert "부분 취소 (카드)" in response.text  # cancel inline
    assert 'name="_save"' not in response.text
    assert "536510******7890" in response.text
    assert "5365101234567890" not in response.text
    assert cancel_url(paid) in response.text


def test_the_change_pages_queries_do_not_grow_with_its_cancellations(
    admin_client, admin_user, paid
):
    def add_cancellations(count):
        call = PgCall.objects.filter(payment=paid).first()
        for _ in range(count):
            Cancellation.objects.create(
                payment=paid,
                revise_type_code="32",
                amount=1,
                remaining_before=15000,
                origin="admin",
                status="failed",
                requested_by=admin_user,
                pg_call=call,
            )

    add_cancellations(1)
    admin_client.get(change_url(paid))  # warm up: caches filled on the first page
    with CaptureQueriesContext(connection) as one:
        admin_client.get(change_url(paid))
    add_cancellations(4)
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(change_url(paid))

    assert response.status_code == 200
    assert response.text.count(f'/change/">{admin_user}</a>') == 5  # the requested_by cells
    assert len(five.captured_queries) == len(one.captured_queries)
    payment_selects = [q for q in five.captured_queries if 'FROM "payments_payment"' in q["sql"]]
    assert len(payment_selects) == 1  # the buttons' flags reuse the payment the page loaded


def test_posting_the_change_form_changes_nothing(admin_client, paid):
    admin_client.post(change_url(paid), {"amount": 1, "status": "cancelled"})

    paid.refresh_from_db()
    assert (paid.amount, paid.status) == (15000, "paid")


def test_rendering_the_admin_pages_makes_no_pg_call(admin_client, paid, settings):
    # Any HTTP attempt to the PG would fail loudly on a closed port.
    settings.EASYPAY_API_URL = closed_port_url()

    pages = [reverse(CHANGELIST), change_url(paid), cancel_url(paid)]

    assert [admin_client.get(page).status_code for page in pages] == [200, 200, 200]


def test_rendering_the_admin_pages_leaves_the_emulators_request_log_unchanged(
    admin_client, paid, easypay_emulator
):
    before = len(easypay_emulator.requests())

    for page in [reverse(CHANGELIST), change_url(paid), cancel_url(paid)]:
        admin_client.get(page)

    assert len(easypay_emulator.requests()) == before


def test_the_cancel_page_shows_the_remaining_amount_and_asks_for_amount_and_reason(
    admin_client, make_paid
):
    payment = make_paid(status="partially_cancelled", amount=39000, cancelled_amount=9000)

    response = admin_client.get(cancel_url(payment))

    assert response.status_code == 200
    assert "결제 취소 확인" in response.text
    assert "30,000원" in response.text
    assert 'name="amount"' in response.text and 'value="30000"' in response.text
    assert 'name="reason"' in response.text


def test_a_pending_payment_has_no_cancel_page(admin_client, payment):
    response = admin_client.get(cancel_url(payment))

    assert response.status_code == 302
    assert response.url == change_url(payment)


# --- permission ---------------------------------------------------------------------
def test_staff_without_the_cancel_permission_cannot_open_the_cancel_page(client, clerk, paid):
    client.force_login(clerk)

    change_page = client.get(change_url(paid))
    cancel_page = client.get(cancel_url(paid))
    posted = client.post(cancel_url(paid), {"amount": 15000, "reason": "고객 요청"})

    assert change_page.status_code == 200
    assert cancel_url(paid) not in change_page.text
    assert cancel_page.status_code == 403
    assert posted.status_code == 403
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_the_cancel_action_is_offered_only_with_the_cancel_permission(client, clerk, paid):
    client.force_login(clerk)
    without = client.get(reverse(CHANGELIST))
    clerk.user_permissions.add(Permission.objects.get(codename="cancel_payment"))
    with_permission = client.get(reverse(CHANGELIST))

    assert "cancel_selected" not in without.text
    assert "export_csv" in without.text
    assert "cancel_selected" in with_permission.text


def test_the_cancel_permission_is_named_in_korean():
    permission = Permission.objects.get(codename="cancel_payment")

    assert permission.content_type.app_label == "payments"
    assert permission.name == "결제 취소 가능"


def test_the_cancel_action_sends_one_payment_to_its_confirmation_page(
    admin_client, paid, make_paid
):
    other = make_paid()

    one = admin_client.post(
        reverse(CHANGELIST), {"action": "cancel_selected", "_selected_action": [paid.pk]}
    )
    two = admin_client.post(
        reverse(CHANGELIST),
        {"action": "cancel_selected", "_selected_action": [paid.pk, other.pk]},
        follow=True,
    )

    assert one.status_code == 302 and one.url == cancel_url(paid)
    assert "한 번에 한 건씩" in two.text


# --- CSV ------------------------------------------------------------------------------
def test_the_csv_export_has_korean_headers_kst_times_masked_cards_and_won_integers(
    admin_client, paid
):
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [paid.pk]}
    )

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="payments-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Hangul right
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    record = dict(zip(header, row, strict=True))
    assert record["주문번호"] == paid.shop_order_no
    assert record["상태"] == "결제 완료"
    assert record["결제 금액"] == "15000"
    assert record["카드번호 (마스킹)"] == "536510******7890"
    assert record["결제 완료 시각 (KST)"] == "2026-04-01 08:30"
    assert record["PG 거래번호"] == paid.pg_cno
    assert record["구매자"] == paid.user.username
    assert "5365101234567890" not in text


def test_the_csv_export_defuses_cells_that_a_spreadsheet_would_run(
    admin_client, make_paid, django_user_model
):
    payment = make_paid(
        goods_name='=HYPERLINK("http://evil.example","x")',
        user=django_user_model.objects.create_user("@buyer"),
    )

    response = admin_client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [payment.pk]}
    )

    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    record = dict(zip(header, row, strict=True))
    assert record["상품명"] == '\'=HYPERLINK("http://evil.example","x")'
    assert record["구매자"] == "'@buyer"


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+82", "'+82"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("커피 =1", "커피 =1"),
        (-5, -5),
        (None, ""),
    ],
)
def test_spreadsheet_safe_prefixes_only_text_starting_with_a_formula_character(value, safe):
    assert spreadsheet_safe(value) == safe


# --- totals in KST ----------------------------------------------------------------------
# 15:30 UTC on April 1st is 00:30 on Thursday April 2nd in Seoul.
NEAR_MIDNIGHT_UTC = datetime(2026, 4, 1, 15, 30, tzinfo=UTC)


@pytest.fixture
def takings(make_paid, make_payment):
    make_paid(amount=1000, paid_at=datetime(2026, 4, 1, 15, 10, tzinfo=UTC))  # KST Apr 2 00:10
    make_paid(  # KST Apr 1 23:50: "today" in UTC, yesterday in Seoul
        status="partially_cancelled",
        amount=2000,
        cancelled_amount=500,
        paid_at=datetime(2026, 4, 1, 14, 50, tzinfo=UTC),
    )
    make_paid(amount=4000, paid_at=datetime(2026, 3, 29, 15, 30, tzinfo=UTC))  # Mon Mar 30 00:30
    make_paid(amount=8000, paid_at=datetime(2026, 3, 29, 14, 30, tzinfo=UTC))  # Sun Mar 29 23:30
    make_payment(amount=16000)  # never paid


@time_machine.travel(NEAR_MIDNIGHT_UTC, tick=False)
def test_totals_count_days_weeks_and_months_from_midnight_in_seoul(takings):
    from apps.payments.models import Payment

    today, week, month = payment_totals(Payment.objects.all())

    assert (today.count, today.amount, today.net) == (1, 1000, 1000)
    assert (week.count, week.amount, week.cancelled, week.net) == (3, 7000, 500, 6500)
    assert (month.count, month.amount, month.net) == (2, 3000, 2500)
    assert today.start.isoformat() == "2026-04-02T00:00:00+09:00"
    assert week.start.isoformat() == "2026-03-30T00:00:00+09:00"
    assert month.start.isoformat() == "2026-04-01T00:00:00+09:00"


@time_machine.travel(NEAR_MIDNIGHT_UTC, tick=False)
def test_the_list_page_shows_the_kst_totals_above_the_list(admin_client, takings):
    response = admin_client.get(reverse(CHANGELIST))

    totals = response.context["payment_totals"]
    assert [t.net for t in totals] == [1000, 6500, 2500]
    assert "매출 요약 (KST, 결제 완료 시각 기준)" in response.text
    assert "6,500원" in response.text
    assert "2026-04-02~" in response.text


def test_an_unpaid_virtual_account_can_only_be_cancelled_whole(admin_client, make_paid):
    payment = make_paid(status="awaiting_deposit", amount=39000, paid_at=None)

    page = admin_client.get(cancel_url(payment))

    form = page.context["form"]
    assert form.fields["amount"].disabled
    assert form.initial["amount"] == 39000
    assert "이 결제는 전체 취소만 할 수 있습니다." in page.text


@pytest.mark.parametrize(
    ("status", "cancelled", "balance"),
    [
        ("paid", 0, "15000"),
        ("partially_cancelled", 4000, "11000"),
        ("cancelled", 15000, "0"),
        ("failed", 0, "0"),
        ("pending", 0, "0"),
        ("awaiting_deposit", 0, "0"),
    ],
)
def test_the_csv_balance_is_what_the_buyer_paid_and_was_not_refunded(
    admin_client, make_paid, status, cancelled, balance
):
    payment = make_paid()
    type(payment).objects.filter(pk=payment.pk).update(status=status, cancelled_amount=cancelled)

    response = admin_client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [payment.pk]}
    )

    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert dict(zip(header, row, strict=True))["잔액"] == balance
