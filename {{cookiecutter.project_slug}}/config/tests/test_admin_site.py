"""The admin: at DJANGO_ADMIN_URL, a well-formed path."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from config import urls
from config.checks import check_admin_url

pytestmark = pytest.mark.django_db


def reload_urls():
    importlib.reload(urls)
    clear_url_caches()


def test_the_admin_lives_at_django_admin_url(admin_client):
    try:
        with override_settings(ADMIN_URL="office-7f3k/"):
            reload_urls()

            assert reverse("admin:index") == "/office-7f3k/"
            assert admin_client.get("/office-7f3k/").status_code == 200
            assert admin_client.get("/admin/").status_code == 404
    finally:
        reload_urls()


def test_the_admin_is_at_admin_by_default():
    assert reverse("admin:index") == "/admin/"


@pytest.mark.parametrize("url", ["office/", "office/7f3k/", "admin-2026_x.y~/"])
def test_a_path_with_a_trailing_slash_is_a_good_admin_url(settings, url):
    settings.ADMIN_URL = url

    assert check_admin_url() == []


@pytest.mark.parametrize("url", ["", "/admin/", "admin", "ad min/", "admin//", "관리/"])
def test_a_malformed_admin_url_is_refused_with_an_example(settings, url):
    settings.ADMIN_URL = url

    [error] = check_admin_url()

    assert error.id == "config.E001"
    assert "DJANGO_ADMIN_URL=office-7f3k/" in error.hint
