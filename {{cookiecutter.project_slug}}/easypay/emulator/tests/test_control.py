"""Operator endpoints under _control/: the same inspection and levers, over HTTP."""

import requests

from easypay.tests.service_helpers import noti_of, notis_sunk


def _control(kicc, name, body=None, **params):
    url = f"{kicc.base}/_control/{name}"
    if body is None:
        return requests.get(url, params=params, timeout=5)
    return requests.post(url, json=body, timeout=5)


def test_the_ledger_follows_an_order_through_its_life(kicc, easypay_emulator):
    registered = kicc.register(amount=20000)
    assert _control(kicc, f"ledger/{registered['shopOrderNo']}").json() == {
        "mall_id": "T0000000",
        "shop_order_no": registered["shopOrderNo"],
        "registered_amount": 20000,
        "approved_amount": 0,
        "cancelled_amount": 0,
        "remaining_amount": 0,
        "status_code": None,
        "pg_cno": None,
        "pay_method": None,
        "deposit_pg_cno": None,
        "approvals": 0,
        "cancels": [],
    }
    easypay_emulator.authenticate(registered["authorizationId"])
    approval = kicc.approve(registered).json()
    kicc.revise(approval["pgCno"], "32", amount=5000)

    ledger = _control(kicc, f"ledger/{registered['shopOrderNo']}").json()

    assert ledger["approved_amount"] == 20000
    assert (ledger["cancelled_amount"], ledger["remaining_amount"]) == (5000, 15000)
    assert (ledger["status_code"], ledger["pg_cno"], ledger["approvals"]) == (
        "TS06",
        approval["pgCno"],
        1,
    )
    (cancel,) = ledger["cancels"]
    assert (cancel["revise_type"], cancel["amount"], cancel["remain_after"]) == ("32", 5000, 15000)
    assert ledger == easypay_emulator.ledger(registered["shopOrderNo"])


def test_the_status_answer_follows_the_chosen_reading_of_section_7(kicc, easypay_emulator):
    approval = kicc.paid()
    kicc.revise(approval["pgCno"], "32", amount=5000)

    current = kicc.retrieve(approval["shopTransactionId"]).json()
    assert _control(kicc, "retrieve-status", {"reading": "original"}).json() == {
        "reading": "original"
    }
    original = kicc.retrieve(approval["shopTransactionId"]).json()
    refused = _control(kicc, "retrieve-status", {"reading": "sometimes"})

    assert (current["statusCode"], original["statusCode"]) == ("TS06", "TS03")
    assert refused.status_code == 400
    assert easypay_emulator.ledger(approval["shopOrderNo"])["status_code"] == "TS06"


def test_a_console_cancel_sends_a_cancel_noti_and_needs_no_key_of_the_shops(kicc, easypay_emulator):
    approval = kicc.paid()
    order = approval["shopOrderNo"]

    with notis_sunk(easypay_emulator):
        answer = _control(kicc, "console-cancel", {"shop_order_no": order, "amount": 4000})
        over = _control(kicc, "console-cancel", {"shop_order_no": order, "amount": 99999})
        noti = noti_of(easypay_emulator, "20")

    assert answer.json()["cancelAmount"] == 4000
    assert over.status_code == 409
    ledger = easypay_emulator.ledger(order)
    assert (ledger["cancelled_amount"], ledger["status_code"]) == (4000, "TS06")
    assert noti["cancelPgCno"] == answer.json()["cancelPgCno"]


def test_an_unknown_order_has_no_ledger(kicc):
    answer = _control(kicc, "ledger/NOPE")

    assert answer.status_code == 404
    assert answer.json() == {"error": "no order NOPE"}


def test_the_request_log_keeps_every_call_with_its_answer(kicc, easypay_emulator):
    approval = kicc.paid()
    kicc.retrieve("nothing-here")

    log = _control(kicc, "requests").json()["requests"]

    assert [entry["endpoint"] for entry in log] == ["register", "approve", "retrieve"]
    assert log[1]["body"]["shopTransactionId"] == approval["shopTransactionId"]
    assert log[1]["response"] == approval
    assert log[1]["http_status"] == 200 and log[1]["shop_order_no"] == approval["shopOrderNo"]
    assert log[2]["response"]["resCd"] == "X040"
    only_approve = _control(kicc, "requests", endpoint="approve").json()["requests"]
    assert len(only_approve) == 1
    assert easypay_emulator.requests(shop_order_no=approval["shopOrderNo"]) == log[:2]


def test_reset_forgets_everything(kicc, easypay_emulator):
    approval = kicc.paid()

    assert _control(kicc, "reset", {}).json() == {"ok": True}

    assert easypay_emulator.ledger(approval["shopOrderNo"]) is None
    assert easypay_emulator.requests() == []
    assert kicc.retrieve(approval["shopTransactionId"]).json()["resCd"] == "X040"


def test_faults_can_be_injected_over_http(kicc):
    answer = _control(kicc, "faults", {"kind": "http_502", "endpoint": "register", "count": 1})

    assert answer.json() == {"ok": True}
    assert kicc.post("/api/ep9/trades/webpay", kicc.register_body()).status_code == 502
    bad = _control(kicc, "faults", {"kind": "nope"})
    assert bad.status_code == 400


def test_a_window_button_can_be_pressed_over_http(kicc):
    registered = kicc.register()

    answer = _control(
        kicc,
        "authenticate",
        {"authorization_id": registered["authorizationId"], "outcome": "approve"},
    ).json()

    assert answer["url"] == "http://shop.test/pay/return?step=1&x=2"
    assert answer["fields"]["authorizationId"] == registered["authorizationId"]


def test_deposit_noti_settings_and_resend_work_over_http(kicc, easypay_emulator, noti_receiver):
    approval = kicc.paid("approve_va")

    config = _control(kicc, "noti-url", {"url": noti_receiver.url, "retry_seconds": 0.05}).json()
    deposit = _control(kicc, "deposit", {"shop_order_no": approval["shopOrderNo"]}).json()
    easypay_emulator.wait_for_notis(1, acked=True)
    resend = _control(
        kicc, "resend-noti", {"shop_order_no": approval["shopOrderNo"], "noti_type": "30"}
    )
    easypay_emulator.wait_for_notis(2, acked=True)

    assert config["url"] == noti_receiver.url
    assert deposit["resCd"] == "0000"
    assert resend.json() == {"ok": True}
    notis = _control(kicc, "notis").json()["notis"]
    assert [n["body"]["pgCno"] for n in notis] == [deposit["pgCno"]] * 2


def test_the_clock_can_move_forward(kicc):
    from datetime import timedelta

    from easypay import kst

    answer = _control(kicc, "advance-days", {"days": 1}).json()

    assert answer["today"] == kst.date_text(kst.today() + timedelta(days=1))


def test_changes_need_post(kicc):
    assert _control(kicc, "reset").status_code == 400


def test_the_refund_levers_over_http(kicc, easypay_emulator):
    approval = kicc.paid("approve_va", amount=10000)
    easypay_emulator.deposit(approval["shopOrderNo"])
    account = {"refundBankCode": "004", "refundAccountNo": "1234", "refundDepositName": "홍길동"}
    kicc.revise(approval["pgCno"], "60", refundInfo=account)

    delay = _control(kicc, "refund-delay", {"seconds": 30}).json()
    bad_delay = _control(kicc, "refund-delay", {"seconds": -1})
    done = _control(kicc, "refund-complete", {"shop_order_no": approval["shopOrderNo"]}).json()
    again = _control(kicc, "refund-complete", {"shop_order_no": approval["shopOrderNo"]})
    bad_outcome = _control(kicc, "refund-complete", {"shop_order_no": "x", "outcome": "maybe"})

    assert delay == {"seconds": 30.0}
    assert bad_delay.status_code == 400
    assert done["statusCode"] == "RF02"
    assert again.status_code == 409  # nothing waits any more
    assert bad_outcome.status_code == 400


def test_the_easy_pay_code_lever_over_http(kicc):
    assert _control(kicc, "easy-pay-method-code").json() == {"code": "11"}
    assert _control(kicc, "easy-pay-method-code", {"code": "60"}).json() == {"code": "60"}
    assert _control(kicc, "easy-pay-method-code", {"code": "22"}).status_code == 400


def test_the_window_takes_a_provider_over_http(kicc):
    registered = kicc.register()

    answer = _control(
        kicc,
        "authenticate",
        {
            "authorization_id": registered["authorizationId"],
            "outcome": "approve_transfer",
            "provider": "032",
        },
    )

    assert answer.json()["fields"]["resCd"] == "0000"
    assert kicc.approve(registered).json()["paymentInfo"]["bankInfo"]["bankCode"] == "032"
