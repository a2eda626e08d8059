"""Every method the window offers (§10.1): its button, its approval shape (§5.2), its 노티 10
(§8.1) and the cancel codes §6.3 gives it."""

import pytest
import requests

from easypay import methods
from easypay.emulator import shapes

from .conftest import parse_forms
from .test_api import PAYMENT_INFO_KEYS
from .test_notis import _assert_documented, _wait

SUB_OBJECTS = ("cardInfo", "bankInfo", "virtualAccountInfo", "mobInfo")
OWN = {  # window button → (payMethodTypeCode, the sub-object it fills)
    "approve": ("11", "cardInfo"),
    "approve_transfer": ("21", "bankInfo"),
    "approve_va": ("22", "virtualAccountInfo"),
    "approve_mobile": ("31", "mobInfo"),
    "approve_easypay": ("60", "cardInfo"),
}


def _buttons(page_html):
    return [form["fields"].get("outcome") for form in parse_forms(page_html)]


def test_the_window_offers_only_banks_and_wallets_the_shop_knows():
    assert shapes.BANKS.keys() == methods.BANK_NAMES.keys()
    assert set(shapes.VA_BANKS) <= shapes.BANKS.keys()
    assert shapes.WALLETS.keys() <= methods.EASY_PAY_NAMES.keys()
    assert shapes.CARRIERS == methods.CARRIER_NAMES


def test_a_window_for_the_buyers_choice_offers_every_method(kicc):
    registered = kicc.register(payMethodTypeCode="00")

    page = requests.get(registered["authPageUrl"], timeout=5).text

    assert _buttons(page)[:5] == list(OWN)
    for label in (
        "카드 결제 승인",
        "계좌이체 승인",
        "가상계좌 발급",
        "휴대폰 결제 승인",
        "간편결제 승인",
    ):
        assert label in page
    assert "카카오페이" in page and "LG U+" in page and "KB국민" in page


@pytest.mark.parametrize(("outcome", "own"), OWN.items())
def test_a_window_for_one_method_offers_only_its_button(kicc, outcome, own):
    registered = kicc.register(payMethodTypeCode=own[0])

    buttons = _buttons(requests.get(registered["authPageUrl"], timeout=5).text)

    assert [b for b in buttons if b and b.startswith("approve")] == [outcome]


def test_the_provider_picked_in_the_window_is_the_one_approved(kicc, easypay_emulator):
    registered = kicc.register()
    page = requests.get(registered["authPageUrl"], timeout=5).text
    form = next(f for f in parse_forms(page) if f["fields"].get("outcome") == "approve_mobile")

    requests.post(kicc.base + form["action"], data={**form["fields"], "provider": "LGT"}, timeout=5)
    answer = kicc.approve(registered).json()

    assert answer["paymentInfo"]["mobInfo"]["mobileCd"] == "LGT"


@pytest.mark.parametrize(("outcome", "own"), OWN.items())
def test_each_method_approves_in_its_documented_shape(kicc, easypay_emulator, outcome, own):
    code, filled = own
    registered = kicc.register(amount=12000)
    easypay_emulator.authenticate(registered["authorizationId"], outcome)

    answer = kicc.approve(registered).json()

    info = answer["paymentInfo"]
    assert answer["resCd"] == "0000" and answer["amount"] == 12000
    assert set(info) == PAYMENT_INFO_KEYS
    assert info["payMethodTypeCode"] == ("11" if code == "60" else code)  # the default reading
    assert answer["statusCode"] == ("TS07" if code == "22" else "TS03")
    for name in SUB_OBJECTS:  # its own sub-object filled, the others present and empty
        values = {v for k, v in info[name].items() if k not in ("installmentMonth", "couponAmount")}
        assert (values != {""}) is (name == filled), name
    assert bool(info["cpCode"]) is (code == "60")


def test_each_method_has_its_realistic_test_values(kicc, easypay_emulator):
    def approved(outcome, provider):
        registered = kicc.register()
        easypay_emulator.authenticate(registered["authorizationId"], outcome, provider=provider)
        return kicc.approve(registered).json()["paymentInfo"]

    transfer = approved("approve_transfer", "090")
    mobile = approved("approve_mobile", "KTF")
    wallet = approved("approve_easypay", "TOS")

    assert transfer["bankInfo"] == {"bankCode": "090", "bankName": "카카오뱅크"}
    assert mobile["mobInfo"]["mobileCd"] == "KTF"
    assert len(mobile["mobInfo"]["mobileNo"]) == 11 and mobile["mobInfo"]["mobileNo"][:3] == "010"
    assert wallet["cpCode"] == "TOS" and wallet["cardInfo"]["issuerName"] == "TestCard"


def test_an_unknown_provider_is_refused_by_the_window(kicc, easypay_emulator):
    registered = kicc.register()

    with pytest.raises(ValueError, match="provider"):
        easypay_emulator.authenticate(registered["authorizationId"], "approve_mobile", provider="X")
    with pytest.raises(ValueError, match="no provider"):
        easypay_emulator.authenticate(registered["authorizationId"], "approve", provider="KKO")


def test_a_button_of_another_method_than_registered_is_a_window_error(kicc, easypay_emulator):
    registered = kicc.register(payMethodTypeCode="21")

    post = easypay_emulator.authenticate(registered["authorizationId"], "approve_mobile")

    assert post.fields["resCd"] == "X050" and "authorizationId" not in post.fields


@pytest.mark.parametrize("code", ["41", "50", "81", "99"])
def test_a_method_the_window_does_not_offer_is_refused_at_registration(kicc, code):
    answer = kicc.post("/api/ep9/trades/webpay", kicc.register_body(payMethodTypeCode=code))

    assert answer.json()["resCd"] == "X004"


def test_a_virtual_account_takes_the_deadline_it_was_registered_with(kicc, easypay_emulator):
    info = {"virtualAccountMethodInfo": {"expiryDate": "20991231", "expiryTime": "180000"}}

    answer = kicc.paid("approve_va", payMethodTypeCode="22", payMethodInfo=info)

    assert answer["paymentInfo"]["virtualAccountInfo"]["expiryDate"] == "20991231180000"


@pytest.mark.parametrize(
    "info",
    [
        {"virtualAccountMethodInfo": {"expiryTime": "2500"}},
        {"virtualAccountMethodInfo": {"expiryTime": "250000"}},
        {"virtualAccountMethodInfo": {"expiryDate": "20991301"}},
        {"virtualAccountMethodInfo": "tomorrow"},
    ],
)
def test_a_malformed_virtual_account_deadline_is_refused(kicc, info):
    answer = kicc.post("/api/ep9/trades/webpay", kicc.register_body(payMethodInfo=info))

    assert answer.json()["resCd"] in ("X002", "X004")


def test_the_easy_pay_code_reported_can_be_switched_to_60(kicc, easypay_emulator):
    easypay_emulator.set_easy_pay_method_code("60")

    answer = kicc.paid("approve_easypay")

    assert (answer["paymentInfo"]["payMethodTypeCode"], answer["paymentInfo"]["cpCode"]) == (
        "60",
        "KKO",
    )
    with pytest.raises(ValueError):
        easypay_emulator.set_easy_pay_method_code("50")


@pytest.mark.parametrize("outcome", ["approve_transfer", "approve_mobile", "approve_easypay"])
def test_each_method_paid_at_once_sends_noti_10_with_its_own_fields(
    kicc, easypay_emulator, noti_receiver, outcome
):
    approval = kicc.paid(outcome)
    _wait(lambda: len(noti_receiver.bodies) == 1)

    body = noti_receiver.bodies[0]["body"]
    info = approval["paymentInfo"]
    assert (body["notiType"], body["pgCno"], body["statusCode"]) == (
        "10",
        approval["pgCno"],
        "TS03",
    )
    assert body["payMethodTypeCode"] == info["payMethodTypeCode"]
    if outcome == "approve_transfer":
        assert body["bankCode"] == info["bankInfo"]["bankCode"] and "cardNo" not in body
    if outcome == "approve_mobile":
        assert (body["mobileNo"], body["mobileCd"]) == (
            info["mobInfo"]["mobileNo"],
            info["mobInfo"]["mobileCd"],
        )
    if outcome == "approve_easypay":
        assert body["cpCode"] == "KKO" and body["cardNo"] == info["cardInfo"]["cardNo"]
    _assert_documented(body)


# --- §6.3: which cancel each method takes ---------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "allowed", "refused"),
    [
        ("approve", "32", "33"),
        ("approve_easypay", "32", "33"),
        ("approve_transfer", "33", "32"),
        ("approve_mobile", "33", "32"),
    ],
)
def test_each_method_takes_its_own_partial_cancel_code(
    kicc, easypay_emulator, outcome, allowed, refused
):
    approval = kicc.paid(outcome, amount=10000)

    wrong = kicc.revise(approval["pgCno"], refused, amount=1000).json()
    right = kicc.revise(approval["pgCno"], allowed, amount=1000).json()

    assert wrong["resCd"] == "X037"
    assert (right["resCd"], right["statusCode"], right["remainAmount"]) == ("0000", "TS06", 9000)
    assert right["reviseInfo"]["payMethodTypeCode"] == approval["paymentInfo"]["payMethodTypeCode"]


def test_a_virtual_account_has_no_partial_cancel(kicc, easypay_emulator):
    approval = kicc.paid("approve_va", amount=10000)

    assert kicc.revise(approval["pgCno"], "32", amount=1000).json()["resCd"] == "X037"
    assert kicc.revise(approval["pgCno"], "33", amount=1000).json()["resCd"] == "X037"
    assert kicc.revise(approval["pgCno"], "40").json()["statusCode"] == "TS02"


def test_the_console_cancels_each_method_with_its_partial_code(kicc, easypay_emulator):
    approval = kicc.paid("approve_mobile", amount=10000)

    easypay_emulator.console_cancel(approval["shopOrderNo"], 4000)

    (cancel,) = easypay_emulator.ledger(approval["shopOrderNo"])["cancels"]
    assert (cancel["revise_type"], cancel["amount"]) == ("33", 4000)
