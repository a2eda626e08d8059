import pytest

from easypay.signing import approval_auth_value, revise_auth_value, signatures_match

TEST_SECRET = "easypay!KICCTEST"


@pytest.mark.parametrize(
    ("pg_cno", "amount", "transaction_date", "expected"),
    [
        # Two real test-host approval responses (docs/kicc-api.md §5.3, VERIFIED).
        (
            "24081308560510790235",
            51004,
            "20240813085635",
            "8ea7f8f5ef8ab5c80f409d3dccafeca6c6cb89e5dfda2a41a5d3493e94a146ca",
        ),
        (
            "25120911141310005210",
            0,
            "20251209111448",
            "af998b4833f679fa154a091f98953e92fc95fd20e66b3828e019eaf6836f02eb",
        ),
    ],
)
def test_the_approval_signature_reproduces_kicc_real_responses(
    pg_cno, amount, transaction_date, expected
):
    assert approval_auth_value(TEST_SECRET, pg_cno, amount, transaction_date) == expected


def test_the_revise_signature_matches_the_documented_example():
    # docs/kicc-api.md §6.1's constructed example over "24081308560510790235|cancel-0001".
    assert (
        revise_auth_value(TEST_SECRET, "24081308560510790235", "cancel-0001")
        == "d28af5fd4616b06b05d006797f950e2353d7778524a2615c6e09a8c7b5f5fd8a"
    )


def test_a_zero_amount_is_signed_as_0_not_padded():
    zero = approval_auth_value(TEST_SECRET, "25120911141310005210", 0, "20251209111448")
    assert zero != approval_auth_value(TEST_SECRET, "25120911141310005210", "000", "x")


def test_signatures_compare_case_insensitively_and_refuse_non_strings():
    value = revise_auth_value(TEST_SECRET, "1", "2")

    assert signatures_match(value, value.upper())
    assert not signatures_match(value, None)
    tampered = value[:-1] + ("1" if value.endswith("0") else "0")

    assert not signatures_match(value, tampered)
