"""Reproducible installs in a baked project: `make lock` writes uv.lock (resolving on PyPI, so
never at bake time, which is offline), `make install` then installs exactly the locked versions,
and the check its CI runs (`uv lock --check`) fails once pyproject.toml and the lock disagree.
"""

import re
import subprocess
import sys
import tomllib

import pytest

from tests.installing import NO_BYTECODE_AT_INSTALL, clean_env, run, uv_path

pytestmark = pytest.mark.baked

# A dependency pinned in the lock below the newest release its range allows: only an install
# that follows the lock ends up with it.
HELD_BACK = ("whitenoise", "6.9.0")


def installed_version(project, package: str) -> str:
    return run(
        project,
        ".venv/bin/python",
        "-c",
        f"import importlib.metadata as m; print(m.version({package!r}))",
    ).stdout.strip()


def lock_check(project) -> subprocess.CompletedProcess:
    return subprocess.run(
        [".venv/bin/uv", "lock", "--check"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
    )


def test_make_install_follows_the_lock_and_the_ci_check_catches_a_stale_one(bake):
    project = bake("defaults")
    assert not (project / "uv.lock").exists()  # the bake itself stays offline

    run(project, "make", "lock", PYTHON=sys.executable, PATH=uv_path())
    package, version = HELD_BACK
    run(project, ".venv/bin/uv", "lock", "--upgrade-package", f"{package}=={version}")
    locked = {
        p["name"]: p["version"] for p in tomllib.loads((project / "uv.lock").read_text())["package"]
    }
    assert locked[package] == version
    run(project, "make", "install", **NO_BYTECODE_AT_INSTALL)

    assert installed_version(project, package) == version
    assert installed_version(project, "django") == locked["django"]
    assert lock_check(project).returncode == 0
    workflow = (project / ".github/workflows/ci.yml").read_text()
    assert "uv lock --check" in workflow

    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'"whitenoise[^"]*"', '"whitenoise>=6.10,<7"', pyproject.read_text())
    )
    stale = lock_check(project)
    assert stale.returncode != 0, stale.stdout + stale.stderr
    refused = subprocess.run(
        ["make", "install"], cwd=project, env=clean_env(), capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "make lock" in refused.stderr
    assert installed_version(project, package) == version  # nothing half-installed
