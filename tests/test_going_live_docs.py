"""What the generated README, docs/going-live.md and the closing message of the hook claim about
deploying is true of the generated project."""

import re
from pathlib import Path

import pytest

from tests.test_hooks import post_gen

SHELL_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
# Run from the project's virtual environment, never from whatever is on PATH.
BARE_COMMANDS = {"python", "python3", "gunicorn", "pip", "pip3", "django-admin"}
DOCUMENTS = ("README.md", "docs/going-live.md")


def paragraphs_after_title(text: str) -> list[str]:
    body = text.split("\n## ", 1)[0].split("\n", 1)[1]
    return [" ".join(p.split()) for p in body.strip().split("\n\n")]


def word_runs(text: str, length: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def commands(text: str):
    """Each command of the ```sh blocks: the words in command position (after sudo, &&, ;, |)."""
    for block in SHELL_BLOCK.findall(text):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            for part in re.split(r"&&|;|\|", line):
                words = part.split()
                while words and (words[0] == "sudo" or "=" in words[0]):
                    words = words[1:]
                if words:
                    yield line, words[0]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_deploy_commands_run_from_the_projects_virtual_environment(shared_bake, document):
    text = (shared_bake("defaults") / document).read_text()

    found = list(commands(text))

    assert found, "no shell block: the scan works on nothing"
    bare = [line for line, program in found if program in BARE_COMMANDS]
    assert bare == [], f"{document}: use .venv/bin/… or a make target"


def test_the_first_two_paragraphs_say_different_things(shared_bake):
    readme = (shared_bake("defaults") / "README.md").read_text()

    description, second = paragraphs_after_title(readme)[:2]

    assert description == "A Django shop that takes payments through EasyPay (KICC)."
    assert not word_runs(description) & word_runs(second)


def test_every_path_of_the_layout_exists_where_it_says(shared_bake):
    project = shared_bake("defaults")
    readme = (project / "README.md").read_text()
    layout = re.search(r"## Layout\n\n```\n(.*?)```", readme, re.S).group(1)

    paths = []
    for line in layout.splitlines():
        for part in re.split(r"\s{2,}", line.strip()):
            if re.fullmatch(r"[\w.-]+(/[\w.-]+)*/?", part):
                paths.append(part)

    assert "gunicorn.conf.py" in paths and "config/" in paths  # the scan works
    missing = [path for path in paths if not (project / path).exists()]
    assert missing == []


def test_the_readme_names_healthz_and_the_https_redirect_as_the_code_has_them(shared_bake):
    project = shared_bake("defaults")
    readme = " ".join((project / "README.md").read_text().split())
    production = (project / "config/settings/production.py").read_text()

    assert "redirects every plain-HTTP request to HTTPS" in readme
    assert "SECURE_SSL_REDIRECT = True" in production
    assert "except `/healthz`" in readme
    assert 'SECURE_REDIRECT_EXEMPT = [r"^healthz$"]' in production
    assert 'path("healthz", healthz' in (project / "config/urls.py").read_text()


@pytest.mark.parametrize("name", ["defaults", "all_receivers_off", "queue_rq"])
def test_going_live_names_every_variable_production_requires(shared_bake, name):
    project = shared_bake(name)
    readme = (project / "README.md").read_text()
    going_live = (project / "docs/going-live.md").read_text()

    required = re.findall(r"^\| `([A-Z0-9_]+)` \| yes", readme, re.M)

    assert "DJANGO_SECRET_KEY" in required  # the scan works
    assert [v for v in required if f"{v}=" not in going_live] == []


def test_the_readme_and_the_going_live_guide_link_to_each_other(shared_bake):
    project = shared_bake("defaults")

    assert "(docs/going-live.md)" in (project / "README.md").read_text()
    assert "README.md" in (project / "docs/going-live.md").read_text()


@pytest.mark.parametrize("name", ["defaults", "queue_rq"])
def test_every_systemd_unit_the_guide_names_exists(shared_bake, name):
    project = shared_bake(name)
    text = (project / "docs/going-live.md").read_text() + (project / "README.md").read_text()

    named = set(re.findall(rf"\b{project.name}-[a-z]+(?:\.timer|\.service)?", text))

    units = {path.name for path in (project / "deploy/systemd").iterdir()}
    assert len(named) >= 4
    for unit in named:
        assert unit in units or f"{unit}.service" in units, unit


def test_the_closing_message_describes_each_command_with_its_makefile_help(shared_bake):
    makefile = (shared_bake("defaults") / "Makefile").read_text()

    lines = post_gen.next_steps(makefile)

    targets = [line.split()[1] for line in lines]
    assert targets == ["install", "run", "demo", "test"]
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M)
    # Only `make demo` loads demo data; `make run` only migrates and serves.
    assert [t for t, line in zip(targets, lines, strict=True) if "demo" in line.lower()] == ["demo"]


def test_the_hook_file_prints_the_closing_message_it_is_tested_for():
    hook = Path(post_gen.__file__).read_text()

    assert "next_steps(" in hook.split("def main", 1)[1]
