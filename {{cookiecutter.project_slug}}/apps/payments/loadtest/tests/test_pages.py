"""Reading a page's forms as a browser would submit them."""

from apps.payments.loadtest.pages import Forms

PRODUCT_FORM = """
<form method="post" action="/products/1/checkout/">
  <input type="hidden" name="csrfmiddlewaretoken" value="token">
  <label><input type="radio" name="pay_method" value="00" checked> 결제창에서 선택</label>
  <label><input type="radio" name="pay_method" value="11"> 신용카드</label>
  <label><input type="radio" name="pay_method" value="60"> 간편 결제</label>
  <input type="checkbox" name="agree" value="yes">
  <button type="submit" name="pay" value="1">결제하기</button>
</form>
"""


def test_only_the_checked_radio_button_and_checkbox_are_sent():
    (form,) = Forms(PRODUCT_FORM).forms

    assert form["fields"] == {"csrfmiddlewaretoken": "token", "pay_method": "00"}
    assert form["buttons"] == [("pay", "1")]
