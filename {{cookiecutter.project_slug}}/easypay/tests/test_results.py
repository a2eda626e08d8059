import copy

import pytest

from easypay.results import (
    MalformedResponse,
    is_revise_shape,
    parse_approval,
    parse_register,
    parse_revise,
)
from easypay.tests.kicc_samples import REAL_CARD_APPROVAL, real_card_approval


def test_the_real_card_approval_parses_into_typed_fields():
    result = parse_approval(REAL_CARD_APPROVAL)

    assert result.pg_cno == "24081308560510790235"
    assert result.amount == 51004
    assert result.transaction_date == "20240813085635"
    assert result.transacted_at.isoformat() == "2024-08-13T08:56:35+09:00"
    assert result.status_code == "TS03"
    assert result.pay_method_type_code == "11"
    assert result.approval_no == "00190653"
    assert result.card.masked_number == "41190400****704*"
    assert result.card.issuer_code == "008"
    assert result.card.installment_month == 0
    assert result.card.part_cancel_used == "Y"
    assert result.virtual_account is None  # bankInfo came, but empty (§5.2)


def test_unknown_fields_and_empty_sub_objects_are_tolerated():
    body = real_card_approval(futureField={"nested": [1, 2]}, basketInfoList=[])
    body["paymentInfo"].update(
        newMethodInfo={"x": "y"},
        virtualAccountInfo={"bankCode": "", "bankName": "", "accountNo": "", "expiryDate": ""},
        mobInfo={"authId": "", "billId": "", "mobileNo": "", "mobileCd": ""},
        multiCardAmount="",  # doc says Number, real responses send "" (§5.2)
        cpCode="",
    )

    result = parse_approval(body)

    assert result.amount == 51004
    assert result.virtual_account is None
    assert result.raw["futureField"] == {"nested": [1, 2]}


def test_an_answer_without_payment_info_still_parses():
    body = real_card_approval()
    del body["paymentInfo"]

    result = parse_approval(body)

    assert result.card is None
    assert result.pay_method_type_code == ""


@pytest.mark.parametrize("month", ["²", "x", " ", None, 1.5])
def test_an_odd_informational_number_never_stops_an_approval_from_being_read(month):
    # installmentMonth is informational: a value that is no whole number (here "²", which
    # str.isdigit() accepts but int() refuses) must not turn KICC's approval into an error
    # that escapes every handler while the money has moved.
    body = real_card_approval()
    body["paymentInfo"]["cardInfo"]["installmentMonth"] = month

    result = parse_approval(body)

    assert result.pg_cno == "24081308560510790235"
    assert result.card.installment_month is None


def test_empty_card_info_means_no_card():
    body = real_card_approval()
    body["paymentInfo"]["cardInfo"] = {"cardNo": "", "issuerCode": "", "installmentMonth": 0}

    assert parse_approval(body).card is None


def test_a_virtual_account_approval_carries_the_account_to_pay_into():
    body = real_card_approval(statusCode="TS07")
    body["paymentInfo"] = {
        "payMethodTypeCode": "22",
        "cardInfo": {"cardNo": "", "issuerCode": ""},
        "virtualAccountInfo": {
            "bankCode": "011",
            "bankName": "NH",
            "accountNo": "79012345678901",
            "depositName": "홍길동",
            "expiryDate": "20260105235959",
        },
    }

    result = parse_approval(body)

    assert result.card is None
    account = result.virtual_account
    assert (account.bank_code, account.bank_name) == ("011", "NH")
    assert account.account_no == "79012345678901"
    assert account.depositor_name == "홍길동"
    assert account.expiry_date == "20260105235959"


def test_an_amount_written_as_text_is_read_as_a_number():
    # The doc example shows "51004" where real answers send 51004 (§5.2).
    assert parse_approval(real_card_approval(amount="51004")).amount == 51004


@pytest.mark.parametrize("amount", [51004.5, "51,004", "", None, True, "-1"])
def test_an_amount_that_is_not_whole_won_is_malformed(amount):
    with pytest.raises(MalformedResponse) as raised:
        parse_approval(real_card_approval(amount=amount))
    assert raised.value.field_name == "amount"


@pytest.mark.parametrize(
    ("field", "value"),
    [("pgCno", None), ("pgCno", ""), ("pgCno", 123), ("transactionDate", "2024-08-13")],
)
def test_fields_money_depends_on_are_required(field, value):
    body = real_card_approval(**{field: value})
    with pytest.raises(MalformedResponse):
        parse_approval(body)


def test_a_full_card_number_never_survives_parsing():
    body = copy.deepcopy(REAL_CARD_APPROVAL)
    body["paymentInfo"]["cardInfo"]["cardNo"] = "4119040012347049"

    result = parse_approval(body)

    assert result.card.masked_number == "411904******7049"
    assert "4119040012347049" not in repr(result.raw)
    assert result.raw["msgAuthValue"] == "***"


def test_a_partial_cancel_answer_parses():
    body = {
        "resCd": "0000",
        "resMsg": "정상처리",
        "shopTransactionId": "cancel-0001",
        "shopOrderNo": "ORD-1",
        "oriPgCno": "24081308560510790235",
        "cancelPgCno": "24081309000010790236",
        "cancelAmount": 1004,
        "remainAmount": 50000,
        "transactionDate": "20240813090000",
        "statusCode": "TS06",
        "reviseInfo": {"payMethodTypeCode": "11", "approvalNo": "12345678", "cardInfo": {}},
        "somethingNew": "ignored",
    }

    result = parse_revise(body)

    assert is_revise_shape(body)
    assert not is_revise_shape(REAL_CARD_APPROVAL)
    assert result.cancel_pg_cno == "24081309000010790236"
    assert (result.cancel_amount, result.remain_amount) == (1004, 50000)
    assert result.status_code == "TS06"
    assert result.approval_no == "12345678"


def test_a_cancel_answer_without_cancel_pg_cno_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_revise({"resCd": "0000", "oriPgCno": "1", "cancelAmount": 10})


def test_a_registration_answer_must_carry_an_http_auth_page_url():
    ok = parse_register({"resCd": "0000", "authPageUrl": "https://h/view?authorizationId=1"})
    assert ok.auth_page_url == "https://h/view?authorizationId=1"
    for bad in ("", "javascript:alert(1)", None):
        with pytest.raises(MalformedResponse):
            parse_register({"resCd": "0000", "authPageUrl": bad})


def _method_approval(method: str, **info) -> dict:
    """The real card answer reshaped as another method's: its own sub-object filled, the
    card's empty (§5.2, OBS)."""
    body = real_card_approval()
    body["paymentInfo"].update(
        {
            "payMethodTypeCode": method,
            "cardInfo": {"cardNo": "", "issuerCode": "", "issuerName": "", "installmentMonth": 0},
            "mobInfo": {"authId": "", "billId": "", "mobileNo": "", "mobileCd": ""},
            **info,
        }
    )
    return body


def test_a_bank_transfer_approval_names_its_bank():
    body = _method_approval("21", bankInfo={"bankCode": "011", "bankName": "NH농협"})

    result = parse_approval(body)

    assert (result.bank.bank_code, result.bank.bank_name) == ("011", "NH농협")
    assert result.card is None and result.mobile is None and result.virtual_account is None
    assert result.method_details.bank_code == "011"


def test_a_mobile_approval_masks_the_phone_number_everywhere():
    body = _method_approval(
        "31",
        mobInfo={"authId": "1", "billId": "2", "mobileNo": "01098765432", "mobileCd": "KTF"},
    )

    result = parse_approval(body)

    assert (result.mobile.masked_number, result.mobile.carrier) == ("010-****-5432", "KTF")
    assert result.bank is None  # bankInfo came, but empty
    assert "01098765432" not in repr(result.raw)
    assert result.raw["paymentInfo"]["mobInfo"]["mobileNo"] == "010-****-5432"
    details = result.method_details
    assert (details.mobile_carrier, details.mobile_no_masked) == ("KTF", "010-****-5432")


def test_an_easy_pay_approval_keeps_the_wallet_and_the_card_it_paid_with():
    body = real_card_approval()
    body["paymentInfo"]["cpCode"] = "KKO"

    details = parse_approval(body).method_details

    assert (details.cp_code, details.method_code) == ("KKO", "60")
    assert details.card_no_masked == "41190400****704*"


def test_a_virtual_account_approval_details_name_the_account_bank():
    body = _method_approval(
        "22",
        virtualAccountInfo={"bankCode": "004", "bankName": "KB", "accountNo": "790123"},
    )

    details = parse_approval(body).method_details

    assert (details.pay_method_type_code, details.bank_code, details.bank_name) == (
        "22",
        "004",
        "KB",
    )


def _refund_answer(status: str, **refund_info) -> dict:
    return {
        "resCd": "0000",
        "resMsg": "정상처리",
        "shopTransactionId": "refund-1",
        "oriPgCno": "24081308560510790235",
        "cancelPgCno": "24081309000010790237",
        "cancelAmount": 5000,
        "remainAmount": 10000,
        "transactionDate": "20240813090000",
        "statusCode": status,
        "reviseInfo": {"payMethodTypeCode": "22", "refundInfo": refund_info},
    }


def test_a_deferred_refund_answer_names_the_deposit_it_refunds():
    result = parse_revise(
        _refund_answer("RF01", refundDate="20240814", depositPgCno="24081300000010790230")
    )

    assert result.deposit_pg_cno == "24081300000010790230"


def test_a_real_time_refund_answer_without_a_deposit_number():
    result = parse_revise(_refund_answer("RF02", refundDate="20240813"))

    assert result.deposit_pg_cno == ""
