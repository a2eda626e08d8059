"""Baked-project layer: install a bake the way a user does (`make install`) into a fresh virtual
environment and run the project's own checks, with no environment variable beyond PATH and HOME.
"""

from pathlib import Path

import pytest

from tests.installing import PRODUCTION_ENV, bake_and_install, run

pytestmark = pytest.mark.baked

INSTALLED_BAKES = ["defaults", "all_receivers_off", "queue_rq"]
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"


@pytest.fixture(
    scope="module",
    # One xdist group per bake: its install and all its checks stay on one worker.
    params=[pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in INSTALLED_BAKES],
)
def installed(request, cookies_session) -> Path:
    return bake_and_install(cookies_session, request.param)


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
