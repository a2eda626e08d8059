"""End to end in a real browser: a baked shop under real gunicorn (several worker processes,
the embedded EasyPay emulator sharing its SQLite store across them), driven by Chromium.

A buyer signs up, buys a demo product in the emulator's payment window and lands on the
success page; another pays once with each method the window offers (a virtual account
deposited through the emulator's control, its 노티 delivered to the shop); a staff member
looks a payment up in the admin and cancels part of it. The screenshot of each step is kept
under the test's tmp folder.

Everything runs under the shop's Content-Security-Policy (and the emulator's own): every
violation Chromium reports — the `securitypolicyviolation` event and its console message — fails
the test, which first proves it hears one by injecting an inline script itself.
"""

import json
import re
import shutil
import socket
import subprocess
import time
from urllib.request import Request, urlopen

import pytest

from tests.installing import clean_env, installed_bake, run
from tests.services import missing_tool

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
    missing_tool(
        "no Chromium: install it (Debian: apt-get install chromium) to run the browser test"
    )


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


# Runs before any script of every document (Playwright injects it, outside the page's CSP).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${document.URL}` +
    ` (${event.sourceFile}:${event.lineNumber} ${event.sample})`
  );
});
"""


class Violations(list):
    """CSP violations as Chromium reports them to the page and to the console."""

    def report(self, text: str) -> None:
        self.append(text)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.append(f"console: {message.text}")

    def assert_none(self) -> None:
        assert self == [], "Content-Security-Policy violations:\n" + "\n".join(self)

    def assert_heard_an_injected_inline_script(self, page) -> None:
        """The listener works: an inline script added now is refused and reported."""
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.injected") is None  # refused, not run
        heard = [v for v in self if "script-src" in v]
        assert heard, f"no violation reported for an injected inline script: {list(self)}"
        for violation in heard:
            self.remove(violation)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=CHROMIUM_FLAGS,  # Playwright gives each launch a fresh temporary profile
        )
        yield browser
        browser.close()


@pytest.fixture
def violations():
    return Violations()


@pytest.fixture
def page(browser, violations):
    context = browser.new_context(locale="ko-KR")
    context.expose_function("reportCspViolation", violations.report)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", violations.console)
    page.set_default_timeout(20_000)
    yield page
    context.close()


def buy_the_first_product(page, shop, tmp_path, prefix: str) -> None:
    """From the home page through the emulator's window (card approved) to the result page."""
    page.goto(shop["url"] + "/")
    page.locator("a[href*='/products/']").first.click()
    page.get_by_role("button", name=re.compile("결제하기")).click()

    # The emulator's payment window, at the authPageUrl the shop registered.
    page.wait_for_url(re.compile(r"/__easypay__/view/trades/cert-req\.do\?authorizationId=\d{20}"))
    page.screenshot(path=tmp_path / f"{prefix}-window.png")
    page.get_by_role("button", name="카드 결제 승인").click()

    # Auto-submitting form → the shop's return endpoint → approval → the result page.
    page.wait_for_url(re.compile(r"/p/[^/]+/$"))
    page.screenshot(path=tmp_path / f"{prefix}-result.png")
    assert page.get_by_role("heading", name="결제가 완료되었습니다").is_visible()


def test_a_new_buyer_pays_for_a_demo_product_in_the_emulator_window(
    shop, page, violations, tmp_path
):
    home = page.goto(shop["url"] + "/")
    assert "script-src 'self'" in home.headers["content-security-policy"]
    page.screenshot(path=tmp_path / "1-home.png")
    page.get_by_role("link", name=re.compile("회원가입")).click()

    page.fill("input[name=username]", "buyer1")
    page.fill("input[name=email]", "buyer1@example.com")
    page.fill("input[name=phone]", "01012345678")
    page.fill("input[name=password1]", "a-Long-passw0rd!")
    page.fill("input[name=password2]", "a-Long-passw0rd!")
    page.get_by_role("button", name="가입하기").click()

    buy_the_first_product(page, shop, tmp_path, "2")

    with urlopen(f"{shop['url']}/__easypay__/_control/requests", timeout=5) as response:  # noqa: S310
        log = response.read().decode()
    assert log.count("approval") >= 1

    # The receipt, and the language switch (static/js/site.js, not an inline handler).
    page.get_by_role("link", name="영수증 보기").click()
    page.get_by_role("button", name="인쇄").wait_for()
    page.get_by_label("언어").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.screenshot(path=tmp_path / "4-receipt-en.png")

    violations.assert_heard_an_injected_inline_script(page)
    violations.assert_none()


def test_staff_find_the_payment_in_the_admin_and_cancel_part_of_it(
    shop, page, violations, tmp_path
):
    page.goto(shop["url"] + "/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", shop["admin_password"])
    page.get_by_role("button", name=re.compile("로그인")).click()
    page.wait_for_url(re.compile(r"/admin/$"))

    buy_the_first_product(page, shop, tmp_path, "1")
    page.get_by_role("link", name="관리", exact=True).click()
    page.screenshot(path=tmp_path / "2-admin-index.png")

    page.goto(shop["url"] + "/admin/payments/payment/?status__exact=paid")
    page.screenshot(path=tmp_path / "3-payments.png")
    page.locator("#result_list tbody tr th a").first.click()
    page.get_by_role("link", name="결제 취소", exact=True).click()
    page.screenshot(path=tmp_path / "4-cancel.png")
    page.fill("input[name=amount]", "400")  # of the first demo product's 1,000원
    page.fill("input[name=reason]", "부분 환불 테스트")
    page.get_by_role("button", name="취소 실행").click()

    page.wait_for_url(re.compile(r"/admin/payments/payment/\d+/change/$"))
    page.screenshot(path=tmp_path / "5-after-cancel.png")
    assert page.locator(".easypay-status-partially_cancelled").first.is_visible()

    violations.assert_heard_an_injected_inline_script(page)
    violations.assert_none()


def control(shop, name: str, body: dict) -> dict:
    """POST to the embedded emulator's operator endpoint `_control/<name>`."""
    request = Request(  # noqa: S310 (loopback only)
        f"{shop['url']}/__easypay__/_control/{name}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


# (the method as the product page offers it, the window's button, what the result page says)
EACH_METHOD = [
    ("신용카드", "카드 결제 승인", "신용카드 (TestCard)"),
    ("계좌이체", "계좌이체 승인", "계좌이체 (NH농협은행)"),
    ("휴대폰", "휴대폰 결제 승인", re.compile(r"^휴대폰 \(SKT 010-\*\*\*\*-\d{4}\)$")),
    ("간편 결제", "간편결제 승인", "간편 결제 (카카오페이)"),
    ("가상계좌", "가상계좌 발급", "가상계좌 (NH농협은행)"),
]


def test_a_buyer_pays_once_with_each_method_and_the_result_page_names_it(
    shop, page, violations, tmp_path
):
    # The virtual account is paid by a deposit whose 노티 the emulator sends to the shop.
    control(
        shop, "noti-url", {"url": f"{shop['url']}/payments/easypay/noti/", "retry_seconds": 0.5}
    )
    page.goto(shop["url"] + "/accounts/signup/")
    page.fill("input[name=username]", "buyer2")
    page.fill("input[name=email]", "buyer2@example.com")
    page.fill("input[name=phone]", "01087654321")
    page.fill("input[name=password1]", "a-Long-passw0rd!")
    page.fill("input[name=password2]", "a-Long-passw0rd!")
    page.get_by_role("button", name="가입하기").click()
    page.wait_for_url(shop["url"] + "/")  # signed up and logged in: the home page
    page.locator("a[href*='/products/']").first.click()
    product_url = page.url

    for number, (choice, button, named) in enumerate(EACH_METHOD, start=1):
        page.goto(product_url)
        page.get_by_label(choice, exact=True).check()
        page.screenshot(path=tmp_path / f"method-{number}-product.png")
        page.get_by_role("button", name=re.compile("결제하기")).click()
        page.wait_for_url(re.compile(r"/__easypay__/view/trades/cert-req\.do\?"))
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url(re.compile(r"/p/[^/]+/$"))

        if choice == "가상계좌":
            assert page.get_by_role("heading", name="입금을 기다리고 있습니다").is_visible()
            order_no = page.locator("dt:text-is('주문번호') + dd").inner_text()
            control(shop, "deposit", {"shop_order_no": order_no})
            wait_for_heading(page, "결제가 완료되었습니다")
        page.screenshot(path=tmp_path / f"method-{number}.png")
        assert page.get_by_role("heading", name="결제가 완료되었습니다").is_visible(), choice
        shown = page.locator("dd.pay-method").inner_text()
        assert named.search(shown) if isinstance(named, re.Pattern) else shown == named, shown
        if choice == "휴대폰":  # the number KICC answered in full is shown masked only
            with urlopen(f"{shop['url']}/__easypay__/_control/requests?endpoint=approve") as log:  # noqa: S310
                approvals = json.load(log)["requests"]
            numbers = {
                a["response"]["paymentInfo"]["mobInfo"]["mobileNo"]
                for a in approvals
                if a["response"].get("paymentInfo", {}).get("mobInfo", {}).get("mobileNo")
            }
            assert numbers and not any(number in page.content() for number in numbers)

    page.goto(shop["url"] + "/mine/")
    page.screenshot(path=tmp_path / "method-mine.png")
    for _choice, _button, named in EACH_METHOD:
        if isinstance(named, str):
            assert page.get_by_text(named, exact=True).count() == 1, named

    violations.assert_heard_an_injected_inline_script(page)
    violations.assert_none()


def wait_for_heading(page, name: str, seconds: float = 15) -> None:
    """Reload until the page shows the heading (a 노티 settles the payment in the background)."""
    deadline = time.monotonic() + seconds
    while not page.get_by_role("heading", name=name).is_visible():
        assert time.monotonic() < deadline, f"no heading {name!r} after {seconds} s"
        page.wait_for_timeout(300)
        page.reload()
