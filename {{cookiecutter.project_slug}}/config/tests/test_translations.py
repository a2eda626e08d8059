"""The translation catalogs are complete and compiled, and the shop's pages read in English.

Korean is the source language: every user-facing string is a Korean msgid. locale/en holds
the English translations; locale/ko repeats each msgid, so a shop whose LANGUAGE_CODE is "en"
still speaks Korean to a browser asking for it (without it Django falls back to the default
language's catalog, English). A string added without its translation would show up in Korean
on an English page, so these tests read the catalogs (a small .po reader, no polib), the
compiled .mo files, what makemessages finds in the code today, and pages rendered in English.

Refresh with `make messages`, translate every empty msgstr in locale/en, `make messages` again.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language_info

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["en", "ko"]


def catalog(language: str, locale: Path = LOCALE) -> Path:
    return locale / language / "LC_MESSAGES" / "django.po"


HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], quoted.strip()[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Each entry of a .po file, the header (msgid "") included, in file order."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, keyword = Entry(msgid=""), ""
        parts: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[keyword] += unquote(line)
            else:
                keyword, _, quoted = line.partition(" ")
                parts[keyword] = unquote(quoted)
        entry.msgid = parts.get("msgid", "")
        entry.msgctxt = parts.get("msgctxt")
        entry.msgid_plural = parts.get("msgid_plural")
        entry.msgstrs = [text for key, text in parts.items() if key.startswith("msgstr")]
        entries.append(entry)
    return entries


def messages(path: Path) -> list[Entry]:
    """The catalog's messages, without the header and without obsolete (#~) entries."""
    return [entry for entry in read_po(path) if entry.msgid and not entry.obsolete]


def english_catalog() -> list[Entry]:
    return messages(catalog("en"))


def not_ready(language: str, entries: list[Entry]) -> list[str]:
    """Messages gettext would not show as they should: fuzzy, empty, or (Korean) not the msgid."""
    return [
        entry.msgid
        for entry in entries
        if "fuzzy" in entry.flags
        or not entry.msgstrs
        or not all(entry.msgstrs)
        or (language == "ko" and set(entry.msgstrs) != {entry.msgid})
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_has_messages_and_reads_as_utf8(language):
    header = read_po(catalog(language))[0]

    assert header.msgid == ""
    assert "charset=UTF-8" in header.msgstrs[0]
    assert f"Language: {language}\n" in header.msgstrs[0]
    assert len(messages(catalog(language))) > 100


def test_every_message_has_a_non_empty_english_translation():
    missing = [
        entry.msgid for entry in english_catalog() if not entry.msgstrs or not all(entry.msgstrs)
    ]

    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_marked_fuzzy(language):
    # makemessages marks a guessed translation fuzzy; gettext then ignores it (shows Korean).
    assert [entry.msgid for entry in messages(catalog(language)) if "fuzzy" in entry.flags] == []


def test_no_english_translation_is_left_in_korean():
    assert [
        entry.msgid for entry in english_catalog() if HANGUL.search("".join(entry.msgstrs))
    ] == []


def test_every_translation_keeps_the_placeholders_of_its_message():
    broken = [
        entry.msgid
        for entry in english_catalog()
        for msgstr in entry.msgstrs
        if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid))
    ]

    assert broken == []


def test_the_korean_catalog_repeats_each_message_of_the_english_one():
    korean = messages(catalog("ko"))

    assert not_ready("ko", korean) == []
    assert {(e.msgctxt, e.msgid) for e in korean} == {
        (e.msgctxt, e.msgid) for e in english_catalog()
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_up_to_date_with_the_po_file(language):
    # django.mo is what Django reads: a .po edited but not compiled is not translated at all.
    with catalog(language).with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in messages(catalog(language)):
        context, plural = entry.msgctxt, entry.msgid_plural
        if plural is None:
            found = [compiled.pgettext(context, entry.msgid)] if context else []
            found = found or [compiled.gettext(entry.msgid)]
        elif context:
            found = [compiled.npgettext(context, entry.msgid, plural, n) for n in (1, 2)]
        else:
            found = [compiled.ngettext(entry.msgid, plural, n) for n in (1, 2)]
        if found != entry.msgstrs[: len(found)]:
            stale.append(entry.msgid)

    assert stale == [], f"run `make messages` to compile locale/{language}/LC_MESSAGES/django.mo"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="makemessages needs GNU gettext")
def test_makemessages_finds_no_string_without_its_translation(tmp_path):
    # In a copy of the project, so the real catalogs are never rewritten by a test run.
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns(
        ".venv", "venv", ".git", ".bakes", "__pycache__", "node_modules", "staticfiles", "*.mo"
    )
    shutil.copytree(settings.BASE_DIR, copy, ignore=skip)

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "en", "--locale", "ko"]
        + ["--no-location", "--no-obsolete", "--ignore", ".venv/*", "--verbosity", "0"],
        cwd=copy,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )

    found = {}
    for language in LANGUAGES:
        found[language] = not_ready(language, messages(catalog(language, copy / "locale")))
    assert found == {"en": [], "ko": []}, (
        "new or changed strings: run `make messages`, translate them in "
        "locale/en/LC_MESSAGES/django.po, then `make messages` again"
    )


# --- Pages rendered in English ---------------------------------------------------------------

PRODUCT_NAME = "제주 한라봉 선물세트"  # data, not interface: the one Korean allowed on a page
PAID_AT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


def korean_left_in(html: str) -> list[str]:
    """Hangul in a page, once the shop's data (its name, product names) and each language's
    own name in the language menu ("한국어", on purpose) are taken out."""
    allowed = [settings.SHOP_NAME, PRODUCT_NAME]
    allowed += [get_language_info(code)["name_local"] for code, _ in settings.LANGUAGES]
    for text in sorted(allowed, key=len, reverse=True):
        html = html.replace(text, "")
    return HANGUL.findall(html)


@pytest.fixture
def english(client):
    """GET a URL as a browser asking for English."""

    def get(url):
        response = client.get(url, headers={"accept-language": "en"})
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.text, url
        return response.text

    return get


@pytest.fixture
def product(db):
    from apps.payments.models import Product

    return Product.objects.create(name=PRODUCT_NAME, price=39000, description="Fresh fruit.")


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", phone="01012345678")


@pytest.fixture
def payments(make_payment, buyer, product):
    """One payment in each state a buyer can see, with English (ASCII) data from the PG."""
    from easypay.models import Cancellation

    card = {
        "pay_method_type_code": "11",
        "approval_no": "30012345",
        "card_no_masked": "5365101234567890",
        "card_issuer_name": "Shinhan",
        "paid_at": PAID_AT,
    }
    made = {
        "paid": make_payment(
            user=buyer, product=product, status="paid", pg_cno="26040108300012345678", **card
        ),
        "partially_cancelled": make_payment(
            user=buyer,
            product=product,
            status="partially_cancelled",
            pg_cno="26040108300012345679",
            cancelled_amount=9000,
            cancelled_at=PAID_AT,
            **card,
        ),
        "awaiting_deposit": make_payment(
            user=buyer,
            product=product,
            status="awaiting_deposit",
            pg_cno="26040108300012345680",
            pay_method_type_code="22",
            va_bank_name="KB",
            va_account_no="12345678901234",
            va_depositor_name="Shop",
            va_expires_at=PAID_AT,
        ),
        "unknown": make_payment(user=buyer, product=product, status="unknown"),
        "failed": make_payment(user=buyer, product=product, status="failed"),
        "pending": make_payment(user=buyer, product=product, status="pending"),
    }
    Cancellation.objects.create(
        payment=made["partially_cancelled"],
        revise_type_code="32",
        amount=9000,
        remaining_before=39000,
        remaining_after=30000,
        origin="admin",
        status="done",
        finished_at=PAID_AT,
    )
    return made


def test_the_product_pages_are_fully_in_english(english, product):
    for url in (reverse("home"), reverse("payments:product", args=[product.pk])):
        assert korean_left_in(english(url)) == [], url


def test_the_account_pages_are_fully_in_english(english):
    for url in (reverse("login"), reverse("users:signup"), reverse("users:logout")):
        assert korean_left_in(english(url)) == [], url


def test_a_buyers_pages_are_fully_in_english(client, english, buyer, product, payments):
    client.force_login(buyer)
    urls = [
        reverse("payments:product", args=[product.pk]),
        reverse("payments:mine"),
        reverse("payments:receipt", args=[payments["partially_cancelled"].public_token]),
    ]
    urls += [reverse("payments:detail", args=[p.public_token]) for p in payments.values()]

    for url in urls:
        assert korean_left_in(english(url)) == [], url


def test_the_payment_admin_is_fully_in_english(admin_client, payments):
    paid = payments["paid"]
    urls = [
        reverse("admin:index"),
        reverse("admin:payments_payment_changelist"),
        reverse("admin:payments_payment_change", args=[paid.pk]),
        reverse("admin:payments_payment_cancel", args=[paid.pk]),
    ]

    for url in urls:
        response = admin_client.get(url, headers={"accept-language": "en"})
        assert response.status_code == 200, url
        assert korean_left_in(response.text) == [], url


@pytest.mark.parametrize("default_language", ["ko", "en"])
def test_a_browser_asking_for_korean_gets_korean_whatever_the_default_language(
    client, settings, product, default_language
):
    # With LANGUAGE_CODE "en", Django falls back to the English catalog for a msgid that no
    # Korean catalog holds: locale/ko is what keeps Korean Korean.
    settings.LANGUAGE_CODE = default_language
    # Django caches each language's catalog, fallback included; a LOCALE_PATHS change (even to
    # the same list) empties that cache, so Korean is loaded afresh under this default.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)

    response = client.get(reverse("home"), headers={"accept-language": "ko"})

    assert '<html lang="ko">' in response.text
    assert "로그인" in response.text
    assert "Log in" not in response.text
