"""`make test` relies on pytest-xdist's --dist loadgroup: the tests of one module share a server
(test_baked_image_on_host.py) and the fast-layer tests of one bake share its install
(conftest.py adds those marks). When a pytest or xdist upgrade silently stops grouping
(pytest-dev/pytest-xdist#1386, pytest 9.2), the tests are spread over both workers and fail
far from the cause; this test fails here instead, with the reason."""

import os
import subprocess
import sys
import textwrap

GROUPED_MODULE = """
import os
import time

import pytest

pytestmark = pytest.mark.xdist_group("{group}")


@pytest.mark.parametrize("n", range(4))
def test_records_its_worker(n):
    time.sleep(0.05)  # long enough that an ungrouped run hands these to both workers
    with open(os.path.join(os.environ["GROUPS_OUT"], "workers-{group}.txt"), "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""

# Like tests/conftest.py: a mark added while collecting, before the worker reads it.
CONFTEST = """
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.endswith("added"):
            item.add_marker(pytest.mark.xdist_group("added"))
"""


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_module_mark.py").write_text(GROUPED_MODULE.format(group="module"))
    added = GROUPED_MODULE.format(group="added").replace(
        'pytestmark = pytest.mark.xdist_group("added")', ""
    )
    (tmp_path / "test_added.py").write_text(added)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"]
        + ["-q", "--rootdir", str(tmp_path), "--basetemp", str(tmp_path / "basetemp")],
        cwd=tmp_path,
        env={**os.environ, "GROUPS_OUT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    for group in ("module", "added"):
        workers = (tmp_path / f"workers-{group}.txt").read_text().split()
        assert len(workers) == 4
        assert len(set(workers)) == 1, (
            f"the xdist_group {group!r} ran on {sorted(set(workers))}: this pytest/pytest-xdist "
            "pair ignores --dist loadgroup; pin pytest as pyproject.toml says"
        )
