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
