"""Login and signup throttling (apps/users/throttle.py), through the real pages."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
BLOCKED = "로그인 시도가 너무 많아 잠시 막혔습니다. 최대 15분 뒤에 다시 시도하세요."


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", password=PASSWORD, phone="01012345678")


def log_in(client, username, password, address="203.0.113.5", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def fail_logins(client, count, username="buyer", address="203.0.113.5", **headers):
    for _ in range(count):
        response = log_in(client, username, "wrong-password", address, **headers)
        assert response.status_code == 200, "locked out too early"


def test_five_wrong_passwords_lock_the_login_out_with_a_korean_message(client, buyer):
    fail_logins(client, 5)

    response = log_in(client, "buyer", PASSWORD)

    assert response.status_code == 429
    assert BLOCKED in response.text
    assert "_auth_user_id" not in client.session  # the right password is not even checked


def test_the_lock_ends_when_the_window_has_passed(client, buyer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_logins(client, 5)
        clock.shift(timedelta(minutes=16))

        response = log_in(client, "buyer", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.pk)


def test_failures_elsewhere_do_not_lock_the_buyer_out(client, buyer):
    fail_logins(client, 5, address="198.51.100.7")  # someone guessing from another address

    response = log_in(client, "buyer", PASSWORD, address="203.0.113.5")

    assert response.status_code == 302


def test_one_address_guessing_many_usernames_is_locked_out(client, buyer):
    for number in range(20):
        fail_logins(client, 1, username=f"someone{number}")

    response = log_in(client, "buyer", PASSWORD)

    assert response.status_code == 429
    assert BLOCKED in response.text


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, buyer, settings):
    settings.EASYPAY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.2"

    fail_logins(client, 5, address=proxy, x_forwarded_for="198.51.100.7")
    other_client = log_in(client, "buyer", PASSWORD, proxy, x_forwarded_for="203.0.113.5")
    same_client = log_in(client, "buyer", PASSWORD, proxy, x_forwarded_for="198.51.100.7")

    assert other_client.status_code == 302
    assert same_client.status_code == 429


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": admin_user.username, "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
        )

    response = client.post(
        reverse("admin:login"),
        {"username": admin_user.username, "password": "password"},
        REMOTE_ADDR="203.0.113.5",
    )

    assert BLOCKED in response.text
    assert "_auth_user_id" not in client.session


def signup(client, number, address="203.0.113.5"):
    return client.post(
        reverse("users:signup"),
        {
            "username": f"newbuyer{number}",
            "email": f"newbuyer{number}@example.com",
            "phone": "01012345678",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=address,
    )


def test_a_signup_flood_from_one_address_stops_after_five_accounts(client):
    for number in range(5):
        assert signup(client, number).status_code == 302
        client.logout()

    refused = signup(client, 5)
    elsewhere = signup(client, 6, address="198.51.100.7")

    assert refused.status_code == 429
    assert "가입이 너무 많이 이어졌습니다. 최대 60분 뒤에 다시 시도하세요." in refused.text
    assert not get_user_model().objects.filter(username="newbuyer5").exists()
    assert elsewhere.status_code == 302


def test_every_migrate_makes_the_database_cache_table_production_may_use(settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle_test": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "throttle_test_cache",
        },
    }

    call_command("migrate", verbosity=0)  # the test's transaction takes the table away again

    with connection.cursor() as cursor:
        assert "throttle_test_cache" in connection.introspection.table_names(cursor)
    caches["throttle_test"].set("key", "value")
    assert caches["throttle_test"].get("key") == "value"
