"""The notification senders' tests get a payment-like object (``mocked`` is in conftest.py)."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def payment():
    """A payment-like object: the senders' formatters read only these attributes."""
    return SimpleNamespace(
        pk=7,
        amount=12345,
        shop_order_no="ORD-20250101-0007",
        product=SimpleNamespace(name="프리미엄 플랜"),
        user=SimpleNamespace(email="buyer@example.com", phone="01012345678"),
    )
