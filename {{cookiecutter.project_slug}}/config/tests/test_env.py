"""config/env.py: what the settings read from the environment, and the one sentence that stops
the start when a value cannot be used. The settings files themselves are loaded in fresh
processes by test_settings.py; these tests ask the reader directly."""

import pytest

from config.env import EmptyVariable, Env, InvalidVariable, MissingVariable

SQLITE_DEFAULT = "sqlite:////srv/shop/db.sqlite3"


@pytest.fixture
def env(monkeypatch):
    for name in ("SHOP_TEST_VALUE", "DATABASE_URL", "EMAIL_URL"):
        monkeypatch.delenv(name, raising=False)
    return Env()


@pytest.mark.parametrize("empty", ["", "  "])
def test_a_required_variable_set_but_empty_stops_the_start_with_its_name(env, monkeypatch, empty):
    monkeypatch.setenv("SHOP_TEST_VALUE", empty)

    with pytest.raises(EmptyVariable) as refused:
        env("SHOP_TEST_VALUE")

    assert str(refused.value).startswith("SHOP_TEST_VALUE is set but empty")
    assert "Give SHOP_TEST_VALUE a value" in str(refused.value)


def test_a_required_variable_left_out_is_missing_not_empty(env):
    with pytest.raises(MissingVariable, match="SHOP_TEST_VALUE is not set"):
        env.list("SHOP_TEST_VALUE")


def test_a_variable_with_a_default_may_be_empty(env, monkeypatch):
    monkeypatch.setenv("SHOP_TEST_VALUE", "")

    assert env("SHOP_TEST_VALUE", default="fallback") == ""
    assert env.list("SHOP_TEST_VALUE", default=["someone"]) == []


def test_a_variable_that_may_be_empty_must_still_be_there(env, monkeypatch):
    with pytest.raises(MissingVariable):
        env.may_be_empty("SHOP_TEST_VALUE")

    monkeypatch.setenv("SHOP_TEST_VALUE", "")
    assert env.may_be_empty("SHOP_TEST_VALUE") == ""

    monkeypatch.setenv("SHOP_TEST_VALUE", "  ")  # blank, as an editor may leave it: still empty
    assert env.may_be_empty("SHOP_TEST_VALUE") == ""

    monkeypatch.setenv("SHOP_TEST_VALUE", "https://key@o1.ingest.example.io/2")
    assert env.may_be_empty("SHOP_TEST_VALUE") == "https://key@o1.ingest.example.io/2"


@pytest.mark.parametrize("value", ["", "ten", "1.5"])
def test_a_number_that_is_not_one_stops_the_start_with_what_it_must_be(env, monkeypatch, value):
    monkeypatch.setenv("SHOP_TEST_VALUE", value)

    with pytest.raises(InvalidVariable) as refused:
        env.int("SHOP_TEST_VALUE", default=120)

    assert str(refused.value) == (
        f"SHOP_TEST_VALUE is {value!r}, so the shop refuses to start. "
        "Set SHOP_TEST_VALUE to a whole number, e.g. 120."
    )


def test_an_empty_database_url_is_the_default_database_where_there_is_one(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "")

    assert env.db("DATABASE_URL", default=SQLITE_DEFAULT)["NAME"] == "/srv/shop/db.sqlite3"
    with pytest.raises(EmptyVariable, match="DATABASE_URL is set but empty"):
        env.db("DATABASE_URL")


def test_a_database_url_of_an_unknown_kind_says_what_one_looks_like(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgress://shop@127.0.0.1/shop")

    with pytest.raises(InvalidVariable) as refused:
        env.db("DATABASE_URL", default=SQLITE_DEFAULT)

    assert "DATABASE_URL is 'postgress://shop@127.0.0.1/shop'" in str(refused.value)
    assert "e.g. postgres://user:password@127.0.0.1:5432/shop" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://db.sqlite3",  # two slashes: django-environ would open an in-memory database
        "postgres://shop:secret@127.0.0.1:54x2/shop",  # a port that is not a number
        "127.0.0.1:5432/shop",  # no scheme at all
    ],
)
def test_a_database_url_that_would_not_reach_the_database_meant_is_refused(env, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    with pytest.raises(InvalidVariable, match="Set DATABASE_URL to a database URL, e.g. "):
        env.db("DATABASE_URL", default=SQLITE_DEFAULT)


def test_an_in_memory_sqlite_database_is_still_a_database_url(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://:memory:")

    assert env.db("DATABASE_URL")["NAME"] == ":memory:"


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("DATABASE_URL", "postgress://shop:hunter2@127.0.0.1:5432/shop"),
        ("EMAIL_URL", "smpt://shop:hunter2@smtp.example.com:587"),
    ],
)
def test_a_refused_url_is_quoted_without_its_password(env, monkeypatch, variable, url):
    monkeypatch.setenv(variable, url)
    read = env.db if variable == "DATABASE_URL" else env.mail_url

    with pytest.raises(InvalidVariable) as refused:
        read(variable)

    assert "hunter2" not in str(refused.value)
    assert f"{variable} is '{url.replace('hunter2', '***')}'" in str(refused.value)


def test_a_database_url_is_read_as_django_reads_databases(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://shop:secret@db.internal:5433/shop")

    database = env.db("DATABASE_URL")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "shop")


def test_an_empty_email_url_is_the_default_and_an_unknown_one_is_refused(env, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "")
    assert env.mail_url("EMAIL_URL", default="consolemail://") == "consolemail://"

    monkeypatch.setenv("EMAIL_URL", "smtp://mail.example.com:58x7")
    with pytest.raises(InvalidVariable, match="Set EMAIL_URL to an email URL"):
        env.mail_url("EMAIL_URL", default="consolemail://")

    monkeypatch.setenv("EMAIL_URL", "smpt://mail.example.com:587")
    with pytest.raises(InvalidVariable) as refused:
        env.mail_url("EMAIL_URL", default="consolemail://")
    assert "EMAIL_URL is 'smpt://mail.example.com:587'" in str(refused.value)
    assert "e.g. smtp+tls://" in str(refused.value)

    monkeypatch.setenv("EMAIL_URL", "smtp+tls://shop:secret@smtp.example.com:587")
    assert env.mail_url("EMAIL_URL") == "smtp+tls://shop:secret@smtp.example.com:587"
