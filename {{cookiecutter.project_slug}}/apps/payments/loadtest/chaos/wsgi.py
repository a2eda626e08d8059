"""The shop as its TLS-ending proxy serves it (docs/going-live.md): every request arrives with
X-Forwarded-Proto: https, KICC's 노티 included. The chaos run's gunicorn serves this, so
production settings (SECURE_SSL_REDIRECT, secure cookies) run unchanged on plain loopback."""

from config.wsgi import application as shop


def application(environ, start_response):
    environ["HTTP_X_FORWARDED_PROTO"] = "https"
    return shop(environ, start_response)
