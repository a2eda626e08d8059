"""The return and the approval (easypay.services.approval) against the real emulator over HTTP."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from easypay import kst, services
from easypay.client import EasyPayClient
from easypay.models import Cancellation, PgCall
from easypay.signals import payment_approved
from easypay.tests.service_helpers import pay, recorded_signals, window

pytestmark = pytest.mark.django_db(transaction=True)


def approve_requests(emulator, payment):
    return emulator.requests("approve", payment.shop_order_no)


# ------------------------------------------------------------------------------
# The happy paths
# ------------------------------------------------------------------------------
def test_a_card_payment_is_paid_and_announced_once(easypay_emulator, payment):
    with recorded_signals() as log:
        paid = pay(easypay_emulator, payment)

    ledger = easypay_emulator.ledger(payment.shop_order_no)
    assert paid.status == "paid"
    assert (paid.pg_cno, paid.amount) == (ledger["pg_cno"], ledger["approved_amount"])
    assert paid.card_no_masked and paid.approval_no and paid.paid_at
    assert log.names() == ["registered", "approved"]
    approved = log.only("approved")
    assert approved["sender"] is type(payment)
    assert approved["payment"].pk == payment.pk
    assert (approved["pg_tid"], approved["auth_id"]) == (paid.pg_cno, paid.authorization_id)


def test_a_virtual_account_waits_for_its_deposit_without_being_announced_as_paid(
    easypay_emulator, payment
):
    with recorded_signals() as log:
        result = pay(easypay_emulator, payment, "approve_va")

    assert result.status == "awaiting_deposit"
    assert result.va_account_no and result.va_bank_name and result.va_expires_at
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS07"
    assert log.names() == ["registered"]


def test_the_approval_carries_the_servers_amount_and_kiccs_amount_is_checked(
    easypay_emulator, make_payment
):
    payment = make_payment(amount=12345)

    paid = pay(easypay_emulator, payment)

    assert paid.status == "paid"
    assert easypay_emulator.ledger(payment.shop_order_no)["approved_amount"] == 12345
    # §5.1: the approval request carries no amount at all; the answer's amount is compared.
    assert "amount" not in approve_requests(easypay_emulator, payment)[0]["body"]


# ------------------------------------------------------------------------------
# Integrity rule 2 and 5: the key is committed first, nothing is locked during the call
# ------------------------------------------------------------------------------
def test_the_approve_key_and_kst_date_are_committed_before_the_call_and_no_transaction_is_open(
    easypay_emulator, payment, monkeypatch
):
    seen = {}
    real_approve = EasyPayClient.approve

    def approve_and_look_around(self, **kwargs):
        # At the moment the request leaves: is a transaction (and so a row lock) open, and is
        # the key already on disk where another connection could read it?
        seen["in_transaction"] = connection.in_atomic_block
        stored = PgCall.objects.get(shop_transaction_id=kwargs["shop_transaction_id"])
        seen["stored"] = (stored.kind, stored.outcome, stored.request_date)
        seen["status"] = type(payment).objects.get(pk=payment.pk).status
        seen["date_sent"] = kwargs["approval_req_date"]
        return real_approve(self, **kwargs)

    monkeypatch.setattr(EasyPayClient, "approve", approve_and_look_around)
    paid = pay(easypay_emulator, payment)

    assert paid.status == "paid"
    assert seen["in_transaction"] is False
    assert seen["stored"] == ("approve", "pending", kst.today())
    assert seen["status"] == "approving"
    assert seen["date_sent"] == kst.today()


def test_a_dropped_answer_leaves_the_payment_unknown_and_the_stored_key_finds_it_paid(
    easypay_emulator, payment
):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault(
        "drop_after_commit", endpoint="approve", shop_order_no=payment.shop_order_no
    )

    with recorded_signals() as log:
        unknown = services.handle_return(payment.public_token, post.fields)
        assert unknown.status == "unknown"  # money may have moved: never "failed"
        assert log.names() == []
        paid = services.reconcile(unknown)

    call = PgCall.objects.get(payment=payment, kind="approve")
    retrieve = easypay_emulator.requests("retrieve")[0]["body"]
    assert paid.status == "paid"
    assert paid.pg_cno == easypay_emulator.ledger(payment.shop_order_no)["pg_cno"]
    # §7: the ORIGINAL key and request date, both read back from the database.
    assert retrieve["shopTransactionId"] == call.shop_transaction_id
    assert retrieve["transactionDate"] == kst.date_text(call.request_date)
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 1
    assert log.names() == ["approved"]


def test_a_timed_out_approval_is_unknown_and_reconcile_finds_it_paid(
    easypay_emulator, payment, settings
):
    settings.EASYPAY_TIMEOUTS = {"approve": 0.3}
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("delay", endpoint="approve", seconds=1)

    unknown = services.handle_return(payment.public_token, post.fields)

    assert unknown.status == "unknown"
    assert PgCall.objects.get(payment=payment, kind="approve").outcome == "unknown"
    assert services.reconcile(unknown).status == "paid"


def test_reconcile_fails_an_unknown_payment_only_once_kicc_has_nothing_and_the_call_is_over(
    easypay_emulator, payment, settings
):
    """KICC's "nothing" counts only after the call could no longer be on its way, and only
    when it is said twice at least EASYPAY_UNKNOWN_GRACE apart (reconciliation.py)."""
    settings.EASYPAY_UNKNOWN_GRACE = timedelta(minutes=10)
    post = window(easypay_emulator, payment)
    # A 502 that never reached the emulator's books: KICC has nothing.
    easypay_emulator.inject_fault("http_502", endpoint="approve")
    with time_machine.travel(timezone.now(), tick=True) as clock:
        unknown = services.handle_return(payment.public_token, post.fields)
        assert unknown.status == "unknown"

        # Right away KICC's "nothing" is not final: the call could still be on its way (§11).
        report = services.reconcile_all()
        unknown.refresh_from_db()
        assert unknown.status == "unknown"
        assert report.unresolved

        # The call is over: KICC's first "nothing" proves nothing yet (§14: no code for it).
        clock.shift(timedelta(minutes=5))
        services.reconcile_all()
        unknown.refresh_from_db()
        assert unknown.status == "unknown"

        clock.shift(timedelta(minutes=10, seconds=1))  # the grace after that first answer
        with recorded_signals() as log:
            services.reconcile_all()
    unknown.refresh_from_db()
    assert unknown.status == "failed"
    assert unknown.failure_code == "not_found"
    assert log.only("failed")["stage"] == "reconcile"
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 0


# ------------------------------------------------------------------------------
# Integrity rule 1: an answer that cannot be believed is cancelled at KICC at once
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "code"), [("amount_mismatch", "amount_mismatch"), ("bad_signature", "bad_signature")]
)
def test_an_approval_that_cannot_be_believed_is_cancelled_at_kicc_and_the_payment_fails(
    easypay_emulator, payment, fault, code
):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault(fault, endpoint="approve")

    with recorded_signals() as log:
        failed = services.handle_return(payment.public_token, post.fields)

    ledger = easypay_emulator.ledger(payment.shop_order_no)
    assert failed.status == "failed"
    assert failed.failure_code == code
    assert failed.pg_cno == ledger["pg_cno"]
    assert ledger["status_code"] == "TS02"  # cancelled at KICC
    assert ledger["remaining_amount"] == 0
    revise = easypay_emulator.requests("revise")[0]["body"]
    assert revise["reviseTypeCode"] == "40"
    void = Cancellation.objects.get(payment=payment)
    assert (void.origin, void.status) == ("system", "done")
    assert log.names() == ["failed"]
    assert log.only("failed")["stage"] == "approval"
    assert log.only("failed")["error_code"] == code


def test_when_the_void_itself_gets_no_answer_the_payment_is_unknown_until_reconcile(
    easypay_emulator, payment
):
    post = window(easypay_emulator, payment)
    easypay_emulator.inject_fault("amount_mismatch", endpoint="approve")
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")

    unknown = services.handle_return(payment.public_token, post.fields)
    assert unknown.status == "unknown"  # the money may still be held
    assert Cancellation.objects.get(payment=payment).status == "unknown"

    failed = services.reconcile(unknown)

    assert failed.status == "failed"
    assert Cancellation.objects.get(payment=payment).status == "done"
    assert easypay_emulator.ledger(payment.shop_order_no)["status_code"] == "TS02"


def test_an_unexpected_failure_after_the_approve_call_went_out_leaves_the_payment_unknown(
    easypay_emulator, payment, monkeypatch, caplog
):
    """A bug parsing KICC's answer must not leave the payment approving or show the buyer an
    error: KICC may have approved, so the call is closed unknown and reconcile decides."""
    post = window(easypay_emulator, payment)

    def broken_parser(body):
        raise TypeError("a parsing bug")

    with monkeypatch.context() as patch:
        patch.setattr("easypay.client.parse_approval", broken_parser)
        with recorded_signals() as log:
            response = Client().post(post.url, post.fields)  # the window's form POST

    call = PgCall.objects.get(payment=payment, kind="approve")
    unknown = type(payment).objects.get(pk=payment.pk)
    assert response.status_code == 302  # to the payment's page ("checking"), not a 500
    assert response["Location"] == unknown.get_absolute_url()
    assert unknown.status == "unknown"  # never failed, never "not sent": money moved
    assert (call.outcome, call.finished_at is not None) == ("unknown", True)
    assert "TypeError" in call.error
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 1
    assert log.names() == []
    assert any(r.levelno == logging.ERROR and "unexpected" in r.message for r in caplog.records)
    assert services.reconcile(unknown).status == "paid"  # the stored key finds it


# ------------------------------------------------------------------------------
# Integrity rule 4: the shop's database fails after KICC approved → cancel at KICC
# ------------------------------------------------------------------------------
def _refuse_paid_rows(table: str) -> None:
    """A real database failure: the database itself rejects any row becoming "paid"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_paid() RETURNS trigger AS $$ BEGIN "
                "IF NEW.status = 'paid' THEN RAISE EXCEPTION 'simulated disk failure'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_paid BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_paid()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_paid BEFORE UPDATE ON {table} WHEN NEW.status = 'paid' "
                "BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END"
            )


def _allow_paid_rows(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER refuse_paid ON {table}")
            cursor.execute("DROP FUNCTION refuse_paid()")
        else:
            cursor.execute("DROP TRIGGER refuse_paid")


def test_a_database_failure_after_kicc_approved_cancels_the_approval_at_kicc(
    easypay_emulator, payment, caplog
):
    post = window(easypay_emulator, payment)
    table = type(payment)._meta.db_table
    _refuse_paid_rows(table)
    try:
        with recorded_signals() as log:
            failed = services.handle_return(payment.public_token, post.fields)
    finally:
        _allow_paid_rows(table)

    ledger = easypay_emulator.ledger(payment.shop_order_no)
    assert ledger["approvals"] == 1
    assert ledger["status_code"] == "TS02"  # the real PG cancelled it
    assert failed.status == "failed"
    assert failed.failure_code == "local_error"
    assert log.names() == ["failed"]  # never "approved": that transaction rolled back
    assert "could not record approval" in caplog.text


# ------------------------------------------------------------------------------
# Declines and failures that are certain
# ------------------------------------------------------------------------------
def test_an_approval_kicc_refuses_fails_the_payment(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    fields = {**post.fields, "authorizationId": "99999999999999999999"}  # not KICC's

    with recorded_signals() as log:
        failed = services.handle_return(payment.public_token, fields)

    assert failed.status == "failed"
    assert failed.failure_code == easypay_emulator.requests("approve")[0]["response"]["resCd"]
    assert log.only("failed")["stage"] == "approval"
    assert PgCall.objects.get(payment=payment, kind="approve").outcome == "declined"


@pytest.mark.parametrize("outcome", ["decline", "user_cancel", "window_error"])
def test_a_window_that_did_not_authenticate_fails_the_pending_payment(
    easypay_emulator, payment, outcome
):
    post = window(easypay_emulator, payment, outcome)

    with recorded_signals() as log:
        failed = services.handle_return(payment.public_token, post.fields)

    assert failed.status == "failed"
    assert failed.failure_code == post.fields["resCd"]
    assert failed.failure_message == post.fields["resMsg"]
    assert log.only("failed")["stage"] == "return"
    assert easypay_emulator.requests("approve") == []


# ------------------------------------------------------------------------------
# Integrity rule 7: the return's parameters are hints
# ------------------------------------------------------------------------------
def test_a_failure_hint_cannot_touch_a_paid_payment(easypay_emulator, payment):
    paid = pay(easypay_emulator, payment)
    hint = {"resCd": "W324", "resMsg": "사용자 취소", "shopOrderNo": payment.shop_order_no}

    with recorded_signals() as log:
        after = services.handle_return(payment.public_token, hint)

    assert after.status == "paid"
    assert after.pg_cno == paid.pg_cno
    assert log.names() == []


def test_a_repeated_return_approves_once(easypay_emulator, payment):
    post = window(easypay_emulator, payment)
    services.handle_return(payment.public_token, post.fields)

    with recorded_signals() as log:
        again = services.handle_return(payment.public_token, post.fields)

    assert again.status == "paid"
    assert len(approve_requests(easypay_emulator, payment)) == 1
    assert easypay_emulator.ledger(payment.shop_order_no)["approvals"] == 1
    assert log.names() == []


def test_a_return_naming_another_order_is_refused_and_changes_nothing(
    easypay_emulator, payment, make_payment
):
    other = make_payment()
    post = window(easypay_emulator, payment)

    with pytest.raises(services.ReturnRefused):
        services.handle_return(other.public_token, post.fields)

    other.refresh_from_db()
    assert other.status == "pending"
    assert easypay_emulator.requests("approve") == []


def test_an_unknown_token_is_not_found(db):
    with pytest.raises(services.PaymentNotFound):
        services.handle_return("no-such-token", {"resCd": "0000", "shopOrderNo": "X"})


def test_a_success_without_an_authorization_id_fails_the_pending_payment(easypay_emulator, payment):
    window(easypay_emulator, payment)
    fields = {"resCd": "0000", "resMsg": "", "shopOrderNo": payment.shop_order_no}

    failed = services.handle_return(payment.public_token, fields)

    assert failed.status == "failed"
    assert failed.failure_code == "no_authorization"
    assert easypay_emulator.requests("approve") == []


# ------------------------------------------------------------------------------
# Integrity rule 6: KST dates
# ------------------------------------------------------------------------------
def test_the_approval_is_dated_with_the_kst_day_even_at_2330_utc(easypay_emulator, make_payment):
    with time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=True):
        payment = make_payment()
        paid = pay(easypay_emulator, payment)

    call = PgCall.objects.get(payment=payment, kind="approve")
    assert paid.status == "paid"
    assert call.request_date == date(2026, 4, 1)  # already April 1st in Seoul
    assert approve_requests(easypay_emulator, payment)[0]["body"]["approvalReqDate"] == "20260401"


# ------------------------------------------------------------------------------
# Signals: after commit, once, robust
# ------------------------------------------------------------------------------
def test_a_receiver_that_raises_is_logged_and_neither_stops_the_others_nor_the_payment(
    easypay_emulator, payment, caplog
):
    def broken_receiver(sender, **kwargs):
        raise RuntimeError("the chat service is down")

    payment_approved.connect(broken_receiver, weak=False)
    try:
        with recorded_signals() as log, caplog.at_level(logging.ERROR):
            paid = pay(easypay_emulator, payment)
    finally:
        payment_approved.disconnect(broken_receiver)

    assert paid.status == "paid"
    assert type(payment).objects.get(pk=payment.pk).status == "paid"
    assert log.names() == ["registered", "approved"]
    assert "the chat service is down" in caplog.text


def test_no_signal_is_sent_for_a_change_that_is_rolled_back(easypay_emulator, payment):
    window(easypay_emulator, payment)
    hint = {"resCd": "W324", "resMsg": "사용자 취소", "shopOrderNo": payment.shop_order_no}

    with recorded_signals() as log, pytest.raises(RuntimeError), transaction.atomic():
        assert services.handle_return(payment.public_token, hint).status == "failed"
        raise RuntimeError("the caller's transaction fails afterwards")

    payment.refresh_from_db()
    assert payment.status == "pending"
    assert log.names() == []
