"""The admin's cancel confirmation form: how much to cancel and why.

Checked against the payment's stored balance when the form is posted (not when it was
shown), so a partial cancel made meanwhile by someone else is never cancelled twice. The
services check again under their own claim; this is the polite first line.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import methods, states
from .display import krw
from .exceptions import InvalidRequest
from .validation import (
    byte_length,
    is_kicc_number,
    refund_account_no,
    refund_depositor_name,
    refused_by_kicc,
)

REASON_MAX_BYTES = 100  # reviseMessage: String 100 (§6.1)


def console_confirmed() -> forms.BooleanField:
    """The tick every settle form asks for, in one wording: a person settling money by hand
    says they read it on KICC's console."""
    return forms.BooleanField(
        label=_("KICC 가맹점 관리자 화면에서 직접 확인했습니다."),
        error_messages={"required": _("KICC 관리자 화면에서 확인한 뒤에 확정하세요.")},
    )


class CancelPaymentForm(forms.Form):
    amount = forms.IntegerField(
        label=_("취소 금액 (원)"),
        min_value=1,
        error_messages={"min_value": _("취소 금액은 0원보다 커야 합니다.")},
    )
    reason = forms.CharField(
        label=_("취소 사유"),
        max_length=REASON_MAX_BYTES,
        help_text=_("PG에 취소 사유로 전달됩니다 (100바이트 이내)."),
    )

    def __init__(self, payment, *args, **kwargs):
        self.payment = payment
        kwargs.setdefault("initial", {"amount": payment.remaining_amount})
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"max": payment.remaining_amount, "min": 1})
        if not self.partial_allowed:
            # An issued virtual account can only be voided as a whole (40, §6.3).
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = _("이 결제는 전체 취소만 할 수 있습니다.")

    @property
    def partial_allowed(self) -> bool:
        return states.can_be_partially_cancelled(self.payment.status)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        remaining = self.payment.remaining_amount
        if amount > remaining:
            raise forms.ValidationError(
                _("취소할 수 있는 금액(%(remaining)s)보다 큽니다.") % {"remaining": krw(remaining)},
                code="over_remaining",
            )
        if not self.partial_allowed and amount != remaining:
            raise forms.ValidationError(_("전체 금액만 취소할 수 있습니다."), code="full_only")
        return amount

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        bad = sorted(set(filter(refused_by_kicc, reason)))
        if bad:
            # §2: KICC refuses these in any value.
            raise forms.ValidationError(
                _("다음 문자는 쓸 수 없습니다: %(chars)s") % {"chars": " ".join(bad)},
                code="forbidden_characters",
            )
        if byte_length(reason) > REASON_MAX_BYTES:
            raise forms.ValidationError(
                _("사유가 너무 깁니다. 한글은 33자 정도까지 쓸 수 있습니다."), code="too_long"
            )
        return reason

    @property
    def is_full(self) -> bool:
        return self.cleaned_data["amount"] == self.payment.remaining_amount


class RefundPaymentForm(CancelPaymentForm):
    """A refund into the buyer's bank account (§6.1 refundInfo), for what a card-style cancel
    cannot undo: a deposited virtual account, a mobile payment."""

    bank_code = forms.ChoiceField(
        label=_("환불 은행"), choices=[("", "---------"), *methods.BANK_NAMES.items()]
    )
    account_no = forms.CharField(
        label=_("환불 계좌번호"),
        max_length=20,
        help_text=_("숫자만 (-는 빼도 됩니다). 14자리까지."),
    )
    depositor_name = forms.CharField(label=_("예금주"), max_length=50)
    real_time = forms.TypedChoiceField(
        label=_("환불 방식"),
        choices=[
            ("1", _("실시간 환불: 바로 입금")),
            ("0", _("익일 환불: 은행이 다음 날 입금")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    field_order = ["amount", "bank_code", "account_no", "depositor_name", "real_time", "reason"]

    # The same rules as the refund request itself (validation.refund_info): what passes here
    # is never refused later as a CancelRefused, only said more kindly.
    def clean_account_no(self):
        try:
            return refund_account_no(self.cleaned_data["account_no"])
        except InvalidRequest:
            raise forms.ValidationError(
                _("계좌번호는 숫자 14자리까지입니다 (KICC의 제한)."), code="bad_account"
            ) from None

    def clean_depositor_name(self):
        try:
            return refund_depositor_name(self.cleaned_data["depositor_name"].strip())
        except InvalidRequest:
            raise forms.ValidationError(
                _("예금주는 50바이트 이내로, 특수문자 없이 적어 주세요."), code="bad_name"
            ) from None

    @property
    def partial_allowed(self) -> bool:
        return True  # a refund may always be partial (62, 63 with 11/21)

    def account(self):
        from .client import RefundAccount

        data = self.cleaned_data
        return RefundAccount(
            bank_code=data["bank_code"],
            account_no=data["account_no"],
            depositor_name=data["depositor_name"],
        )


class SettleCancellationForm(forms.Form):
    """What KICC's merchant console shows for a cancel whose outcome the shop never learned."""

    DONE, NOT_DONE = "done", "not_done"
    outcome = forms.ChoiceField(
        label=_("KICC 관리자 화면의 결과"),
        choices=[
            (DONE, _("취소됨: KICC 관리자 화면에 이 취소가 있습니다")),
            (NOT_DONE, _("취소되지 않음: KICC 관리자 화면에 이 취소가 없습니다")),
        ],
        widget=forms.RadioSelect,
    )
    cancel_pg_cno = forms.CharField(
        label=_("취소 거래번호"),
        required=False,
        max_length=20,
        help_text=_("취소됨일 때: KICC 관리자 화면에 보이는 취소 거래번호 (숫자 20자리)."),
    )
    confirmed = console_confirmed()

    def clean(self):
        cleaned = super().clean()
        number = (cleaned.get("cancel_pg_cno") or "").strip()
        if cleaned.get("outcome") == self.DONE and not is_kicc_number(number):
            self.add_error(
                "cancel_pg_cno", _("취소 거래번호는 KICC 관리자 화면의 숫자 20자리입니다.")
            )
        cleaned["cancel_pg_cno"] = number
        return cleaned


class SettleNotificationForm(forms.Form):
    """Apply a held 노티 with the figures KICC's console shows, or dismiss it."""

    APPLY, DISMISS = "apply", "dismiss"
    action = forms.ChoiceField(
        label=_("처리"),
        choices=[
            (APPLY, _("반영: KICC 관리자 화면에 같은 거래가 있습니다")),
            (DISMISS, _("무시: KICC 관리자 화면에 이런 거래가 없습니다")),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=_("금액 (원)"),
        required=False,
        min_value=1,
        help_text=_("반영할 때: KICC 관리자 화면에 보이는 취소 또는 입금 금액."),
    )
    cancel_pg_cno = forms.CharField(
        label=_("취소 거래번호"),
        required=False,
        max_length=20,
        help_text=_("취소 노티를 반영할 때: KICC 관리자 화면의 취소 거래번호."),
    )
    note = forms.CharField(label=_("메모"), required=False, max_length=200)
    confirmed = console_confirmed()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.APPLY and not cleaned.get("amount"):
            self.add_error("amount", _("반영하려면 KICC 관리자 화면의 금액을 입력하세요."))
        if cleaned.get("action") == self.DISMISS and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("무시하는 이유를 적어 주세요 (관리 기록에 남습니다)."))
        cleaned["cancel_pg_cno"] = (cleaned.get("cancel_pg_cno") or "").strip()
        return cleaned


class SettleApprovalForm(forms.Form):
    """What KICC's merchant console shows for an approval whose outcome the shop never learned."""

    outcome = forms.ChoiceField(
        label=_("KICC 관리자 화면의 결과"),
        choices=[
            ("paid", _("승인됨: KICC 관리자 화면에 이 주문의 승인이 있습니다")),
            ("awaiting_deposit", _("가상계좌 발급됨: 아직 입금되지 않았습니다")),
            ("not_approved", _("승인 없음: KICC 관리자 화면에 이 주문의 승인이 없습니다")),
        ],
        widget=forms.RadioSelect,
    )
    pg_cno = forms.CharField(
        label=_("PG 거래번호"),
        required=False,
        max_length=20,
        help_text=_("승인됨·발급됨일 때: KICC 관리자 화면의 거래번호 (숫자 20자리)."),
    )
    amount = forms.IntegerField(
        label=_("승인 금액 (원)"),
        required=False,
        min_value=1,
        help_text=_("승인됨·발급됨일 때: KICC 관리자 화면의 금액."),
    )
    confirmed = console_confirmed()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") in ("paid", "awaiting_deposit"):
            number = (cleaned.get("pg_cno") or "").strip()
            if not is_kicc_number(number):
                self.add_error("pg_cno", _("PG 거래번호는 KICC 관리자 화면의 숫자 20자리입니다."))
            if not cleaned.get("amount"):
                self.add_error("amount", _("KICC 관리자 화면의 승인 금액을 입력하세요."))
            cleaned["pg_cno"] = number
        return cleaned
