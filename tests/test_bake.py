"""Fast layer: every bake of the matrix renders into a clean, lint-free, parseable project."""

import compileall
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.bakes import (
    ANSWER_FILES,
    BAKES,
    BINARY_SUFFIXES,
    MENTIONS,
    RECEIVER_OPTIONS,
    is_copied_without_render,
    project_files,
)

JINJA_LEFTOVER = re.compile(r"\{\{-?\s*cookiecutter|\{%")


def answers_of(name: str) -> dict:
    defaults = json.loads((Path(__file__).parents[1] / "cookiecutter.json").read_text())
    return {**defaults, **BAKES[name]}


@pytest.mark.parametrize("name", BAKES)
def test_every_bake_renders_without_template_leftovers(shared_bake, name):
    project = shared_bake(name)

    for path in project_files(project):
        relative = path.relative_to(project)
        if relative.name in ANSWER_FILES or path.suffix in BINARY_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        assert "{{ cookiecutter" not in text and "{{cookiecutter" not in text, relative
        if not is_copied_without_render(relative):
            assert not JINJA_LEFTOVER.search(text), f"Jinja left in {relative}"


@pytest.mark.parametrize("name", BAKES)
def test_every_bake_passes_ruff_check_and_format(shared_bake, ruff, name):
    project = shared_bake(name)

    check = subprocess.run([ruff, "check", "."], cwd=project, capture_output=True, text=True)
    fmt = subprocess.run(
        [ruff, "format", "--check", "."], cwd=project, capture_output=True, text=True
    )

    assert check.returncode == 0, check.stdout + check.stderr
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("name", BAKES)
def test_every_bake_parses_and_compiles(shared_bake, name):
    project = shared_bake(name)

    for path in project_files(project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
    assert compileall.compile_dir(project, quiet=1, force=True)


@pytest.mark.parametrize("name", BAKES)
def test_a_disabled_receiver_leaves_no_file_and_no_mention(shared_bake, name):
    project = shared_bake(name)
    answers = answers_of(name)
    disabled = [option for option in RECEIVER_OPTIONS if not answers[option]]

    for path in project_files(project):
        relative = path.relative_to(project)
        if relative.name in ANSWER_FILES or path.suffix in BINARY_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        for option in disabled:
            assert not MENTIONS[option].search(str(relative)), f"{relative} is {option}'s file"
            found = MENTIONS[option].search(text)
            assert not found, f"{relative} mentions {found.group()} though {option} is off"


@pytest.mark.parametrize("name", ["defaults", "all_receivers_off"])
def test_an_enabled_receiver_is_really_there(shared_bake, name):
    project = shared_bake(name)
    answers = answers_of(name)
    settings = (project / "config/settings/base.py").read_text() + (
        project / "config/settings/production.py"
    ).read_text()

    for option in RECEIVER_OPTIONS:
        assert bool(MENTIONS[option].search(settings)) == answers[option], option


def test_the_shop_name_with_quotes_and_backslashes_survives_as_data(shared_bake):
    project = shared_bake("quotes_and_backslashes")
    namespace: dict = {}

    base = (project / "config/settings/base.py").read_text()
    exec(compile(re.search(r"^SHOP_NAME = .*$", base, re.M).group(), "base.py", "exec"), namespace)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    assert namespace["SHOP_NAME"] == BAKES["quotes_and_backslashes"]["project_name"]
    assert pyproject["project"]["description"] == BAKES["quotes_and_backslashes"]["description"]
    assert (
        pyproject["project"]["authors"][0]["name"] == BAKES["quotes_and_backslashes"]["author_name"]
    )


def test_korean_text_is_kept_readable_and_the_slug_is_romanised(shared_bake):
    project = shared_bake("korean_text")

    assert project.name.isascii() and project.name.isidentifier()
    assert 'SHOP_NAME = "김씨네 가게"' in (project / "config/settings/base.py").read_text()


def test_the_task_queue_choice_picks_one_backend(shared_bake):
    database = shared_bake("queue_database")
    rq = shared_bake("queue_rq")

    database_text = (database / "pyproject.toml").read_text() + (database / "Makefile").read_text()
    rq_text = (rq / "pyproject.toml").read_text() + (rq / "Makefile").read_text()
    assert "django-tasks-db" in database_text and "db_worker" in database_text
    assert (
        "django-tasks-rq" not in database_text
        and "REDIS_URL" not in (database / ".env.example").read_text()
    )
    assert "django-tasks-rq" in rq_text and "rqworker" in rq_text
    assert "django-tasks-db" not in rq_text and "REDIS_URL" in (rq / ".env.example").read_text()


def test_the_env_file_has_a_fresh_secret_and_is_private(bake):
    first = bake("defaults")
    env_first = (first / ".env").read_text()
    second = bake("defaults")
    env_second = (second / ".env").read_text()

    secret = re.search(r"^DJANGO_SECRET_KEY=(.+)$", env_first, re.M).group(1)
    assert len(secret) >= 50
    assert secret not in env_second
    assert (first / ".env").stat().st_mode & 0o077 == 0
    assert ".env" in (first / ".gitignore").read_text().splitlines()


def test_the_answers_file_replays_the_same_project(bake, shared_bake):
    first = shared_bake("korean_text")
    replay = json.loads((first / ".cookiecutter.json").read_text())["cookiecutter"]

    assert replay["project_name"] == BAKES["korean_text"]["project_name"]
    assert replay["_template_version"]
    second = bake(**{k: v for k, v in replay.items() if not k.startswith("_")})
    assert sorted(p.relative_to(second) for p in project_files(second)) == sorted(
        p.relative_to(first) for p in project_files(first)
    )
