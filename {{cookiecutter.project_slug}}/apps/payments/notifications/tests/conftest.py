"""Fixtures for the notification senders' tests: a fake third-party HTTP world and a payment."""

from types import SimpleNamespace

import pytest
import responses


@pytest.fixture
def mocked():
    """requests goes nowhere real: an unregistered URL fails, and every registered one must be hit."""
    with responses.RequestsMock() as mock:
        yield mock


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
