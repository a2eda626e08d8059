"""The client against KICC's own answers (docs/kicc-api.md §5.2/§5.3).

The emulator signs with the test key but cannot produce these real, KICC-signed bodies (another
mall, a 2024 pgCno), so `responses` stands in for testpgapi.easypay.co.kr here, as the house rules
allow for shapes the emulator cannot produce. Everything else runs against the emulator.
"""

import copy

import pytest
import responses

from easypay import kst
from easypay.client import EasyPayClient
from easypay.exceptions import Untrusted
from easypay.tests.kicc_samples import TEST_SECRET, real_card_approval

KICC_TEST_HOST = "https://testpgapi.easypay.co.kr"
APPROVAL_URL = KICC_TEST_HOST + "/api/ep9/trades/approval"


@pytest.fixture
def client():
    # The real answer is T0020391's; its msgAuthValue is made with the shared test key (§12).
    return EasyPayClient(base_url=KICC_TEST_HOST, mall_id="T0020391", secret_key=TEST_SECRET)


def approve(client, **changes):
    arguments = {
        "shop_transaction_id": "66baa1377bb15",
        "authorization_id": "24081308553310790235",
        "shop_order_no": "20210326085908",
        "approval_req_date": kst.today(),
        "expected_amount": 51004,
        **changes,
    }
    return client.approve(**arguments)


@responses.activate
def test_a_real_kicc_signed_approval_is_believed(client):
    responses.post(APPROVAL_URL, json=real_card_approval())

    result = approve(client)

    assert result.pg_cno == "24081308560510790235"
    assert result.amount == 51004
    assert result.card.masked_number == "41190400****704*"
    assert result.call.outcome == "ok"
    assert result.call.http_status == 200
    assert result.call.res_cd == "0000"
    assert result.call.sent is True
    assert result.call.response_body["msgAuthValue"] == "***"


@pytest.mark.parametrize(
    "corruption",
    [
        {"msgAuthValue": "9ea7f8f5ef8ab5c80f409d3dccafeca6c6cb89e5dfda2a41a5d3493e94a146ca"},
        {"msgAuthValue": ""},
        {"msgAuthValue": None},
        {"msgAuthValue": "é" * 64},  # hmac.compare_digest raises on non-ASCII text
        {"amount": 1004},  # amount changed in transit: the signature no longer covers it
        {"transactionDate": "20240813085636"},
    ],
)
@responses.activate
def test_an_approval_with_a_corrupted_signature_is_untrusted_but_names_its_pg_cno(
    client, corruption
):
    responses.post(APPROVAL_URL, json=real_card_approval(**corruption))

    with pytest.raises(Untrusted) as raised:
        approve(client, expected_amount=real_card_approval(**corruption)["amount"])

    error = raised.value
    assert error.reason == "bad_signature"
    assert error.pg_cno == "24081308560510790235"  # what the shop must cancel (§11)
    assert error.call.outcome == "untrusted"


@responses.activate
def test_a_signed_approval_for_another_amount_is_untrusted(client):
    responses.post(APPROVAL_URL, json=real_card_approval())

    with pytest.raises(Untrusted) as raised:
        approve(client, expected_amount=51000)

    assert raised.value.reason == "amount_mismatch"
    assert raised.value.result.amount == 51004
    assert raised.value.pg_cno == "24081308560510790235"


@pytest.mark.parametrize(
    "changes",
    [{"shop_order_no": "20210326085909"}, {"shop_transaction_id": "66baa1377bb16"}],
)
@responses.activate
def test_an_approval_for_another_order_or_request_is_untrusted(client, changes):
    responses.post(APPROVAL_URL, json=real_card_approval())

    with pytest.raises(Untrusted) as raised:
        approve(client, **changes)

    assert raised.value.reason == "echo_mismatch"


@responses.activate
def test_unknown_fields_and_empty_sub_objects_do_not_disturb_an_approval(client):
    body = real_card_approval(fieldAddedIn2027="x", basketInfoList=[])
    body["paymentInfo"].update(
        virtualAccountInfo={"bankCode": "", "accountNo": ""}, mobInfo={}, prepaidInfo={}
    )
    responses.post(APPROVAL_URL, json=body)

    result = approve(client)

    assert result.virtual_account is None
    assert result.raw["fieldAddedIn2027"] == "x"


@responses.activate
def test_an_approval_missing_its_amount_is_untrusted_and_still_names_its_pg_cno(client):
    body = real_card_approval()
    del body["amount"]
    responses.post(APPROVAL_URL, json=body)

    with pytest.raises(Untrusted) as raised:
        approve(client)

    assert raised.value.reason == "missing_field"
    assert raised.value.result is None
    assert raised.value.pg_cno == "24081308560510790235"


@responses.activate
def test_a_full_card_number_in_an_answer_is_masked_everywhere_it_is_kept(client):
    body = copy.deepcopy(real_card_approval())
    body["paymentInfo"]["cardInfo"]["cardNo"] = "4119040012347049"
    responses.post(APPROVAL_URL, json=body)

    result = approve(client)

    assert result.card.masked_number == "411904******7049"
    for kept in (repr(result), repr(result.raw), repr(result.call)):
        assert "4119040012347049" not in kept
