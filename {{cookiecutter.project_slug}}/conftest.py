"""Fixtures shared by every test of the project."""

import itertools

import pytest

# The easypay_emulator fixture: a real local EasyPay over HTTP (easypay/testing.py).
pytest_plugins = ["easypay.testing"]

_buyers = itertools.count(1)
{%- if cookiecutter.use_sentry %}


def pytest_collection_modifyitems(items):
    """Tests that start Sentry run last (with `make test`'s parallel workers too: they are handed
    out last). sentry_sdk.init() patches Django, logging and threads for the rest of the process
    (an integration cannot be removed), so every test after it would run through Sentry's
    wrappers: slower (10-15% of the suite's CPU) and not the code a test without Sentry runs."""
    items.sort(key=lambda item: "sentry" in item.path.name)
{%- endif %}


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the shop's default language: LocaleMiddleware activates the language
    of a request (English for an Accept-Language: en test) and nothing switches it back."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the login and signup throttles count in it, and
    one test's attempts must not lock the next one out."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def postgresql_only():
    """Skips the test unless this run's database is PostgreSQL (DATABASE_URL=postgres://…).
    Session-wide, so module-wide fixtures can ask for it too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL to a postgres:// URL")


@pytest.fixture
def make_payment(db, django_user_model):
    """Save a payment (pending unless told otherwise) for a new buyer and product.

    Keyword arguments override the payment's fields; user= and product= reuse existing rows.
    """
    from apps.payments.models import Payment, Product

    def make(**fields):
        user = fields.pop("user", None) or django_user_model.objects.create_user(
            f"buyer{next(_buyers)}", phone="01012345678"
        )
        product = fields.pop("product", None) or Product.objects.create(
            name="테스트 상품", price=15000
        )
        fields.setdefault("amount", product.price)
        fields.setdefault("goods_name", product.name)
        return Payment.objects.create(user=user, product=product, **fields)

    return make


@pytest.fixture
def payment(make_payment):
    return make_payment()


@pytest.fixture
def mocked():
    """For third-party APIs that cannot run here (responses): requests goes nowhere real, an
    unregistered URL fails, and every registered one must be hit."""
    import responses

    with responses.RequestsMock() as mock:
        yield mock
