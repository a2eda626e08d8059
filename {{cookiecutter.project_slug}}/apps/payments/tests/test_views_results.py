"""The result page (by token, owner or staff only), my payments and receipts."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PAID_AT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 2026-04-01 08:30 in Seoul


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", phone="01012345678")


@pytest.fixture
def paid(make_payment, buyer):
    return make_payment(
        user=buyer,
        status="paid",
        amount=15000,
        pg_cno="26040108300012345678",
        pay_method_type_code="11",
        approval_no="30012345",
        card_no_masked="5365101234567890",  # stored unmasked by mistake: never shown so
        card_issuer_name="신한카드",
        paid_at=PAID_AT,
    )


def detail(payment):
    return reverse("payments:detail", args=[payment.public_token])


def test_the_owner_sees_a_paid_payment_with_amount_masked_card_and_approval_number(
    client, buyer, paid
):
    client.force_login(buyer)

    response = client.get(detail(paid))

    assert response.status_code == 200
    assert "결제가 완료되었습니다" in response.text
    assert "15,000원" in response.text
    assert "536510******7890" in response.text
    assert "5365101234567890" not in response.text
    assert "30012345" in response.text
    assert "2026-04-01 08:30" in response.text  # KST
    assert reverse("payments:receipt", args=[paid.public_token]) in response.text


@pytest.mark.parametrize("page", ["payments:detail", "payments:receipt"])
def test_a_payment_never_cancelled_costs_the_page_no_query_for_cancels(client, buyer, paid, page):
    """The session, the user and the payment — whether it has cancels is read with it."""
    client.force_login(buyer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(page, args=[paid.public_token]))

    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 3, statements
    assert not [sql for sql in statements if sql.startswith('SELECT "easypay_cancellation"')]


def test_another_buyer_gets_not_found_as_if_the_token_did_not_exist(
    client, django_user_model, paid
):
    client.force_login(django_user_model.objects.create_user("stranger"))

    assert client.get(detail(paid)).status_code == 404
    assert client.get(reverse("payments:receipt", args=[paid.public_token])).status_code == 404
    assert client.get(reverse("payments:detail", args=["no-such-token"])).status_code == 404


def test_staff_who_may_view_payments_may_see_anyones_payment(client, django_user_model, paid):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)

    assert client.get(detail(paid)).status_code == 200
    assert client.get(reverse("payments:receipt", args=[paid.public_token])).status_code == 200


def test_staff_without_the_view_permission_see_only_their_own(client, django_user_model, paid):
    client.force_login(django_user_model.objects.create_user("intern", is_staff=True))

    assert client.get(detail(paid)).status_code == 404
    assert client.get(reverse("payments:receipt", args=[paid.public_token])).status_code == 404


def test_a_visitor_is_sent_to_log_in_first(client, paid):
    response = client.get(detail(paid))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_failed_payment_shows_the_reason_and_a_way_to_try_again(client, buyer, make_payment):
    payment = make_payment(
        user=buyer, status="failed", failure_code="8521", failure_message="한도 초과"
    )
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "결제에 실패했습니다" in response.text
    assert "한도 초과" in response.text
    assert reverse("payments:product", args=[payment.product_id]) in response.text
    assert "영수증 보기" not in response.text


def test_a_partially_cancelled_payment_shows_what_was_cancelled_and_what_remains(
    client, buyer, make_payment
):
    payment = make_payment(
        user=buyer,
        status="partially_cancelled",
        amount=15000,
        cancelled_amount=4000,
        pg_cno="26040108300012345679",
        paid_at=PAID_AT,
    )
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "결제의 일부가 취소되었습니다" in response.text
    assert "4,000원" in response.text
    assert "11,000원" in response.text


def test_a_cancelled_payment_says_so(client, buyer, make_payment):
    payment = make_payment(
        user=buyer,
        status="cancelled",
        amount=15000,
        cancelled_amount=15000,
        pg_cno="26040108300012345670",
        paid_at=PAID_AT,
    )
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "결제가 취소되었습니다" in response.text
    assert "15,000원" in response.text


def test_an_awaiting_deposit_payment_shows_bank_account_depositor_and_deadline(
    client, buyer, make_payment
):
    payment = make_payment(
        user=buyer,
        status="awaiting_deposit",
        pg_cno="26040108300012345671",
        va_bank_name="국민은행",
        va_account_no="12345678901234",
        va_depositor_name="이지샵",
        va_expires_at=datetime(2026, 4, 3, 14, 59, tzinfo=UTC),
    )
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "입금을 기다리고 있습니다" in response.text
    assert "국민은행" in response.text
    assert "12345678901234" in response.text
    assert "이지샵" in response.text
    assert "2026-04-03 23:59" in response.text  # the deadline in KST


@pytest.mark.parametrize("status", ["unknown", "approving"])
def test_an_undecided_payment_says_it_is_being_checked_and_refreshes_itself(
    client, buyer, make_payment, status
):
    payment = make_payment(user=buyer, status=status)
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "결제 결과를 확인하고 있습니다" in response.text
    assert '<meta http-equiv="refresh"' in response.text


def test_a_pending_payment_offers_to_reopen_the_window_without_refreshing(
    client, buyer, make_payment
):
    payment = make_payment(
        user=buyer, auth_page_url="https://pg.example/view/trades/cert-req.do?authorizationId=1"
    )
    client.force_login(buyer)

    response = client.get(detail(payment))

    assert "결제가 아직 끝나지 않았습니다" in response.text
    assert "결제창 다시 열기" in response.text
    assert "refresh" not in response.text


def test_the_result_page_speaks_english_when_asked(client, buyer, paid):
    client.force_login(buyer)

    response = client.get(detail(paid), headers={"accept-language": "en"})

    assert '<html lang="en">' in response.text
    assert "Log out" in response.text
    with translation.override("en"):
        assert translation.gettext("결제가 완료되었습니다") in response.text


def test_my_payments_lists_only_mine_with_won_amounts_kst_times_and_receipt_links(
    client, buyer, paid, make_payment
):
    pending = make_payment(user=buyer, amount=1000)
    someone_elses = make_payment(amount=2000, goods_name="남의 상품")
    client.force_login(buyer)

    response = client.get(reverse("payments:mine"))

    assert response.status_code == 200
    assert "내 결제 내역" in response.text
    assert "15,000원" in response.text and "1,000원" in response.text
    assert "남의 상품" not in response.text
    assert detail(pending) in response.text
    assert detail(someone_elses) not in response.text
    assert reverse("payments:receipt", args=[paid.public_token]) in response.text
    assert reverse("payments:receipt", args=[pending.public_token]) not in response.text


def test_my_payments_needs_a_login(client):
    response = client.get(reverse("payments:mine"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_receipt_shows_kst_time_masked_card_cancellations_and_the_final_amount(
    client, buyer, make_payment
):
    from easypay.models import Cancellation

    payment = make_payment(
        user=buyer,
        status="partially_cancelled",
        amount=39000,
        cancelled_amount=9000,
        pg_cno="26040108300012345672",
        pay_method_type_code="11",
        card_no_masked="536510******7890",
        approval_no="30012346",
        paid_at=PAID_AT,
    )
    Cancellation.objects.create(
        payment=payment,
        revise_type_code="32",
        amount=9000,
        remaining_before=39000,
        remaining_after=30000,
        origin="admin",
        status="done",
        finished_at=datetime(2026, 4, 1, 15, 10, tzinfo=UTC),
    )
    client.force_login(buyer)

    response = client.get(reverse("payments:receipt", args=[payment.public_token]))

    assert response.status_code == 200
    assert "영수증" in response.text
    assert "2026-04-01 08:30" in response.text  # paid, KST
    assert "2026-04-02 00:10" in response.text  # cancelled, KST: already the next day
    assert "39,000원" in response.text
    assert "9,000원" in response.text
    assert "30,000원" in response.text
    assert "536510******7890" in response.text
    assert "신용카드" in response.text


def test_there_is_no_receipt_before_money_moved(client, buyer, make_payment):
    payment = make_payment(user=buyer)
    client.force_login(buyer)

    response = client.get(reverse("payments:receipt", args=[payment.public_token]))

    assert response.status_code == 404
