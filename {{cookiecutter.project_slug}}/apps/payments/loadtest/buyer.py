"""A buyer over real HTTP: the shop's pages and KICC's payment window, as a browser walks them.

    from apps.payments.loadtest.buyer import Buyer

    buyer = Buyer("http://127.0.0.1:8000")        # its own requests.Session: one per thread
    buyer.sign_up()                               # or Buyer(url, username=…, password=…).log_in()
    purchase = buyer.pay(product_id, "approve")   # approve | approve_va | decline | user_cancel
    purchase.status                               # the result page's status: "paid", "failed"…
    purchase.steps                                # Step(name, status, ms) per HTTP request

pay() is checkout POST → the redirect to the window (`authPageUrl`) → one of the window's
buttons (its form POST) → the window's auto-submitting form POSTed to the shop's returnUrl →
the result page. It never raises for what the shop or the window answers: a purchase that
stops early has `.error` saying where and why, and the steps so far — a chaos run counts
those, a benchmark reports them. The steps are methods of their own (checkout, open_window,
press, submit_return, view_result) for flows pay() does not walk: a return POSTed twice, a
window left open, a result page polled until an unknown payment settles.

`behind_https_proxy=True` talks to a shop served with production settings as its TLS proxy
would: X-Forwarded-Proto: https on every request (SECURE_PROXY_SSL_HEADER, so no redirect to
https), an https Origin on POSTs (CSRF checks it on secure requests), and secure cookies sent
over the plain loopback connection — a load test's stand-in for TLS, never a way to a real shop.
"""

import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .pages import Forms, links, payment_status

# The shop's URLs (config/urls.py, apps/payments/urls.py, apps/users/urls.py; a test keeps
# them equal to reverse()). The returnUrl is not here: the shop builds it and the window posts it.
PATHS = {
    "signup": "/accounts/signup/",
    "login": "/accounts/login/",
    "products": "/",
    "product": "/products/{pk}/",
    "checkout": "/products/{pk}/checkout/",
    "detail": "/p/{token}/",
}
BUTTONS = (
    "approve",  # card
    "approve_transfer",
    "approve_va",
    "approve_mobile",
    "approve_easypay",
    "decline",
    "user_cancel",
    "window_error",
)
TIMEOUT = (5, 60)  # connect, read: longer than the shop's own 30 s wait for KICC's approval


@dataclass
class Step:
    """One HTTP request of a purchase: what it was for, its HTTP status (None: no answer)."""

    name: str
    method: str
    url: str
    status: int | None = None
    ms: float = 0.0
    error: str = ""


@dataclass
class Purchase:
    """What a buyer saw of one payment, step by step."""

    button: str
    steps: list[Step] = field(default_factory=list)
    auth_page_url: str = ""
    authorization_id: str = ""
    shop_order_no: str = ""  # from the window's return form
    return_url: str = ""
    token: str = ""  # the payment's public token, from the result page's URL
    status: str | None = None  # what the result page shows: paid, failed, awaiting_deposit…
    error: str = ""  # why the purchase stopped before the result page ("" when it did not)

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None

    @property
    def ms(self) -> float:
        return sum(step.ms for step in self.steps)


class Stop(Exception):
    """A step did not get the answer the flow needs; pay() records it as the purchase's error."""


class Browser:
    """A requests.Session that records each request as a Step of a Purchase."""

    def __init__(self, *, timeout=TIMEOUT, session: requests.Session | None = None):
        self.session = session or requests.Session()
        self.timeout = timeout

    def request(self, purchase, name, method, url, *, expect=(200,), **kwargs) -> requests.Response:
        """The answer, or Stop when there is none or its status is not one of `expect`."""
        step = Step(name, method, url)
        if purchase is not None:
            purchase.steps.append(step)
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, allow_redirects=False, **kwargs
            )
            response.content  # noqa: B018 — read the whole answer inside the timing
        except requests.RequestException as error:
            step.ms = (time.perf_counter() - started) * 1000
            step.error = f"{type(error).__name__}: {error}"
            raise Stop(f"{name}: no answer ({step.error})") from error
        step.ms = (time.perf_counter() - started) * 1000
        step.status = response.status_code
        if response.status_code not in expect:
            step.error = response.text[:300]
            raise Stop(f"{name}: HTTP {response.status_code} {response.text[:200]!r}")
        return response

    # --- KICC's payment window -------------------------------------------------------------
    def open_window(self, purchase: Purchase, auth_page_url: str) -> str:
        """GET authPageUrl; returns the window's HTML."""
        purchase.auth_page_url = auth_page_url
        query = parse_qs(urlsplit(auth_page_url).query)
        purchase.authorization_id = query.get("authorizationId", [""])[0]
        return self.request(purchase, "window", "GET", auth_page_url).text

    def press(self, purchase: Purchase, window_html: str, *, decline_code="8521") -> Forms:
        """POST the window's form for purchase.button; returns the auto-submitting form's page."""
        if purchase.button not in BUTTONS:
            raise ValueError(f"button must be one of {BUTTONS}, not {purchase.button!r}")
        try:
            form = Forms(window_html).with_button("outcome", purchase.button)
        except StopIteration:
            raise Stop(f"press: the window has no {purchase.button!r} button") from None
        data = {**form["fields"], "outcome": purchase.button}
        if purchase.button == "decline":
            data["declineCode"] = decline_code
        answer = self.request(
            purchase, "press", "POST", urljoin(purchase.auth_page_url, form["action"]), data=data
        )
        return Forms(answer.text)


class Buyer(Browser):
    """One buyer of the shop at `shop_url` (http://host:port), with its own cookies."""

    def __init__(
        self,
        shop_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        behind_https_proxy: bool = False,
        timeout=TIMEOUT,
        user_agent: str = "easypay-loadtest (Windows NT 10.0; Win64; x64)",
    ):
        super().__init__(timeout=timeout)
        self.shop_url = shop_url.rstrip("/")
        self.username = username or f"buyer-{uuid.uuid4().hex[:12]}"
        self.password = password or f"Load-{uuid.uuid4().hex}"
        self.behind_https_proxy = behind_https_proxy
        self.session.headers["User-Agent"] = user_agent
        self._shop = urlsplit(self.shop_url)
        self._public_origin = self.shop_url
        if behind_https_proxy:
            self._public_origin = f"https://{self._shop.netloc}"

    def __repr__(self) -> str:
        return f"Buyer({self.shop_url!r}, username={self.username!r})"

    # --- the shop --------------------------------------------------------------------------
    def url(self, name: str, **kwargs) -> str:
        return self.shop_url + PATHS[name].format(**kwargs)

    def shop_request(self, purchase, name, method, url, *, expect=(200,), **kwargs):
        """A request to the shop, with what its TLS proxy adds when there is one."""
        headers = kwargs.pop("headers", {})
        if self.behind_https_proxy:
            headers["X-Forwarded-Proto"] = "https"
            if method == "POST":
                headers["Origin"] = self._public_origin
        try:
            return self.request(
                purchase, name, method, url, expect=expect, headers=headers, **kwargs
            )
        finally:
            if self.behind_https_proxy:
                # The shop's cookies are Secure (production): sent back over this plain
                # loopback connection, which stands for the TLS one to the proxy.
                for cookie in self.session.cookies:
                    cookie.secure = False

    def post_form(self, purchase, name, url, data, *, expect=(302,)) -> requests.Response:
        """POST a form of the shop's with the CSRF token a browser would send."""
        token = self.session.cookies.get("csrftoken")
        if token is None:  # no page seen yet: any page with a form sets the cookie
            self.shop_request(None, "csrf", "GET", self.url("products"))
            token = self.session.cookies.get("csrftoken", "")
        return self.shop_request(
            purchase, name, "POST", url, data={**data, "csrfmiddlewaretoken": token}, expect=expect
        )

    def sign_up(self, *, email: str | None = None, phone: str = "01012345678") -> None:
        """Create the account through the signup form (which logs in)."""
        url = self.url("signup")
        self.shop_request(None, "signup page", "GET", url)
        self._account(
            "signup",
            url,
            {
                "username": self.username,
                "email": email or f"{self.username}@example.com",
                "phone": phone,
                "password1": self.password,
                "password2": self.password,
            },
        )

    def log_in(self) -> None:
        """Log in through the login form (the account exists: sign_up() elsewhere, or admin)."""
        url = self.url("login")
        self.shop_request(None, "login page", "GET", url)
        self._account("login", url, {"username": self.username, "password": self.password})

    def _account(self, name, url, data) -> None:
        try:
            self.post_form(None, name, url, data)
        except Stop as stop:
            raise RuntimeError(f"{self.username}: {stop}") from None

    def product_ids(self) -> list[int]:
        """The products the home page links to, in its order."""
        html = self.shop_request(None, "products", "GET", self.url("products")).text
        ids = []
        for href in links(html):
            parts = href.strip("/").split("/")
            is_product = len(parts) == 2 and parts[0] == "products" and parts[1].isdigit()
            if is_product and int(parts[1]) not in ids:
                ids.append(int(parts[1]))
        return ids

    # --- one payment -------------------------------------------------------------------------
    def pay(
        self, product_id: int, button: str = "approve", *, decline_code="8521", browse=False
    ) -> Purchase:
        """A whole payment (module docstring); browse=True opens the product page first."""
        purchase = Purchase(button=button)
        try:
            if browse:
                self.view_product(purchase, product_id)
            auth_page_url = self.checkout(purchase, product_id)
            window = self.open_window(purchase, auth_page_url)
            returned = self.press(purchase, window, decline_code=decline_code)
            result_url = self.submit_return(purchase, returned)
            self.view_result(purchase, result_url)
        except Stop as stop:
            purchase.error = str(stop)
        return purchase

    def view_product(self, purchase: Purchase, product_id: int) -> str:
        return self.shop_request(
            purchase, "product", "GET", self.url("product", pk=product_id)
        ).text

    def checkout(self, purchase: Purchase, product_id: int) -> str:
        """The pay button; returns authPageUrl. Stop when the shop sends the buyer elsewhere
        (back to the product page with a message: registration failed)."""
        answer = self.post_form(purchase, "checkout", self.url("checkout", pk=product_id), {})
        location = urljoin(self.shop_url + "/", answer.headers.get("Location", ""))
        if urlsplit(location).netloc == self._shop.netloc:
            raise Stop(f"checkout: sent back to {location}, not to a payment window")
        return location

    def submit_return(self, purchase: Purchase, returned: Forms) -> str:
        """POST the window's auto-submitting form to the shop's returnUrl; returns the result
        page's URL (the shop's redirect)."""
        if not returned.forms:
            raise Stop("press: the window answered without a return form")
        form = returned.forms[0]
        purchase.return_url = form["action"]
        purchase.shop_order_no = form["fields"].get("shopOrderNo", "")
        url = self._local(form["action"])
        # A form posted from KICC's page: no CSRF token (the return endpoint is exempt).
        answer = self.shop_request(
            purchase, "return", "POST", url, data=form["fields"], expect=(302,)
        )
        return urljoin(url, answer.headers["Location"])

    def view_result(self, purchase: Purchase, result_url: str) -> str | None:
        """GET the payment's page; sets purchase.token and .status (None if it shows none)."""
        answer = self.shop_request(purchase, "result", "GET", self._local(result_url))
        parts = urlsplit(result_url).path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "p":
            purchase.token = parts[1]
        purchase.status = payment_status(answer.text)
        if purchase.status is None:
            raise Stop("result: the page shows no payment status")
        return purchase.status

    def _local(self, url: str) -> str:
        """The shop's public URL (https behind the proxy) as this buyer reaches it."""
        parts = urlsplit(url)
        if parts.netloc == self._shop.netloc:
            return parts._replace(scheme=self._shop.scheme).geturl()
        return url
