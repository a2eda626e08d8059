"""The pre-commit hook lints with the same ruff as `make lint`.

Dependabot bumps pyproject.toml's ruff pin and .pre-commit-config.yaml's hook in separate pull
requests; this test fails on the first until the second is merged too.
"""

import re
import tomllib
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def dev_ruff_pin() -> str:
    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [
        requirement
        for requirement in pyproject["dependency-groups"]["dev"]
        if re.match(r"ruff\b", requirement)
    ]
    assert len(pins) == 1, pins
    match = re.fullmatch(r"ruff==(\S+)", pins[0])
    assert match, f"the dev group's ruff must be one exact version (ruff==X.Y.Z), not {pins[0]!r}"
    return match.group(1)


def pre_commit_ruff_rev() -> str:
    config = (PROJECT_DIR / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    match = re.search(r"astral-sh/ruff-pre-commit\s*\n\s*rev:\s*v?(\S+)", config)
    assert match, ".pre-commit-config.yaml has no astral-sh/ruff-pre-commit hook with a rev"
    return match.group(1)


def test_the_pre_commit_ruff_hook_is_the_dev_groups_ruff():
    assert pre_commit_ruff_rev() == dev_ruff_pin()
