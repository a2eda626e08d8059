"""Baked-project layer: install a bake the way a user does (`make install`) into a fresh virtual
environment and run the project's own checks, with no environment variable beyond PATH and HOME.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bakes import BAKES

pytestmark = pytest.mark.baked

INSTALLED_BAKES = ["defaults", "all_receivers_off", "queue_rq"]
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"

# Dummy production values: enough for `check --deploy` and gunicorn to load the settings.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "prod-" + "k" * 20 + "-only-for-the-template-test-" + "z" * 10,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "sqlite:///prod-check.sqlite3",
    "EASYPAY_API_URL": "https://pgapi.easypay.co.kr",
    "EASYPAY_MALL_ID": "T0000000",
    "EASYPAY_SECRET_KEY": "a-production-secret",
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


@pytest.fixture(
    scope="module",
    # One xdist group per bake: its install and all its checks stay on one worker.
    params=[pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in INSTALLED_BAKES],
)
def installed(request, cookies_session) -> Path:
    result = cookies_session.bake(extra_context=BAKES[request.param])
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    # The same command a user runs; PYTHON pins the interpreter running these tests.
    run(project, "make", "install", PYTHON=sys.executable)
    return project


def test_the_projects_own_tests_pass_on_sqlite(installed):
    result = run(installed, "make", "test")

    assert " passed" in result.stdout and " failed" not in result.stdout


def test_system_checks_pass_at_warning_level(installed):
    run(installed, ".venv/bin/python", "manage.py", "check", "--fail-level", "WARNING")


def test_models_and_migrations_agree(installed):
    run(installed, ".venv/bin/python", "manage.py", "makemigrations", "--check", "--dry-run")


def test_production_settings_pass_the_deploy_checks(installed):
    run(
        installed,
        ".venv/bin/python",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
    )


def test_gunicorn_accepts_the_configuration(installed):
    run(installed, ".venv/bin/gunicorn", "--check-config", **PRODUCTION_ENV)


def test_the_lint_target_passes(installed):
    run(installed, "make", "lint")


def test_the_projects_own_tests_pass_on_postgresql(installed, request):
    if request.node.callspec.params["installed"] != "defaults":
        pytest.skip("PostgreSQL runs once, on the default bake")
    result = run(installed, "make", "test", DATABASE_URL=POSTGRES_URL)

    assert " passed" in result.stdout and " failed" not in result.stdout
