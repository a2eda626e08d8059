"""Baked-project layer: install a bake the way a user does (`make install`) into a fresh virtual
environment and run the project's own checks, with no environment variable beyond PATH and HOME.

Each bake is installed once per run (tests/installing.py: installed_bake) and shared with the
queue and browser tests; `all_receivers_off` installs as a machine with only Python and make
does (no uv on PATH: its Makefile pip-installs uv first).
"""

from pathlib import Path

import pytest

from tests.installing import PRODUCTION_ENV, installed_bake, run, run_tests
from tests.services import postgres_database_url

pytestmark = pytest.mark.baked

INSTALLED_BAKES = ["defaults", "all_receivers_off", "queue_rq"]


@pytest.fixture(scope="module", params=INSTALLED_BAKES)
def installed(request, tmp_path_factory) -> Path:
    return installed_bake(tmp_path_factory, request.param)


# `make test` runs the tests in parallel (pytest-xdist, one process per core), as users run it,
# on the default bake here and on PostgreSQL. The other bakes run them in one process
# (`make test JOBS=0`): this run's own workers already keep the cores busy, and each parallel
# worker would import and set up everything again.
SERIAL_BAKES = {"all_receivers_off", "queue_rq"}


def test_the_projects_own_tests_pass_on_sqlite(installed, request, tmp_path):
    serial = request.node.callspec.params["installed"] in SERIAL_BAKES
    run_tests(installed, tmp_path, jobs="0" if serial else None)


def test_system_checks_pass_at_warning_level(installed):
    run(installed, ".venv/bin/python", "manage.py", "check", "--fail-level", "WARNING")


def test_models_and_migrations_agree(installed):
    run(installed, ".venv/bin/python", "manage.py", "makemigrations", "--check", "--dry-run")


def test_production_settings_pass_the_deploy_checks(installed, tmp_path):
    run(
        installed,
        ".venv/bin/python",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod-check.sqlite3'}"},
    )


def test_gunicorn_accepts_the_configuration(installed, tmp_path):
    run(
        installed,
        ".venv/bin/gunicorn",
        "--check-config",
        **{**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod-check.sqlite3'}"},
    )


def test_the_lint_target_passes(installed):
    run(installed, "make", "lint")


def test_the_projects_own_tests_pass_on_postgresql(tmp_path_factory, tmp_path):
    """Once, on the default bake, in databases of this run's own (dropped afterwards)."""
    project = installed_bake(tmp_path_factory, "defaults")
    with postgres_database_url(project) as database_url:
        run_tests(project, tmp_path, DATABASE_URL=database_url)
