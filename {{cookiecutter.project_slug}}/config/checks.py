"""System checks for the project's own settings (registered by config/apps.py)."""

import re

from django.conf import settings
from django.core.checks import Error

# One or more path segments, each ending with a slash: "admin/", "office/7f3k/".
ADMIN_URL_PATTERN = re.compile(r"(?:[A-Za-z0-9._~-]+/)+")


def check_admin_url(app_configs=None, **kwargs):
    url = getattr(settings, "ADMIN_URL", "admin/")
    if isinstance(url, str) and ADMIN_URL_PATTERN.fullmatch(url):
        return []
    return [
        Error(
            f"DJANGO_ADMIN_URL is {url!r}, which is not a path the admin can live at.",
            hint="Use letters, digits and - _ . ~, end with a slash and do not start with one, "
            "e.g. DJANGO_ADMIN_URL=office-7f3k/",
            id="config.E001",
        )
    ]
