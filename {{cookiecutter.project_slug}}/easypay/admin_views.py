"""The payment admin's own pages: the cancel confirmation, and "reconcile now".

Rendering these pages only reads the database; the PG is called only when a staff member
submits the confirmed form (DESIGN.md §2: no live PG call while rendering). Every request
that moves money is written to AdminAuditLog: the services record "cancel_requested" when
they claim the cancel, these views add the outcome (or the refusal, which never got that far).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services, states
from .admin_forms import CancelPaymentForm
from .display import krw
from .models import AdminAuditLog, Cancellation


def audit(request, action: str, payment=None, **detail) -> AdminAuditLog:
    user = request.user
    return AdminAuditLog.objects.create(
        actor=user if user.is_authenticated else None,
        actor_repr=user.get_username() if user.is_authenticated else "",
        action=action,
        payment=payment,
        detail=detail,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
    )


def change_url(model_admin, payment) -> str:
    opts = model_admin.model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[payment.pk],
        current_app=model_admin.admin_site.name,
    )


def _get_payment(model_admin, request, object_id):
    payment = model_admin.get_object(request, unquote(object_id))
    if payment is None:
        raise Http404(_("결제를 찾을 수 없습니다."))
    return payment


def cancel_view(model_admin, request, object_id):
    """GET: the confirmation page (amount, reason). POST: validate, then cancel through the
    services. Needs the cancel permission (payments.cancel_payment)."""

    if not model_admin.has_cancel_permission(request):
        raise PermissionDenied
    payment = _get_payment(model_admin, request, object_id)
    if not states.can_be_cancelled(payment.status):
        messages.error(
            request,
            _("%(status)s 상태의 결제는 취소할 수 없습니다.")
            % {"status": payment.get_status_display()},
        )
        return HttpResponseRedirect(change_url(model_admin, payment))

    form = CancelPaymentForm(payment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        reason = form.cleaned_data["reason"]
        try:
            cancellation = services.cancel(
                payment,
                amount=amount,
                reason=reason,
                actor=request.user,
                client_ip=request.META.get("REMOTE_ADDR") or None,
            )
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
        "title": _("결제 취소 확인"),
        "subtitle": str(payment),
        "opts": opts,
        "app_label": opts.app_label,
        "payment": payment,
        "original": payment,
        "form": form,
        "change_url": change_url(model_admin, payment),
        "has_view_permission": model_admin.has_view_permission(request, payment),
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
            request, _("%(amount)s을 취소했습니다.") % {"amount": krw(cancellation.amount)}
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

    for payment in payments:
        before = payment.status
        try:
            payment = services.reconcile(payment)
        except services.PaymentError as error:
            audit(request, "reconcile_failed", payment, message=str(error.message))
            messages.error(request, f"{payment}: {error.message}")
            continue
        audit(request, "reconcile", payment, before=before, after=payment.status)
        messages.info(
            request,
            _("%(payment)s: %(status)s")
            % {"payment": payment, "status": payment.get_status_display()},
        )


def reconcile_view(model_admin, request, object_id):
    if request.method != "POST":  # it calls the PG: never on a GET (a link, a prefetch)
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_reconcile_permission(request):
        raise PermissionDenied
    payment = _get_payment(model_admin, request, object_id)
    reconcile_payments(model_admin, request, [payment])
    return HttpResponseRedirect(change_url(model_admin, payment))
