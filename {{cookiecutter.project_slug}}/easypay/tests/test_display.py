import pytest

from easypay.display import krw


@pytest.mark.parametrize(
    ("amount", "text"),
    [(12345, "12,345원"), (0, "0원"), (1000, "1,000원"), (1234567, "1,234,567원")],
)
def test_an_amount_is_written_in_won_with_thousands_separators(amount, text):
    assert krw(amount) == text
