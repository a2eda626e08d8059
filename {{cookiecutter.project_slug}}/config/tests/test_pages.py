import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

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


def test_the_admin_is_named_after_the_shop(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert f"{escape(settings.SHOP_NAME)} 관리" in response.text  # header and <title>
    assert f"<title>쇼핑몰 관리 | {escape(settings.SHOP_NAME)} 관리</title>" in response.text
    assert "Django" not in response.text


def test_an_unknown_page_is_a_korean_404_with_the_shops_look(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.text
    assert 'class="site-header"' in response.text and "css/site.css" in response.text
    assert escape(settings.SHOP_NAME) in response.text


# A context processor that fails, as the database or the session might: the 500 page must not
# need any (Django renders it without a RequestContext).
BROKEN_TEMPLATES = [
    {
        **settings.TEMPLATES[0],
        "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "context_processors": [
                *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                "config.tests.test_pages.failing_context_processor",
            ],
        },
    }
]


def failing_context_processor(request):
    raise RuntimeError("a context processor that fails")


@override_settings(ROOT_URLCONF="config.tests.urls_failing", TEMPLATES=BROKEN_TEMPLATES)
def test_a_server_error_is_a_korean_500_with_the_shops_look_and_no_request_context(client):
    client.raise_request_exception = False

    response = client.get("/fail/")

    assert response.status_code == 500
    assert "일시적인 오류가 발생했습니다" in response.text
    assert 'class="site-header"' in response.text and "css/site.css" in response.text
    assert escape(settings.SHOP_NAME) in response.text


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
