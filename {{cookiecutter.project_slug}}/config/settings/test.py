"""Tests: no .env or environment variable needed; SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "django-insecure-test-only"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# On PostgreSQL (DATABASE_URL=postgres://…), tests that commit are undone with DELETE instead of
# TRUNCATE, which costs the server ~130 ms a test (config/postgresql_for_tests/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "config.postgresql_for_tests"  # noqa: F405

# Log lines reach a failing test's report through pytest's own capture ("Captured log call",
# INFO and up); printing each of them to stderr as well cost ~6% of the suite's CPU.
LOGGING["handlers"]["console"]["level"] = "WARNING"  # noqa: F405

# Fast hashing: tests create many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No EasyPay until a test asks for one, whatever .env says: the easypay_emulator fixture points
# EASYPAY_API_URL at a real local emulator; without it the client refuses to be built.
EASYPAY_API_URL = ""
# The test emulator answers as the shared KICC test mall (docs/kicc-api.md §12).
EASYPAY_MALL_ID = "T0000000"
EASYPAY_SECRET_KEY = "easypay!KICCTEST"
# Tests run DEBUG off against the local emulator (the easypay_emulator fixture): allow its URL,
# which the fail-closed check (easypay/checks.py, easypay.E003) refuses everywhere else.
EASYPAY_ALLOW_LOCAL_API_URL = True
{%- if cookiecutter.use_telegram or cookiecutter.use_sms or cookiecutter.use_slack %}

# Tests never message anyone, whatever .env holds: with empty credentials the senders log.
{%- endif %}
{%- if cookiecutter.use_telegram %}
TELEGRAM_BOT_TOKEN = ""
TELEGRAM_CHAT_ID = ""
{%- endif %}
{%- if cookiecutter.use_sms %}
SOLAPI_API_KEY = ""
SOLAPI_API_SECRET = ""
SMS_SENDER = ""
{%- endif %}
{%- if cookiecutter.use_slack %}
SLACK_WEBHOOK_URL = ""
{%- endif %}
