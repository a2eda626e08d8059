"""Django's MAILERS entry from one EMAIL_URL, django-environ's email URL.

Django 6.1 replaced EMAIL_BACKEND, EMAIL_HOST and the other EMAIL_* settings with MAILERS;
django-environ still parses the URL into the old names, so this turns its answer into the
OPTIONS each backend takes. https://docs.djangoproject.com/en/6.1/topics/email/
"""

from environ import Env

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"


def mailer(email_url: str, *, timeout: int) -> dict:
    """A MAILERS entry: smtp://, smtp+tls://, smtp+ssl://, consolemail://, filemail://, …"""
    parsed = Env.email_url_config(email_url)
    backend = parsed["EMAIL_BACKEND"]
    if backend == SMTP:
        options = {
            "host": parsed["EMAIL_HOST"] or "localhost",
            "port": parsed["EMAIL_PORT"],  # None: 25, or 587 with TLS, 465 with SSL
            "username": parsed["EMAIL_HOST_USER"],
            "password": parsed["EMAIL_HOST_PASSWORD"],
            "use_tls": parsed.get("EMAIL_USE_TLS", False),
            "use_ssl": parsed.get("EMAIL_USE_SSL", False),
            "timeout": timeout,
        }
    elif backend == FILE:
        options = {"file_path": parsed["EMAIL_FILE_PATH"]}
    else:  # console, memory, dummy: nothing to say
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}
