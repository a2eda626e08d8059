"""Development on your machine: DEBUG on, the embedded EasyPay emulator, tasks run inline."""

from .base import *  # noqa: F403
from .base import env

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

# Checkout redirects to the emulator's window: on this dev server (whether the browser says
# localhost or 127.0.0.1) or on a standalone emulator's port (`manage.py easypay_emulator`).
SECURE_CSP = {
    **SECURE_CSP,  # noqa: F405
    "form-action": [*SECURE_CSP["form-action"], "http://127.0.0.1:*", "http://localhost:*"],  # noqa: F405
}
