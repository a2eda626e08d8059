"""easypay.methods: which code undoes which method (§6.3), and how a method is named."""

import pytest
from django.utils import translation

from easypay import methods
from easypay.methods import MethodDetails


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("11", "32"),
        ("60", "32"),  # easy-pay is cancelled like a card
        ("41", "32"),
        ("50", "32"),
        ("21", "33"),
        ("31", "33"),
        ("22", None),  # a virtual account: 40 before the deposit, a refund after
        ("99", None),  # a code KICC may add: no guess
        ("", None),
    ],
)
def test_the_partial_cancel_code_follows_the_method(method, code):
    assert methods.partial_cancel_code(method) == code


@pytest.mark.parametrize(("method", "refundable"), [("22", True), ("31", True), ("11", False)])
def test_only_virtual_accounts_and_mobile_payments_are_refunded_to_an_account(method, refundable):
    assert methods.refundable(method) is refundable


@pytest.mark.parametrize(
    ("arguments", "codes"),
    [
        ({"partial": False, "real_time": False}, ("60", "RF01")),
        ({"partial": True, "real_time": False}, ("62", "RF01")),
        ({"partial": False, "real_time": True}, ("63", "10")),
        ({"partial": True, "real_time": True}, ("63", "11")),
        ({"partial": False, "real_time": True, "checked_by_shop": True}, ("63", "20")),
        ({"partial": True, "real_time": True, "checked_by_shop": True}, ("63", "21")),
    ],
)
def test_refund_codes_pair_the_type_with_its_sub_type(arguments, codes):
    assert methods.refund_codes(**arguments) == codes


@pytest.mark.parametrize(
    ("revise_type", "sub_type", "whole"),
    [
        ("40", None, True),
        ("32", None, False),
        ("33", None, False),
        ("60", "RF01", True),
        ("62", "RF01", False),
        ("63", "10", True),
        ("63", "20", True),
        ("63", "11", False),
        ("63", "21", False),
    ],
)
def test_full_cancels_and_full_refunds_take_the_whole_balance(revise_type, sub_type, whole):
    assert methods.takes_whole_balance(revise_type, sub_type) is whole


def test_each_method_takes_the_codes_section_6_3_gives_it():
    assert methods.revise_codes_for("11") == ("40", "32")
    assert methods.revise_codes_for("21") == ("40", "33")
    assert methods.revise_codes_for("31") == ("40", "33", "60", "62", "63")
    assert methods.revise_codes_for("22") == ("40", "60", "62", "63")
    assert set(methods.revise_codes_for("77")) == {"40", "32", "33", "60", "62", "63"}


@pytest.fixture
def korean():
    with translation.override("ko"):
        yield


@pytest.mark.parametrize(
    ("details", "described"),
    [
        (MethodDetails("11", card_issuer_name="TestCard"), "신용카드 (TestCard)"),
        (MethodDetails("21", bank_code="011", bank_name="NH농협"), "계좌이체 (NH농협은행)"),
        (MethodDetails("21", bank_code="999", bank_name="새은행"), "계좌이체 (새은행)"),
        (MethodDetails("22", bank_code="004", bank_name="KB국민"), "가상계좌 (KB국민은행)"),
        (
            MethodDetails("31", mobile_carrier="SKT", mobile_no_masked="010-****-1234"),
            "휴대폰 (SKT 010-****-1234)",
        ),
        (MethodDetails("31", mobile_carrier="LGT"), "휴대폰 (LG U+)"),
        (MethodDetails("60", cp_code="KKO"), "간편 결제 (카카오페이)"),
        # A wallet paid by card: KICC may report it as a card (§10.1); the wallet names it.
        (
            MethodDetails("11", cp_code="NPAY", card_issuer_name="TestCard"),
            "간편 결제 (네이버페이)",
        ),
        (MethodDetails("60", cp_code="XYZ"), "간편 결제 (XYZ)"),
        (MethodDetails("11"), "신용카드"),
        (MethodDetails("88"), "88"),
    ],
)
def test_a_method_is_described_with_its_own_details(korean, details, described):
    assert details.describe() == described


def test_a_description_reads_in_english_on_an_english_page():
    with translation.override("en"):
        assert MethodDetails("60", cp_code="KKO").describe() == "Digital wallet (KakaoPay)"
        assert MethodDetails("21", bank_code="011").describe() == "Bank transfer (NH NongHyup Bank)"


def test_a_wallet_payment_counts_as_easy_pay_whatever_code_kicc_reports():
    assert MethodDetails("11", cp_code="KKO").method_code == "60"
    assert MethodDetails("60").method_code == "60"
    assert MethodDetails("11").method_code == "11"


def test_details_go_into_a_json_field_and_come_back():
    details = MethodDetails("31", mobile_carrier="KTF", mobile_no_masked="010-****-5678")

    stored = details.as_dict()

    assert stored == {
        "pay_method_type_code": "31",
        "mobile_carrier": "KTF",
        "mobile_no_masked": "010-****-5678",
    }
    assert MethodDetails.from_dict(stored) == details
    assert MethodDetails.from_dict({**stored, "added_later": "x", "bank_name": None}) == details
    assert MethodDetails.from_dict(None) == MethodDetails()
