import shutil
import sys
from pathlib import Path

import pytest

from tests.bakes import BAKES


@pytest.fixture
def bake(cookies):
    """Bake with the named entry of the matrix (or explicit answers); assert it succeeded."""

    def _bake(name: str | None = None, **answers) -> Path:
        result = cookies.bake(extra_context={**BAKES.get(name, {}), **answers})
        assert result.exit_code == 0, result.exception
        assert result.exception is None
        return Path(result.project_path)

    return _bake


@pytest.fixture(scope="session")
def ruff() -> str:
    path = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert path, "ruff is not installed in the template's environment: run `make test`"
    return path
