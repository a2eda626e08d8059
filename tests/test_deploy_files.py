"""Fast layer: the generated deploy files (Dockerfile, compose.yaml, Caddyfile, systemd units)
parse and pass their linters, and say the same thing as the Makefile. Docker cannot build or
run here: tests/test_baked_image_on_host.py runs the image's steps on the host instead.
"""

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.dockerfile import instructions
from tests.services import missing_tool

TOOLS = Path(sys.executable).parent
QUEUE_BAKES = ["queue_database", "queue_rq"]


def tool(name: str) -> str:
    path = shutil.which(name, path=str(TOOLS)) or shutil.which(name)
    assert path, f"{name} is not installed in the template's environment: run `make install`"
    return path


def ran(*command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


def compose(project: Path) -> dict:
    return yaml.safe_load((project / "compose.yaml").read_text())


def manage_arguments(command: list[str]) -> list[str]:
    """What follows manage.py in a command, without --settings (set by the environment)."""
    after = command[command.index("manage.py") + 1 :]
    return [part for part in after if not part.startswith("--settings")]


@pytest.mark.parametrize("name", QUEUE_BAKES)
def test_the_dockerfile_passes_hadolint(shared_bake, name):
    project = shared_bake(name)

    result = ran(tool("hadolint"), "--no-color", "Dockerfile", cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_builds_with_make_and_serves_as_a_non_root_user(shared_bake):
    steps = instructions(shared_bake("defaults") / "Dockerfile")
    run_stage = [step for step in steps if step.stage == max(s.stage for s in steps)]
    by_keyword = {step.keyword: step for step in run_stage}

    assert [s.arguments for s in steps if s.keyword == "RUN" and s.stage == 0][-1] == "make build"
    assert by_keyword["USER"].arguments.split(":")[0] not in {"root", "0"}
    assert by_keyword["HEALTHCHECK"].command() == ["python", "scripts/healthcheck.py"]
    start = by_keyword["CMD"].command()
    assert start[:2] == ["sh", "-c"]
    # Checks first, then gunicorn in the foreground, replacing the shell (signals reach it).
    assert start[2] == (
        "python manage.py check --deploy --fail-level WARNING >/dev/null && exec gunicorn"
    )


@pytest.mark.parametrize("name", QUEUE_BAKES)
def test_the_compose_file_follows_the_compose_specification(shared_bake, name):
    project = shared_bake(name)

    result = ran(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        "compose.yaml",
        cwd=project,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", QUEUE_BAKES)
def test_compose_runs_the_whole_shop_and_redis_only_for_rq(shared_bake, name):
    project = shared_bake(name)

    services = set(compose(project)["services"])

    whole_shop = {"caddy", "web", "migrate", "worker", "reconcile", "db"}
    assert services == (whole_shop | {"redis"} if name == "queue_rq" else whole_shop)


def test_a_database_queue_shop_deploys_without_a_trace_of_redis(shared_bake):
    project = shared_bake("queue_database")
    deploy_files = [
        project / "compose.yaml",
        project / "Dockerfile",
        project / "README.md",
        project / ".env.example",
        project / "docs" / "going-live.md",
        *(project / "deploy").rglob("*"),
    ]

    for path in deploy_files:
        if path.is_file():
            found = re.search(r"\bredis", path.read_text(encoding="utf-8"), re.IGNORECASE)
            assert not found, f"{path.relative_to(project)} mentions Redis"


@pytest.mark.parametrize("name", QUEUE_BAKES)
def test_the_worker_runs_the_same_command_everywhere(shared_bake, name):
    project = shared_bake(name)
    makefile = (project / "Makefile").read_text()
    recipe = re.search(r"^worker:.*\n((?:\t.*\n)+)", makefile, re.M).group(1).strip()
    unit = next((project / "deploy/systemd").glob("*-worker.service")).read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)

    from_make = manage_arguments(shlex.split(recipe.replace("$(MANAGE)", "python manage.py")))
    from_compose = manage_arguments(compose(project)["services"]["worker"]["command"])
    from_systemd = manage_arguments(shlex.split(exec_start))

    assert from_make == from_compose == from_systemd
    assert from_make[0] == ("rqworker" if name == "queue_rq" else "db_worker")


def test_the_web_services_run_the_images_start_and_migrate_before_it(shared_bake):
    project = shared_bake("defaults")
    services = compose(project)["services"]

    assert "command" not in services["web"]  # the image's CMD: check --deploy, then gunicorn
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    for name in ("web", "worker", "reconcile"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["env_file"] == "production.env"
    for name in ("migrate", "worker", "reconcile"):
        assert services[name]["healthcheck"] == {"disable": True}  # /healthz is web's


def test_only_caddy_is_published_and_only_caddy_is_believed(shared_bake):
    project = shared_bake("defaults")
    services = compose(project)["services"]

    published = {name for name, service in services.items() if "ports" in service}
    caddy_address = services["caddy"]["networks"]["default"]["ipv4_address"]
    assert published == {"caddy"}
    assert services["web"]["environment"]["GUNICORN_FORWARDED_ALLOW_IPS"] == caddy_address
    assert services["web"]["environment"]["EASYPAY_TRUSTED_PROXIES"] == caddy_address
    assert "env_file" not in services["caddy"]  # the proxy sees none of the shop's secrets


@pytest.mark.parametrize("secret", [".env", "production.env", "postgres.env"])
def test_secret_files_stay_out_of_git_and_out_of_the_image(shared_bake, secret):
    project = shared_bake("defaults")

    assert secret in (project / ".gitignore").read_text().splitlines()
    assert secret in (project / ".dockerignore").read_text().splitlines()


def test_the_caddyfile_is_valid_and_formatted(shared_bake, tmp_path):
    project = shared_bake("defaults")
    caddy = tool("caddy")
    # Caddy keeps state under HOME: a folder of the test's own.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}

    valid = ran(
        caddy,
        "validate",
        "--adapter",
        "caddyfile",
        "--config",
        "deploy/Caddyfile",
        cwd=project,
        env=env,
    )
    formatted = ran(caddy, "fmt", "--diff", "deploy/Caddyfile", cwd=project, env=env)

    assert valid.returncode == 0, valid.stderr[-2000:]
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_caddyfile_sends_the_headers_the_shop_relies_on(shared_bake, tmp_path):
    project = shared_bake("defaults")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}

    adapted = ran(
        tool("caddy"),
        "adapt",
        "--adapter",
        "caddyfile",
        "--config",
        "deploy/Caddyfile",
        cwd=project,
        env=env,
    )

    assert adapted.returncode == 0, adapted.stderr
    # X-Forwarded-For is set (replaced), never appended to: a client cannot add a hop of its own.
    assert '"X-Forwarded-For":["{http.request.remote.host}"]' in adapted.stdout
    assert '"X-Forwarded-Proto":["{http.request.scheme}"]' in adapted.stdout
    assert '"host":["shop.example.com"]' in adapted.stdout
    assert '"dial":"127.0.0.1:8000"' in adapted.stdout


@pytest.mark.parametrize("name", QUEUE_BAKES)
def test_the_systemd_units_verify(shared_bake, name, tmp_path):
    analyze = shutil.which("systemd-analyze") or missing_tool(
        "systemd-analyze is not installed (Debian: apt-get install systemd)"
    )
    project = shared_bake(name)
    slug = project.name
    # The units name /srv/<slug>/.venv/bin/…: stand-ins, so systemd can see executables there.
    for executable in ("python", "gunicorn"):
        stand_in = tmp_path / ".venv" / "bin" / executable
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("#!/bin/sh\n")
        stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    units = []
    for unit in sorted((project / "deploy/systemd").iterdir()):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(f"/srv/{slug}", str(tmp_path)))
        units.append(str(copy))

    result = ran(analyze, "verify", *units)

    # verify exits 0 on some mistakes (an unknown Type=, say) but always reports them.
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert [Path(unit).name for unit in units] == [
        f"{slug}-migrate.service",
        f"{slug}-reconcile.service",
        f"{slug}-reconcile.timer",
        f"{slug}-web.service",
        f"{slug}-worker.service",
    ]
