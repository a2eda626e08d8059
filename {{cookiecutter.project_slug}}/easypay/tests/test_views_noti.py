"""The 노티 endpoint (easypay:noti): KICC's webhooks, delivered by the emulator over real HTTP
to a live server, and a few hand-made deliveries for what the emulator cannot send."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from easypay import kst, services
from easypay.client import new_shop_transaction_id
from easypay.models import Cancellation, Notification, PgCall
from easypay.services.cancellation import void_approval
from easypay.tests.contract_helpers import client_for
from easypay.tests.service_helpers import (
    KICC_IP,
    noti_of,
    notis_sunk,
    pay,
    post_noti,
    recorded_signals,
    window,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_noti(easypay_emulator, live_server, settings):
    """Call it to have the emulator's 노티 delivered to our live server from then on (its
    address, 127.0.0.1, is allowed). Called only while the test itself does not touch the
    database: on SQLite the live server shares the test's connection, so 노티 handled while
    the test thread writes would interleave on it (PostgreSQL races: test_concurrency_postgres)."""
    settings.EASYPAY_NOTI_ALLOWED_IPS = ["127.0.0.1"]
    url = live_server.url + reverse("easypay:noti")

    def start():
        easypay_emulator.set_noti_url(url, retry_seconds=0.2, max_retries=3)

    return start


@pytest.fixture
def noti_sink(easypay_emulator):
    """The emulator's 노티 are recorded, not delivered: the test delivers them itself, in the
    test thread, because handling one can make KICC send another (a void's 20) — two
    live-server requests at once would share the test's one SQLite connection."""
    with notis_sunk(easypay_emulator):
        yield


def deliveries(emulator, noti_type, count, acked=True):
    attempts = emulator.wait_for_notis(count, acked=acked, timeout=10)
    return [attempt for attempt in attempts if attempt["noti_type"] == noti_type]


def test_a_deposit_noti_pays_a_virtual_account_once(easypay_emulator, live_noti, payment):
    waiting = pay(easypay_emulator, payment, "approve_va")
    assert waiting.status == "awaiting_deposit"
    live_noti()

    with recorded_signals() as log:
        easypay_emulator.deposit(payment.shop_order_no)
        (delivery,) = deliveries(easypay_emulator, "30", 1)

    waiting.refresh_from_db()
    assert delivery["acked"] and delivery["http_status"] == 200
    assert waiting.status == "paid"
    approved = log.only("approved")
    assert approved["pg_tid"] == waiting.pg_cno  # the account's pgCno: what a cancel needs
    assert approved["deposit_pg_cno"] == delivery["body"]["pgCno"]
    record = Notification.objects.get(noti_type="30")
    assert (record.status, record.payment_id) == ("processed", payment.pk)


def test_a_resent_noti_is_applied_once_and_acked_both_times(easypay_emulator, live_noti, payment):
    pay(easypay_emulator, payment, "approve_va")
    live_noti()
    easypay_emulator.deposit(payment.shop_order_no)
    deliveries(easypay_emulator, "30", 1)

    with recorded_signals() as log:
        easypay_emulator.resend_noti(payment.shop_order_no, "30")
        attempts = deliveries(easypay_emulator, "30", 2)

    assert [attempt["acked"] for attempt in attempts] == [True, True]
    assert sorted(Notification.objects.values_list("status", flat=True)) == [
        "duplicate",
        "processed",
    ]
    assert log.names() == []  # applied once: no second payment_approved


def test_the_approval_noti_of_a_paid_card_is_acked_and_changes_nothing(
    easypay_emulator, live_noti, payment
):
    with recorded_signals() as log:
        paid = pay(easypay_emulator, payment)
        live_noti()
        easypay_emulator.resend_noti(payment.shop_order_no, "10")
        (delivery,) = deliveries(easypay_emulator, "10", 1)

    paid.refresh_from_db()
    assert delivery["acked"]
    assert paid.status == "paid"
    assert log.names() == ["registered", "approved"]


def test_a_cancel_made_in_kiccs_console_is_learned_from_its_noti(
    easypay_emulator, live_noti, payment
):
    paid = pay(easypay_emulator, payment)
    live_noti()

    with recorded_signals() as log:
        client_for(easypay_emulator).revise(
            shop_transaction_id=new_shop_transaction_id(),
            pg_cno=paid.pg_cno,
            revise_type_code="32",
            amount=3000,
            cancel_req_date=kst.today(),
        )
        deliveries(easypay_emulator, "20", 1)

    paid.refresh_from_db()
    cancellation = Cancellation.objects.get()
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
    assert (cancellation.origin, cancellation.amount, cancellation.status) == ("pg", 3000, "done")
    assert log.only("cancelled")["cancel_type"] == "41"


def test_the_noti_of_our_own_cancel_does_not_count_it_twice(easypay_emulator, live_noti, payment):
    paid = pay(easypay_emulator, payment)
    with recorded_signals() as log:
        services.cancel(paid, amount=2000, reason="")
        live_noti()
        easypay_emulator.resend_noti(payment.shop_order_no, "20")
        deliveries(easypay_emulator, "20", 1)

    paid.refresh_from_db()
    assert paid.cancelled_amount == 2000
    assert Cancellation.objects.count() == 1
    assert log.names() == ["cancelled"]


def test_a_noti_from_an_address_not_on_the_list_is_403_and_applies_nothing(
    easypay_emulator, payment
):
    waiting = pay(easypay_emulator, payment, "approve_va")
    forged = {
        "resCd": "0000",
        "mallId": easypay_emulator.mall_id,
        "notiType": "30",
        "pgCno": "99999999999999999999",
        "tlfSno": waiting.pg_cno,
        "shopOrderNo": payment.shop_order_no,
        "amount": str(waiting.amount),
    }

    response = post_noti(forged, remote_addr="198.51.100.9")

    waiting.refresh_from_db()
    assert response.status_code == 403
    assert waiting.status == "awaiting_deposit"
    assert Notification.objects.get().status == "ignored"  # kept as evidence


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(settings, payment):
    settings.EASYPAY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    body = {"resCd": "0000", "mallId": "OTHER", "notiType": "10", "shopOrderNo": "X"}

    behind_proxy = post_noti(body, remote_addr="10.1.2.3", HTTP_X_FORWARDED_FOR=KICC_IP)
    spoofed = post_noti(body, remote_addr="198.51.100.9", HTTP_X_FORWARDED_FOR=KICC_IP)

    assert behind_proxy.status_code == 200
    assert spoofed.status_code == 403


def test_a_noti_that_cannot_be_processed_asks_for_a_resend(db):
    response = post_noti(b"res_cd=0000^garbage")

    assert response.status_code == 200
    assert response.json()["resCd"] == "5001"
    assert Notification.objects.get().status == "failed"


def test_a_deposit_that_does_not_match_the_account_is_not_applied(easypay_emulator, payment):
    waiting = pay(easypay_emulator, payment, "approve_va")
    wrong_amount = {
        "resCd": "0000",
        "mallId": easypay_emulator.mall_id,
        "notiType": "30",
        "pgCno": "99999999999999999999",
        "tlfSno": waiting.pg_cno,
        "shopOrderNo": payment.shop_order_no,
        "amount": "1",
    }

    response = post_noti(wrong_amount)

    waiting.refresh_from_db()
    assert response.json()["resCd"] == "0000"  # nothing a resend could fix: a human looks
    assert waiting.status == "awaiting_deposit"
    held = Notification.objects.get()
    assert held.status == "held"
    assert "맞지 않음" in held.error
    assert any(
        f"노티 30 ({held.pk}) 확인 필요" in line for line in services.reconcile_all().unresolved
    )


def test_only_get_is_refused(db):
    assert Client().get(reverse("easypay:noti"), REMOTE_ADDR=KICC_IP).status_code == 405


# ------------------------------------------------------------------------------
# A 노티 10 for an order the buyer was told had failed
# ------------------------------------------------------------------------------
def failed_with_money_at_kicc(emulator, payment):
    """Approved at KICC, the answer lost, and the order marked failed anyway (a person, or a
    bug): the case a late 노티 10 reveals."""
    post = window(emulator, payment)
    emulator.inject_fault("drop_after_commit", endpoint="approve")
    services.handle_return(payment.public_token, post.fields)
    type(payment).objects.filter(pk=payment.pk).update(
        status="failed", failure_code="expired", failure_message="결제 시간이 초과되었습니다."
    )


def test_a_late_approval_noti_for_a_failed_payment_voids_the_approval_at_kicc(
    easypay_emulator, noti_sink, payment
):
    failed_with_money_at_kicc(easypay_emulator, payment)
    (sent,) = easypay_emulator.wait_for_notis(1)  # KICC's 노티 10 of the lost approval

    with recorded_signals() as log:
        # Delivered here, not by the emulator: the void makes KICC send a 노티 20 meanwhile.
        response = post_noti(sent["body"])

    payment.refresh_from_db()
    ledger = easypay_emulator.ledger(payment.shop_order_no)
    void = Cancellation.objects.get(payment=payment)
    assert sent["noti_type"] == "10"
    assert response.json()["resCd"] == "0000"
    assert ledger["status_code"] == "TS02"  # the buyer's money is given back
    assert (void.origin, void.revise_type_code, void.status) == ("system", "40", "done")
    assert (payment.status, payment.pg_cno) == ("failed", ledger["pg_cno"])
    assert payment.failure_message == "결제 시간이 초과되었습니다."  # what the buyer was told
    assert log.names() == []  # never paid in the buyer's eyes: nothing to announce
    # Confirmed with our own approve call's key before anything was cancelled (§7).
    retrieve = easypay_emulator.requests("retrieve")[0]["body"]
    approve_call = PgCall.objects.get(payment=payment, kind="approve")
    assert retrieve["shopTransactionId"] == approve_call.shop_transaction_id
    assert Notification.objects.get(noti_type="10").status == "processed"


def test_an_approval_noti_for_a_failed_payment_kicc_cannot_confirm_asks_for_a_resend(
    easypay_emulator, payment, caplog
):
    """No approve call was ever made (the buyer cancelled in the window): nothing KICC can
    confirm, so nothing is voided — 5001, an error in the log, and KICC resends (§8.1)."""
    failed = pay(easypay_emulator, payment, "user_cancel")
    stray = {
        "resCd": "0000",
        "mallId": easypay_emulator.mall_id,
        "notiType": "10",
        "pgCno": "99999999999999999999",
        "shopOrderNo": payment.shop_order_no,
        "amount": str(failed.amount),
    }

    response = post_noti(stray)

    failed.refresh_from_db()
    assert response.json()["resCd"] == "5001"
    assert failed.status == "failed" and failed.pg_cno == ""
    assert easypay_emulator.requests("revise") == []
    assert Notification.objects.get().status == "failed"
    assert "not confirmed" in caplog.text


def test_a_console_cancel_of_a_refused_void_is_recorded_and_leaves_the_report(
    easypay_emulator, live_noti, payment, settings
):
    failed_with_money_at_kicc(easypay_emulator, payment)
    pg_cno = easypay_emulator.ledger(payment.shop_order_no)["pg_cno"]
    settings.EASYPAY_SECRET_KEY = "not-the-malls-key"  # KICC refuses our revise
    void_approval(
        payment, pg_cno=pg_cno, amount=payment.amount, code="late_approval", message="x", stage="t"
    )
    settings.EASYPAY_SECRET_KEY = easypay_emulator.secret_key
    assert len(services.reconcile_all(compare=False).unresolved) == 1
    live_noti()

    client_for(easypay_emulator).revise(  # a person cancels it in KICC's console
        shop_transaction_id=new_shop_transaction_id(),
        pg_cno=pg_cno,
        revise_type_code="40",
        cancel_req_date=kst.today(),
    )
    (delivery,) = deliveries(easypay_emulator, "20", 1)

    payment.refresh_from_db()
    assert delivery["acked"]
    assert payment.status == "failed"
    console = Cancellation.objects.get(origin="pg")
    assert (console.status, console.amount) == ("done", payment.amount)
    assert services.reconcile_all(compare=False).unresolved == []


# ------------------------------------------------------------------------------
# A 노티 that moves money is confirmed by KICC (§7, with our own key), or held for a person
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("reading", ["current", "original"])
def test_a_made_up_cancel_noti_from_an_allowed_address_moves_no_money(
    easypay_emulator, payment, reading
):
    easypay_emulator.set_retrieve_status(reading)
    paid = pay(easypay_emulator, payment)
    forged = {
        "resCd": "0000",
        "mallId": easypay_emulator.mall_id,
        "notiType": "20",
        "pgCno": paid.pg_cno,
        "cancelPgCno": "99999999999999999999",
        "shopOrderNo": paid.shop_order_no,
        "cancelAmount": str(paid.amount),
        "remainAmount": "0",
        "statusCode": "TS02",
    }

    with recorded_signals() as log:
        response = post_noti(forged)

    paid.refresh_from_db()
    held = Notification.objects.get()
    assert response.json()["resCd"] == "0000"  # stored and reported: no resend needed
    assert (paid.status, paid.cancelled_amount) == ("paid", 0)
    assert easypay_emulator.ledger(paid.shop_order_no)["status_code"] == "TS03"
    assert log.names() == []
    assert held.status == "held"
    assert not Cancellation.objects.exists()
    assert any(
        f"노티 20 ({held.pk}) 확인 필요" in line for line in services.reconcile_all().unresolved
    )


@pytest.mark.parametrize("reading", ["current", "original"])
def test_a_real_console_cancel_is_applied_when_kicc_shows_it_and_held_when_it_cannot(
    easypay_emulator, noti_sink, payment, reading
):
    easypay_emulator.set_retrieve_status(reading)
    paid = pay(easypay_emulator, payment)
    easypay_emulator.console_cancel(paid.shop_order_no, 3000)

    with recorded_signals() as log:
        post_noti(noti_of(easypay_emulator, "20"))

    paid.refresh_from_db()
    if reading == "current":  # KICC's status query shows the partial cancel (TS06)
        assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
        assert log.only("cancelled")["cancel_amount"] == 3000
    else:  # it answers with the approval's own status: nothing confirms the 노티
        assert (paid.status, paid.cancelled_amount) == ("paid", 0)
        assert Notification.objects.get(noti_type="20").status == "held"
        assert log.names() == []


@pytest.mark.parametrize("reading", ["current", "original"])
def test_a_made_up_deposit_noti_pays_nothing(easypay_emulator, payment, reading):
    easypay_emulator.set_retrieve_status(reading)
    waiting = pay(easypay_emulator, payment, "approve_va")
    forged = {
        "resCd": "0000",
        "mallId": easypay_emulator.mall_id,
        "notiType": "30",
        "pgCno": "99999999999999999999",
        "tlfSno": waiting.pg_cno,
        "shopOrderNo": waiting.shop_order_no,
        "amount": str(waiting.amount),
        "accountNo": waiting.va_account_no,
    }

    with recorded_signals() as log:
        response = post_noti(forged)

    waiting.refresh_from_db()
    assert response.json()["resCd"] == "0000"
    assert waiting.status == "awaiting_deposit"
    assert log.names() == []
    assert Notification.objects.get().status == "held"


def test_a_deposit_kicc_cannot_confirm_is_held_and_a_person_applies_it(
    easypay_emulator, noti_sink, payment
):
    easypay_emulator.set_retrieve_status("original")
    waiting = pay(easypay_emulator, payment, "approve_va")
    easypay_emulator.deposit(waiting.shop_order_no)
    post_noti(noti_of(easypay_emulator, "30"))
    held = Notification.objects.get(noti_type="30")
    assert held.status == "held"

    with recorded_signals() as log:
        services.manual.apply_notification(held, amount=waiting.amount, actor=None, client_ip=None)

    waiting.refresh_from_db()
    held.refresh_from_db()
    assert (waiting.status, held.status) == ("paid", "processed")
    assert log.only("approved")["deposit_pg_cno"] == held.pg_cno
    assert not [line for line in services.reconcile_all().unresolved if "노티 30" in line]


def past_the_status_window(cancellation):
    """The cancel was asked for three days ago: KICC's status query can no longer say (§7)."""
    PgCall.objects.filter(pk=cancellation.pg_call_id).update(
        request_date=kst.today() - timedelta(days=3)
    )


def test_a_noti_20_settles_our_own_cancel_whose_answer_was_lost(
    easypay_emulator, noti_sink, payment
):
    paid = pay(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    lost = services.cancel(paid, amount=3000, reason="부분 환불")
    assert lost.status == "unknown"
    past_the_status_window(lost)
    noti = noti_of(easypay_emulator, "20")

    with recorded_signals() as log:
        response = post_noti(noti)

    lost.refresh_from_db()
    paid.refresh_from_db()
    assert response.json()["resCd"] == "0000"
    assert (lost.status, lost.cancel_pg_cno) == ("done", noti["cancelPgCno"])
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
    assert log.only("cancelled")["cancel_amount"] == 3000
    assert Cancellation.objects.count() == 1


def test_a_noti_20_of_another_amount_does_not_settle_a_stuck_cancel(
    easypay_emulator, noti_sink, payment
):
    paid = pay(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    lost = services.cancel(paid, amount=3000, reason="부분 환불")
    past_the_status_window(lost)
    noti = {**noti_of(easypay_emulator, "20"), "cancelAmount": "5000", "remainAmount": "10000"}

    response = post_noti(noti)

    lost.refresh_from_db()
    assert response.json()["resCd"] == "5001"  # KICC resends; a person can settle it meanwhile
    assert lost.status == "unknown"


@pytest.mark.parametrize("kicc", ["not answering", "saying it has nothing yet"])
def test_a_noti_20_waits_for_kiccs_answer_about_our_cancel_while_kicc_can_be_asked(
    easypay_emulator, noti_sink, payment, kicc
):
    """Within §7's window a 노티 alone never settles our cancel — the status query does: one
    refusal or no answer proves nothing (integrity rule 3), so KICC is asked to resend."""
    paid = pay(easypay_emulator, payment)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")
    lost = services.cancel(paid, amount=3000, reason="부분 환불")
    noti = noti_of(easypay_emulator, "20")
    if kicc == "not answering":
        easypay_emulator.inject_fault("http_500", endpoint="retrieve", count=5)
    else:
        easypay_emulator.advance_days(2)  # KICC's day moved on: it refuses to look (§7)

    with recorded_signals() as log:
        response = post_noti(noti)

    lost.refresh_from_db()
    paid.refresh_from_db()
    assert response.json()["resCd"] == "5001"
    assert lost.status == "unknown"
    assert (paid.status, paid.cancelled_amount) == ("paid", 0)
    assert log.names() == []
    assert Notification.objects.get(noti_type="20").status == "failed"


# ------------------------------------------------------------------------------
# A 노티 30 for a payment whose approval is still being decided
# ------------------------------------------------------------------------------
def test_a_deposit_noti_for_a_payment_still_unknown_settles_the_approval_first(
    easypay_emulator, noti_sink, payment
):
    post = window(easypay_emulator, payment, "approve_va")
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    unknown = services.handle_return(payment.public_token, post.fields)
    assert unknown.status == "unknown"
    easypay_emulator.deposit(payment.shop_order_no)

    with recorded_signals() as log:
        response = post_noti(noti_of(easypay_emulator, "30"))

    unknown.refresh_from_db()
    assert response.json()["resCd"] == "0000"
    assert unknown.status == "paid"
    assert log.names() == ["approved"]


def test_a_console_cancel_of_a_payment_still_unknown_is_applied_once_the_approval_is_known(
    easypay_emulator, noti_sink, payment
):
    """Found by the chaos run: a 노티 20 reached the shop before the approval's answer did, was
    taken for another transaction's, acked and lost."""
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("http_500", endpoint="approve", commit=True)
    unknown = services.handle_return(payment.public_token, post.fields)
    assert (unknown.status, unknown.pg_cno) == ("unknown", "")
    easypay_emulator.console_cancel(payment.shop_order_no, 5000)

    with recorded_signals() as log:
        response = post_noti(noti_of(easypay_emulator, "20"))

    unknown.refresh_from_db()
    assert response.json()["resCd"] == "0000"
    assert (unknown.status, unknown.cancelled_amount) == ("partially_cancelled", 5000)
    assert log.names() == ["approved", "cancelled"]


def test_a_cancel_noti_for_a_transaction_the_payment_does_not_have_is_held(
    easypay_emulator, payment
):
    paid = pay(easypay_emulator, payment)
    stray = {**_cancel_noti_of(easypay_emulator, paid), "pgCno": "12345678901234567890"}

    response = post_noti(stray)

    paid.refresh_from_db()
    assert response.json()["resCd"] == "0000"
    assert paid.cancelled_amount == 0
    assert Notification.objects.get().status == "held"


def _cancel_noti_of(emulator, paid):
    return {
        "resCd": "0000",
        "mallId": emulator.mall_id,
        "notiType": "20",
        "pgCno": paid.pg_cno,
        "cancelPgCno": "99999999999999999999",
        "shopOrderNo": paid.shop_order_no,
        "cancelAmount": "1000",
        "remainAmount": str(paid.amount - 1000),
        "statusCode": "TS06",
    }


def test_a_deposit_noti_is_resent_while_kicc_cannot_say_what_the_approval_did(
    easypay_emulator, noti_sink, payment
):
    post = window(easypay_emulator, payment, "approve_va")
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")
    unknown = services.handle_return(payment.public_token, post.fields)
    easypay_emulator.deposit(payment.shop_order_no)
    easypay_emulator.inject_fault("http_500", endpoint="retrieve", count=5)

    response = post_noti(noti_of(easypay_emulator, "30"))

    unknown.refresh_from_db()
    assert response.json()["resCd"] == "5001"  # not acked: KICC sends it again (§8.1)
    assert unknown.status == "unknown"
    assert Notification.objects.get(noti_type="30").status == "failed"


# ------------------------------------------------------------------------------
# Every byte a sender can send is stored raw and answered without a 500
# ------------------------------------------------------------------------------
def test_a_body_with_a_nul_byte_is_stored_raw_and_answered(db):
    body = b'{"a":1}\x00'

    response = post_noti(body)

    assert response.status_code == 200
    assert response.json()["resCd"] == "5001"
    assert bytes(Notification.objects.get().raw_body) == body


def test_a_nul_byte_from_an_address_not_on_the_list_is_stored_and_refused(db):
    response = post_noti(b"\x00\xff\xfe", remote_addr="198.51.100.9")

    assert response.status_code == 403
    assert bytes(Notification.objects.get().raw_body) == b"\x00\xff\xfe"


def test_nul_inside_the_json_values_is_stored_without_a_500(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)
    body = {
        "resCd": "9999",
        "resMsg": "bad\u0000message",
        "mallId": easypay_emulator.mall_id,
        "notiType": "2\u0000",
        "pgCno": "123\u0000",
        "shopOrderNo": paid.shop_order_no,
    }

    response = post_noti(body)

    assert response.status_code == 200
    record = Notification.objects.get()
    assert record.status == "ignored"  # handled: a failure 노티, not a crash
    assert record.pg_cno == "123\ufffd"
    assert "bad\ufffdmessage" in record.error


def test_a_failure_message_with_newlines_cannot_forge_a_log_line(easypay_emulator, payment, caplog):
    paid = pay(easypay_emulator, payment)
    body = {
        "resCd": "5413",
        "resMsg": "refused\r\nERROR forged line",
        "mallId": easypay_emulator.mall_id,
        "notiType": "40",
        "pgCno": paid.pg_cno,
        "shopOrderNo": paid.shop_order_no,
    }

    post_noti(body)

    messages = [record.getMessage() for record in caplog.records if "5413" in record.getMessage()]
    assert messages and all("\n" not in message and "\r" not in message for message in messages)


def test_reconcile_handles_again_a_noti_kicc_stopped_resending(
    easypay_emulator, noti_sink, payment
):
    paid = pay(easypay_emulator, payment)
    easypay_emulator.console_cancel(paid.shop_order_no, 3000)
    easypay_emulator.inject_fault("http_500", endpoint="retrieve")  # KICC busy, this once
    assert post_noti(noti_of(easypay_emulator, "20")).json()["resCd"] == "5001"
    # KICC resends up to ten times (§8.1) and then gives up: reconcile does not.

    with recorded_signals() as log:
        report = services.reconcile_all(compare=False)

    paid.refresh_from_db()
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
    assert log.only("cancelled")["cancel_amount"] == 3000
    assert report.unresolved == []
    assert Notification.objects.get(noti_type="20").status == "processed"


# ------------------------------------------------------------------------------
# A 노티 for another merchant (mallId ≠ EASYPAY_MALL_ID) is recorded and moves nothing
# ------------------------------------------------------------------------------
ANOTHER_MALL = "T9999999"


def another_malls(body, mall_id):
    """The same 노티, as if KICC had sent it for another merchant (or without a mallId)."""
    if mall_id is None:
        return {key: value for key, value in body.items() if key != "mallId"}
    return {**body, "mallId": mall_id}


@pytest.mark.parametrize("mall_id", [ANOTHER_MALL, "", None])
def test_a_cancel_noti_of_another_mall_moves_nothing_and_is_recorded_as_ignored(
    easypay_emulator, noti_sink, payment, mall_id
):
    paid = pay(easypay_emulator, payment)
    easypay_emulator.console_cancel(paid.shop_order_no, 3000)  # real at KICC: TS06
    genuine = noti_of(easypay_emulator, "20")
    retrieves = len(easypay_emulator.requests("retrieve"))

    with recorded_signals() as log:
        response = post_noti(another_malls(genuine, mall_id))

    paid.refresh_from_db()
    record = Notification.objects.get()
    # Acked: it is stored as evidence, and a resend would be ignored again (_process).
    assert (response.status_code, response.json()["resCd"]) == (200, "0000")
    assert (paid.status, paid.cancelled_amount) == ("paid", 0)
    assert not Cancellation.objects.exists()
    assert log.names() == []
    assert len(easypay_emulator.requests("retrieve")) == retrieves  # KICC not even asked
    assert (record.noti_type, record.pg_cno, record.status) == ("20", paid.pg_cno, "ignored")
    assert record.error == f"다른 가맹점의 노티: {mall_id!r}"
    assert bytes(record.raw_body)  # the body kept as it came
    # Only the mall id stopped it: the shop's own copy of the same cancel is applied.
    with recorded_signals() as log:
        assert post_noti(genuine).json()["resCd"] == "0000"
    paid.refresh_from_db()
    assert (paid.status, paid.cancelled_amount) == ("partially_cancelled", 3000)
    assert log.only("cancelled")["cancel_amount"] == 3000


@pytest.mark.parametrize("mall_id", [ANOTHER_MALL, "", None])
def test_a_deposit_noti_of_another_mall_pays_nothing_and_is_recorded_as_ignored(
    easypay_emulator, noti_sink, payment, mall_id
):
    waiting = pay(easypay_emulator, payment, "approve_va")
    easypay_emulator.deposit(waiting.shop_order_no)  # real at KICC: TS08
    genuine = noti_of(easypay_emulator, "30")

    with recorded_signals() as log:
        response = post_noti(another_malls(genuine, mall_id))

    waiting.refresh_from_db()
    record = Notification.objects.get()
    assert (response.status_code, response.json()["resCd"]) == (200, "0000")
    assert waiting.status == "awaiting_deposit"
    assert log.names() == []
    assert easypay_emulator.requests("retrieve") == []
    assert (record.noti_type, record.status) == ("30", "ignored")
    assert record.error == f"다른 가맹점의 노티: {mall_id!r}"
    assert not [line for line in services.reconcile_all().unresolved if "노티 30" in line]
    with recorded_signals() as log:
        post_noti(genuine)
    waiting.refresh_from_db()
    assert waiting.status == "paid"
    assert log.only("approved")["deposit_pg_cno"] == genuine["pgCno"]
