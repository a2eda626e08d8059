"""The Makefiles' interpreter finder: PATH first, then pyenv, and a clear sentence when neither has one."""

import subprocess
import sys
from pathlib import Path

from tests.bakes import PROJECT_TEMPLATE

FIND_PYTHON = PROJECT_TEMPLATE / "scripts" / "find_python.sh"


def find_python(tmp_path: Path, path: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(FIND_PYTHON)],
        env={"PATH": path, "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def fake_bin(tmp_path: Path, name: str, target: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / name).symlink_to(target)
    return folder


def test_a_new_enough_python_on_path_is_chosen_first(tmp_path):
    folder = fake_bin(tmp_path, "python3.12", sys.executable)

    result = find_python(tmp_path, f"{folder}:/usr/bin:/bin")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder / "python3.12")


def test_an_old_python_on_path_is_passed_over_for_pyenv(tmp_path):
    old = fake_bin(tmp_path, "python3", "/bin/false")  # answers like a too-old interpreter
    pyenv_python = tmp_path / "pyenv" / "versions" / "3.12.9" / "bin" / "python3"
    pyenv_python.parent.mkdir(parents=True)
    pyenv_python.symlink_to(sys.executable)

    result = find_python(tmp_path, f"{old}:/bin", PYENV_ROOT=str(tmp_path / "pyenv"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(pyenv_python)


def test_without_any_python_312_it_says_what_to_install(tmp_path):
    old = fake_bin(tmp_path, "python3", "/bin/false")

    result = find_python(tmp_path, f"{old}:/bin", PYENV_ROOT=str(tmp_path / "no-pyenv"))

    assert result.returncode == 1
    assert result.stdout == ""
    assert "No Python 3.12 or newer found on PATH or in pyenv" in result.stderr
    assert "pyenv install 3.12" in result.stderr


def test_make_install_stops_with_that_sentence(bake, tmp_path):
    project = bake("defaults")
    old = fake_bin(tmp_path, "python3", "/bin/false")

    result = subprocess.run(
        ["make", "install"],
        cwd=project,
        env={"PATH": f"{old}:/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "No Python 3.12 or newer found" in result.stderr
    assert not (project / ".venv").exists()
