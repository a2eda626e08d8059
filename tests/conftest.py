import shutil
import sys
from pathlib import Path

import pytest

from tests.bakes import BAKES
from tests.compiled_templates import compile_templates_once

# Every bake in this process compiles each template file once (tests/compiled_templates.py).
compile_templates_once()

# The order the two xdist workers take tests in (`make test`: --dist loadgroup
# --no-loadscope-reorder): the longest first, so both finish together. The chaos run, which
# mostly waits for its clocks, starts beside the PostgreSQL run; the fast layer fills the gaps.
RUN_FIRST = [
    "test_chaos.py::",
    "test_baked_project.py::test_the_projects_own_tests_pass_on_postgresql",
    "test_baked_project.py::test_the_projects_own_tests_pass_on_sqlite[all_receivers_off]",
    "test_baked_project.py::test_the_projects_own_tests_pass_on_sqlite[defaults]",
    "test_baked_project.py::test_the_projects_own_tests_pass_on_sqlite[queue_rq]",
    "test_browser_checkout.py::",
    "test_lock.py::",
    "test_baked_queues.py::",
    "test_baked_project.py::",
]


def _rank(item) -> int:
    nodeid = item.nodeid.removeprefix("tests/")
    for rank, prefix in enumerate(RUN_FIRST):
        if nodeid.startswith(prefix):
            return rank
    return len(RUN_FIRST)


# tryfirst: an xdist worker reads the xdist_group marks in its own pytest_collection_modifyitems,
# so marks added after it would be ignored.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Longest first; fast-layer tests of one bake share an xdist group (one bake per run)."""
    for item in items:
        name = getattr(item, "callspec", None) and item.callspec.params.get("name")
        if "shared_bake" in getattr(item, "fixturenames", ()) and name in BAKES:
            item.add_marker(pytest.mark.xdist_group(f"bake-{name}"))
    items.sort(key=_rank)


@pytest.fixture
def bake(cookies):
    """Bake with the named entry of the matrix (or explicit answers) into a folder of the
    test's own; assert it succeeded. For tests that change the project or need a fresh bake."""

    def _bake(name: str | None = None, **answers) -> Path:
        result = cookies.bake(extra_context={**BAKES.get(name, {}), **answers})
        assert result.exit_code == 0, result.exception
        assert result.exception is None
        return Path(result.project_path)

    return _bake


@pytest.fixture(scope="session")
def _bakes_of_this_worker(cookies_session) -> dict[str, Path]:
    return {}


@pytest.fixture
def shared_bake(cookies_session, _bakes_of_this_worker):
    """The matrix entry `name`, baked once per worker and shared: only read it (tools' caches
    such as .ruff_cache and __pycache__ are fine; tests.bakes.project_files skips them)."""

    def _shared_bake(name: str) -> Path:
        if name not in _bakes_of_this_worker:
            result = cookies_session.bake(extra_context=BAKES[name])
            assert result.exit_code == 0, result.exception
            assert result.exception is None
            _bakes_of_this_worker[name] = Path(result.project_path)
        return _bakes_of_this_worker[name]

    return _shared_bake


@pytest.fixture(scope="session")
def ruff() -> str:
    path = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert path, "ruff is not installed in the template's environment: run `make test`"
    return path
