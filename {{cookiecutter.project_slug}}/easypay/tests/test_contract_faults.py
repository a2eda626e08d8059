"""Contract: every fault between shop and KICC maps to the right kind of failure.

delay / lost connection / 5xx → OutcomeUnknown (the PG may have acted: recover with retrieve);
an answer that cannot be believed → Untrusted, naming the pgCno to cancel when there is one.
"""

import logging

import pytest

from easypay import kst
from easypay.exceptions import OutcomeUnknown, Untrusted
from easypay.results import ApprovalResult, ReviseResult
from easypay.tests.contract_helpers import (
    approve,
    authenticated,
    cancel,
    client_for,
    new_order_no,
    paid,
)


@pytest.fixture
def client(easypay_emulator):
    return client_for(easypay_emulator)


def authenticated_order(emulator, client):
    order_no = new_order_no()
    post = authenticated(emulator, client, order_no)
    return order_no, post.fields["authorizationId"]


def retrieve(client, call):
    return client.retrieve(
        shop_transaction_id=call.shop_transaction_id, transaction_date=kst.today()
    )


def test_an_approval_slower_than_the_client_timeout_is_an_unknown_outcome(easypay_emulator):
    client = client_for(easypay_emulator, approve=0.3)
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("delay", endpoint="approve", seconds=1.5)

    with pytest.raises(OutcomeUnknown) as raised:
        approve(client, order_no, authorization_id)

    call = raised.value.call
    assert (call.sent, call.outcome, call.http_status, call.attempts) == (True, "unknown", None, 1)
    assert "read timeout" in str(raised.value)
    # It happened: the original key finds it (§11.1), and nothing was re-sent.
    assert retrieve(client, call).amount == 15000
    assert len(easypay_emulator.requests("approve")) == 1


def test_an_approval_whose_answer_is_lost_is_unknown_and_retrieve_finds_it(
    easypay_emulator, client
):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="approve")

    with pytest.raises(OutcomeUnknown) as raised:
        approve(client, order_no, authorization_id)

    assert raised.value.call.sent is True
    found = retrieve(client, raised.value.call)
    assert isinstance(found, ApprovalResult)
    assert found.pg_cno == easypay_emulator.ledger(order_no)["pg_cno"]
    assert len(easypay_emulator.requests("approve")) == 1


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_504"])
def test_a_server_error_on_approval_is_an_unknown_outcome_never_a_decline(
    easypay_emulator, client, kind
):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault(kind, endpoint="approve")

    with pytest.raises(OutcomeUnknown) as raised:
        approve(client, order_no, authorization_id)

    assert raised.value.call.http_status == int(kind[-3:])
    assert raised.value.call.response_body.startswith(kind[-3:])


def test_a_server_error_after_the_pg_acted_is_still_unknown_and_retrieve_tells(
    easypay_emulator, client
):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("http_502", endpoint="approve", commit=True)

    with pytest.raises(OutcomeUnknown) as raised:
        approve(client, order_no, authorization_id)

    assert retrieve(client, raised.value.call).amount == 15000


def test_an_html_error_page_with_status_200_is_untrusted(easypay_emulator, client):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("html_error", endpoint="approve")

    with pytest.raises(Untrusted) as raised:
        approve(client, order_no, authorization_id)

    assert raised.value.reason == "unparsable"
    assert raised.value.pg_cno == ""
    assert "<html>" in raised.value.call.response_body


def test_truncated_json_is_untrusted_and_retrieve_shows_what_happened(easypay_emulator, client):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("malformed_json", endpoint="approve")

    with pytest.raises(Untrusted) as raised:
        approve(client, order_no, authorization_id)

    assert raised.value.reason == "unparsable"
    assert retrieve(client, raised.value.call).pg_cno == easypay_emulator.ledger(order_no)["pg_cno"]


def test_an_approval_of_another_amount_is_untrusted_and_can_be_cancelled_at_once(
    easypay_emulator, client
):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("amount_mismatch", shop_order_no=order_no)

    with pytest.raises(Untrusted) as raised:
        approve(client, order_no, authorization_id, expected_amount=15000)

    error = raised.value
    assert error.reason == "amount_mismatch"
    assert error.result.amount != 15000
    assert error.pg_cno == easypay_emulator.ledger(order_no)["pg_cno"]
    # §11.2: cancel at once — the Untrusted error carries all a full cancel needs.
    cancel(client, error.pg_cno, "40")
    assert easypay_emulator.ledger(order_no)["remaining_amount"] == 0


def test_an_approval_with_a_corrupted_signature_is_untrusted_and_names_its_pg_cno(
    easypay_emulator, client
):
    order_no, authorization_id = authenticated_order(easypay_emulator, client)
    easypay_emulator.inject_fault("bad_signature", endpoint="approve")

    with pytest.raises(Untrusted) as raised:
        approve(client, order_no, authorization_id)

    assert raised.value.reason == "bad_signature"
    assert raised.value.pg_cno == easypay_emulator.ledger(order_no)["pg_cno"]
    assert raised.value.call.response_body["msgAuthValue"] == "***"


def test_a_cancel_whose_answer_is_late_is_unknown_and_retrieve_finds_the_cancel(easypay_emulator):
    client = client_for(easypay_emulator, revise=0.3)
    _, approval = paid(easypay_emulator, client)
    easypay_emulator.inject_fault("delay", endpoint="revise", seconds=1.5)

    with pytest.raises(OutcomeUnknown) as raised:
        cancel(client, approval.pg_cno, "32", amount=1000)

    found = retrieve(client, raised.value.call)
    assert isinstance(found, ReviseResult)
    assert found.cancel_amount == 1000
    assert len(easypay_emulator.requests("revise")) == 1


def test_a_cancel_whose_answer_is_lost_is_unknown(easypay_emulator, client):
    _, approval = paid(easypay_emulator, client)
    easypay_emulator.inject_fault("drop_after_commit", endpoint="revise")

    with pytest.raises(OutcomeUnknown):
        cancel(client, approval.pg_cno, "40")

    assert isinstance(retrieve_last_revise(easypay_emulator, client), ReviseResult)


def retrieve_last_revise(emulator, client):
    body = emulator.requests("revise")[-1]["body"]
    return client.retrieve(
        shop_transaction_id=body["shopTransactionId"], transaction_date=body["cancelReqDate"]
    )


@pytest.mark.parametrize(
    ("kind", "failure"),
    [("http_502", OutcomeUnknown), ("html_error", Untrusted), ("malformed_json", Untrusted)],
)
def test_faults_on_registration_and_retrieve_map_the_same_way(
    easypay_emulator, client, kind, failure
):
    easypay_emulator.inject_fault(kind, endpoint="register")
    with pytest.raises(failure):
        authenticated(easypay_emulator, client, new_order_no())

    _, approval = paid(easypay_emulator, client)
    easypay_emulator.inject_fault(kind, endpoint="retrieve")
    with pytest.raises(failure):
        retrieve(client, approval.call)


def test_every_call_logs_one_line_and_no_signature(easypay_emulator, client, caplog):
    with caplog.at_level(logging.INFO, logger="easypay.client"):
        _, approval = paid(easypay_emulator, client)
        cancel(client, approval.pg_cno, "40")

    lines = [r.getMessage() for r in caplog.records if r.name == "easypay.client"]
    assert [line.split()[2] for line in lines] == [
        "endpoint=register",
        "endpoint=approve",
        "endpoint=revise",
    ]
    for logged in easypay_emulator.requests():
        signature = logged["body"].get("msgAuthValue") or logged["response"].get("msgAuthValue")
        if signature:
            assert signature not in caplog.text
    assert easypay_emulator.secret_key not in caplog.text
