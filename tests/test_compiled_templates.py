"""The test run's cache of compiled template files (tests/compiled_templates.py) changes no bake."""

from pathlib import Path

from cookiecutter.environment import StrictEnvironment

from tests.compiled_templates import COMPILED_TEMPLATES, MAKE_ENVIRONMENT
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
    loaded_before = COMPILED_TEMPLATES.loaded
    cached = fresh_bake("defaults", tmp_path / "cached")
    loaded = COMPILED_TEMPLATES.loaded - loaded_before
    monkeypatch.setattr(StrictEnvironment, "__init__", MAKE_ENVIRONMENT)
    from_source = fresh_bake("defaults", tmp_path / "from-source")

    assert loaded > 100, f"the second bake took {loaded} compiled templates from the cache"
    assert files_of(cached) == files_of(from_source)
