"""Refunds (§6.3 codes 60/62/63, §6.1 refundInfo and refundQueryFlag, §9 VTIM/VT00, §8.1 노티
20/50/51, §10.4 RF01–RF03) over raw HTTP, and the balance rules they share with cancels."""

import time

import pytest

from .test_notis import _assert_documented, _wait

ACCOUNT = {
    "refundBankCode": "004",
    "refundAccountNo": "12345678901234",
    "refundDepositName": "홍길동",
}


def refund(kicc, pg_cno, code="62", **overrides):
    overrides.setdefault("refundInfo", ACCOUNT)
    if code in ("60", "62"):
        overrides.setdefault("reviseSubTypeCode", "RF01")
    return kicc.revise(pg_cno, code, **overrides).json()


@pytest.fixture
def deposited(kicc, easypay_emulator):
    approval = kicc.paid("approve_va", amount=15000)
    easypay_emulator.deposit(approval["shopOrderNo"])
    return approval


@pytest.fixture
def mobile(kicc):
    return kicc.paid("approve_mobile", amount=15000)


def _notis(receiver, noti_type):
    return [b["body"] for b in receiver.bodies if b["body"]["notiType"] == noti_type]


# --- where refunds apply ---------------------------------------------------------------------
@pytest.mark.parametrize("code", ["60", "62", "63"])
@pytest.mark.parametrize("outcome", ["approve", "approve_transfer", "approve_easypay"])
def test_a_method_a_cancel_undoes_is_never_refunded(kicc, easypay_emulator, outcome, code):
    approval = kicc.paid(outcome)

    answer = refund(
        kicc,
        approval["pgCno"],
        code,
        amount=1000,
        reviseSubTypeCode="11" if code == "63" else "RF01",
    )

    assert answer["resCd"] == "X037"
    assert easypay_emulator.ledger(approval["shopOrderNo"])["cancels"] == []


def test_a_virtual_account_is_refunded_only_once_deposited(kicc, easypay_emulator):
    approval = kicc.paid("approve_va")
    assert refund(kicc, approval["pgCno"], "60")["resCd"] == "X037"

    easypay_emulator.deposit(approval["shopOrderNo"])

    assert kicc.revise(approval["pgCno"], "40").json()["resCd"] == "X037"  # refund, not cancel
    assert refund(kicc, approval["pgCno"], "60")["resCd"] == "0000"


def test_a_mobile_payment_takes_both_cancels_and_refunds_on_one_balance(
    kicc, easypay_emulator, mobile
):
    cancel = kicc.revise(mobile["pgCno"], "33", amount=5000).json()
    refunded = refund(
        kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=4000, remainAmount=10000
    )
    rest = refund(kicc, mobile["pgCno"], "60", remainAmount=6000)

    assert (cancel["statusCode"], refunded["statusCode"], rest["statusCode"]) == (
        "TS06",
        "RF02",
        "RF01",
    )
    assert (refunded["remainAmount"], rest["cancelAmount"], rest["remainAmount"]) == (6000, 6000, 0)
    ledger = easypay_emulator.ledger(mobile["shopOrderNo"])
    assert [(c["revise_type"], c["amount"], c["state"]) for c in ledger["cancels"]] == [
        ("33", 5000, "done"),
        ("63", 4000, "done"),
        ("60", 6000, "requested"),
    ]
    assert ledger["remaining_amount"] == 0
    assert refund(kicc, mobile["pgCno"], "62", amount=1)["resCd"] == "X034"
    assert kicc.revise(mobile["pgCno"], "40").json()["resCd"] == "X034"


# --- the request ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"refundInfo": None}, "X038"),
        ({"refundInfo": {**ACCOUNT, "refundBankCode": "04"}}, "X004"),
        ({"refundInfo": {**ACCOUNT, "refundBankCode": "0a4"}}, "X004"),
        ({"refundInfo": {**ACCOUNT, "refundAccountNo": "1" * 15}}, "X002"),
        ({"refundInfo": {**ACCOUNT, "refundAccountNo": "123-456"}}, "X004"),
        ({"refundInfo": {**ACCOUNT, "refundDepositName": ""}}, "X001"),
        ({"refundInfo": {**ACCOUNT, "refundDepositName": "가" * 17}}, "X002"),
        ({"refundInfo": {**ACCOUNT, "depositPgCno": "1" * 20}}, "X039"),
        ({"reviseSubTypeCode": "10"}, "X004"),
        ({"refundQueryFlag": "X"}, "X004"),
        ({"amount": None}, "X036"),
        ({"amount": 15001}, "X032"),
        ({"remainAmount": 14000}, "X033"),
    ],
)
def test_a_refund_request_kicc_would_refuse_is_refused_and_moves_nothing(
    kicc, easypay_emulator, deposited, overrides, code
):
    body = {"amount": 5000, **overrides}
    if overrides.get("refundInfo", ACCOUNT) is None:
        del body["refundInfo"]
        answer = kicc.revise(deposited["pgCno"], "62", **body).json()
    else:
        answer = refund(
            kicc, deposited["pgCno"], "62", **{k: v for k, v in body.items() if v is not None}
        )

    assert answer["resCd"] == code
    assert easypay_emulator.ledger(deposited["shopOrderNo"])["remaining_amount"] == 15000


@pytest.mark.parametrize("sub_type", [None, "RF01", "20"])
def test_a_real_time_refund_needs_a_documented_sub_type(kicc, mobile, sub_type):
    overrides = {"reviseSubTypeCode": sub_type} if sub_type else {}

    answer = kicc.revise(mobile["pgCno"], "63", refundInfo=ACCOUNT, **overrides).json()

    assert answer["resCd"] == ("0000" if sub_type == "20" else "X004")


def test_the_deposit_number_of_the_account_is_accepted(kicc, easypay_emulator, deposited):
    deposit = easypay_emulator.ledger(deposited["shopOrderNo"])["deposit_pg_cno"]

    answer = refund(kicc, deposited["pgCno"], "60", refundInfo={**ACCOUNT, "depositPgCno": deposit})

    assert answer["reviseInfo"]["refundInfo"]["depositPgCno"] == deposit


# --- deferred: RF01, then 50 or 51 ---------------------------------------------------------------
def test_a_deferred_refund_is_requested_then_paid_out_with_noti_50(
    kicc, easypay_emulator, noti_receiver, deposited
):
    answer = refund(kicc, deposited["pgCno"], "62", amount=5000, remainAmount=15000)
    time.sleep(0.1)
    assert _notis(noti_receiver, "50") == []  # the bank has not paid it out yet
    assert kicc.retrieve(answer["shopTransactionId"]).json()["statusCode"] == "RF01"

    done = easypay_emulator.complete_refund(deposited["shopOrderNo"], outcome="done")
    _wait(lambda: _notis(noti_receiver, "50"))

    assert (answer["statusCode"], answer["statusMessage"]) == ("RF01", "환불요청")
    assert (answer["cancelAmount"], answer["remainAmount"]) == (5000, 10000)
    assert done == {"resCd": "0000", "cancelPgCno": answer["cancelPgCno"], "statusCode": "RF02"}
    (body,) = _notis(noti_receiver, "50")
    assert (body["resCd"], body["statusCode"], body["pgCno"]) == (
        "0000",
        "RF02",
        deposited["pgCno"],
    )
    assert (body["cancelPgCno"], body["cancelAmount"], body["remainAmount"]) == (
        answer["cancelPgCno"],
        "5000",
        "10000",
    )
    _assert_documented(body)
    assert kicc.retrieve(answer["shopTransactionId"]).json()["statusCode"] == "RF02"
    assert easypay_emulator.ledger(deposited["shopOrderNo"])["status_code"] == "RF02"


def test_a_deferred_refund_the_bank_refuses_sends_51_and_gives_the_balance_back(
    kicc, easypay_emulator, noti_receiver, deposited
):
    easypay_emulator.inject_fault("refund_bank_failure", shop_order_no=deposited["shopOrderNo"])
    answer = refund(kicc, deposited["pgCno"], "60")
    assert easypay_emulator.ledger(deposited["shopOrderNo"])["remaining_amount"] == 0  # reserved

    easypay_emulator.complete_refund(cancel_pg_cno=answer["cancelPgCno"])
    _wait(lambda: _notis(noti_receiver, "51"))

    (body,) = _notis(noti_receiver, "51")
    assert (body["resCd"], body["statusCode"], body["cancelPgCno"]) == (
        "5413",
        "RF03",
        answer["cancelPgCno"],
    )
    _assert_documented(body)
    ledger = easypay_emulator.ledger(deposited["shopOrderNo"])
    assert (ledger["remaining_amount"], ledger["status_code"]) == (15000, "RF03")
    assert ledger["cancels"][0]["state"] == "failed"
    assert kicc.retrieve(answer["shopTransactionId"]).json()["statusCode"] == "RF03"


def test_an_operator_outcome_overrides_the_fault(kicc, easypay_emulator, deposited):
    easypay_emulator.inject_fault("refund_bank_failure", shop_order_no=deposited["shopOrderNo"])
    refund(kicc, deposited["pgCno"], "60")

    assert (
        easypay_emulator.complete_refund(deposited["shopOrderNo"], outcome="done")["statusCode"]
        == "RF02"
    )


def test_a_refund_completes_once(kicc, easypay_emulator, deposited):
    from easypay.emulator.engine import Refused

    refund(kicc, deposited["pgCno"], "62", amount=1000)
    easypay_emulator.complete_refund(deposited["shopOrderNo"])

    with pytest.raises(Refused):
        easypay_emulator.complete_refund(deposited["shopOrderNo"])


def test_deferred_refunds_complete_by_themselves_after_the_delay(
    kicc, easypay_emulator, noti_receiver, deposited
):
    easypay_emulator.set_refund_delay(0.1)

    refund(kicc, deposited["pgCno"], "62", amount=1000)
    _wait(lambda: _notis(noti_receiver, "50"))

    assert easypay_emulator.ledger(deposited["shopOrderNo"])["cancels"][0]["state"] == "done"


def test_a_reset_forgets_a_refund_waiting_for_its_delay(kicc, easypay_emulator, deposited):
    easypay_emulator.set_refund_delay(0.2)
    refund(kicc, deposited["pgCno"], "62", amount=1000)

    easypay_emulator.reset()
    time.sleep(0.3)

    assert easypay_emulator.notis() == []


# --- real time: RF02 and 20, or VTIM / VT00 and the query -----------------------------------
def test_a_real_time_refund_is_done_at_once_with_noti_20(
    kicc, easypay_emulator, noti_receiver, deposited
):
    answer = refund(kicc, deposited["pgCno"], "63", reviseSubTypeCode="10")
    _wait(lambda: _notis(noti_receiver, "20"))

    assert (answer["statusCode"], answer["cancelAmount"], answer["remainAmount"]) == (
        "RF02",
        15000,
        0,
    )
    assert answer["reviseInfo"]["refundInfo"]["refundDate"] == kicc.today()
    (body,) = _notis(noti_receiver, "20")
    assert (body["statusCode"], body["cancelPgCno"]) == ("RF02", answer["cancelPgCno"])
    assert (
        body["depositPgCno"] == easypay_emulator.ledger(deposited["shopOrderNo"])["deposit_pg_cno"]
    )
    _assert_documented(body)


@pytest.mark.parametrize(
    ("commit", "noti", "remaining"), [(True, "20", 10000), (False, "51", 15000)]
)
def test_a_timed_out_refund_answers_vtim_and_the_bank_decides_later(
    kicc, easypay_emulator, noti_receiver, mobile, commit, noti, remaining
):
    easypay_emulator.inject_fault(
        "refund_timeout", shop_order_no=mobile["shopOrderNo"], commit=commit
    )

    answer = refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000)
    _wait(lambda: _notis(noti_receiver, noti))

    assert answer == {"resCd": "VTIM", "resMsg": "환불 처리 시간 초과"}
    assert easypay_emulator.ledger(mobile["shopOrderNo"])["remaining_amount"] == remaining
    _assert_documented(_notis(noti_receiver, noti)[0])


def test_a_refund_query_answers_the_refund_without_paying_again(kicc, easypay_emulator, mobile):
    easypay_emulator.inject_fault(
        "refund_timeout", shop_order_no=mobile["shopOrderNo"], code="VT00"
    )
    refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000)

    queries = [
        refund(
            kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000, refundQueryFlag="Y"
        )
        for _ in range(2)
    ]

    ledger = easypay_emulator.ledger(mobile["shopOrderNo"])
    (row,) = ledger["cancels"]
    assert (row["state"], row["timeout_code"]) == ("done", "VT00")
    assert ledger["remaining_amount"] == 10000
    for query in queries:
        assert (query["resCd"], query["statusCode"]) == ("0000", "RF02")
        assert query["cancelPgCno"] == row["cancel_pg_cno"]
    assert queries[0]["shopTransactionId"] != queries[1]["shopTransactionId"]  # each its own key


def test_a_query_while_kicc_still_does_not_know_answers_vt00_again(
    kicc, easypay_emulator, noti_receiver, mobile
):
    easypay_emulator.inject_fault(
        "refund_timeout", shop_order_no=mobile["shopOrderNo"], unknown_queries=2
    )
    refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000)

    answers = [
        refund(
            kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000, refundQueryFlag="Y"
        )["resCd"]
        for _ in range(3)
    ]

    assert answers == ["VT00", "VT00", "0000"]
    _wait(lambda: _notis(noti_receiver, "20"))
    assert len(_notis(noti_receiver, "20")) == 1


def test_a_retrieve_of_the_timed_out_key_answers_vtim_again(kicc, easypay_emulator, mobile):
    easypay_emulator.inject_fault("refund_timeout", shop_order_no=mobile["shopOrderNo"])
    body = kicc.revise_body(
        mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000, refundInfo=ACCOUNT
    )
    kicc.post("/api/trades/revise", body)

    answer = kicc.retrieve(body["shopTransactionId"]).json()

    assert answer["resCd"] == "VTIM"


def test_a_query_with_nothing_in_doubt_is_refused(kicc, mobile):
    refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000)

    answer = refund(
        kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=5000, refundQueryFlag="Y"
    )

    assert answer["resCd"] == "X042"


def test_the_refund_faults_wait_for_a_refund_they_fit(kicc, easypay_emulator, mobile):
    order = mobile["shopOrderNo"]
    easypay_emulator.inject_fault("refund_timeout", shop_order_no=order)

    cancel = kicc.revise(mobile["pgCno"], "33", amount=1000).json()
    deferred = refund(kicc, mobile["pgCno"], "62", amount=1000)
    real_time = refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="11", amount=1000)

    assert (cancel["resCd"], deferred["resCd"], real_time["resCd"]) == ("0000", "0000", "VTIM")


def test_a_real_time_refund_the_bank_refuses_at_once_is_answered_5413(
    kicc, easypay_emulator, mobile
):
    easypay_emulator.inject_fault("refund_bank_failure", shop_order_no=mobile["shopOrderNo"])

    answer = refund(kicc, mobile["pgCno"], "63", reviseSubTypeCode="10")

    assert answer["resCd"] == "5413"
    assert easypay_emulator.ledger(mobile["shopOrderNo"])["remaining_amount"] == 15000


@pytest.mark.parametrize(
    ("kind", "params", "problem"),
    [
        ("refund_timeout", {"code": "VT99"}, "code"),
        ("refund_timeout", {"unknown_queries": -1}, "unknown_queries"),
        ("refund_timeout", {"endpoint": "approve"}, "revise"),
        ("refund_bank_failure", {"endpoint": "retrieve"}, "revise"),
    ],
)
def test_a_refund_fault_with_bad_parameters_is_refused(easypay_emulator, kind, params, problem):
    with pytest.raises(ValueError, match=problem):
        easypay_emulator.inject_fault(kind, **params)
