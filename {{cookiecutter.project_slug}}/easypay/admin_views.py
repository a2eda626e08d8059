"""The payment admin's own pages: the cancel confirmation, and "reconcile now".

Rendering these pages only reads the database; the PG is called only when a staff member
submits the confirmed form (docs/payment-lifecycle.md: no PG call while rendering). Every request
that moves money is written to AdminAuditLog: the services record "cancel_requested" when
they claim the cancel, these views add the outcome (or the refusal, which never got that far).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import methods, services, states
from .admin_forms import (
    CancelPaymentForm,
    RefundPaymentForm,
    SettleApprovalForm,
    SettleCancellationForm,
    SettleNotificationForm,
)
from .display import krw
from .models import AdminAuditLog, Cancellation, Notification
from .services import conf, manual, sources
from .views import within_request_budget


def audit(request, action: str, payment=None, **detail) -> AdminAuditLog:
    user = request.user
    return AdminAuditLog.objects.create(
        actor=user if user.is_authenticated else None,
        actor_repr=user.get_username() if user.is_authenticated else "",
        action=action,
        payment=payment,
        detail=detail,
        remote_addr=sources.client_ip(request.META),
    )


def change_url(model_admin, record) -> str:
    """The admin page of a payment, a cancellation, a 노티: whatever model_admin shows."""
    opts = model_admin.model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[record.pk],
        current_app=model_admin.admin_site.name,
    )


def _get_payment(model_admin, request, object_id):
    payment = model_admin.get_object(request, unquote(object_id))
    if payment is None:
        raise Http404(_("결제를 찾을 수 없습니다."))
    return payment


@within_request_budget
def cancel_view(model_admin, request, object_id):
    """GET: the confirmation page (amount, reason). POST: validate, then cancel through the
    services. Needs the cancel permission (payments.cancel_payment)."""
    return _revise_page(
        model_admin,
        request,
        object_id,
        form_class=CancelPaymentForm,
        may=can_be_cancelled,
        send=lambda payment, form, **who: services.cancel(
            payment,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            **who,
        ),
        title=_("결제 취소 확인"),
    )


@within_request_budget
def refund_view(model_admin, request, object_id):
    """The refund page: amount, the buyer's bank account, real time or next day, reason."""
    return _revise_page(
        model_admin,
        request,
        object_id,
        form_class=RefundPaymentForm,
        may=can_be_refunded,
        send=lambda payment, form, **who: services.refund(
            payment,
            account=form.account(),
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            real_time=form.cleaned_data["real_time"],
            **who,
        ),
        title=_("환불 확인"),
    )


def needs_refund(payment) -> bool:
    """A deposited virtual account: its money goes back to a bank account, not to a card."""
    return (
        payment.pay_method_type_code == methods.VIRTUAL_ACCOUNT
        and states.can_be_partially_cancelled(payment.status)
    )


def can_be_cancelled(payment) -> bool:
    """Cancelled through the PG (the card, the transfer): not what goes back to a bank account."""
    return states.can_be_cancelled(payment.status) and not needs_refund(payment)


def can_be_refunded(payment) -> bool:
    return methods.refundable(payment.pay_method_type_code) and states.can_be_partially_cancelled(
        payment.status
    )


def _revise_page(model_admin, request, object_id, *, form_class, may, send, title):
    if not model_admin.has_cancel_permission(request):
        raise PermissionDenied
    payment = _get_payment(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, payment):
        raise PermissionDenied  # cancelling what one may not even look at: no
    if not may(payment):
        messages.error(
            request,
            _("%(status)s 상태의 이 결제는 여기서 처리할 수 없습니다.")
            % {"status": payment.get_status_display()},
        )
        return HttpResponseRedirect(change_url(model_admin, payment))

    form = form_class(payment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        who = {"actor": request.user, "client_ip": sources.client_ip(request.META)}
        try:
            cancellation = send(payment, form, **who)
        except services.CancelRefused as refused:
            audit(request, "cancel_refused", payment, amount=amount, message=str(refused.message))
            form.add_error(None, refused.message)
        except services.PaymentError as error:  # CancelDeclined: KICC said no
            audit(request, "cancel_failed", payment, amount=amount, message=str(error.message))
            messages.error(request, error.message)
            return HttpResponseRedirect(change_url(model_admin, payment))
        else:
            _report_cancellation(request, payment, cancellation)
            return HttpResponseRedirect(change_url(model_admin, payment))

    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(payment),
        "opts": opts,
        "app_label": opts.app_label,
        "payment": payment,
        "original": payment,
        "form": form,
        "back_url": change_url(model_admin, payment),
        "has_view_permission": model_admin.has_view_permission(request, payment),
        "refund": form_class is RefundPaymentForm,
    }
    return TemplateResponse(request, "admin/easypay/cancel_payment.html", context)


def _report_cancellation(request, payment, cancellation) -> None:
    audit(
        request,
        f"cancel_{cancellation.status}",
        payment,
        cancellation=cancellation.pk,
        amount=cancellation.amount,
        cancel_pg_cno=cancellation.cancel_pg_cno,
    )
    if cancellation.status == Cancellation.Status.DONE:
        messages.success(
            request,
            (
                _("%(amount)s을 환불했습니다.")
                if cancellation.is_refund
                else _("%(amount)s을 취소했습니다.")
            )
            % {"amount": krw(cancellation.amount)},
        )
    elif cancellation.status == Cancellation.Status.ACCEPTED:
        messages.success(
            request,
            _("%(amount)s 환불을 KICC가 접수했습니다. 은행이 다음 날 입금합니다.")
            % {"amount": krw(cancellation.amount)},
        )
    elif cancellation.status == Cancellation.Status.UNKNOWN:
        messages.warning(
            request,
            _(
                "PG의 취소 결과를 확인하지 못했습니다. 잠시 후 'PG에 상태 다시 확인'으로 "
                "결과를 가져오세요. 다시 취소하지 마세요."
            ),
        )
    else:
        messages.error(request, _("PG가 취소를 거절했습니다."))


def reconcile_payments(model_admin, request, payments) -> None:
    """Ask the PG about each payment (retrieveTransaction, §7) and apply what it says."""

    with conf.request_deadline():
        for payment in payments:
            _reconcile_one(request, payment)


def _reconcile_one(request, payment) -> None:
    before = payment.status
    try:
        payment = services.reconcile(payment)
    except services.PaymentError as error:
        audit(request, "reconcile_failed", payment, message=str(error.message))
        messages.error(request, f"{payment}: {error.message}")
        return
    audit(request, "reconcile", payment, before=before, after=payment.status)
    messages.info(
        request,
        _("%(payment)s: %(status)s") % {"payment": payment, "status": payment.get_status_display()},
    )


def reconcile_view(model_admin, request, object_id):
    if request.method != "POST":  # it calls the PG: never on a GET (a link, a prefetch)
        return HttpResponseNotAllowed(["POST"])
    payment = _get_payment(model_admin, request, object_id)
    if not model_admin.has_reconcile_permission(request, payment):
        raise PermissionDenied
    reconcile_payments(model_admin, request, [payment])
    return HttpResponseRedirect(change_url(model_admin, payment))


# ------------------------------------------------------------------------------
# Settling by hand what KICC can no longer be asked about (docs/operating.md)
# ------------------------------------------------------------------------------
def cancel_perm(opts) -> str:
    """The model's custom cancel permission, e.g. "payments.cancel_payment" (결제 취소 가능)."""
    return f"{opts.app_label}.{get_permission_codename('cancel', opts)}"


def may_settle_by_hand(request, payment) -> bool:
    """The shop's cancel permission and the right to see the payment, as for a cancel."""
    opts = payment._meta
    return request.user.has_perm(cancel_perm(opts)) and request.user.has_perm(
        f"{opts.app_label}.{get_permission_codename('view', opts)}"
    )


def settle_cancellation_view(model_admin, request, object_id):
    """A cancel left unknown past KICC's status window: done or not, as KICC's console says."""
    cancellation = model_admin.get_object(request, unquote(object_id))
    if cancellation is None:
        raise Http404(_("취소 기록을 찾을 수 없습니다."))
    if not may_settle_by_hand(request, cancellation.payment):
        raise PermissionDenied
    if not manual.can_settle_by_hand(cancellation):
        messages.error(
            request,
            _("결과를 모르는 취소 중 KICC에 더 조회할 수 없는 것만 직접 확정할 수 있습니다."),
        )
        return HttpResponseRedirect(change_url(model_admin, cancellation))

    def apply(form, actor, client_ip):
        manual.settle_cancellation(
            cancellation,
            done=form.cleaned_data["outcome"] == SettleCancellationForm.DONE,
            cancel_pg_cno=form.cleaned_data["cancel_pg_cno"],
            actor=actor,
            client_ip=client_ip,
        )

    return _settle_form(
        model_admin,
        request,
        cancellation,
        payment=cancellation.payment,
        form_class=SettleCancellationForm,
        apply=apply,
        done_message=_("취소 결과를 확정했습니다."),
        title=_("취소 결과 확정"),
        requested_amount=cancellation.amount,
    )


def settle_notification_view(model_admin, request, object_id):
    """A held 노티: applied with the figures of KICC's console, or dismissed."""
    record = model_admin.get_object(request, unquote(object_id))
    if record is None:
        raise Http404(_("노티를 찾을 수 없습니다."))
    if record.payment is None or not may_settle_by_hand(request, record.payment):
        raise PermissionDenied
    if record.status != Notification.Status.HELD:
        messages.error(request, _("확인이 필요한 노티만 반영하거나 무시할 수 있습니다."))
        return HttpResponseRedirect(change_url(model_admin, record))

    def apply(form, actor, client_ip):
        data = form.cleaned_data
        if data["action"] == SettleNotificationForm.APPLY:
            manual.apply_notification(
                record,
                cancel_pg_cno=data["cancel_pg_cno"],
                amount=data["amount"],
                actor=actor,
                client_ip=client_ip,
            )
        else:
            manual.dismiss_notification(record, note=data["note"], actor=actor, client_ip=client_ip)

    return _settle_form(
        model_admin,
        request,
        record,
        payment=record.payment,
        form_class=SettleNotificationForm,
        apply=apply,
        done_message=_("노티를 처리했습니다."),
        title=_("노티 확인"),
        body=record.shown_body(),
    )


def settle_approval_view(model_admin, request, object_id):
    """An approval left unknown past KICC's status window: as KICC's console shows it."""
    payment = _get_payment(model_admin, request, object_id)
    if not may_settle_by_hand(request, payment):
        raise PermissionDenied
    if not manual.can_settle_approval_by_hand(payment):
        messages.error(
            request,
            _("결과를 모르는 승인 중 KICC에 더 조회할 수 없는 것만 직접 확정할 수 있습니다."),
        )
        return HttpResponseRedirect(change_url(model_admin, payment))

    def apply(form, actor, client_ip):
        manual.settle_approval(
            payment,
            outcome=form.cleaned_data["outcome"],
            pg_cno=form.cleaned_data["pg_cno"],
            amount=form.cleaned_data["amount"],
            actor=actor,
            client_ip=client_ip,
        )

    return _settle_form(
        model_admin,
        request,
        payment,
        payment=payment,
        form_class=SettleApprovalForm,
        apply=apply,
        done_message=_("승인 결과를 확정했습니다."),
        title=_("승인 결과 확정"),
    )


def _settle_form(
    model_admin,
    request,
    record,
    *,
    payment,
    form_class,
    apply,
    done_message,
    title,
    body=None,
    requested_amount=None,
):
    """The confirmation form of a settle view, once the view has checked the permission and
    that the record can be settled now. A valid POST calls apply(form, actor, client_ip), which
    calls the service (it writes the audit row); a SettleRefused shows on the form."""
    back = change_url(model_admin, record)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            apply(form, actor=request.user, client_ip=sources.client_ip(request.META))
        except manual.SettleRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, done_message)
            return HttpResponseRedirect(back)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(record),
        "opts": opts,
        "app_label": opts.app_label,
        "record": record,
        "payment": payment,
        "form": form,
        "back_url": back,
        "body": body,
        "requested_amount": requested_amount,  # a cancel's: only its settle page shows one
        "has_view_permission": model_admin.has_view_permission(request, record),
    }
    return TemplateResponse(request, "admin/easypay/settle_by_hand.html", context)
