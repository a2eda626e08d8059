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
