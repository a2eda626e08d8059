"""Commands the READMEs promise are targets the Makefiles have."""

import re
from pathlib import Path

import pytest

from tests.bakes import TEMPLATE_DIR

MAKE_COMMAND = re.compile(r"`make ([a-z-]+)")


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(), re.M))


def test_the_template_readme_names_only_real_targets():
    promised = set(MAKE_COMMAND.findall((TEMPLATE_DIR / "README.md").read_text()))

    assert {"demo", "test"} <= promised
    assert promised <= make_targets(TEMPLATE_DIR / "Makefile")


@pytest.mark.parametrize("name", ["defaults", "queue_rq"])
def test_the_generated_readme_names_only_real_targets(shared_bake, name):
    project = shared_bake(name)
    promised = set(MAKE_COMMAND.findall((project / "README.md").read_text()))

    assert {"install", "run", "test", "worker"} <= promised
    assert promised <= make_targets(project / "Makefile")


def test_ci_runs_the_readme_test_command():
    assert "make test" in (TEMPLATE_DIR / ".ci" / "run").read_text()


def test_the_template_readme_says_what_make_test_needs_and_what_happens_without_it():
    readme = (TEMPLATE_DIR / "README.md").read_text()
    section = readme.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]
    needs = {row[0]: row for row in rows[1:]}
    ci = (TEMPLATE_DIR / ".ci" / "run").read_text()

    # Every service CI waits for, at the address CI checks, with what happens without it.
    for service, port in (("PostgreSQL", "5432"), ("Redis", "6379")):
        assert f"answers {port}" in ci
        (row,) = [row for what, row in needs.items() if service in what]
        assert f"127.0.0.1:{port}" in row[0] and row[2], row
    (chromium,) = [row for what, row in needs.items() if "Chromium" in what]
    assert "apt-get install chromium" in chromium[0] + ci and chromium[2]
