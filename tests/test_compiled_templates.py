"""The test run's cache of compiled template files (tests/conftest.py) changes no bake."""

from pathlib import Path

from tests.conftest import COMPILED_TEMPLATES, StrictEnvironment, _make_environment
from tests.installing import fresh_bake


def files_of(project: Path) -> dict[str, bytes]:
    # .env holds a secret drawn fresh for each bake.
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.name != ".env"
    }


def test_a_bake_from_compiled_templates_equals_one_compiled_from_source(tmp_path, monkeypatch):
    fresh_bake("defaults", tmp_path / "warm-up")  # every template now in the cache
    cached = fresh_bake("defaults", tmp_path / "cached")
    monkeypatch.setattr(StrictEnvironment, "__init__", _make_environment)
    from_source = fresh_bake("defaults", tmp_path / "from-source")

    assert len(COMPILED_TEMPLATES) > 100, "the bakes compiled (almost) nothing into the cache"
    assert files_of(cached) == files_of(from_source)
