import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from easypay import kst
from easypay.client import (
    DEFAULT_TIMEOUTS,
    EasyPayClient,
    deadline,
    get_client,
    new_shop_transaction_id,
)
from easypay.exceptions import Declined, RequestNotSent
from easypay.tests.client_helpers import unreachable_client
from easypay.tests.contract_helpers import client_for
from easypay.tests.kicc_samples import TEST_SECRET


def test_a_refused_connection_is_retried_then_reported_as_not_sent():
    client = unreachable_client(connect_attempts=3, connect_retry_pause=0.01)

    with pytest.raises(RequestNotSent) as raised:
        client.retrieve(shop_transaction_id="c" * 32, transaction_date=kst.today())

    call = raised.value.call
    assert call.attempts == 3
    assert call.sent is False
    assert call.outcome == "not_sent"
    assert call.http_status is None
    assert call.response_body is None
    assert call.endpoint == "retrieve"
    assert call.shop_transaction_id == "c" * 32
    assert "could not connect after 3 attempts" in str(raised.value)


def test_timeouts_come_from_settings_over_the_defaults(settings):
    settings.EASYPAY_API_URL = "https://testpgapi.easypay.co.kr"
    settings.EASYPAY_TIMEOUTS = {"approve": 12, "connect": 1.5}

    client = get_client()

    assert client.timeouts == {**DEFAULT_TIMEOUTS, "approve": 12.0, "connect": 1.5}


def test_timeouts_from_the_environment_are_text_and_read_as_seconds(settings):
    settings.EASYPAY_API_URL = "https://testpgapi.easypay.co.kr"
    settings.EASYPAY_TIMEOUTS = {"approve": "40", "revise": "2.5"}

    assert get_client().timeouts == {**DEFAULT_TIMEOUTS, "approve": 40.0, "revise": 2.5}


def test_kicc_asks_for_thirty_seconds_on_approve_and_revise_by_default():
    assert DEFAULT_TIMEOUTS["approve"] == DEFAULT_TIMEOUTS["revise"] == 30
    assert DEFAULT_TIMEOUTS["register"] < 30
    assert DEFAULT_TIMEOUTS["retrieve"] < 30


@pytest.mark.parametrize("timeouts", [{"aprove": 30}, {"approve": 0}, {"revise": "thirty"}])
def test_a_mistyped_timeout_is_refused(timeouts):
    with pytest.raises(ValueError, match="timeout"):
        EasyPayClient(
            base_url="https://pgapi.easypay.co.kr",
            mall_id="T0000000",
            secret_key=TEST_SECRET,
            timeouts=timeouts,
        )


def test_a_client_cannot_be_built_without_credentials(settings):
    settings.EASYPAY_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="EASYPAY_SECRET_KEY"):
        get_client()


def test_the_base_url_is_taken_as_given(settings):
    settings.EASYPAY_API_URL = "https://testpgapi.easypay.co.kr/"

    assert get_client().base_url == "https://testpgapi.easypay.co.kr"


def test_the_secret_never_shows_in_the_client_repr():
    client = unreachable_client()

    assert TEST_SECRET not in repr(client)


def test_new_shop_transaction_ids_are_unique_and_fit_kicc_60_characters():
    keys = {new_shop_transaction_id() for _ in range(1000)}

    assert len(keys) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)


def test_within_a_deadline_a_call_that_could_outlast_it_is_not_sent(easypay_emulator):
    client = client_for(easypay_emulator)  # revise: 3 × 5 s to connect, 0.6 s pauses, 30 s

    with deadline(45.0), pytest.raises(RequestNotSent) as refused:
        client.revise(
            shop_transaction_id=new_shop_transaction_id(),
            pg_cno="12345678901234567890",
            revise_type_code="40",
            cancel_req_date=kst.today(),
        )

    assert "EASYPAY_REQUEST_BUDGET" in str(refused.value)
    assert refused.value.call.outcome == "not_sent"
    assert easypay_emulator.requests() == []


def test_a_call_that_fits_the_deadline_is_sent_and_no_deadline_outside_it(easypay_emulator):
    client = client_for(easypay_emulator, retrieve=1.0)

    for window_seconds in (30.0, None):
        with deadline(window_seconds), pytest.raises(Declined):  # KICC has no such key
            client.retrieve(
                shop_transaction_id=new_shop_transaction_id(), transaction_date=kst.today()
            )

    assert len(easypay_emulator.requests("retrieve")) == 2
    assert client.longest_call("retrieve") == pytest.approx(3 * 5 + 0.2 + 0.4 + 1.0)
