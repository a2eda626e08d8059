"""Settings shared by every environment.

Read top to bottom as a checklist. Values that differ between machines come from the
environment (django-environ); every variable read here is listed in .env.example and in
the README's table, and a test keeps the three in step.
https://docs.djangoproject.com/en/6.1/ref/settings/
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.csp import CSP

from config.env import env
from config.mail import mailer
from easypay.csp import payment_window_sources

BASE_DIR = Path(__file__).resolve().parents[2]
# Values come from the process environment; whether .env fills it in first is the choice of
# the settings module that imports this one (config/env.py: local yes, production only if told).

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SHOP_NAME = {{ cookiecutter.project_name | python_string }}
DEBUG = False
ALLOWED_HOSTS: list[str] = []
ROOT_URLCONF = "config.urls"
# The admin's path: production requires DJANGO_ADMIN_URL, so a shop picks one of its own
# (a path nobody guesses keeps the login form out of every scanner's list).
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Internationalisation — Korean by default, English as the translation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "{{ cookiecutter.language_code }}"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "{{ cookiecutter.timezone }}"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Database — DATABASE_URL, e.g. postgres://user:pass@127.0.0.1:5432/shop
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # payment services open short transactions
# Keep each process's connection between requests: a new PostgreSQL connection costs a round
# of authentication and a server process per request. Checked before reuse, so a database that
# restarted meanwhile costs a reconnect, not a failed request.
# https://docs.djangoproject.com/en/6.1/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "config.apps.ShopAdminConfig",  # django.contrib.admin with the shop's site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
LOCAL_APPS = [
    "apps.users",
    "easypay",
    "apps.payments",
]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS

# ------------------------------------------------------------------------------
# Users and authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Throttling (apps/users/throttle.py), counted in the cache: production.py makes it one that
# every worker shares. Counted per client address (behind EASYPAY_TRUSTED_PROXIES).
THROTTLE_LOGIN_FAILURES = 5  # wrong passwords for one username from one address...
THROTTLE_LOGIN_FAILURES_PER_ADDRESS = 20  # ...or for any usernames: then the address waits
THROTTLE_LOGIN_WINDOW = timedelta(minutes=15)  # from its first failure
THROTTLE_SIGNUPS_PER_ADDRESS = 5  # accounts created from one address...
THROTTLE_SIGNUP_WINDOW = timedelta(hours=1)  # ...within this

# ------------------------------------------------------------------------------
# Middleware
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",  # first: every line a request logs carries its id
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# ------------------------------------------------------------------------------
# Templates and static files (whitenoise serves them, also under gunicorn)
# ------------------------------------------------------------------------------
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.shop",
            ],
        },
    },
]
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files a browser asks for at the site's root (/favicon.ico), served there by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ------------------------------------------------------------------------------
# Mail — EMAIL_URL is django-environ's email URL, e.g. smtp+tls://user:password@smtp.example.com:587
# Development prints mail on the console (the password-reset link too); production requires it.
# https://docs.djangoproject.com/en/6.1/topics/email/
# ------------------------------------------------------------------------------
# An SMTP server that hangs must not hold a request (and its gunicorn worker) for ever.
EMAIL_TIMEOUT_SECONDS = 10
MAILERS = {
    "default": mailer(
        env.mail_url("EMAIL_URL", default="consolemail://"), timeout=EMAIL_TIMEOUT_SECONDS
    )
}
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL",
    default="noreply@{{ cookiecutter.domain_name }}",
)
# The sender of error reports to ADMINS.
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who gets an email for each server error (500) with DEBUG off; comma-separated addresses.
ADMINS = env.list(
    "DJANGO_ADMINS",
    default=[{{ cookiecutter.email | python_string }}],
)
EMAIL_SUBJECT_PREFIX = f"[{SHOP_NAME}] "

# ------------------------------------------------------------------------------
# Security shared by every environment (production.py adds HTTPS-only settings)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# EasyPay (KICC) — see easypay/ and README.md
# ------------------------------------------------------------------------------
# Empty: production refuses to start (production.py); in development it means the emulator
# embedded in the dev server, wherever runserver actually serves (easypay/devserver).
EASYPAY_API_URL = env("EASYPAY_API_URL", default="")
EASYPAY_MALL_ID = env("EASYPAY_MALL_ID", default="")
EASYPAY_SECRET_KEY = env("EASYPAY_SECRET_KEY", default="")
# Seconds per call. KICC asks clients to wait 30 s for approve and revise (docs/kicc-api.md §11.4);
# "connect" is the only step the client retries (the request had not left yet).
# EASYPAY_TIMEOUTS="approve=40,revise=40" overrides some of them.
EASYPAY_TIMEOUTS = {
    "connect": 5,
    "register": 10,
    "approve": 30,
    "revise": 30,
    "retrieve": 10,
    **env.dict("EASYPAY_TIMEOUTS", default={}),  # text: easypay/checks.py reads the numbers
}
# How long one web request may keep calling KICC: a call that could outlast it is not started
# and reconcile does its work instead, because gunicorn kills a worker at GUNICORN_TIMEOUT
# (gunicorn.conf.py reads the same variable) and a void cut off mid-call is worse than one
# left for later. 105 s of the default 120 fit the return's worst chain: approve, then void
# (2 × 46.6 s; easypay.W001 warns when they no longer fit).
EASYPAY_REQUEST_BUDGET = timedelta(seconds=env.int("GUNICORN_TIMEOUT", default=120) - 15)
# With DEBUG off, EASYPAY_API_URL must be one of KICC's hosts unless this says otherwise
# (easypay/checks.py): only settings that run the emulator on purpose set it to True.
EASYPAY_ALLOW_LOCAL_API_URL = False
# The shop's payment model, like AUTH_USER_MODEL: easypay's records point at it.
EASYPAY_PAYMENT_MODEL = "payments.Payment"
# 노티 (webhooks) are accepted only from these addresses or networks: KICC's documented
# senders (docs/kicc-api.md §2) for the host EASYPAY_API_URL names — the test host's
# 61.33.205.151 only when it is https://testpgapi.easypay.co.kr, otherwise production's
# 203.233.72.150, 203.233.72.151 and 61.33.211.180, so a live shop never believes a 노티 from
# KICC's test system. EASYPAY_NOTI_ALLOWED_IPS (comma-separated, empty: these defaults)
# replaces the list — e.g. to add 127.0.0.1 for a local emulator's 노티.
EASYPAY_NOTI_ALLOWED_IPS = env.list("EASYPAY_NOTI_ALLOWED_IPS", default=[]) or (
    ["61.33.205.151"]
    if EASYPAY_API_URL.rstrip("/") == "https://testpgapi.easypay.co.kr"
    else ["203.233.72.150", "203.233.72.151", "61.33.211.180"]
)
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed, comma-separated,
# e.g. 10.0.0.0/8 behind a load balancer. Empty: the direct peer is the client, whatever
# headers say. The 노티 allow-list, the buyer's recorded IP and the login throttle read it.
EASYPAY_TRUSTED_PROXIES = [
    proxy.strip() for proxy in env.list("EASYPAY_TRUSTED_PROXIES", default=[]) if proxy.strip()
]
# A checkout never brought back from the payment window is failed as expired after this
# (easypay_reconcile). No approve call was made for it, so no money can have moved.
EASYPAY_PENDING_EXPIRY = timedelta(seconds=env.int("EASYPAY_PENDING_EXPIRY", default=3600))
# An approval claimed longer ago than this is presumed cut off (the process died mid-call):
# reconcile asks KICC about it. Comfortably longer than the 30 s approve timeout.
EASYPAY_APPROVING_STALE_AFTER = timedelta(
    seconds=env.int("EASYPAY_APPROVING_STALE_AFTER", default=120)
)
# KICC's "no such transaction" for an approval in doubt fails the payment only when it was
# answered (HTTP 200, resCd not "0000") on two reconcile passes at least this far apart:
# KICC gives no code for "not found" (docs/kicc-api.md §7, §14), so one answer could be a
# throttling or system error while the money did move. Until then the payment stays unknown.
EASYPAY_UNKNOWN_GRACE = timedelta(seconds=env.int("EASYPAY_UNKNOWN_GRACE", default=600))
# The local EasyPay emulator (easypay/emulator/README.md): served under /__easypay__/ by the
# DEBUG dev server and by `manage.py easypay_emulator`; never with DEBUG off. Its state is a
# SQLite file of its own (git-ignored). NOTI_URL empty: 노티 are recorded, not sent.
EASYPAY_EMULATOR = {
    "DATABASE": BASE_DIR / ".easypay-emulator.sqlite3",
    "MALLS": {"T0000000": "easypay!KICCTEST"},  # mall id -> secret key it signs with
    "NOTI_URL": "",
    "NOTI_RETRY_SECONDS": 180,  # KICC retries every 3 minutes, 10 times (docs/kicc-api.md §8.1)
    "NOTI_MAX_RETRIES": 10,
    "NOTI_TIMEOUT_SECONDS": 10,
    # Whether a status answer (retrieveTransaction) carries the transaction's status now
    # ("current") or the one the original answer had ("original"): KICC's contract leaves it
    # open (docs/kicc-api.md §7), and the shop must be right under both.
    "RETRIEVE_STATUS": "current",
}

# ------------------------------------------------------------------------------
# Content-Security-Policy — Django's own (django.middleware.csp), on every response
# https://docs.djangoproject.com/en/6.1/ref/csp/
# ------------------------------------------------------------------------------
# Only this site's own files run and style its pages: no inline script, no inline style
# attribute, nothing from another host. Django's admin marks its few inline blocks with the
# per-response nonce (the csp_nonce_attr tag), so they need no 'unsafe-inline' either. Forms
# may post here and to KICC's payment window, where checkout redirects the buyer
# (easypay/csp.py). The EasyPay emulator answers with a policy of its own, as KICC's pages do.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *payment_window_sources(EASYPAY_API_URL)],
}
{%- if cookiecutter.use_telegram %}

# ------------------------------------------------------------------------------
# Telegram — empty values: the receiver logs what it would have sent
# ------------------------------------------------------------------------------
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_CHAT_ID = env("TELEGRAM_CHAT_ID", default="")
{%- endif %}
{%- if cookiecutter.use_sms %}

# ------------------------------------------------------------------------------
# SMS through SOLAPI — empty values: the receiver logs what it would have sent
# ------------------------------------------------------------------------------
SOLAPI_API_KEY = env("SOLAPI_API_KEY", default="")
SOLAPI_API_SECRET = env("SOLAPI_API_SECRET", default="")
SMS_SENDER = env("SMS_SENDER", default="")
{%- endif %}
{%- if cookiecutter.use_slack %}

# ------------------------------------------------------------------------------
# Slack incoming webhook — empty value: the receiver logs what it would have sent
# ------------------------------------------------------------------------------
SLACK_WEBHOOK_URL = env("SLACK_WEBHOOK_URL", default="")
{%- endif %}

# ------------------------------------------------------------------------------
# Background tasks — development runs them in the request; production.py sets the queue
# https://docs.djangoproject.com/en/6.1/topics/tasks/
# ------------------------------------------------------------------------------
# The queues the tasks use (apps/payments/tasks.py); production.py's queue has the same.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "payments", "reports"],
    }
}

# ------------------------------------------------------------------------------
# Logging — one line per record on standard error, where gunicorn and the process manager read it,
# each with its request's id (config/request_id.py; "-" outside a request).
# LOG_FORMAT=json writes one JSON object per line for log shippers (config/json_logging.py).
# ------------------------------------------------------------------------------
LOG_FORMAT = env.choice("LOG_FORMAT", ("text", "json"), default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.request_id.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
        "json": {"()": "config.json_logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        # Server errors by mail to ADMINS, with DEBUG off (Django's default, kept).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's own default gives "django" a console handler of its own (with DEBUG on) on
        # top of the root's, so every django.* line — each task run among them — was printed
        # twice. Configured here, "django" keeps only the mail and leaves printing to the root.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A request with a forged Host is logged, not mailed: bots send them all day.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
