"""Production settings fail fast and the test settings need nothing from the environment."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "sqlite:///prod.sqlite3",
    "EASYPAY_API_URL": "https://testpgapi.easypay.co.kr",
    "EASYPAY_MALL_ID": "T0000000",
    "EASYPAY_SECRET_KEY": "secret",
    "DJANGO_ADMIN_URL": "office-7f3k/",
{%- if cookiecutter.use_sentry %}
    "SENTRY_DSN": "",
{%- endif %}
{%- if cookiecutter.task_queue == "rq" %}
    "REDIS_URL": "redis://127.0.0.1:6379/0",
{%- endif %}
}


@pytest.fixture
def project_without_dot_env(tmp_path):
    """A copy of the settings package with no .env beside it, as on a production host."""
    shutil.copytree(PROJECT_DIR / "config", tmp_path / "config")
    return tmp_path


def load_settings(module: str, cwd: Path, env: dict, show: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh process that sees only `env`; print `show`."""
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings.{module} as s; print({show})"],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_every_required_variable(project_without_dot_env):
    result = load_settings("production", project_without_dot_env, REQUIRED_IN_PRODUCTION, "s.DEBUG")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("missing", sorted(REQUIRED_IN_PRODUCTION))
def test_production_settings_refuse_to_start_without(missing, project_without_dot_env):
    env = {key: value for key, value in REQUIRED_IN_PRODUCTION.items() if key != missing}

    result = load_settings("production", project_without_dot_env, env, "s.DEBUG")

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_counts_the_throttles_in_a_cache_every_worker_shares(project_without_dot_env):
    # A per-process cache (Django's default) would give each gunicorn worker its own counts.
    result = load_settings(
        "production", project_without_dot_env, REQUIRED_IN_PRODUCTION, "s.CACHES['default']"
    )

    assert result.returncode == 0, result.stderr
{%- if cookiecutter.task_queue == "database" %}
    assert "django.core.cache.backends.db.DatabaseCache" in result.stdout
{%- else %}
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout
    assert REQUIRED_IN_PRODUCTION["REDIS_URL"] in result.stdout
{%- endif %}


def test_production_reads_the_admin_url_and_the_trusted_proxies(project_without_dot_env):
    env = {**REQUIRED_IN_PRODUCTION, "EASYPAY_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.2"}

    result = load_settings(
        "production", project_without_dot_env, env, "(s.ADMIN_URL, s.EASYPAY_TRUSTED_PROXIES)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('office-7f3k/', ['10.0.0.0/8', '192.168.1.2'])"


def test_production_lets_checkout_send_the_buyer_to_kiccs_window_only(project_without_dot_env):
    result = load_settings(
        "production", project_without_dot_env, REQUIRED_IN_PRODUCTION, "s.SECURE_CSP['form-action']"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[<CSP.SELF: \"'self'\">, 'https://testpgapi.easypay.co.kr', 'https://*.easypay.co.kr']"
    )


def test_test_settings_use_sqlite_without_any_environment_variable(project_without_dot_env):
    result = load_settings(
        "test", project_without_dot_env, {}, "s.DATABASES['default']['ENGINE'], s.SECRET_KEY"
    )

    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3" in result.stdout


@pytest.mark.parametrize("module", ["local", "production"])
def test_development_and_production_keep_their_database_connection_between_requests(
    module, project_without_dot_env
):
    env = {**REQUIRED_IN_PRODUCTION, "DATABASE_URL": "postgres://shop@db.example.com:5432/shop"}
    show = "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']"

    result = load_settings(module, project_without_dot_env, env, show)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]


def test_the_easypay_knobs_a_shop_tunes_come_from_the_environment(project_without_dot_env):
    env = {
        **REQUIRED_IN_PRODUCTION,
        "EASYPAY_TIMEOUTS": "approve=40,revise=45",
        "EASYPAY_NOTI_ALLOWED_IPS": "203.233.72.150,10.0.0.0/8",
        "EASYPAY_PENDING_EXPIRY": "1800",
        "EASYPAY_APPROVING_STALE_AFTER": "90",
        "EASYPAY_UNKNOWN_GRACE": "300",
        "GUNICORN_TIMEOUT": "150",
    }
    show = (
        "s.EASYPAY_TIMEOUTS['approve'], s.EASYPAY_TIMEOUTS['revise'], s.EASYPAY_TIMEOUTS['connect'],"
        " ','.join(s.EASYPAY_NOTI_ALLOWED_IPS), s.EASYPAY_PENDING_EXPIRY.seconds,"
        " s.EASYPAY_APPROVING_STALE_AFTER.seconds, s.EASYPAY_UNKNOWN_GRACE.seconds,"
        " s.EASYPAY_REQUEST_BUDGET.seconds"
    )

    result = load_settings("production", project_without_dot_env, env, show)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "40",
        "45",
        "5",
        "203.233.72.150,10.0.0.0/8",
        "1800",
        "90",
        "300",
        "135",
    ]


def test_without_a_noti_list_the_senders_follow_the_kicc_host(project_without_dot_env):
    live = {**REQUIRED_IN_PRODUCTION, "EASYPAY_API_URL": "https://pgapi.easypay.co.kr"}
    empty = {**REQUIRED_IN_PRODUCTION, "EASYPAY_NOTI_ALLOWED_IPS": ""}
    show = "','.join(s.EASYPAY_NOTI_ALLOWED_IPS)"

    on_live = load_settings("production", project_without_dot_env, live, show)
    on_test = load_settings("production", project_without_dot_env, empty, show)

    assert on_live.stdout.strip() == "203.233.72.150,203.233.72.151,61.33.211.180"
    assert on_test.stdout.strip() == "61.33.205.151"  # REQUIRED_IN_PRODUCTION: the test host
