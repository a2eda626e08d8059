"""The two URLs KICC's side calls: the payment window's return and the 노티 (webhook).

They are the only CSRF-exempt views of the shop: the window's form and KICC's servers cannot
carry our CSRF token. Neither trusts what it receives — the return's fields are hints that
the services check against KICC's signed approval (integrity rule 7), and 노티 are accepted
only from KICC's addresses and confirmed before they change anything.
"""

import functools

from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from easypay import services
from easypay.services import conf, sources


def within_request_budget(view):
    """Run the view under the request's deadline for calls to KICC (EASYPAY_REQUEST_BUDGET)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with conf.request_deadline():
            return view(request, *args, **kwargs)

    return wrapped


# Both views stay out of ATOMIC_REQUESTS even if a project turns it on: the services commit in
# short transactions of their own (claim, call KICC, apply; the raw 노티 first), and one request
# wide transaction would hold row locks across the PG call and roll the raw record back.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@transaction.non_atomic_requests
@within_request_budget
def payment_return(request, token):
    """returnUrl: the window form-POSTs here (§4); GET is accepted too, for methods that
    redirect. Whatever happens, the buyer lands on the payment's own page."""
    fields = (request.POST if request.method == "POST" else request.GET).dict()
    try:
        payment = services.handle_return(token, fields)
    except services.PaymentNotFound:
        raise Http404 from None
    except services.ReturnRefused as error:
        return HttpResponseBadRequest(str(error.message), content_type="text/plain; charset=utf-8")
    return redirect(payment.get_absolute_url())


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
@within_request_budget
def notification(request):
    """notiUrl: KICC's JSON 노티 (§8.1), answered with a JSON ack."""
    try:
        ack = services.receive_notification(
            body=request.body,
            headers=request.headers,
            remote_addr=sources.client_ip(request.META),
        )
    except services.ForbiddenSource:
        return HttpResponseForbidden()
    return JsonResponse(ack, json_dumps_params={"ensure_ascii": False})
