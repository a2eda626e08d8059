"""Production: every secret comes from the process environment, with no insecure default.

.env is not read here unless DJANGO_READ_DOT_ENV_FILE=True (cookiecutter-django's convention):
a development .env left on the server must not fill in what production forgot. A missing
required variable stops the start with a sentence naming it (config/env.py), instead of
serving with a guessed value.
"""

from config.env import env, read_dot_env
from config.mail import mailer

if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    read_dot_env()

from .base import *  # noqa: E402, F403
from .base import DATABASES  # noqa: E402

# ------------------------------------------------------------------------------
# Required: the process does not start without these
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES["default"] = env.db("DATABASE_URL")
EASYPAY_API_URL = env("EASYPAY_API_URL")
EASYPAY_MALL_ID = env("EASYPAY_MALL_ID")
EASYPAY_SECRET_KEY = env("EASYPAY_SECRET_KEY")
ADMIN_URL = env("DJANGO_ADMIN_URL")
# Password resets and error reports go out by mail: an SMTP server (config/mail.py).
MAILERS = {"default": mailer(env.mail_url("EMAIL_URL"), timeout=EMAIL_TIMEOUT_SECONDS)}  # noqa: F405

DEBUG = False
# The database dict was rebuilt from DATABASE_URL above: base.py's persistent connections again.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# HTTPS — TLS ends at the proxy in front of gunicorn, which sets X-Forwarded-Proto
# https://docs.djangoproject.com/en/6.1/ref/settings/#secure-proxy-ssl-header
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# /healthz answers the load balancer over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Start short and raise to 31536000 (one year) once HTTPS works on every subdomain.
SECURE_HSTS_SECONDS = 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# HSTS preload is a one-way door (removal from browser lists takes months): opt in
# deliberately with SECURE_HSTS_PRELOAD = True, hence the silenced reminder.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# ------------------------------------------------------------------------------
# Background tasks — a real queue and a worker process (`make worker`)
# ------------------------------------------------------------------------------
{%- if cookiecutter.task_queue == "database" %}
INSTALLED_APPS += ["django_tasks_db"]  # noqa: F405
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "payments", "reports"],
    }
}
{%- else %}
REDIS_URL = env("REDIS_URL")
INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # noqa: F405
TASKS = {
    "default": {
        # django-tasks-rq's RQBackend, accepting priorities (RQ orders by queue instead).
        "BACKEND": "config.rq_backend.QueueOrderedRQBackend",
        "QUEUES": ["default", "payments", "reports"],
    }
}
RQ_QUEUES = {name: {"URL": REDIS_URL} for name in TASKS["default"]["QUEUES"]}
{%- endif %}

# ------------------------------------------------------------------------------
# Cache — one that every worker process shares, so the login and signup throttles
# (apps/users/throttle.py) count each attempt once, whichever worker served it
# ------------------------------------------------------------------------------
{%- if cookiecutter.task_queue == "database" %}
# The database: its table is made by every `migrate` (apps/users/cache_table.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}
{%- else %}
# Redis, which the task queue needs anyway.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
    }
}
{%- endif %}
{%- if cookiecutter.use_sentry %}

# ------------------------------------------------------------------------------
# Sentry — SENTRY_DSN is required so a typo cannot silently turn reporting off;
# set it to an empty value to run without Sentry on purpose.
# ------------------------------------------------------------------------------
SENTRY_DSN = env.may_be_empty("SENTRY_DSN")
# The share of requests traced for performance, 0 to 1: 0 reports errors only.
SENTRY_TRACES_SAMPLE_RATE = env.fraction("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
{%- endif %}
