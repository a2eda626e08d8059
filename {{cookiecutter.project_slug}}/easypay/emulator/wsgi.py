"""WSGI entry point for several worker processes, e.g. a load test:

    DJANGO_SETTINGS_MODULE=config.settings.local gunicorn -w 4 easypay.emulator.wsgi

The workers share the emulator's SQLite file (WAL + BEGIN IMMEDIATE, see store.py), and
drop_after_commit closes gunicorn's socket. Refuses to start with DEBUG off.
"""

import os

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

if not settings.DEBUG:
    raise ImproperlyConfigured("The EasyPay emulator only runs with DEBUG on.")

from .engine import Emulator  # noqa: E402 — needs django.setup()
from .server import EmulatorWSGIHandler  # noqa: E402

application = EmulatorWSGIHandler(Emulator.from_settings())
