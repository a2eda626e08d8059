"""Baked-project layer: install a bake the way a user does (`make install`) into a fresh virtual
environment and run the project's own checks, with no environment variable beyond PATH and HOME.

Each bake is installed once per run (tests/installing.py: installed_bake) and shared with the
queue and browser tests; `all_receivers_off` installs as a machine with only Python and make
does (no uv on PATH: its Makefile pip-installs uv first).
"""

from pathlib import Path

import pytest

from tests.bake_changes import reaching_tests
from tests.installing import (
    PRODUCTION_ENV,
    fresh_bake,
    installed_bake,
    once_per_run,
    run,
    run_tests,
    skipped_tests,
)
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
# The bake whose whole suite runs; another runs the tests its changes reach (tests/bake_changes.py),
# which is all of them when it changed what every test loads (all_receivers_off: the settings).
REFERENCE_BAKE = "defaults"


def suite_of(name: str, tmp_path_factory) -> list[str] | None:
    """The test files bake `name` runs (None: all), worked out once per run for every worker."""
    if name == REFERENCE_BAKE:
        return None

    def select(folder: Path) -> list[str] | None:
        installed = installed_bake(tmp_path_factory, name)
        bake = fresh_bake(name, folder / "bake")
        return reaching_tests(installed, bake, fresh_bake(REFERENCE_BAKE, folder / "reference"))

    return once_per_run(tmp_path_factory, "suites", name, select)


def test_the_projects_own_tests_pass_on_sqlite(installed, request, tmp_path, tmp_path_factory):
    name = request.node.callspec.params["installed"]
    only = suite_of(name, tmp_path_factory)
    assert only != [], f"{name} differs from {REFERENCE_BAKE} in no file a test reaches"
    run_tests(installed, tmp_path, jobs="0" if name in SERIAL_BAKES else None, only=only)


def test_a_bake_that_changes_only_its_queue_runs_the_tests_its_changes_reach(tmp_path_factory):
    """queue_rq changes production settings, the worker, the Makefile, an rq backend: the tests
    that read them run, and what only the default bake's code decides runs once, there."""
    only = suite_of("queue_rq", tmp_path_factory)
    assert only is not None
    assert {
        "config/tests/test_settings.py",  # differs itself
        "apps/payments/loadtest/tests/test_stack.py",  # imports the changed loadtest/stack.py
        "easypay/devserver/tests/test_follow.py",  # runs `make run`: the changed Makefile
        "config/tests/test_docs.py",  # lists the documents: the changed docs/going-live.md
        "config/tests/test_logging.py",  # development settings, which read the changed .env
    } <= set(only)
    assert "easypay/tests/test_services_approval.py" not in only


def test_a_bake_that_changes_the_settings_every_test_loads_runs_them_all(tmp_path_factory):
    assert suite_of("all_receivers_off", tmp_path_factory) is None


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
    """Once, on the default bake, in databases of this run's own (dropped afterwards). The tests
    that skip without PostgreSQL (row locks, the load-test stack) are why this run exists: none
    may skip here."""
    project = installed_bake(tmp_path_factory, "defaults")
    with postgres_database_url(project) as database_url:
        run_tests(project, tmp_path, DATABASE_URL=database_url)
    skipped = skipped_tests(tmp_path / "junit.xml", saying="PostgreSQL")
    assert not skipped, "skipped on PostgreSQL:\n" + "\n".join(skipped)
