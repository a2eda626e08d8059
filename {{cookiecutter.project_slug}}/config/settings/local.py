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

# runserver pays through its own embedded emulator: with EASYPAY_API_URL empty (.env), it points
# it at the address it actually serves, and the emulator's 노티 back at itself, as KICC sends
# them to a deployed shop, so a virtual-account deposit pays the order here too
# (easypay/devserver). First in the list: its runserver must win over the others.
INSTALLED_APPS = ["easypay.devserver", *INSTALLED_APPS]  # noqa: F405
EASYPAY_NOTI_ALLOWED_IPS = [*EASYPAY_NOTI_ALLOWED_IPS, "127.0.0.1", "::1"]  # noqa: F405
EASYPAY_EMULATOR = {**EASYPAY_EMULATOR, "NOTI_RETRY_SECONDS": 10}  # noqa: F405

# Checkout redirects to the emulator's window: on this dev server (whether the browser says
# localhost or 127.0.0.1) or on a standalone emulator's port (`manage.py easypay_emulator`).
SECURE_CSP = {
    **SECURE_CSP,  # noqa: F405
    "form-action": [*SECURE_CSP["form-action"], "http://127.0.0.1:*", "http://localhost:*"],  # noqa: F405
}
