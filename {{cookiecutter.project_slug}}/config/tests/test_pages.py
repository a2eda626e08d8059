import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_is_in_the_default_language_and_names_the_shop(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in response.text
    assert settings.SHOP_NAME in response.text


def test_the_home_page_speaks_korean_when_asked(client):
    response = client.get(reverse("home"), headers={"accept-language": "ko"})

    assert "로그인" in response.text


def test_the_home_page_speaks_english_when_asked(client):
    response = client.get(reverse("home"), headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "Log in" in response.text
    assert "로그인" not in response.text


def test_the_admin_login_page_is_served(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
