from easypay.masking import mask_body, mask_card_number, mask_text


def test_a_full_card_number_keeps_only_its_first_six_and_last_four_digits():
    assert mask_card_number("4119040012347049") == "411904******7049"
    assert mask_card_number("4119-0400-1234-7049") == "411904******7049"


def test_numbers_kicc_already_masked_are_left_as_they_are():
    assert mask_card_number("41190400****704*") == "41190400****704*"


def test_order_and_account_numbers_in_a_json_body_are_not_mistaken_for_cards():
    body = {"shopOrderNo": "20210326085908", "accountNo": "4119040012347049", "msgAuthValue": "ab"}

    masked = mask_body(body)

    assert masked["shopOrderNo"] == "20210326085908"
    assert masked["accountNo"] == "4119040012347049"
    assert masked["msgAuthValue"] == "***"


def test_card_numbers_in_free_text_are_masked_when_they_pass_luhn():
    text = "card 4119040012347049 order 20210326085908 pg 24081308560510790235"

    assert mask_text(text) == "card 411904******7049 order 20210326085908 pg 24081308560510790235"


def test_a_mobile_number_keeps_its_prefix_and_last_four_digits():
    from easypay.masking import mask_phone_number

    assert mask_phone_number("01012345678") == "010-****-5678"
    assert mask_phone_number("010-1234-5678") == "010-****-5678"
    assert mask_phone_number("0111234567") == "011-***-4567"
    assert mask_phone_number("010****5678") == "010-****-5678"  # masked by KICC already
    assert mask_phone_number("call me") == "*******"  # unreadable: nothing of it shows


def test_a_stored_body_hides_mobile_and_refund_account_numbers():
    body = {
        "paymentInfo": {"mobInfo": {"mobileNo": "01012345678", "mobileCd": "SKT"}},
        "refundInfo": {"refundAccountNo": "3021234567891", "refundBankCode": "011"},
    }

    masked = mask_body(body)

    assert masked["paymentInfo"]["mobInfo"] == {"mobileNo": "010-****-5678", "mobileCd": "SKT"}
    assert masked["refundInfo"] == {"refundAccountNo": "*********7891", "refundBankCode": "011"}
