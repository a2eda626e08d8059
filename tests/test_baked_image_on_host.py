"""Baked-project layer: the container image's build and start steps, run on this host in the
Dockerfile's order (Docker cannot build here), against PostgreSQL, behind the generated Caddyfile.

The default bake is built by the Dockerfile's RUN steps (`make build`) with the run stage's ENV,
migrated by compose.yaml's migrate command and started by the image's CMD (check --deploy, then
gunicorn) with production settings. Then, over real HTTPS through Caddy (its own local CA,
trusted by the test only): /healthz answers, a buyer pays in the EasyPay emulator (served on its
own, `manage.py easypay_emulator`), the emulator's 노티 reaches the shop, and a 노티 keeps its
real source address through the proxy while a forged X-Forwarded-For does not.

Skipped on a host, and said so: apt-get (the host provides gettext and make), the system user
(the steps run as whoever runs the tests), COPY (the files are already in place).
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.bakes import BAKES
from tests.dockerfile import instructions
from tests.installing import PRODUCTION_ENV, clean_env, run
from tests.services import missing_tool

pytestmark = [pytest.mark.baked, pytest.mark.xdist_group("image-on-host")]

WORKDIR = "/app"  # the Dockerfile's WORKDIR: the project folder on the host
SYSTEM_STEPS = {
    "apt-get": ("msgfmt", "make"),  # what the build stage installs, the host must have
    "groupadd": (),  # the image's user; the host runs the steps as the test's user
}
POSTGRES = "postgres://postgres@127.0.0.1:5432"
NOTI_SENDER = "127.0.0.9"  # plays KICC's 노티 server: allowed, and not the proxy's address
STRANGER = "127.0.0.7"  # not allowed, whatever X-Forwarded-For it sends
DEADLINE_SECONDS = 60

# Production settings with the local emulator in place of KICC: a module of the test's own,
# beside the project, never in it.
TEST_SETTINGS = '''"""Production settings, with the local EasyPay emulator in place of KICC (tests only)."""

from config.settings.production import *  # noqa: F403

# Production refuses a non-KICC EASYPAY_API_URL (easypay.E003) unless told the emulator is meant.
EASYPAY_ALLOW_LOCAL_API_URL = True
# Caddy runs on this host: the only proxy whose X-Forwarded-For is believed.
EASYPAY_TRUSTED_PROXIES = ["127.0.0.1"]
# The emulator's own 노티 come from 127.0.0.1; {sender} stands for KICC at another address.
EASYPAY_NOTI_ALLOWED_IPS = ["127.0.0.1", "{sender}"]
'''

CADDY_GLOBALS = """{{
	admin off
	skip_install_trust
	http_port {http_port}
	https_port {https_port}
	storage file_system {{
		root {storage}
	}}
}}

import {caddyfile}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_tools(names) -> None:
    missing = [name for name in names if not shutil.which(name)]
    if missing:
        missing_tool(
            f"{', '.join(missing)} missing: the image's build stage installs them (apt-get)"
        )


def on_host(value: str, project: Path, path: str) -> str:
    return value.replace("${PATH}", path).replace("$PATH", path).replace(WORKDIR, str(project))


def image_env(project: Path, stage: int) -> dict[str, str]:
    """The ENV the Dockerfile sets up to `stage`, with its paths made the host's."""
    env: dict[str, str] = {}
    for step in instructions(project / "Dockerfile"):
        if step.keyword == "ENV" and step.stage <= stage:
            path = env.get("PATH", clean_env()["PATH"])
            env.update({k: on_host(v, project, path) for k, v in step.env().items()})
    return env


class Processes:
    """Long-running processes of the test, each in its own session, stopped in reverse order."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], cwd: Path, env: dict) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for _, process in reversed(self.running):
            self.stop(process)


def wait_for(what: str, ready, process: subprocess.Popen, log) -> object:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"{what}: the process exited with {process.returncode}\n{log()[-3000:]}"
            )
        if result := ready():
            return result
        time.sleep(0.3)
    raise AssertionError(f"{what}: not ready within {DEADLINE_SECONDS} s\n{log()[-3000:]}")


@pytest.fixture(scope="module")
def built(cookies_session) -> Path:
    """The default bake, built by the Dockerfile's build-stage RUN steps, in order."""
    result = cookies_session.bake(extra_context=BAKES["defaults"])
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    steps = instructions(project / "Dockerfile")
    build_stage = 0
    env = image_env(project, build_stage)
    for step in steps:
        if step.stage != build_stage or step.keyword != "RUN":
            continue
        program = step.arguments.split()[0]
        if program in SYSTEM_STEPS:
            require_tools(SYSTEM_STEPS[program])
            continue
        # PYTHON: the interpreter of this test run (the image has exactly one Python).
        run(
            project,
            "sh",
            "-c",
            on_host(step.arguments, project, env.get("PATH", "")),
            **env,
            PYTHON=sys.executable,
        )
    assert (project / "staticfiles" / "staticfiles.json").is_file()  # collected, with a manifest
    return project


@pytest.fixture(scope="module")
def database(built):
    name = f"test_deploy_image_{secrets.token_hex(4)}"
    python = str(built / ".venv/bin/python")

    def sql(statement: str) -> None:
        code = f"import psycopg; psycopg.connect({POSTGRES + '/postgres'!r}, autocommit=True).execute({statement!r})"
        run(built, python, "-c", code)

    sql(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES}/{name}"
    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def shop(built, database, tmp_path_factory):
    """Caddy, the emulator and the image's start command, serving the built bake."""
    folder = tmp_path_factory.mktemp("image-on-host")
    (folder / "deploy_test_settings.py").write_text(TEST_SETTINGS.replace("{sender}", NOTI_SENDER))
    processes = Processes(folder)
    ports = {"gunicorn": free_port(), "http": free_port(), "https": free_port()}
    base_url = f"https://localhost:{ports['https']}"
    tools = Path(sys.executable).parent
    try:
        # Caddy with the generated Caddyfile, on free ports, its certificates from its local CA.
        storage = folder / "caddy"
        wrapper = folder / "Caddyfile"
        wrapper.write_text(
            CADDY_GLOBALS.format(
                http_port=ports["http"],
                https_port=ports["https"],
                storage=storage,
                caddyfile=built / "deploy" / "Caddyfile",
            )
        )
        caddy = processes.start(
            "caddy",
            [
                shutil.which("caddy", path=str(tools)) or "caddy",
                "run",
                "--adapter",
                "caddyfile",
                "--config",
                str(wrapper),
            ],
            folder,
            clean_env(
                HOME=str(folder),
                XDG_DATA_HOME=str(folder),
                XDG_CONFIG_HOME=str(folder),
                SHOP_DOMAIN="localhost",
                SHOP_UPSTREAM=f"127.0.0.1:{ports['gunicorn']}",
            ),
        )
        root_certificate = storage / "pki" / "authorities" / "local" / "root.crt"
        wait_for("Caddy", root_certificate.is_file, caddy, lambda: processes.log("caddy"))

        # The emulator on a port of its own, delivering its 노티 through Caddy as KICC does.
        emulator = processes.start(
            "emulator",
            [
                ".venv/bin/python",
                "manage.py",
                "easypay_emulator",
                "--port",
                "0",
                "--database",
                str(folder / "emulator.sqlite3"),
            ],
            built,
            clean_env(
                DJANGO_SETTINGS_MODULE="config.settings.local",
                PYTHONUNBUFFERED="1",
                REQUESTS_CA_BUNDLE=str(root_certificate),
            ),
        )
        emulator_url = wait_for(
            "the emulator",
            lambda: (
                (m := re.search(r"EasyPay emulator on (\S+)", processes.log("emulator")))
                and m.group(1)
            ),
            emulator,
            lambda: processes.log("emulator"),
        )
        noti_url = f"{base_url}/payments/easypay/noti/"
        requests.post(
            f"{emulator_url}/_control/noti-url", json={"url": noti_url}, timeout=10
        ).raise_for_status()

        env = {
            **PRODUCTION_ENV,
            **image_env(built, stage=1),
            "DJANGO_SETTINGS_MODULE": "deploy_test_settings",
            "PYTHONPATH": str(folder),
            "DATABASE_URL": database,
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "EASYPAY_API_URL": emulator_url,
            "EASYPAY_MALL_ID": "T0000000",
            "EASYPAY_SECRET_KEY": "easypay!KICCTEST",
            "GUNICORN_BIND": f"127.0.0.1:{ports['gunicorn']}",
            "WEB_CONCURRENCY": "2",
            "LOG_FORMAT": "json",
            "GUNICORN_CONTROL_SOCKET": str(folder / "gunicorn.ctl"),
            "HOME": str(folder / "home"),
        }
        # compose.yaml's migrate service, then demo products (a shop adds its own in the admin).
        migrate = yaml.safe_load((built / "compose.yaml").read_text())["services"]["migrate"]
        run(built, *migrate["command"], **env)
        run(built, "python", "manage.py", "loaddata", "demo_products", **env)

        steps = {
            step.keyword: step for step in instructions(built / "Dockerfile") if step.stage == 1
        }
        gunicorn = processes.start("gunicorn", steps["CMD"].command(), built, clean_env(**env))
        healthcheck = steps["HEALTHCHECK"].command()
        wait_for(
            "the image's HEALTHCHECK",
            lambda: (
                subprocess.run(
                    healthcheck, cwd=built, env=clean_env(**env), capture_output=True
                ).returncode
                == 0
            ),
            gunicorn,
            lambda: processes.log("gunicorn"),
        )
        session = requests.Session()
        # Caddy's local CA only; trust_env off, or REQUESTS_CA_BUNDLE would win over verify.
        session.trust_env = False
        session.verify = str(root_certificate)
        yield {
            "project": built,
            "folder": folder,
            "env": env,
            "url": base_url,
            "ports": ports,
            "emulator_url": emulator_url,
            "session": session,
            "root_certificate": root_certificate,
            "processes": processes,
        }
    finally:
        processes.stop_all()


def shop_query(shop, code: str):
    """Run `code` in the shop's Django (production test settings); return what it prints, as JSON."""
    result = run(
        shop["project"], "python", "manage.py", "shell", "-v", "0", "-c", code, **shop["env"]
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def post_form(shop, path: str, data: dict) -> requests.Response:
    """A form POST as the browser sends it: the CSRF token, and the page it came from."""
    session = shop["session"]
    data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    return session.post(
        shop["url"] + path,
        data=data,
        headers={"Referer": shop["url"] + path},
        allow_redirects=False,
    )


def noti_from(shop, source: str, body: bytes, forwarded_for: str | None = None) -> int:
    """POST a 노티 to the proxy from the loopback address `source` (127.0.0.0/8 is all ours)."""
    context = ssl.create_default_context(cafile=str(shop["root_certificate"]))
    connection = http.client.HTTPSConnection(
        "localhost", shop["ports"]["https"], context=context, source_address=(source, 0), timeout=30
    )
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        connection.request("POST", "/payments/easypay/noti/", body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_image_serves_healthz_through_the_proxy(shop):
    response = shop["session"].get(shop["url"] + "/healthz", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_plain_http_is_redirected_to_https(shop):
    # By the proxy, and by Django itself when a request reaches gunicorn without the proxy.
    by_caddy = requests.get(
        f"http://localhost:{shop['ports']['http']}/", allow_redirects=False, timeout=10
    )
    by_django = requests.get(
        f"http://127.0.0.1:{shop['ports']['gunicorn']}/",
        headers={"Host": "localhost"},
        allow_redirects=False,
        timeout=10,
    )

    assert by_caddy.status_code in (301, 308)
    assert by_caddy.headers["Location"].startswith("https://localhost")
    assert by_django.status_code == 301
    assert by_django.headers["Location"] == "https://localhost/"


@pytest.fixture(scope="module")
def paid(shop) -> str:
    """A buyer signs up and pays through the proxy and the emulator; the result page's text.
    A fixture, not a test's side effect: the 노티 test needs the payment whatever runs first."""
    session = shop["session"]
    session.get(shop["url"] + "/accounts/signup/", timeout=10).raise_for_status()
    signed_up = post_form(
        shop,
        "/accounts/signup/",
        {
            "username": "buyer1",
            "email": "buyer1@example.com",
            "phone": "01012345678",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    assert signed_up.status_code == 302, signed_up.text[-2000:]
    product = re.search(
        r'href="/products/(\d+)/"', session.get(shop["url"] + "/", timeout=10).text
    ).group(1)
    session.get(f"{shop['url']}/products/{product}/", timeout=10).raise_for_status()

    checkout = post_form(shop, f"/products/{product}/checkout/", {})
    assert checkout.status_code == 302, checkout.text[-2000:]
    window = checkout.headers["Location"]
    assert window.startswith(shop["emulator_url"] + "/view/trades/cert-req.do?authorizationId=")

    # The payment window: the buyer approves; the window form-POSTs back to the shop's returnUrl.
    authorization_id = window.rpartition("=")[2]
    session.get(window, timeout=10).raise_for_status()
    answer = session.post(
        shop["emulator_url"] + "/view/trades/cert-res.do",
        data={"authorizationId": authorization_id, "outcome": "approve"},
        timeout=30,
    )
    action = re.search(r'<form method="POST" action="([^"]+)"', answer.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', answer.text))
    # The shop built its returnUrl from what the proxy passed on: HTTPS, the proxy's host.
    assert action.startswith(shop["url"] + "/payments/easypay/return/")
    returned = session.post(action, data=fields, allow_redirects=False, timeout=60)
    assert returned.status_code == 302, returned.text[-2000:]
    return session.get(shop["url"] + returned.headers["Location"], timeout=10).text


def test_a_buyer_pays_through_the_proxy_and_the_emulator_against_postgresql(shop, paid):
    assert "결제가 완료되었습니다" in paid
    statuses = shop_query(
        shop,
        "import json; from apps.payments.models import Payment; "
        "print(json.dumps(list(Payment.objects.values_list('status', flat=True))))",
    )
    assert statuses == ["paid"]


def test_kiccs_noti_keeps_its_source_address_through_the_proxy_and_a_forged_one_does_not(
    shop, paid
):
    # The emulator (at 127.0.0.1) delivered the approval's 노티 through Caddy: acknowledged.
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        notis = requests.get(shop["emulator_url"] + "/_control/notis", timeout=10).json()["notis"]
        delivered = [n for n in notis if n["noti_type"] == "10" and n["acked"]]
        if delivered or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert delivered, (
        f"no acknowledged 노티 10 within {DEADLINE_SECONDS} s: {notis}\n"
        f"emulator: {shop['processes'].log('emulator')[-3000:]}\n"
        f"gunicorn: {shop['processes'].log('gunicorn')[-3000:]}"
    )
    body = json.dumps(delivered[0]["body"], ensure_ascii=False).encode()

    from_sender = noti_from(shop, NOTI_SENDER, body)
    forged = noti_from(shop, STRANGER, body, forwarded_for=NOTI_SENDER)

    assert from_sender == 200
    assert forged == 403
    recorded = shop_query(
        shop,
        "import json; from easypay.models import Notification; "
        "print(json.dumps(list(Notification.objects.order_by('pk').values_list('remote_addr', flat=True))))",
    )
    # What the shop saw: KICC's address (the emulator's), the sender's own, and the stranger's
    # real address — never the proxy's in their place, never the forged header's.
    assert recorded[-2:] == [NOTI_SENDER, STRANGER]
    assert recorded[0] == "127.0.0.1"


def test_every_gunicorn_line_is_json_and_the_access_line_has_the_request_id(shop):
    response = shop["session"].get(shop["url"] + "/healthz", timeout=10)
    request_id = response.headers["X-Request-ID"]
    time.sleep(0.5)  # gunicorn writes the access line after the response

    lines = shop["processes"].log("gunicorn").splitlines()
    entries = [json.loads(line) for line in lines]  # every line parses

    access = [
        e for e in entries if e["logger"] == "gunicorn.access" and e["request_id"] == request_id
    ]
    assert len(access) == 1 and '"GET /healthz HTTP/1.1" 200' in access[0]["message"]


def test_gunicorns_control_socket_is_the_shops_own(shop):
    socket_path = shop["folder"] / "gunicorn.ctl"

    workers = run(
        shop["project"], ".venv/bin/gunicornc", "-s", str(socket_path), "-c", "show workers", "-j"
    )

    assert json.loads(workers.stdout)["count"] == 2
    assert not (Path(shop["env"]["HOME"]) / ".gunicorn").exists()


def test_without_a_socket_path_gunicorn_opens_no_control_socket(built, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = clean_env(
        **{
            **image_env(built, stage=1),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",  # starts with no database or KICC
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "HOME": str(home),
        }
    )
    processes = Processes(tmp_path)
    gunicorn = processes.start("gunicorn", ["gunicorn"], built, env)
    try:
        wait_for(
            "gunicorn",
            lambda: "Booting worker" in processes.log("gunicorn"),
            gunicorn,
            lambda: processes.log("gunicorn"),
        )
        time.sleep(1)  # the control socket, when there is one, is opened as the master starts

        assert list(home.iterdir()) == []  # no ~/.gunicorn/gunicorn.ctl shared with other shops
        assert "control" not in processes.log("gunicorn").lower()
    finally:
        processes.stop_all()


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "EMAIL_URL"])
def test_the_start_refuses_a_missing_variable_though_a_development_dot_env_has_it(built, missing):
    dot_env = (built / ".env").read_text()
    assert re.search(rf"^{missing}=.", dot_env, re.M)  # the development value is right there
    steps = {step.keyword: step for step in instructions(built / "Dockerfile") if step.stage == 1}
    env = {k: v for k, v in {**PRODUCTION_ENV, **image_env(built, stage=1)}.items() if k != missing}

    result = subprocess.run(
        steps["CMD"].command(),
        cwd=built,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {missing} is not set, so the shop refuses to start.")
    assert "Traceback" not in result.stderr
    assert "gunicorn" not in (result.stdout + result.stderr).lower()  # never got as far
