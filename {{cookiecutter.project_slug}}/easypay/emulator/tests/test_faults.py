"""Fault injection as a raw HTTP client sees it (docs/kicc-api.md §16.8)."""

import pytest
import requests

from easypay.signing import approval_auth_value, signatures_match


def _approvable(kicc, easypay_emulator, **register_overrides):
    registered = kicc.register(**register_overrides)
    easypay_emulator.authenticate(registered["authorizationId"])
    return registered


def test_a_delay_answers_after_the_client_gave_up_but_the_approval_happened(kicc, easypay_emulator):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("delay", seconds=0.6, endpoint="approve")
    body = kicc.approve_body(registered)

    with pytest.raises(requests.ReadTimeout):
        kicc.post("/api/ep9/trades/approval", body, timeout=0.2)

    assert kicc.retrieve(body["shopTransactionId"]).json()["resCd"] == "0000"
    assert easypay_emulator.ledger(registered["shopOrderNo"])["status_code"] == "TS03"


def test_a_dropped_response_closes_the_connection_after_the_approval_committed(
    kicc, easypay_emulator
):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("drop_after_commit", shop_order_no=registered["shopOrderNo"])
    body = kicc.approve_body(registered)

    with pytest.raises(requests.ConnectionError):
        kicc.post("/api/ep9/trades/approval", body)

    recovered = kicc.retrieve(body["shopTransactionId"]).json()
    assert recovered["resCd"] == "0000" and recovered["statusCode"] == "TS03"
    assert easypay_emulator.requests("approve")[0]["http_status"] is None


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_is_answered_before_anything_happened(kicc, easypay_emulator, status):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault(f"http_{status}", endpoint="approve")
    body = kicc.approve_body(registered)

    answer = kicc.post("/api/ep9/trades/approval", body)

    assert answer.status_code == status
    assert easypay_emulator.ledger(registered["shopOrderNo"])["approvals"] == 0
    assert kicc.retrieve(body["shopTransactionId"]).json()["resCd"] == "X040"


def test_a_server_error_can_come_after_the_approval_committed(kicc, easypay_emulator):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("http_502", endpoint="approve", commit=True)

    assert kicc.approve(registered).status_code == 502
    assert easypay_emulator.ledger(registered["shopOrderNo"])["approvals"] == 1


def test_an_html_error_page_comes_with_http_200(kicc, easypay_emulator):
    easypay_emulator.inject_fault("html_error", endpoint="register")

    answer = kicc.post("/api/ep9/trades/webpay", kicc.register_body())

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        answer.json()


def test_malformed_json_is_not_parseable_but_the_approval_happened(kicc, easypay_emulator):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("malformed_json", endpoint="approve")

    answer = kicc.approve(registered)

    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()
    assert easypay_emulator.ledger(registered["shopOrderNo"])["approvals"] == 1


def test_an_amount_mismatch_is_signed_consistently_so_only_the_amount_check_catches_it(
    kicc, easypay_emulator
):
    registered = _approvable(kicc, easypay_emulator, amount=15000)
    easypay_emulator.inject_fault("amount_mismatch", shop_order_no=registered["shopOrderNo"])

    answer = kicc.approve(registered).json()

    assert answer["resCd"] == "0000"
    assert answer["amount"] == 16000
    expected = approval_auth_value(
        "easypay!KICCTEST", answer["pgCno"], 16000, answer["transactionDate"]
    )
    assert signatures_match(expected, answer["msgAuthValue"])
    ledger = easypay_emulator.ledger(registered["shopOrderNo"])
    assert (ledger["registered_amount"], ledger["approved_amount"]) == (15000, 16000)


def test_an_amount_mismatch_can_name_the_amount(kicc, easypay_emulator):
    registered = _approvable(kicc, easypay_emulator, amount=15000)
    easypay_emulator.inject_fault("amount_mismatch", amount=100)

    assert kicc.approve(registered).json()["amount"] == 100


def test_a_bad_signature_does_not_verify(kicc, easypay_emulator):
    registered = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("bad_signature")

    answer = kicc.approve(registered).json()

    expected = approval_auth_value(
        "easypay!KICCTEST", answer["pgCno"], answer["amount"], answer["transactionDate"]
    )
    assert answer["resCd"] == "0000"
    assert len(answer["msgAuthValue"]) == 64
    assert not signatures_match(expected, answer["msgAuthValue"])


def test_a_fault_for_the_next_n_calls_is_used_up(kicc, easypay_emulator):
    easypay_emulator.inject_fault("http_500", count=2)

    statuses = [
        kicc.post("/api/ep9/trades/webpay", kicc.register_body()).status_code for _ in range(3)
    ]

    assert statuses == [500, 500, 200]


def test_a_fault_for_one_order_leaves_other_orders_alone(kicc, easypay_emulator):
    target = _approvable(kicc, easypay_emulator)
    other = _approvable(kicc, easypay_emulator)
    easypay_emulator.inject_fault("http_504", shop_order_no=target["shopOrderNo"])

    assert kicc.approve(other).status_code == 200
    assert kicc.approve(target).status_code == 504


def test_a_fault_for_one_endpoint_skips_the_others(kicc, easypay_emulator):
    easypay_emulator.inject_fault("http_500", endpoint="revise")
    approval = kicc.paid()

    assert kicc.revise(approval["pgCno"], "40").status_code == 500


def test_a_fault_on_revise_is_chosen_by_the_order_of_its_pg_cno(kicc, easypay_emulator):
    approval = kicc.paid()
    easypay_emulator.inject_fault("drop_after_commit", shop_order_no=approval["shopOrderNo"])
    body = kicc.revise_body(approval["pgCno"], "40")

    with pytest.raises(requests.ConnectionError):
        kicc.post("/api/trades/revise", body)

    assert kicc.retrieve(body["shopTransactionId"]).json()["statusCode"] == "TS02"


def test_an_unknown_fault_kind_is_refused(easypay_emulator):
    with pytest.raises(ValueError, match="fault kind"):
        easypay_emulator.inject_fault("meteor_strike")
    with pytest.raises(ValueError, match="only applies to approve"):
        easypay_emulator.inject_fault("bad_signature", endpoint="revise")
