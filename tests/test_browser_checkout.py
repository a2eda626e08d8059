"""End to end in a real browser: a baked shop under real gunicorn (several worker processes,
the embedded EasyPay emulator sharing its SQLite store across them), driven by Chromium.

A buyer signs up, buys a demo product in the emulator's payment window and lands on the
success page; the screenshot of each step is kept under the test's tmp folder.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from urllib.request import urlopen

import pytest

from tests.installing import clean_env, installed_bake, run

pytestmark = pytest.mark.baked

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "no Chromium: install it (Debian: apt-get install chromium) to run the browser test"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            with urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The default bake (the shared install), with demo data in a database of this test's own,
    served by gunicorn on a free port."""
    project = installed_bake(tmp_path_factory, "defaults")
    state = tmp_path_factory.mktemp("shop")
    database_url = f"sqlite:///{state / 'shop.sqlite3'}"
    demo = run(project, "make", "demo-data", DATABASE_URL=database_url)
    admin_password = re.search(r"password (\S+)", demo.stdout).group(1)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_env(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # Several processes: the shop's approve call reaches the embedded emulator through
        # another worker, and the emulator's SQLite store is shared between them.
        WEB_CONCURRENCY="3",
        EASYPAY_API_URL=f"{base_url}/__easypay__",
    )
    log = (state / "gunicorn.log").open("w")
    # Its control socket in the test's own folder: gunicorn's default (~/.gunicorn/gunicorn.ctl)
    # is one path for every gunicorn of the user, so two runs at once would take each other's.
    command = [str(project / ".venv/bin/gunicorn"), "--control-socket", str(state / "gunicorn.ctl")]
    server = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=log)
    try:
        wait_until_serving(f"{base_url}/healthz", server)
        yield {"url": base_url, "project": project, "admin_password": admin_password}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=CHROMIUM_FLAGS,  # Playwright gives each launch a fresh temporary profile
        )
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def test_a_new_buyer_pays_for_a_demo_product_in_the_emulator_window(shop, page, tmp_path):
    page.goto(shop["url"] + "/")
    page.screenshot(path=tmp_path / "1-home.png")
    page.get_by_role("link", name=re.compile("회원가입")).first.click()

    page.fill("input[name=username]", "buyer1")
    page.fill("input[name=email]", "buyer1@example.com")
    page.fill("input[name=phone]", "01012345678")
    page.fill("input[name=password1]", "a-Long-passw0rd!")
    page.fill("input[name=password2]", "a-Long-passw0rd!")
    page.get_by_role("button", name="가입하기").click()

    page.goto(shop["url"] + "/")
    page.locator("a[href*='/products/']").first.click()
    page.get_by_role("button", name=re.compile("결제하기")).click()

    # The emulator's payment window, at the authPageUrl the shop registered.
    page.wait_for_url(re.compile(r"/__easypay__/view/trades/cert-req\.do\?authorizationId=\d{20}"))
    page.screenshot(path=tmp_path / "2-window.png")
    page.get_by_role("button", name="카드 결제 승인").click()

    # Auto-submitting form → the shop's return endpoint → approval → the result page.
    page.wait_for_url(re.compile(r"/p/[^/]+/$"))
    page.screenshot(path=tmp_path / "3-result.png")
    assert page.get_by_role("heading", name="결제가 완료되었습니다").is_visible()

    with urlopen(f"{shop['url']}/__easypay__/_control/requests", timeout=5) as response:  # noqa: S310
        log = response.read().decode()
    assert log.count("approval") >= 1
