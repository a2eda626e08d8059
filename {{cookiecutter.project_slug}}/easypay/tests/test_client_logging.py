"""One structured line per call on `easypay.client`, never a secret, signature or card number."""

import copy
import logging

import pytest
import responses

from easypay import kst
from easypay.client import EasyPayClient
from easypay.exceptions import RequestNotSent
from easypay.signing import revise_auth_value
from easypay.tests.client_helpers import unreachable_client
from easypay.tests.kicc_samples import REAL_CARD_APPROVAL, TEST_SECRET

FULL_CARD_NUMBER = "4119040012347049"


def client_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "easypay.client"]


@responses.activate
def test_a_call_logs_one_line_without_secret_signature_or_card_number(caplog):
    body = copy.deepcopy(REAL_CARD_APPROVAL)
    body["paymentInfo"]["cardInfo"]["cardNo"] = FULL_CARD_NUMBER
    responses.post("https://testpgapi.easypay.co.kr/api/ep9/trades/approval", json=body)
    client = EasyPayClient(
        base_url="https://testpgapi.easypay.co.kr", mall_id="T0020391", secret_key=TEST_SECRET
    )

    with caplog.at_level(logging.INFO, logger="easypay.client"):
        result = client.approve(
            shop_transaction_id="66baa1377bb15",
            authorization_id="24081308553310790235",
            shop_order_no="20210326085908",
            approval_req_date=kst.today(),
            expected_amount=51004,
        )

    [line] = client_lines(caplog)
    message = line.getMessage()
    for expected in (
        "endpoint=approve",
        "outcome=ok",
        "shopOrderNo=20210326085908",
        "shopTransactionId=66baa1377bb15",
        "resCd=0000",
        "latency_ms=",
    ):
        assert expected in message
    assert line.easypay["latency_ms"] == result.call.latency_ms
    assert TEST_SECRET not in caplog.text
    assert REAL_CARD_APPROVAL["msgAuthValue"] not in caplog.text
    assert FULL_CARD_NUMBER not in caplog.text


def test_a_signed_cancel_request_never_logs_its_signature(caplog):
    client = unreachable_client()
    pg_cno, key = "24081308560510790235", "cancel-0001"

    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(RequestNotSent) as raised,
    ):
        client.revise(
            shop_transaction_id=key,
            pg_cno=pg_cno,
            revise_type_code="40",
            cancel_req_date=kst.today(),
        )

    signature = revise_auth_value(TEST_SECRET, pg_cno, key)
    [line] = client_lines(caplog)
    assert line.levelno == logging.WARNING
    assert "outcome=not_sent" in line.getMessage()
    for shown in (caplog.text, str(raised.value), repr(raised.value.call)):
        assert signature not in shown
        assert TEST_SECRET not in shown
