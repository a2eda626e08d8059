"""Signup, login and logout pages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def signup_data(**overrides):
    data = {
        "username": "newbuyer",
        "email": "newbuyer@example.com",
        "phone": "010-1234-5678",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def test_the_signup_page_asks_for_username_email_and_phone(client):
    response = client.get(reverse("users:signup"))

    assert response.status_code == 200
    assert "회원가입" in response.text
    for name in ("username", "email", "phone", "password1", "password2"):
        assert f'name="{name}"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_signing_up_creates_the_user_with_a_digits_only_phone_and_logs_in(client):
    response = client.post(reverse("users:signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = get_user_model().objects.get(username="newbuyer")
    assert user.phone == "01012345678"
    assert user.email == "newbuyer@example.com"
    assert client.get(reverse("payments:mine")).status_code == 200  # logged in


def test_signing_up_returns_to_next_but_never_to_another_site(client):
    back = client.post(reverse("users:signup"), {**signup_data(), "next": "/products/1/"})
    client.logout()
    away = client.post(
        reverse("users:signup"),
        {**signup_data(username="other", email="o@example.com"), "next": "https://evil.example/"},
    )

    assert back.url == "/products/1/"
    assert away.url == reverse("home")


@pytest.mark.parametrize("phone", ["", "0212345678", "+821012345678", "010-12"])
def test_signing_up_refuses_a_missing_or_non_mobile_phone_number(client, phone):
    response = client.post(reverse("users:signup"), signup_data(phone=phone))

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="newbuyer").exists()


def test_signing_up_refuses_an_email_already_in_use(client, django_user_model):
    django_user_model.objects.create_user("first", email="NewBuyer@example.com")

    response = client.post(reverse("users:signup"), signup_data())

    assert "이미 가입된 이메일입니다." in response.text


def test_the_login_page_logs_in_and_goes_to_next(client, django_user_model):
    django_user_model.objects.create_user("kim", password=PASSWORD)

    page = client.get(reverse("login"), {"next": "/mine/"})
    response = client.post(
        reverse("login"), {"username": "kim", "password": PASSWORD, "next": "/mine/"}
    )

    assert page.status_code == 200
    assert 'value="/mine/"' in page.text
    assert reverse("users:signup") in page.text
    assert response.status_code == 302
    assert response.url == "/mine/"


def test_a_wrong_password_is_refused_on_the_login_page(client, django_user_model):
    django_user_model.objects.create_user("kim", password=PASSWORD)

    response = client.post(reverse("login"), {"username": "kim", "password": "nope"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_asks_on_get_and_logs_out_on_post(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("kim"))

    page = client.get(reverse("users:logout"))
    still_in = client.get(reverse("payments:mine")).status_code
    response = client.post(reverse("users:logout"), follow=True)

    assert page.status_code == 200
    assert "로그아웃하시겠습니까?" in page.text
    assert still_in == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "로그아웃했습니다." in response.text
    assert client.get(reverse("payments:mine")).status_code == 302


def test_logout_refuses_a_post_without_the_csrf_token(django_user_model):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("kim"))

    assert client.post(reverse("users:logout")).status_code == 403


def test_the_signup_page_speaks_english_when_asked(client):
    response = client.get(reverse("users:signup"), headers={"accept-language": "en"})

    assert '<html lang="en">' in response.text
    assert "Mobile number" in response.text  # the phone field's label, already translated
    with translation.override("en"):
        assert translation.gettext("가입하기") in response.text
