"""The payment window (§4): a page with buttons, answered by a form POST to returnUrl."""

import pytest
import requests

from .conftest import parse_forms


def _press(kicc, registered, outcome, **extra):
    """What a browser does: open authPageUrl, submit the button's form, read the answer."""
    page = requests.get(registered["authPageUrl"], timeout=5)
    form = next(f for f in parse_forms(page.text) if f["fields"].get("outcome") == outcome)
    assert form["method"] == "post"
    answer = requests.post(kicc.base + form["action"], data={**form["fields"], **extra}, timeout=5)
    return parse_forms(answer.text)[0]


def test_the_window_shows_the_order_in_korean(kicc):
    registered = kicc.register(amount=29900, orderInfo={"goodsName": "유기농 사과"})

    page = requests.get(registered["authPageUrl"], timeout=5)

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "29,900원" in page.text and "유기농 사과" in page.text
    assert registered["shopOrderNo"] in page.text
    assert "카드 결제 승인" in page.text and "결제 취소" in page.text


def test_approving_in_the_window_posts_the_documented_fields_to_the_return_url(kicc):
    registered = kicc.register()

    form = _press(kicc, registered, "approve")

    assert form["method"] == "POST"
    assert form["action"] == "http://shop.test/pay/return?step=1&x=2"
    assert form["fields"] == {
        "resCd": "0000",
        "resMsg": "정상처리",
        "shopOrderNo": registered["shopOrderNo"],
        "authorizationId": registered["authorizationId"],
        "shopValue1": "cart-42",
        "shopValue2": "",
        "shopValue3": "c",
        "shopValue4": "",
        "shopValue5": "",
        "shopValue6": "",
        "shopValue7": "",
    }


def test_the_return_page_submits_itself(kicc, easypay_emulator):
    registered = kicc.register()
    page = requests.get(registered["authPageUrl"], timeout=5)
    action = parse_forms(page.text)[0]["action"]

    answer = requests.post(
        kicc.base + action,
        data={"authorizationId": registered["authorizationId"], "outcome": "approve"},
        timeout=5,
    )

    assert "document.forms[0].submit();" in answer.text


def _nonce(policy: str, directive: str) -> str:
    values = next(part.split()[1:] for part in policy.split(";") if part.split()[0] == directive)
    assert len(values) == 1 and values[0].startswith("'nonce-"), policy
    return values[0].removeprefix("'nonce-").removesuffix("'")


def test_the_window_has_a_policy_of_its_own_that_runs_only_its_own_style(kicc):
    registered = kicc.register()

    page = requests.get(registered["authPageUrl"], timeout=5)

    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    assert f'<style nonce="{_nonce(policy, "style-src")}">' in page.text
    assert "script-src" not in policy  # the window runs no script at all


def test_the_return_page_may_run_its_one_script_and_post_only_to_the_shop(kicc):
    registered = kicc.register()
    page = requests.get(registered["authPageUrl"], timeout=5)
    action = parse_forms(page.text)[0]["action"]

    answer = requests.post(
        kicc.base + action,
        data={"authorizationId": registered["authorizationId"], "outcome": "approve"},
        timeout=5,
    )

    policy = answer.headers["Content-Security-Policy"]
    assert "form-action http://shop.test;" in policy  # the returnUrl's origin, nothing else
    assert f'<script nonce="{_nonce(policy, "script-src")}">' in answer.text
    assert "onload" not in answer.text


def test_a_window_approval_can_then_be_approved_over_the_api(kicc):
    registered = kicc.register()
    form = _press(kicc, registered, "approve")

    answer = kicc.approve(registered, authorizationId=form["fields"]["authorizationId"])

    assert answer.json()["resCd"] == "0000"


@pytest.mark.parametrize("decline_code", ["8521", "8035", "8311", "8350", "8373"])
def test_a_decline_carries_the_documented_card_code_and_no_authorization_id(kicc, decline_code):
    registered = kicc.register()

    form = _press(kicc, registered, "decline", declineCode=decline_code)

    assert form["fields"]["resCd"] == decline_code
    assert "authorizationId" not in form["fields"]
    assert form["fields"]["shopOrderNo"] == registered["shopOrderNo"]


@pytest.mark.parametrize(("outcome", "code"), [("user_cancel", "W324"), ("window_error", "X050")])
def test_a_cancelled_or_broken_window_returns_a_failure_without_authorization_id(
    kicc, outcome, code
):
    registered = kicc.register()

    form = _press(kicc, registered, outcome)

    assert form["fields"]["resCd"] == code
    assert "authorizationId" not in form["fields"]


def test_the_in_process_hook_answers_like_the_button(kicc, easypay_emulator):
    registered = kicc.register()

    post = easypay_emulator.authenticate(registered["authorizationId"], "approve_va")

    assert post.url == "http://shop.test/pay/return?step=1&x=2"
    assert post.fields["resCd"] == "0000"
    assert post.fields["authorizationId"] == registered["authorizationId"]
    assert kicc.approve(registered).json()["statusCode"] == "TS07"


def test_a_window_answers_once(kicc, easypay_emulator):
    registered = kicc.register()
    easypay_emulator.authenticate(registered["authorizationId"], "user_cancel")

    again = easypay_emulator.authenticate(registered["authorizationId"], "approve")

    assert again.fields["resCd"] == "X024"
    assert "authorizationId" not in again.fields


def test_a_card_only_registration_offers_no_virtual_account(kicc, easypay_emulator):
    registered = kicc.register(payMethodTypeCode="11")

    page = requests.get(registered["authPageUrl"], timeout=5)
    post = easypay_emulator.authenticate(registered["authorizationId"], "approve_va")

    assert "가상계좌 발급" not in page.text
    assert post.fields["resCd"] != "0000"


def test_an_unknown_window_is_not_found(kicc):
    page = requests.get(kicc.base + "/view/trades/cert-req.do?authorizationId=1", timeout=5)

    assert page.status_code == 404
