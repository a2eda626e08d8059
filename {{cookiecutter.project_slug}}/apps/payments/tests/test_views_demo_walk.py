"""The demo, walked without a browser: sign up, log in, buy the first demo product, follow
authPageUrl to the (emulated) window over real HTTP, press "approve", let the window's form
POST land on our returnUrl, and read the success page."""

import re

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from apps.payments.loadtest.pages import Forms
from apps.payments.models import Payment

pytestmark = pytest.mark.django_db

PASSWORD = "demo-walk-password-1"


def test_a_new_buyer_signs_up_logs_in_pays_for_the_first_demo_product_and_sees_success(
    client, easypay_emulator
):
    call_command("loaddata", "demo_products", verbosity=0)

    # Sign up (which logs in), log out, and log in again through the login page.
    signed_up = client.post(
        reverse("users:signup"),
        {
            "username": "demo",
            "email": "demo@example.com",
            "phone": "010-1234-5678",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert signed_up.status_code == 302
    client.post(reverse("users:logout"))
    home = client.get(reverse("home"))
    first_product = re.search(r'href="(/products/\d+/)"', home.text).group(1)
    login_page = client.get(first_product)
    assert "로그인하고 결제하기" in login_page.text
    logged_in = client.post(
        reverse("login"), {"username": "demo", "password": PASSWORD, "next": first_product}
    )
    assert logged_in.url == first_product

    # The product page's pay button.
    product_page = client.get(first_product)
    pay_form = next(f for f in Forms(product_page.text).forms if "checkout" in f["action"])
    assert "1,000원 결제하기" in product_page.text  # the cheapest demo product comes first
    to_window = client.post(pay_form["action"], pay_form["fields"])
    assert to_window.status_code == 302

    # The window, over real HTTP like a browser: open it, press the approve button.
    window = requests.get(to_window.url, timeout=5)
    assert window.status_code == 200
    approve = Forms(window.text).with_button("outcome", "approve")
    answer = requests.post(
        requests.compat.urljoin(to_window.url, approve["action"]),
        data={**approve["fields"], "outcome": "approve"},
        timeout=5,
    )
    # The window answers with an auto-submitting form aimed at our returnUrl.
    (return_form,) = Forms(answer.text).forms
    assert return_form["method"] == "post"
    assert return_form["action"].startswith("http://testserver/")

    returned = client.post(
        return_form["action"].removeprefix("http://testserver"), return_form["fields"]
    )
    result = client.get(returned.url)

    payment = Payment.objects.get(user__username="demo")
    assert returned.url == reverse("payments:detail", args=[payment.public_token])
    assert payment.status == "paid"
    assert payment.amount == 1000
    assert result.status_code == 200
    assert "결제가 완료되었습니다" in result.text
    assert "1,000원" in result.text
    assert easypay_emulator.ledger(payment.shop_order_no)["approved_amount"] == 1000
    mine = client.get(reverse("payments:mine"))
    assert reverse("payments:receipt", args=[payment.public_token]) in mine.text
