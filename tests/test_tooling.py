"""The generated project's upkeep files: one ruff everywhere, Dependabot, a lock check in CI."""

import re
import tomllib

import yaml

from tests.bakes import TEMPLATE_DIR


def exact_ruff(requirements: list[str]) -> str:
    (pin,) = [r for r in requirements if re.match(r"ruff\b", r)]
    match = re.fullmatch(r"ruff==(\S+)", pin)
    assert match, f"ruff must be pinned to one version (ruff==X.Y.Z), not {pin!r}"
    return match.group(1)


def test_the_pre_commit_hook_the_dev_group_and_the_template_use_one_ruff(shared_bake):
    project = shared_bake("defaults")
    dev_group = tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"]
    (ruff_hook,) = [h for h in hooks if h["repo"].endswith("/ruff-pre-commit")]
    template = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())["dependency-groups"]

    assert ruff_hook["rev"] == f"v{exact_ruff(dev_group)}"
    # The template lints every bake with its own ruff: the same version the shop will run.
    assert exact_ruff(template["dev"]) == exact_ruff(dev_group)


def test_dependabot_keeps_the_lock_the_actions_and_the_hooks_current(shared_bake):
    project = shared_bake("defaults")
    config = yaml.safe_load((project / ".github/dependabot.yml").read_text())

    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "github-actions", "pre-commit"}


def test_the_projects_ci_checks_the_lock_before_installing(shared_bake):
    project = shared_bake("defaults")
    lint = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())["jobs"]["lint"]
    runs = [step.get("run", "") for step in lint["steps"]]

    check = next(i for i, run in enumerate(runs) if "uv lock --check" in run)
    assert check < runs.index("make install")
