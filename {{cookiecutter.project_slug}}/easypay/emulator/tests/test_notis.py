"""노티 delivery (§8.1): JSON POSTs, retried until acked; deposits; resends."""

import time

# §8.1's field list (the subset the emulator can ever send must stay inside it).
NOTI_FIELDS = {
    "resCd", "resMsg", "mallId", "notiType", "pgCno", "shopOrderNo", "amount", "approvalNo",
    "transactionDate", "cardNo", "issuerCode", "issuerName", "acquirerCode", "acquirerName",
    "installmentMonth", "freeInstallmentTypeCode", "bankCode", "bankName", "accountNo",
    "depositName", "expiryDate", "escrowUsed", "cancelDate", "statusCode", "statusMessage",
    "payMethodTypeCode", "tlfSno", "partCancelUsed", "cardGubun", "cardBizGubun", "cancelAmount",
    "cancelPgCno", "remainAmount", "cardMaskNo", "shopValue1", "shopValue2", "shopValue3",
    "shopValue4", "shopValue5", "shopValue6", "cpCode", "authId", "billId", "mobileNo",
    "mobileCd", "depositPgCno",
}  # fmt: skip


def _wait(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _assert_documented(body):
    assert set(body) <= NOTI_FIELDS
    assert all(isinstance(value, str) for value in body.values())


def test_an_approval_noti_is_retried_until_acked(kicc, easypay_emulator, noti_receiver):
    noti_receiver.failures = 2

    approval = kicc.paid(amount=15000)
    attempts = easypay_emulator.wait_for_notis(1, acked=True)

    assert [a["http_status"] for a in easypay_emulator.notis()] == [500, 500, 200]
    assert [a["acked"] for a in easypay_emulator.notis()] == [False, False, True]
    body = attempts[0]["body"]
    assert noti_receiver.bodies[-1]["body"] == body
    assert noti_receiver.bodies[-1]["content_type"] == "application/json; charset=utf-8"
    assert body["notiType"] == "10" and body["pgCno"] == approval["pgCno"]
    assert body["amount"] == "15000" and body["statusCode"] == "TS03"
    assert body["shopValue1"] == "cart-42"
    _assert_documented(body)


def test_delivery_gives_up_after_the_last_retry(kicc, easypay_emulator, noti_receiver):
    noti_receiver.failures = 100

    kicc.paid()
    _wait(lambda: len(easypay_emulator.notis()) == 4)  # the first try + max_retries=3
    time.sleep(0.2)

    assert len(easypay_emulator.notis()) == 4
    assert not any(a["acked"] for a in easypay_emulator.notis())


def test_an_ack_needs_json_result_code_0000(kicc, easypay_emulator):
    import http.server
    import threading

    class Plain(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            answer = b"res_cd=0000^res_msg=SUCCESS"  # the legacy text ack is not the JSON one
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Plain)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        easypay_emulator.set_noti_url(
            f"http://127.0.0.1:{server.server_port}/", retry_seconds=0.05, max_retries=1
        )
        kicc.paid()
        _wait(lambda: len(easypay_emulator.notis()) == 2)
    finally:
        server.shutdown()
        server.server_close()

    assert [(a["http_status"], a["acked"]) for a in easypay_emulator.notis()] == [
        (200, False),
        (200, False),
    ]


def test_an_unreachable_noti_url_is_retried(kicc, easypay_emulator):
    easypay_emulator.set_noti_url("http://127.0.0.1:9/", retry_seconds=0.05, max_retries=1)

    kicc.paid()
    _wait(lambda: len(easypay_emulator.notis()) == 2)

    assert all(a["http_status"] is None and a["error"] for a in easypay_emulator.notis())


def test_a_cancel_sends_noti_20(kicc, easypay_emulator, noti_receiver):
    approval = kicc.paid(amount=10000)
    cancel = kicc.revise(approval["pgCno"], "32", amount=3000).json()

    _wait(lambda: len(noti_receiver.bodies) == 2)
    body = next(b["body"] for b in noti_receiver.bodies if b["body"]["notiType"] == "20")

    assert body["pgCno"] == approval["pgCno"]
    assert body["cancelPgCno"] == cancel["cancelPgCno"]
    assert (body["cancelAmount"], body["remainAmount"], body["statusCode"]) == (
        "3000",
        "7000",
        "TS06",
    )
    _assert_documented(body)


def test_a_virtual_account_sends_nothing_until_the_deposit(kicc, easypay_emulator, noti_receiver):
    approval = kicc.paid("approve_va", amount=30000)
    time.sleep(0.1)
    assert noti_receiver.bodies == []

    easypay_emulator.deposit(approval["shopOrderNo"])
    _wait(lambda: len(noti_receiver.bodies) == 1)

    body = noti_receiver.bodies[0]["body"]
    ledger = easypay_emulator.ledger(approval["shopOrderNo"])
    assert body["notiType"] == "30"
    assert body["tlfSno"] == approval["pgCno"]  # the issuing transaction
    assert body["pgCno"] == ledger["deposit_pg_cno"] != approval["pgCno"]  # the deposit
    assert body["amount"] == "30000" and body["payMethodTypeCode"] == "22"
    assert body["accountNo"] == approval["paymentInfo"]["virtualAccountInfo"]["accountNo"]
    assert ledger["status_code"] == "TS08"
    assert kicc.retrieve(approval["shopTransactionId"]).json()["statusCode"] == "TS08"
    _assert_documented(body)


def test_a_deposit_cancelled_by_the_bank_sends_noti_31(kicc, easypay_emulator, noti_receiver):
    approval = kicc.paid("approve_va")
    easypay_emulator.deposit(approval["shopOrderNo"])

    easypay_emulator.cancel_deposit(approval["shopOrderNo"])
    _wait(lambda: len(noti_receiver.bodies) == 2)

    types = sorted(b["body"]["notiType"] for b in noti_receiver.bodies)
    assert types == ["30", "31"]
    assert easypay_emulator.ledger(approval["shopOrderNo"])["status_code"] == "TS07"


def test_only_an_issued_virtual_account_takes_a_deposit(kicc, easypay_emulator):
    import pytest

    from easypay.emulator.engine import Refused

    approval = kicc.paid("approve")

    with pytest.raises(Refused):
        easypay_emulator.deposit(approval["shopOrderNo"])


def test_a_resent_noti_arrives_again_with_the_same_body(kicc, easypay_emulator, noti_receiver):
    approval = kicc.paid()
    _wait(lambda: len(noti_receiver.bodies) == 1)

    easypay_emulator.resend_noti(approval["shopOrderNo"], "10")
    _wait(lambda: len(noti_receiver.bodies) == 2)

    assert noti_receiver.bodies[0]["body"] == noti_receiver.bodies[1]["body"]


def test_a_reset_stops_pending_retries(kicc, easypay_emulator, noti_receiver):
    noti_receiver.failures = 100
    easypay_emulator.set_noti_url(noti_receiver.url, retry_seconds=0.1, max_retries=50)
    kicc.paid()
    _wait(lambda: len(noti_receiver.bodies) >= 1)

    easypay_emulator.reset()
    time.sleep(0.1)
    count = len(noti_receiver.bodies)
    time.sleep(0.3)

    assert len(noti_receiver.bodies) == count
    assert easypay_emulator.notis() == []


def test_without_a_noti_url_nothing_is_sent(kicc, easypay_emulator):
    kicc.paid()
    time.sleep(0.1)

    assert easypay_emulator.notis() == []
