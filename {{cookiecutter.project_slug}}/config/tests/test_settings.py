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
    "EMAIL_URL": "smtp+tls://shop:p%40ss@smtp.example.com:587",
{%- if cookiecutter.use_sentry %}
    "SENTRY_DSN": "",
{%- endif %}
{%- if cookiecutter.task_queue == "rq" %}
    "REDIS_URL": "redis://127.0.0.1:6379/0",
{%- endif %}
}


# What `make install` leaves in development: a .env with a value for every one of them.
DEVELOPMENT_DOT_ENV = {name: f"from-dot-env-{name.lower()}" for name in REQUIRED_IN_PRODUCTION} | {
    "DJANGO_ALLOWED_HOSTS": "localhost",
    "DATABASE_URL": "sqlite:///dev.sqlite3",
    "EASYPAY_API_URL": "http://127.0.0.1:8000/__easypay__",
    "EMAIL_URL": "consolemail://",
}


@pytest.fixture
def project_without_dot_env(tmp_path):
    """A copy of the settings package and manage.py with no .env beside them, as on a
    production host; the project's apps are imported from the project itself."""
    shutil.copytree(
        PROJECT_DIR / "config",
        tmp_path / "config",
        ignore=shutil.ignore_patterns("__pycache__", "tests"),
    )
    shutil.copy(PROJECT_DIR / "manage.py", tmp_path / "manage.py")
    return tmp_path


@pytest.fixture
def project_with_dot_env(project_without_dot_env):
    """The same copy with a development .env beside it."""
    lines = [f"{name}={value}" for name, value in DEVELOPMENT_DOT_ENV.items()]
    (project_without_dot_env / ".env").write_text("\n".join(lines) + "\n")
    return project_without_dot_env


def in_clean_process(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """Run `command` in a fresh process that sees only `env` (and the project on its path)."""
    return subprocess.run(
        command,
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT_DIR), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def load_settings(module: str, cwd: Path, env: dict, show: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh process that sees only `env`; print `show`."""
    return in_clean_process(
        [sys.executable, "-c", f"import config.settings.{module} as s; print({show})"], cwd, env
    )


def manage(cwd: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return in_clean_process([sys.executable, "manage.py", *args], cwd, env)


def test_production_settings_load_with_every_required_variable(project_without_dot_env):
    result = load_settings("production", project_without_dot_env, REQUIRED_IN_PRODUCTION, "s.DEBUG")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("missing", sorted(REQUIRED_IN_PRODUCTION))
def test_production_refuses_to_start_without_a_variable_even_with_a_development_dot_env(
    missing, project_with_dot_env
):
    env = {key: value for key, value in REQUIRED_IN_PRODUCTION.items() if key != missing}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"

    result = manage(project_with_dot_env, env, "check", "--deploy")

    assert result.returncode == 1
    # One sentence that names the variable and says what to do; no traceback to dig through.
    assert result.stderr.startswith(f"Error: {missing} is not set, so the shop refuses to start.")
    assert f"Set {missing} in the process environment" in result.stderr
    assert "Traceback" not in result.stderr


# Let through empty before: `check --deploy` warned at most (DJANGO_SECRET_KEY, DATABASE_URL)
# and the shop failed at its first request, or a traceback (EMAIL_URL). The other variables
# are refused the same way (test_env.py).
@pytest.mark.parametrize("empty", ["DJANGO_SECRET_KEY", "DATABASE_URL", "EMAIL_URL"])
def test_production_refuses_to_start_with_a_required_variable_set_but_empty(
    empty, project_without_dot_env
):
    env = {
        **REQUIRED_IN_PRODUCTION,
        empty: "",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }

    result = manage(project_without_dot_env, env, "check", "--deploy")

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: {empty} is set but empty, so the shop refuses to start."
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("module", ["local", "test"])
def test_an_empty_database_or_email_url_in_development_is_the_default(
    module, project_without_dot_env
):
    env = {"DATABASE_URL": "", "EMAIL_URL": ""}
    show = "s.DATABASES['default']['NAME'], s.MAILERS['default']['BACKEND']"

    result = load_settings(module, project_without_dot_env, env, show)

    assert result.returncode == 0, result.stderr
    database, mail_backend = result.stdout.split()
    assert database == str(project_without_dot_env / "db.sqlite3")
    assert mail_backend == "django.core.mail.backends.console.EmailBackend"


def test_production_reads_the_dot_env_only_when_told_to(project_with_dot_env):
    env = {k: v for k, v in REQUIRED_IN_PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    told_env = {**env, "DJANGO_READ_DOT_ENV_FILE": "True"}

    told = load_settings("production", project_with_dot_env, told_env, "s.SECRET_KEY")
    not_told = load_settings("production", project_with_dot_env, env, "s.SECRET_KEY")

    assert told.returncode == 0, told.stderr
    assert told.stdout.strip() == DEVELOPMENT_DOT_ENV["DJANGO_SECRET_KEY"]
    assert not_told.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in not_told.stderr


def test_production_with_the_dot_env_still_prefers_the_process_environment(project_with_dot_env):
    env = {**REQUIRED_IN_PRODUCTION, "DJANGO_READ_DOT_ENV_FILE": "True"}

    result = load_settings("production", project_with_dot_env, env, "s.SECRET_KEY")

    assert result.stdout.strip() == REQUIRED_IN_PRODUCTION["DJANGO_SECRET_KEY"], result.stderr


def test_local_settings_read_the_dot_env_and_the_process_environment_wins(project_with_dot_env):
    show = "s.SECRET_KEY, s.ALLOWED_HOSTS"

    from_file = load_settings("local", project_with_dot_env, {}, show)
    overridden = load_settings(
        "local", project_with_dot_env, {"DJANGO_SECRET_KEY": "from-the-process"}, show
    )

    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.strip() == "from-dot-env-django_secret_key ['localhost']"
    assert overridden.stdout.strip() == "from-the-process ['localhost']"


def test_local_settings_need_no_dot_env(project_without_dot_env):
    result = load_settings("local", project_without_dot_env, {}, "s.DEBUG")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


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


def test_test_settings_ignore_a_dot_env(project_with_dot_env):
    # A developer's .env (its database, its credentials) never leaks into the test run.
    result = load_settings("test", project_with_dot_env, {}, "s.DATABASES['default']['NAME']")

    assert result.returncode == 0, result.stderr
    assert "dev.sqlite3" not in result.stdout


def test_production_mail_goes_through_the_server_email_url_names(project_without_dot_env):
    result = load_settings(
        "production", project_without_dot_env, REQUIRED_IN_PRODUCTION, "s.MAILERS['default']"
    )

    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == {  # noqa: S307 (a dict the settings printed)
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 587,
            "username": "shop",
            "password": "p@ss",  # URL-encoded in EMAIL_URL
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }


def test_development_mail_is_printed_on_the_console(project_without_dot_env):
    result = load_settings("local", project_without_dot_env, {}, "s.MAILERS['default']['BACKEND']")

    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend", result.stderr


def test_admins_and_senders_come_from_the_environment(project_without_dot_env):
    env = {
        **REQUIRED_IN_PRODUCTION,
        "DJANGO_ADMINS": "ops@example.com,owner@example.com",
        "DJANGO_DEFAULT_FROM_EMAIL": "shop@example.com",
    }

    result = load_settings(
        "production", project_without_dot_env, env, "s.ADMINS, s.DEFAULT_FROM_EMAIL, s.SERVER_EMAIL"
    )

    assert result.stdout.split() == [
        "['ops@example.com',",
        "'owner@example.com']",
        "shop@example.com",
        "shop@example.com",  # error reports come from the same sender unless told otherwise
    ], result.stderr
{%- if cookiecutter.use_sentry %}


def test_production_traces_the_share_of_requests_sentry_traces_sample_rate_gives(
    project_without_dot_env,
):
    env = {**REQUIRED_IN_PRODUCTION, "SENTRY_TRACES_SAMPLE_RATE": "0.2"}

    result = load_settings(
        "production", project_without_dot_env, env, "s.SENTRY_TRACES_SAMPLE_RATE"
    )

    assert result.stdout.strip() == "0.2", result.stderr


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "ten percent"])
def test_production_refuses_a_sentry_traces_sample_rate_that_is_not_a_share(
    rate, project_without_dot_env
):
    env = {
        **REQUIRED_IN_PRODUCTION,
        "SENTRY_TRACES_SAMPLE_RATE": rate,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }

    result = manage(project_without_dot_env, env, "check")

    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: SENTRY_TRACES_SAMPLE_RATE is {rate!r}")
    assert "Set SENTRY_TRACES_SAMPLE_RATE to a number from 0 to 1" in result.stderr
{%- endif %}
