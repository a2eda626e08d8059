"""Dates sent to KICC are Korean dates, whatever the server's clock zone (integrity rule 6)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from easypay import kst
from easypay.exceptions import InvalidRequest, RequestNotSent
from easypay.tests.client_helpers import unreachable_client

# 23:30 UTC on 31 March is 08:30 on 1 April in Seoul.
LATE_EVENING_UTC = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


def sent_body(call) -> dict:
    with pytest.raises(RequestNotSent) as raised:
        call()
    return raised.value.call.request_body


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_at_2330_utc_an_approval_is_dated_the_next_korean_day():
    client = unreachable_client()

    body = sent_body(
        lambda: client.approve(
            shop_transaction_id="a" * 32,
            authorization_id="12345678901234567890",
            shop_order_no="ORD-1",
            approval_req_date=kst.today(),
            expected_amount=15000,
        )
    )

    assert body["approvalReqDate"] == "20260401"


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_at_2330_utc_the_server_date_is_refused_as_not_today_in_korea():
    client = unreachable_client()
    utc_today = datetime.now(UTC).date()
    assert utc_today == date(2026, 3, 31)

    with pytest.raises(InvalidRequest, match="20260401"):
        client.revise(
            shop_transaction_id="b" * 32,
            pg_cno="24081308560510790235",
            revise_type_code="40",
            cancel_req_date=utc_today,
        )


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_at_2330_utc_a_cancel_is_dated_the_next_korean_day():
    client = unreachable_client()

    body = sent_body(
        lambda: client.revise(
            shop_transaction_id="b" * 32,
            pg_cno="24081308560510790235",
            revise_type_code="40",
            cancel_req_date="20260401",
        )
    )

    assert body["cancelReqDate"] == "20260401"


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_at_2330_utc_a_status_query_may_ask_for_korean_today_and_yesterday():
    client = unreachable_client()

    for day in ("20260401", "20260331"):
        body = sent_body(
            lambda day=day: client.retrieve(shop_transaction_id="c" * 32, transaction_date=day)
        )
        assert body["transactionDate"] == day
    with pytest.raises(InvalidRequest):
        client.retrieve(shop_transaction_id="c" * 32, transaction_date="20260330")
