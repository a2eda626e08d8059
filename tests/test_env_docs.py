"""The generated README's variable table, .env.example and what the code reads are one set."""

import re
from pathlib import Path

import pytest

from tests.bakes import BAKES, project_files

READS = re.compile(
    r"""(?:\benv(?:\.\w+)?\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# Set by the project's own entry points, not by whoever deploys it (the benchmark tells its
# gunicorn where the probe writes: apps/payments/loadtest/gunicorn_probe.py; the chaos run where
# its workers record the signals: apps/payments/loadtest/chaos/gunicorn_chaos.py).
NOT_CONFIGURATION = {
    "DJANGO_SETTINGS_MODULE",
    "EASYPAY_BENCH_PROBE_DIR",
    "EASYPAY_BENCH_PROBE_SQL",
    "EASYPAY_CHAOS_SIGNAL_DIR",
}


def variables_read(project: Path) -> set[str]:
    names = set()
    for path in project_files(project):
        relative = path.relative_to(project)
        if (
            path.suffix == ".py"
            and "tests" not in relative.parts
            and relative.name != "conftest.py"
        ):
            names |= set(READS.findall(path.read_text(encoding="utf-8")))
    return names - NOT_CONFIGURATION


def variables_in_env_example(project: Path) -> set[str]:
    text = (project / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.M))


def variables_in_readme_table(project: Path) -> set[str]:
    text = (project / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, re.M))


@pytest.mark.parametrize("name", BAKES)
def test_readme_env_example_and_code_name_the_same_variables(shared_bake, name):
    project = shared_bake(name)

    read = variables_read(project)

    assert "DJANGO_SECRET_KEY" in read and "EASYPAY_SECRET_KEY" in read  # the scan works
    assert variables_in_env_example(project) == read
    assert variables_in_readme_table(project) == read
