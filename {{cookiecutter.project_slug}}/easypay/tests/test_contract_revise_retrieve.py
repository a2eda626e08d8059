"""Contract: cancels (revise) and status queries (retrieve) against the emulator."""

import pytest

from easypay import kst
from easypay.client import new_shop_transaction_id
from easypay.exceptions import Declined, InvalidRequest
from easypay.results import ApprovalResult, ReviseResult
from easypay.tests.contract_helpers import cancel, client_for, paid


@pytest.fixture
def client(easypay_emulator):
    return client_for(easypay_emulator)


def test_a_full_cancel_cancels_the_whole_balance(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, amount=15000)

    result = cancel(client, approval.pg_cno, "40")

    assert result.ori_pg_cno == approval.pg_cno
    assert result.cancel_pg_cno and result.cancel_pg_cno != approval.pg_cno
    assert (result.cancel_amount, result.remain_amount) == (15000, 0)
    assert result.status_code == "TS02"
    assert result.call.request_body["msgAuthValue"] == "***"
    ledger = easypay_emulator.ledger(order_no)
    assert (ledger["cancelled_amount"], ledger["status_code"]) == (15000, "TS02")


def test_a_partial_cancel_then_a_full_cancel_of_the_rest(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, amount=15000)

    partial = cancel(client, approval.pg_cno, "32", amount=5000, remain_amount=15000)
    rest = cancel(client, approval.pg_cno, "40", remain_amount=10000)

    assert (partial.cancel_amount, partial.remain_amount, partial.status_code) == (
        5000,
        10000,
        "TS06",
    )
    assert (rest.cancel_amount, rest.remain_amount, rest.status_code) == (10000, 0, "TS02")
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 0


def test_cancelling_more_than_remains_is_declined_and_changes_nothing(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, amount=15000)
    cancel(client, approval.pg_cno, "32", amount=10000)

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "32", amount=6000)

    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 5000


def test_a_remaining_balance_kicc_disagrees_with_is_declined(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, amount=15000)
    cancel(client, approval.pg_cno, "32", amount=5000)

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "32", amount=1000, remain_amount=15000)

    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 10000


def test_a_cancelled_payment_cannot_be_cancelled_again(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client)
    cancel(client, approval.pg_cno, "40")

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "40")


def test_a_reused_cancel_key_is_declined_not_replayed(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client, amount=15000)
    key = new_shop_transaction_id()
    cancel(client, approval.pg_cno, "32", amount=1000, key=key)

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "32", amount=1000, key=key)

    assert easypay_emulator.ledger(order_no)["cancelled_amount"] == 1000


def test_cancelling_an_unknown_transaction_is_declined(easypay_emulator, client):
    with pytest.raises(Declined):
        cancel(client, "99999999999999999999", "40")


def test_a_transfer_partial_cancel_of_a_card_payment_is_declined(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client)

    with pytest.raises(Declined):
        cancel(client, approval.pg_cno, "33", amount=1000)


def test_code_41_is_refused_before_it_reaches_kicc(easypay_emulator, client):
    # 41 is django-easypay's partial cancel, not KICC's (§6.3, §13).
    _, approval = paid(easypay_emulator, client)

    with pytest.raises(InvalidRequest):
        cancel(client, approval.pg_cno, "41", amount=1000)

    assert easypay_emulator.requests("revise") == []


def test_retrieve_with_the_approval_key_answers_in_the_approval_shape(easypay_emulator, client):
    order_no, approval = paid(easypay_emulator, client)
    key = approval.call.shop_transaction_id

    found = client.retrieve(shop_transaction_id=key, transaction_date=kst.today())

    assert isinstance(found, ApprovalResult)
    assert (found.pg_cno, found.amount, found.shop_order_no) == (approval.pg_cno, 15000, order_no)
    assert "msgAuthValue" not in found.raw  # §7: no signature on status answers


def test_retrieve_shows_the_current_status_after_a_partial_cancel(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client)
    partial = cancel(client, approval.pg_cno, "32", amount=1000)

    found = client.retrieve(
        shop_transaction_id=approval.call.shop_transaction_id, transaction_date=kst.today()
    )
    found_cancel = client.retrieve(
        shop_transaction_id=partial.call.shop_transaction_id, transaction_date=kst.today()
    )

    assert found.status_code == "TS06"
    assert isinstance(found_cancel, ReviseResult)
    assert found_cancel.cancel_pg_cno == partial.cancel_pg_cno
    assert found_cancel.cancel_amount == 1000


def test_retrieve_of_a_key_kicc_never_saw_is_declined(easypay_emulator, client):
    with pytest.raises(Declined):
        client.retrieve(shop_transaction_id=new_shop_transaction_id(), transaction_date=kst.today())


def test_retrieve_covers_yesterday_but_not_the_day_before(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client)
    key, day = approval.call.shop_transaction_id, approval.call.request_body["approvalReqDate"]

    easypay_emulator.advance_days(1)
    assert client.retrieve(shop_transaction_id=key, transaction_date=day).pg_cno == approval.pg_cno

    # The shop's own clock still says "today" (only the emulator moved): KICC's window decides.
    easypay_emulator.advance_days(1)
    with pytest.raises(Declined):
        client.retrieve(shop_transaction_id=key, transaction_date=day)
