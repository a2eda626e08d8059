"""The real parts a load test runs against, started as separate processes on loopback:
a throw-away PostgreSQL database, the standalone emulator, and the shop under gunicorn.

    from apps.payments.loadtest import stack

    with stack.postgres_database() as database_url, tempfile.TemporaryDirectory() as folder:
        emulator = stack.EmulatorProcess(folder).start()          # .url, .remote (RemoteEmulator)
        env = stack.shop_environment("production", database_url=database_url,
                                     emulator_url=emulator.url, workers=2)
        stack.manage(env, "migrate", "--no-input", "--skip-checks")
        shop = stack.ShopServer(env, folder).start()              # .url, .worker_pids()
        ...                                                       # Buyer(shop.url, …)
        shop.usage()            # {pid: (cpu seconds, peak RSS MiB)} of the live workers
        shop.counters()         # probe.py's SQL / CPU / connection counts per URL name
        shop.kill_worker()      # SIGKILL one worker (gunicorn starts another)
        shop.stop(); emulator.stop()

Every process gets a clean environment (PATH, HOME, LANG and what is passed), so neither this
shell's variables nor the project's .env decide what is measured: shop_environment() sets each
variable the settings read. Ports are free ones (bound to port 0 first), the database has a
random name and is dropped at the end, logs go to files in the given folder. Linux only
(the counters read /proc).
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit, urlunsplit

import requests

from easypay.emulator.engine import TEST_MALL_ID, TEST_SECRET_KEY
from easypay.emulator.remote import RemoteEmulator

PROJECT = Path(__file__).resolve().parents[3]
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PROBE_CONFIG = Path(__file__).resolve().parent / "gunicorn_probe.py"
SETTINGS = {"production": "config.settings.production", "local": "config.settings.local"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database ---------------------------------------------------------------------------
@contextlib.contextmanager
def postgres_database(admin_url: str | None = None, prefix: str = "loadtest") -> Iterator[str]:
    """A new, empty database named <prefix>_<random> on the server of `admin_url` (default:
    LOADTEST_POSTGRES_URL, else the local server as user postgres); yields its URL and drops it afterwards, whatever
    happened (connections still open to it are closed first)."""
    import psycopg

    admin_url = admin_url or os.environ.get("LOADTEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = cast(tuple[str], connection.execute("SHOW server_version").fetchone())  # one row
        return row[0].split()[0]


# --- environments and commands --------------------------------------------------------------
def clean_environment(**variables: str) -> dict[str, str]:
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**base, "PYTHONUNBUFFERED": "1", **variables}


def shop_environment(
    settings: str,
    *,
    database_url: str,
    emulator_url: str,
    port: int | None = None,
    workers: int = 2,
    **extra: str,
) -> dict[str, str]:
    """Every variable the settings read (.env.example), for `settings` "production" or "local",
    paying through the emulator at `emulator_url`; message channels without credentials (they
    log), no error reporting. gunicorn: `workers` workers on 127.0.0.1:`port` (default: a free one),
    never recycled mid-run (GUNICORN_MAX_REQUESTS=0: a restarted worker loses its counters)."""
    env = clean_environment(
        DJANGO_SETTINGS_MODULE=SETTINGS[settings],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="True" if settings == "local" else "False",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_ADMIN_URL="admin/",  # production requires one; the address is not measured
        EMAIL_URL="consolemail://",  # mail is printed, never sent
        DATABASE_URL=database_url,
        EASYPAY_API_URL=emulator_url,
        EASYPAY_MALL_ID=TEST_MALL_ID,
        EASYPAY_SECRET_KEY=TEST_SECRET_KEY,
        GUNICORN_BIND=f"127.0.0.1:{port or free_port()}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_MAX_REQUESTS_JITTER="0",
    )
{%- if cookiecutter.use_telegram or cookiecutter.use_sms or cookiecutter.use_slack %}
    # Empty credentials: the receivers log instead of sending, whatever .env holds.
{%- endif %}
{%- if cookiecutter.use_telegram %}
    env.update(TELEGRAM_BOT_TOKEN="", TELEGRAM_CHAT_ID="")
{%- endif %}
{%- if cookiecutter.use_sms %}
    env.update(SOLAPI_API_KEY="", SOLAPI_API_SECRET="", SMS_SENDER="")
{%- endif %}
{%- if cookiecutter.use_slack %}
    env.update(SLACK_WEBHOOK_URL="")
{%- endif %}
{%- if cookiecutter.use_sentry %}
    env.update(SENTRY_DSN="")  # required by production settings; empty turns Sentry off
{%- endif %}
{%- if cookiecutter.task_queue == "rq" %}
    # The rq queue's production settings require it: this shell's (with `python -m`; `manage.py
    # easypay_chaos` passes none on), else database 15 of the local Redis. Enqueued jobs stay
    # there: point REDIS_URL at a database you can empty.
    env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
{%- endif %}
    env.update(extra)
    return env


def manage(env: dict[str, str], *arguments: str) -> str:
    """Run `manage.py <arguments>` in the project with `env`; its output, or RuntimeError
    with the output when it fails."""
    done = subprocess.run(  # noqa: S603 — this interpreter, our own manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- processes ------------------------------------------------------------------------------
class Service:
    """A process of ours with its output in <folder>/<name>.log."""

    name = "service"

    def __init__(self, folder) -> None:
        self.folder = Path(folder)
        self.log_path = self.folder / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def spawn(self, command: list[str], env: dict[str, str]) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 — our own commands
                command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} was not spawned")
        return self.process.pid

    def wait_until_answering(self, url: str, seconds: float = 60) -> None:
        if self.process is None:
            raise RuntimeError(f"{self.name} was not spawned")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}):\n{self.tail()}"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(url, timeout=2).status_code < 500:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {url} within {seconds} s:\n{self.tail()}")

    def tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class EmulatorProcess(Service):
    """`manage.py easypay_emulator` on a free port, with its own SQLite file in `folder` and
    노티 switched off (local settings would send them to :8000); `.remote` drives it."""

    name = "emulator"

    def __init__(self, folder, port: int | None = None):
        super().__init__(folder)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.remote = RemoteEmulator(self.url)

    def start(self) -> "EmulatorProcess":
        env = clean_environment(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_DEBUG="True",  # the emulator refuses to run without it
        )
        database = self.folder / "emulator.sqlite3"
        command = ["manage.py", "easypay_emulator", "--port", str(self.port)]
        self.spawn([sys.executable, *command, "--database", str(database)], env)
        self.wait_until_answering(f"{self.url}/_control/notis")
        self.remote.set_noti_url("")
        return self


class ShopServer(Service):
    """The shop under gunicorn (gunicorn.conf.py through gunicorn_probe.py), with `env` from
    shop_environment(); probe counters in <folder>/probe-<port>/ (keep_sql: the statements too)."""

    name = "gunicorn"
    config = PROBE_CONFIG  # a subclass serves another gunicorn config built the same way

    def __init__(self, env: dict[str, str], folder, *, keep_sql: bool = False):
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.name = f"gunicorn-{self.port}"
        super().__init__(folder)
        self.url = f"http://127.0.0.1:{self.port}"
        self.probe_dir = self.folder / f"probe-{self.port}"
        self.env = {**env, "EASYPAY_BENCH_PROBE_DIR": str(self.probe_dir)}
        if keep_sql:
            self.env["EASYPAY_BENCH_PROBE_SQL"] = "1"

    def start(self) -> "ShopServer":
        self.probe_dir.mkdir(parents=True, exist_ok=True)
        self.spawn([sys.executable, "-m", "gunicorn", "-c", str(self.config)], self.env)
        self.wait_until_answering(f"{self.url}/healthz")
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < int(self.env.get("WEB_CONCURRENCY", "1")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start its workers:\n{self.tail()}")
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def usage(self) -> dict[int, tuple[float, float]]:
        """{worker pid: (CPU seconds, peak RSS in MiB)} from /proc, for the live workers."""
        found = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                found[pid] = (cpu_seconds(pid), peak_rss_mib(pid))
        return found

    def counters(self) -> dict:
        from .probe import read

        return read(self.probe_dir)

    def statements(self) -> dict[str, list[str]]:
        """With keep_sql: the latest request's SQL statements per URL name."""
        from .probe import read_sql

        return read_sql(self.probe_dir)

    def kill_worker(self, pid: int | None = None, sig=signal.SIGKILL) -> int:
        """Kill one worker (the first, or `pid`) as the OOM killer would; gunicorn replaces it."""
        pid = pid or self.worker_pids()[0]
        os.kill(pid, sig)
        return pid


# --- /proc ----------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
