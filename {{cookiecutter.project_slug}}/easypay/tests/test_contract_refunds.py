"""Contract: refunds (60/62/63) of deposited virtual accounts and mobile payments through the
real client, including the in-doubt answers VTIM / VT00 and the refundQueryFlag that settles
them without paying twice."""

import pytest

from easypay import kst
from easypay.exceptions import Declined, OutcomeUnknown
from easypay.results import ReviseResult
from easypay.tests.contract_helpers import cancel, client_for, paid, refund


@pytest.fixture
def client(easypay_emulator):
    return client_for(easypay_emulator)


@pytest.fixture
def deposited(easypay_emulator, client):
    """A virtual account of 15,000 won, paid in: (order_no, approval)."""
    order_no, approval = paid(easypay_emulator, client, outcome="approve_va", amount=15000)
    easypay_emulator.deposit(order_no)
    return order_no, approval


@pytest.fixture
def mobile(easypay_emulator, client):
    return paid(easypay_emulator, client, outcome="approve_mobile", amount=15000)


def test_a_deposited_virtual_account_is_refunded_not_cancelled(easypay_emulator, client, deposited):
    order_no, approval = deposited

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "40")
    result = refund(client, approval.pg_cno, "60")

    assert result.status_code == "RF01"
    assert (result.cancel_amount, result.remain_amount) == (15000, 0)
    assert result.deposit_pg_cno == easypay_emulator.ledger(order_no)["deposit_pg_cno"]


def test_a_deferred_refund_is_done_when_the_bank_pays_it_out(easypay_emulator, client, deposited):
    order_no, approval = deposited
    requested = refund(client, approval.pg_cno, "62", amount=5000, remain_amount=15000)

    easypay_emulator.complete_refund(order_no, outcome="done")

    found = client.retrieve(
        shop_transaction_id=requested.call.shop_transaction_id, transaction_date=kst.today()
    )
    assert isinstance(found, ReviseResult)
    assert (found.cancel_pg_cno, found.status_code) == (requested.cancel_pg_cno, "RF02")
    ledger = easypay_emulator.ledger(order_no)
    assert ledger["remaining_amount"] == 10000
    assert [(c["revise_type"], c["state"]) for c in ledger["cancels"]] == [("62", "done")]


def test_a_deferred_refund_the_bank_refuses_gives_the_balance_back(
    easypay_emulator, client, deposited
):
    order_no, approval = deposited
    easypay_emulator.inject_fault("refund_bank_failure", shop_order_no=order_no)
    requested = refund(client, approval.pg_cno, "62", amount=5000)

    assert requested.status_code == "RF01"  # the bank's no comes later
    easypay_emulator.complete_refund(order_no)

    found = client.retrieve(
        shop_transaction_id=requested.call.shop_transaction_id, transaction_date=kst.today()
    )
    assert found.status_code == "RF03"
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 15000
    again = refund(client, approval.pg_cno, "62", amount=5000, remain_amount=15000)
    assert again.remain_amount == 10000


def test_a_virtual_account_before_its_deposit_is_closed_not_refunded(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, outcome="approve_va")

    with pytest.raises(Declined):
        refund(client, approval.pg_cno, "60")
    closed = cancel(client, approval.pg_cno, "40")

    assert closed.status_code == "TS02"


@pytest.mark.parametrize(("sub_type", "amount", "left"), [("10", None, 0), ("21", 4000, 11000)])
def test_a_real_time_refund_of_a_mobile_payment_is_done_at_once(
    easypay_emulator, client, mobile, sub_type, amount, left
):
    order_no, approval = mobile

    result = refund(client, approval.pg_cno, "63", revise_sub_type_code=sub_type, amount=amount)

    assert result.status_code == "RF02"
    assert result.remain_amount == left
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == left


def test_a_card_is_never_refunded_to_an_account(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client)

    with pytest.raises(Declined):
        refund(client, approval.pg_cno, "63", revise_sub_type_code="10")

    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 15000


def test_a_refund_beyond_the_balance_or_against_a_wrong_balance_is_declined(
    easypay_emulator, client, mobile
):
    order_no, approval = mobile
    refund(client, approval.pg_cno, "62", amount=10000)

    with pytest.raises(Declined):
        refund(client, approval.pg_cno, "62", amount=6000)
    with pytest.raises(Declined):
        refund(client, approval.pg_cno, "62", amount=1000, remain_amount=15000)

    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 5000


# --- VTIM / VT00: in doubt, never a no ----------------------------------------------------
def _timed_out(client, approval):
    with pytest.raises(OutcomeUnknown) as raised:
        refund(client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000)
    return raised.value


def test_a_timed_out_refund_is_unknown_and_the_query_finds_it_paid_once(
    easypay_emulator, client, mobile
):
    order_no, approval = mobile
    easypay_emulator.inject_fault("refund_timeout", shop_order_no=order_no, code="VTIM")

    error = _timed_out(client, approval)

    assert error.refund_query_needed and error.res_cd == "VTIM"
    assert error.call.outcome == "unknown"
    first = refund(
        client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000, refund_query=True
    )
    second = refund(
        client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000, refund_query=True
    )
    ledger = easypay_emulator.ledger(order_no)
    assert [c["cancel_pg_cno"] for c in ledger["cancels"]] == [first.cancel_pg_cno]
    assert second.cancel_pg_cno == first.cancel_pg_cno  # asked twice, refunded once
    assert (first.status_code, first.cancel_amount, first.remain_amount) == ("RF02", 5000, 10000)
    assert ledger["remaining_amount"] == 10000


def test_a_timed_out_refund_the_bank_never_paid_is_a_definite_no_on_query(
    easypay_emulator, client, mobile
):
    order_no, approval = mobile
    easypay_emulator.inject_fault(
        "refund_timeout", shop_order_no=order_no, code="VT00", commit=False
    )

    error = _timed_out(client, approval)

    assert (error.refund_query_needed, error.res_cd) == (True, "VT00")
    with pytest.raises(Declined) as refused:
        refund(
            client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000, refund_query=True
        )
    assert refused.value.res_cd == "5413"
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 15000


def test_a_refund_kicc_still_does_not_know_about_stays_unknown_until_it_does(
    easypay_emulator, client, mobile
):
    order_no, approval = mobile
    easypay_emulator.inject_fault("refund_timeout", shop_order_no=order_no, unknown_queries=1)
    _timed_out(client, approval)

    with pytest.raises(OutcomeUnknown) as still:
        refund(
            client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000, refund_query=True
        )
    settled = refund(
        client, approval.pg_cno, "63", revise_sub_type_code="11", amount=5000, refund_query=True
    )

    assert still.value.refund_query_needed and still.value.res_cd == "VT00"
    assert settled.status_code == "RF02"


def test_a_status_query_of_a_timed_out_refund_is_unknown_never_declined(
    easypay_emulator, client, mobile
):
    order_no, approval = mobile
    easypay_emulator.inject_fault("refund_timeout", shop_order_no=order_no, commit=False)
    error = _timed_out(client, approval)

    with pytest.raises(OutcomeUnknown) as raised:
        client.retrieve(
            shop_transaction_id=error.call.shop_transaction_id, transaction_date=kst.today()
        )

    assert raised.value.refund_query_needed


def test_a_refund_query_with_nothing_in_doubt_is_declined(easypay_emulator, client, mobile):
    _, approval = mobile

    with pytest.raises(Declined):
        refund(client, approval.pg_cno, "62", amount=5000, refund_query=True)


def test_a_real_time_refund_the_bank_refuses_at_once_is_declined(easypay_emulator, client, mobile):
    order_no, approval = mobile
    easypay_emulator.inject_fault("refund_bank_failure", shop_order_no=order_no)

    with pytest.raises(Declined) as raised:
        refund(client, approval.pg_cno, "63", revise_sub_type_code="10")

    assert raised.value.res_cd == "5413"
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 15000
