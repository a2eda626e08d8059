"""What a buyer may choose at checkout: the payment method, and nothing that decides money.

The amount is never a field here: it comes from the product on the server (integrity rule 1,
docs/payment-lifecycle.md).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from easypay import methods

# payMethodTypeCode "00" lets KICC's window offer every method (docs/kicc-api.md §10.1).
LET_THE_WINDOW_CHOOSE = methods.ANY


def pay_method_choices() -> list[tuple[str, str]]:
    """The window's own choice first, then each method the window offers for a general
    payment, named as the payment pages name it afterwards ("신용카드", "계좌이체", …).
    A callable, so the names follow the language of each request."""
    return [
        (LET_THE_WINDOW_CHOOSE, str(_("결제창에서 선택"))),
        *((code, methods.method_name(code)) for code in methods.WINDOW_METHODS),
    ]


class CheckoutForm(forms.Form):
    """The pay button's form. A POST without a method lets the window choose."""

    pay_method = forms.ChoiceField(
        label=_("결제 수단"),
        choices=pay_method_choices,
        required=False,
        initial=LET_THE_WINDOW_CHOOSE,
        widget=forms.RadioSelect,
        error_messages={
            # Not echoing the value: it is whatever a client posted, of any length.
            "invalid_choice": _(
                "선택할 수 없는 결제 수단입니다. 목록에 있는 결제 수단 중 하나를 골라 다시 "
                "결제해 주세요."
            ),
        },
    )

    def clean_pay_method(self) -> str:
        return self.cleaned_data["pay_method"] or LET_THE_WINDOW_CHOOSE

    def refusal(self) -> str:
        """The errors, as one message for the product page."""
        return " ".join(str(error) for errors in self.errors.values() for error in errors)
