"""Installing a bake the way a user does, and running its commands with a clean environment.

Shared by the baked-project layer, the real-queue tests and the browser test.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.bakes import BAKES

# Dummy production values: enough for `check --deploy` and gunicorn to load the settings.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "prod-" + "k" * 20 + "-only-for-the-template-test-" + "z" * 10,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "sqlite:///prod-check.sqlite3",
    "EASYPAY_API_URL": "https://pgapi.easypay.co.kr",
    "EASYPAY_MALL_ID": "T0000000",
    "EASYPAY_SECRET_KEY": "a-production-secret",
    "DJANGO_ADMIN_URL": "office-7f3k/",
    # Nothing listens there: a mail the tests would send fails at once, not after a DNS timeout.
    "EMAIL_URL": "smtp://127.0.0.1:25",
    "SENTRY_DSN": "",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def clean_env(**extra: str) -> dict[str, str]:
    """What a fresh shell has: PATH and HOME, nothing of this test run's environment."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    return {**base, **extra}


def run(project: Path, *command: str, **extra_env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=project, env=clean_env(**extra_env), capture_output=True, text=True
    )
    assert result.returncode == 0, (
        f"{' '.join(command)}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def bake_and_install(cookies_session, name: str) -> Path:
    """Bake the matrix entry `name` and run its `make install` (a fresh .venv), as a user would.

    PYTHON pins the interpreter running these tests, so no other Python is picked up.
    """
    result = cookies_session.bake(extra_context=BAKES[name])
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    run(project, "make", "install", PYTHON=sys.executable)
    return project
