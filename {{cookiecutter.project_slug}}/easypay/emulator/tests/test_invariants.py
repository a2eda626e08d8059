"""KICC's rules the emulator enforces (docs/kicc-api.md §5, §6, §7, §11)."""

import threading
from datetime import timedelta

import requests

from easypay import kst


def _code(response) -> str:
    assert response.status_code == 200
    return response.json()["resCd"]


# --- authorizationId ---------------------------------------------------------------------
def test_an_authorization_id_approves_only_once(kicc, easypay_emulator):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"])

    first = kicc.approve(registered)
    second = kicc.approve(registered)

    assert _code(first) == "0000"
    assert _code(second) == "X021"
    assert easypay_emulator.ledger(registered["shopOrderNo"])["approvals"] == 1


def test_an_authorization_id_is_bound_to_its_order(kicc, easypay_emulator):
    registered = kicc.register()
    other = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"])

    answer = kicc.approve(registered, shopOrderNo=other["shopOrderNo"])

    assert _code(answer) == "X022"


def test_an_authorization_id_is_bound_to_its_mall(kicc, easypay_emulator):
    easypay_emulator._emulator.malls["T0000001"] = "another-secret"
    try:
        registered = kicc.register()
        easypay_emulator.authenticate(registered["authorizationId"])
        assert _code(kicc.approve(registered, mallId="T0000001")) == "X022"
    finally:
        del easypay_emulator._emulator.malls["T0000001"]


def test_an_unknown_authorization_id_is_refused(kicc):
    registered = kicc.register()

    assert _code(kicc.approve(registered, authorizationId="1" * 20)) == "X020"


def test_a_window_that_was_not_completed_cannot_be_approved(kicc):
    registered = kicc.register()

    assert _code(kicc.approve(registered)) == "X023"


def test_a_declined_window_cannot_be_approved(kicc, easypay_emulator):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"], "decline", decline_code="8035")

    assert _code(kicc.approve(registered)) == "X023"


def test_two_simultaneous_approvals_of_one_authorization_approve_once(kicc, easypay_emulator):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"])
    codes = []
    threads = [
        threading.Thread(target=lambda: codes.append(_code(kicc.approve(registered))))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == ["0000"] + ["X021"] * 5


# --- repeated shopOrderNo ------------------------------------------------------------------
def test_an_unpaid_order_can_be_registered_again_and_either_window_pays_it_once(
    kicc, easypay_emulator
):
    first = kicc.register(amount=1000)
    second = kicc.register(shopOrderNo=first["shopOrderNo"], amount=2000)
    easypay_emulator.authenticate(first["authorizationId"])
    easypay_emulator.authenticate(second["authorizationId"])

    assert kicc.approve(second).json()["amount"] == 2000
    assert _code(kicc.approve(first)) == "X011"
    assert easypay_emulator.ledger(first["shopOrderNo"])["registered_amount"] == 2000


def test_a_paid_order_cannot_be_registered_again(kicc):
    approval = kicc.paid()

    body = kicc.register_body(shopOrderNo=approval["shopOrderNo"])
    assert _code(kicc.post("/api/ep9/trades/webpay", body)) == "X011"


# --- shopTransactionId idempotency (§11) -------------------------------------------------
def test_a_repeated_approval_key_is_a_duplicate_error_not_a_replay(kicc, easypay_emulator):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"])
    body = kicc.approve_body(registered)

    first = kicc.post("/api/ep9/trades/approval", body)
    again = kicc.post("/api/ep9/trades/approval", body)

    assert _code(first) == "0000"
    assert again.json() == {"resCd": "X010", "resMsg": again.json()["resMsg"]}


def test_a_key_used_by_an_approval_cannot_be_used_by_a_revise(kicc):
    approval = kicc.paid()

    answer = kicc.revise(approval["pgCno"], "40", shopTransactionId=approval["shopTransactionId"])

    assert _code(answer) == "X010"


def test_a_refused_approval_still_uses_up_its_key(kicc, easypay_emulator):
    registered = kicc.register()
    body = kicc.approve_body(registered)
    assert _code(kicc.post("/api/ep9/trades/approval", body)) == "X023"
    easypay_emulator.authenticate(registered["authorizationId"])

    assert _code(kicc.post("/api/ep9/trades/approval", body)) == "X010"


def test_keys_expire_at_midnight_kst(kicc, easypay_emulator):
    approval = kicc.paid()
    easypay_emulator.advance_days(1)
    tomorrow = kst.date_text(kst.today() + timedelta(days=1))

    answer = kicc.revise(
        approval["pgCno"],
        "40",
        shopTransactionId=approval["shopTransactionId"],
        cancelReqDate=tomorrow,
    )

    assert _code(answer) == "0000"


# --- revise --------------------------------------------------------------------------------
def test_a_revise_with_a_wrong_signature_is_refused_and_cancels_nothing(kicc, easypay_emulator):
    approval = kicc.paid()

    answer = kicc.revise(approval["pgCno"], "40", msgAuthValue="0" * 64)

    assert _code(answer) == "X030"
    assert easypay_emulator.ledger(approval["shopOrderNo"])["cancelled_amount"] == 0


def test_a_signature_for_another_key_is_refused(kicc):
    approval = kicc.paid()
    other = kicc.revise_body(approval["pgCno"], "40")

    answer = kicc.revise(approval["pgCno"], "40", msgAuthValue=other["msgAuthValue"])

    assert _code(answer) == "X030"


def test_cancels_add_up_and_an_over_cancel_is_refused(kicc, easypay_emulator):
    approval = kicc.paid(amount=10000)
    assert _code(kicc.revise(approval["pgCno"], "32", amount=4000)) == "0000"
    assert _code(kicc.revise(approval["pgCno"], "32", amount=4000)) == "0000"

    assert _code(kicc.revise(approval["pgCno"], "32", amount=2001)) == "X032"
    ledger = easypay_emulator.ledger(approval["shopOrderNo"])
    assert (ledger["cancelled_amount"], ledger["remaining_amount"]) == (8000, 2000)
    assert ledger["status_code"] == "TS06"


def test_a_remain_amount_that_differs_from_the_balance_is_refused(kicc):
    approval = kicc.paid(amount=10000)
    kicc.revise(approval["pgCno"], "32", amount=1000)

    assert _code(kicc.revise(approval["pgCno"], "32", amount=1000, remainAmount=10000)) == "X033"
    assert _code(kicc.revise(approval["pgCno"], "32", amount=1000, remainAmount=9000)) == "0000"


def test_revise_type_41_does_not_exist(kicc):
    approval = kicc.paid()

    assert _code(kicc.revise(approval["pgCno"], "41", amount=1000)) == "X035"


def test_a_partial_cancel_needs_an_amount(kicc):
    approval = kicc.paid()

    assert _code(kicc.revise(approval["pgCno"], "32")) == "X036"


def test_partial_cancel_33_is_not_for_cards(kicc):
    approval = kicc.paid()

    assert _code(kicc.revise(approval["pgCno"], "33", amount=1000)) == "X037"


def test_a_full_cancel_of_a_cancelled_transaction_is_refused(kicc):
    approval = kicc.paid()
    assert _code(kicc.revise(approval["pgCno"], "40")) == "0000"

    assert _code(kicc.revise(approval["pgCno"], "40")) == "X034"


def test_the_cancel_request_date_must_be_today_in_kst(kicc):
    approval = kicc.paid()
    yesterday = kst.date_text(kst.today() - timedelta(days=1))

    assert _code(kicc.revise(approval["pgCno"], "40", cancelReqDate=yesterday)) == "X006"


def test_an_unknown_pg_cno_is_refused(kicc):
    assert _code(kicc.revise("2" * 20, "40")) == "X031"


def test_cancelling_an_unpaid_virtual_account_closes_it(kicc, easypay_emulator):
    approval = kicc.paid("approve_va")

    answer = kicc.revise(approval["pgCno"], "40").json()

    assert answer["statusCode"] == "TS02"
    deposit = requests.post(
        kicc.base + "/_control/deposit", json={"shop_order_no": approval["shopOrderNo"]}, timeout=5
    )
    assert deposit.status_code == 409


# --- retrieve (§7) -------------------------------------------------------------------------
def test_retrieve_covers_yesterday(kicc, easypay_emulator):
    approval = kicc.paid()
    easypay_emulator.advance_days(1)

    assert _code(kicc.retrieve(approval["shopTransactionId"], kst.date_text())) == "0000"


def test_retrieve_refuses_the_day_before_yesterday(kicc, easypay_emulator):
    approval = kicc.paid()
    easypay_emulator.advance_days(2)

    assert _code(kicc.retrieve(approval["shopTransactionId"], kst.date_text())) == "X041"


def test_retrieve_needs_the_original_date(kicc):
    approval = kicc.paid()
    yesterday = kst.date_text(kst.today() - timedelta(days=1))

    assert _code(kicc.retrieve(approval["shopTransactionId"], yesterday)) == "X040"


def test_retrieve_with_a_new_key_finds_nothing(kicc):
    kicc.paid()

    assert _code(kicc.retrieve("a-brand-new-key")) == "X040"


def test_retrieve_of_a_refused_approval_finds_nothing(kicc):
    registered = kicc.register()
    body = kicc.approve_body(registered)
    kicc.post("/api/ep9/trades/approval", body)

    assert _code(kicc.retrieve(body["shopTransactionId"])) == "X040"
