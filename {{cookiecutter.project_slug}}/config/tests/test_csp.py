"""The Content-Security-Policy: on every page, strict, and nothing in the code that it refuses.

A real browser proves the shop works under it (the template's browser test counts Chromium's
violation reports); these tests keep the policy itself and the templates honest.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.csp import CSP

from easypay.csp import payment_window_sources

pytestmark = pytest.mark.django_db

PROJECT = Path(settings.BASE_DIR)
# Every folder of templates and every module that writes HTML (format_html in the admin).
TEMPLATES = sorted(
    path
    for path in PROJECT.rglob("*.html")
    if ".venv" not in path.parts and "staticfiles" not in path.parts
)
HTML_IN_PYTHON = sorted(
    path
    for folder in ("apps", "config", "easypay")
    for path in (PROJECT / folder).rglob("*.py")
    if "tests" not in path.parts
)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response.headers[CSP.HEADER_ENFORCE]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def test_every_shop_page_carries_the_policy_and_it_allows_nothing_inline(client):
    directives = policy(client.get(reverse("home")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no nonce asked for: none sent
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_the_admin_gets_a_nonce_for_its_own_inline_blocks(admin_client):
    response = admin_client.get(reverse("admin:payments_payment_changelist"))

    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"][1]).group(1)
    assert f'nonce="{nonce}"' in response.text


def test_checkout_may_send_the_buyer_to_kicc_and_nowhere_else():
    assert payment_window_sources("https://pgapi.easypay.co.kr") == [
        "https://pgapi.easypay.co.kr",
        "https://*.easypay.co.kr",
    ]
    assert payment_window_sources("https://testpgapi.easypay.co.kr/") == [
        "https://testpgapi.easypay.co.kr",
        "https://*.easypay.co.kr",
    ]
    # An emulator is allowed by its own origin only; a look-alike host is not KICC's domain.
    assert payment_window_sources("http://127.0.0.1:9100") == ["http://127.0.0.1:9100"]
    assert payment_window_sources("https://evil-easypay.co.kr") == ["https://evil-easypay.co.kr"]
    assert payment_window_sources("") == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_no_template_has_an_inline_handler_style_attribute_or_script_without_nonce(path):
    text = path.read_text(encoding="utf-8")

    assert not INLINE_HANDLER.search(text), "move the handler to static/js/site.js"
    assert not STYLE_ATTRIBUTE.search(text), "use a class and a stylesheet"
    for tag, attributes in INLINE_BLOCK.findall(text):
        if tag.lower() == "script" and "src=" in attributes:
            continue
        assert "nonce" in attributes, f"<{tag}> without a nonce"


@pytest.mark.parametrize("path", HTML_IN_PYTHON, ids=lambda path: str(path.relative_to(PROJECT)))
def test_no_python_module_writes_a_style_attribute(path):
    assert not STYLE_ATTRIBUTE.search(path.read_text(encoding="utf-8"))
