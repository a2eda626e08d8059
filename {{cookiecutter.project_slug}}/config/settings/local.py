"""Development on your machine: DEBUG on, the embedded EasyPay emulator, tasks run inline."""

from config.env import read_dot_env

# .env first (variables already set in the process environment win), then the shared settings
# read the environment.
read_dot_env()

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# Serve static files from the app folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The embedded emulator sends its 노티 to this dev server, as KICC does to a deployed shop,
# so a virtual-account deposit pays the order here too (easypay/emulator/README.md).
EASYPAY_NOTI_ALLOWED_IPS = [*EASYPAY_NOTI_ALLOWED_IPS, "127.0.0.1"]  # noqa: F405
EASYPAY_EMULATOR = {
    **EASYPAY_EMULATOR,  # noqa: F405
    "NOTI_URL": "http://127.0.0.1:8000/payments/easypay/noti/",
    "NOTI_RETRY_SECONDS": 10,
}
