"""Installing a bake the way a user does, and running its commands with a clean environment.

Shared by the baked-project layer, the real-queue tests, the lock test and the browser test.

- `installed_bake(tmp_path_factory, name)`: the matrix entry `name`, baked and installed with its
  own `make install` ONCE per test run, shared by every test and xdist worker that asks for it
  (`once_per_run`: a lock file serialises the first install). For tests that only read the
  project and write their state elsewhere (a database URL, a tmp folder).
- `run(...)` runs a command and fails with its output; `run_tests(...)` runs the project's
  tests and fails with the failing tests' own error lines (from pytest's JUnit XML).

Installs are fast because uv installs from its shared cache (~/.cache/uv): tests put the
template's own uv on PATH, which the bake's Makefile prefers. `UV_BOOTSTRAP_BAKE` installs
without it, as on a machine with only Python and make (the Makefile then pip-installs uv).
"""

import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.bakes import BAKES, TEMPLATE_DIR

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

# The bake installed the way a machine with only Python and make does: no uv on PATH.
UV_BOOTSTRAP_BAKE = "all_receivers_off"

# How much of a failing command's output a message shows (the end, where errors are).
OUTPUT_TAIL = 6000
# Per failing test: its message and the end of its short traceback.
FAILURE_TAIL = 2500
FAILURES_SHOWN = 15


# How this machine reaches PyPI (a proxy, its certificate authorities, pip's and uv's own
# settings): part of any fresh shell here, and none of them configures the project.
NETWORK_VARIABLES = re.compile(
    r"(SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|(HTTPS?|NO|ALL)_PROXY"
    r"|PIP_\w+|UV_\w+)",
    re.IGNORECASE,
)


# A bake's `make install` compiles every installed package (uv's UV_COMPILE_BYTECODE, as a user's
# install should: a server's first request does not pay for it). A test bake lives for one run
# and imports a small part of what it installs: compiling all of it costs ~9 s of CPU, and
# Python compiles what is imported, on import, anyway — once, when one process at a time
# imports it. Not so for the bake many processes start from at once (below). Only installs
# for tests skip it: the container-image test's `make build` compiles, as the image does.
NO_BYTECODE_AT_INSTALL = {"UV_COMPILE_BYTECODE": "0"}
# The default bake starts the PostgreSQL run, the SQLite run (two processes each), the chaos
# run's gunicorn and the browser test's server together: each would compile the same modules
# (~3 s of CPU each) before any of them wrote the bytecode. Compiled once, at install.
COMPILED_AT_INSTALL = {"defaults"}


def clean_env(**extra: str) -> dict[str, str]:
    """What a fresh shell has: PATH, HOME, TMPDIR when set and how to reach PyPI; nothing else
    of this test run."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    network = {k: v for k, v in os.environ.items() if NETWORK_VARIABLES.fullmatch(k)}
    # Where temporary files go, when the shell says (`.ci/run` does).
    temporary = {"TMPDIR": os.environ["TMPDIR"]} if os.environ.get("TMPDIR") else {}
    return {**network, **temporary, **base, **extra}


def uv_path() -> str:
    """PATH with a folder holding only the template's uv in front (nothing else of .venv)."""
    uv = Path(sys.executable).with_name("uv")
    assert uv.exists(), f"no uv beside {sys.executable}: run `make install` in the template"
    # One folder per checkout (named after its uv), so two checkouts never swap their uv.
    digest = hashlib.sha256(str(uv).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"easypay-starter-uv-{digest}"
    folder.mkdir(exist_ok=True)
    with suppress(FileExistsError):  # made by an earlier run or another worker
        (folder / "uv").symlink_to(uv)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def _failed(command, result: subprocess.CompletedProcess, details: str = "") -> str:
    output = (result.stdout or "") + (result.stderr or "")
    shown = output if len(output) <= OUTPUT_TAIL else "…" + output[-OUTPUT_TAIL:]
    message = f"`{' '.join(map(str, command))}` exited with {result.returncode}"
    return f"{message}\n{details}" if details else f"{message}\n{shown}"


def run(project: Path, *command: str, **extra_env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=project, env=clean_env(**extra_env), capture_output=True, text=True
    )
    assert result.returncode == 0, _failed(command, result)
    return result


def failing_tests(junit_xml: Path) -> list[str]:
    """Each failed or erroring test of a JUnit XML report: its id, message and short traceback."""
    failures = []
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        for problem in case:
            if problem.tag not in {"failure", "error"}:
                continue
            test_id = _test_id(case)
            when = "" if problem.tag == "failure" else " (error in setup/teardown)"
            text = (problem.text or "").strip()
            if len(text) > FAILURE_TAIL:
                text = "…" + text[-FAILURE_TAIL:]
            failures.append(f"{test_id}{when}: {problem.get('message', '')}\n{text}")
    return failures


def _test_id(case: ET.Element) -> str:
    return f"{case.get('classname', '')}::{case.get('name', '')}"


def skipped_tests(junit_xml: Path, *, saying: str) -> list[str]:
    """Each test of a JUnit XML report skipped with a reason that names `saying`: its id and
    that reason (an expected failure, also <skipped> in JUnit, is not one)."""
    return [
        f"{_test_id(case)}: {skipped.get('message', '')}"
        for case in ET.parse(junit_xml).getroot().iter("testcase")
        for skipped in case.iter("skipped")
        if skipped.get("type") == "pytest.skip" and saying in skipped.get("message", "")
    ]


def run_tests(
    project: Path,
    report_dir: Path,
    *,
    jobs: str | None = None,
    only: list[str] | None = None,
    **extra_env: str,
) -> subprocess.CompletedProcess:
    """`make test` in the project; on failure, the failing tests' own errors, not a log's tail.
    jobs: the Makefile's JOBS, how many test processes run in parallel (default: one per core);
    only: these test files (default: all)."""
    junit = report_dir / "junit.xml"
    junit.unlink(missing_ok=True)
    options = " ".join([f"--junitxml={junit} --tb=short -rfE", *(only or [])])
    env = {"PYTEST_ADDOPTS": options, **extra_env}
    command = ("make", "test", *([f"JOBS={jobs}"] if jobs is not None else []))
    result = subprocess.run(
        command, cwd=project, env=clean_env(**env), capture_output=True, text=True
    )
    if result.returncode != 0:
        failures = failing_tests(junit) if junit.exists() else []
        details = ""
        if failures:
            shown = failures[:FAILURES_SHOWN]
            more = len(failures) - len(shown)
            details = f"{len(failures)} failing test(s):\n\n" + "\n\n".join(shown)
            details += f"\n\n…and {more} more" if more > 0 else ""
        raise AssertionError(_failed(command, result, details))
    assert " passed" in result.stdout, _failed(command, result, "no test passed")
    return result


def fresh_bake(name: str, output_dir: Path) -> Path:
    """The matrix entry `name` as cookiecutter writes it into output_dir (nothing installed or
    run in it), with a cookiecutter config of the run's own."""
    from cookiecutter.main import cookiecutter

    output_dir.mkdir(parents=True, exist_ok=True)
    config = output_dir / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{output_dir / "cookiecutters"}"\n'
        f'replay_dir: "{output_dir / "replay"}"\n'
    )
    project = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context=BAKES[name],
        output_dir=str(output_dir),
        config_file=str(config),
    )
    return Path(project)


def make_install(project: Path, *, with_uv: bool = True, compile_bytecode: bool = False) -> None:
    """The project's `make install`; PYTHON pins the interpreter running these tests."""
    bytecode = {"UV_COMPILE_BYTECODE": "1"} if compile_bytecode else NO_BYTECODE_AT_INSTALL
    env = {"PYTHON": sys.executable, **bytecode}
    if with_uv:
        env["PATH"] = uv_path()
    run(project, "make", "install", **env)


def shared_root(tmp_path_factory) -> Path:
    """A folder every xdist worker of this run shares (the workers' base temps' parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def locked(path: Path):
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def once_per_run(tmp_path_factory, kind: str, name: str, make):
    """make(folder)'s answer (JSON-able) for `name`: made in `folder` by the first xdist worker
    of this run to ask, read from the shared folder by every other."""
    root = shared_root(tmp_path_factory) / kind
    root.mkdir(exist_ok=True)
    saved = root / f"{name}.json"
    with locked(root / f"{name}.lock"):
        if not saved.exists():
            saved.write_text(json.dumps(make(root / name)))
        return json.loads(saved.read_text())


def installed_bake(tmp_path_factory, name: str) -> Path:
    """The bake `name`, installed once per test run and shared: do not change its files."""

    def install(folder: Path) -> str:
        project = fresh_bake(name, folder)
        make_install(
            project,
            with_uv=name != UV_BOOTSTRAP_BAKE,
            compile_bytecode=name in COMPILED_AT_INSTALL,
        )
        return str(project)

    return Path(once_per_run(tmp_path_factory, "installed", name, install))
