"""HTTP face of the emulator: KICC's four API paths, the payment window, and `_control/…`.

Every view here is CSRF-exempt: they stand in for an external API and a third-party page.
They answer 404 unless DEBUG is on or the standalone server (server.py) serves them.
"""

import contextlib
import functools
import json
import logging
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    JsonResponse,
)
from django.template import Context, Engine
from django.urls import reverse
from django.utils.csp import CSP, build_policy, generate_nonce
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from . import codes, faults, shapes
from .engine import OUTCOME_METHODS, Emulator, Refused

logger = logging.getLogger(__name__)

DROP = "easypay.emulator.drop"  # environ flag read by server.py's ServerHandler
JSON_TYPE = "application/json; charset=utf-8"

# The emulator is a sub-package, not an app, so it renders with an engine of its own.
TEMPLATES = Engine(
    dirs=[Path(__file__).resolve().parent / "templates"],  # type: ignore[list-item]  # Django takes a Path
    libraries={"i18n": "django.templatetags.i18n"},
)


@functools.cache
def embedded_emulator() -> Emulator:
    """The dev server's emulator, configured by settings.EASYPAY_EMULATOR."""
    return Emulator.from_settings()


def emulator_view(view):
    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        emulator = getattr(request, "easypay_emulator", None)
        if emulator is None:
            if not settings.DEBUG:  # belt and braces: config/urls.py mounts it only in DEBUG
                raise Http404
            emulator = embedded_emulator()
        emulator.tick()  # the test host's 23:00 auto-void, when switched on (autovoid.py)
        return view(request, emulator, *args, **kwargs)

    return wrapped


def not_found(request, exception=None):
    """The standalone server's 404 (root_urls.handler404): plain text, like an API host's."""
    return HttpResponseNotFound("Not Found", content_type="text/plain; charset=utf-8")


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=JSON_TYPE, json_dumps_params={"ensure_ascii": False}
    )


# --- the four API endpoints ----------------------------------------------------------------
def _api(endpoint: str):
    @emulator_view
    def view(request, emulator: Emulator):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            body = json.loads(request.body.decode())
        except (UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            # §2: 4xx only for requests that cannot be read at all.
            answer = {"resCd": codes.BAD_REQUEST, "resMsg": codes.INVENTED[codes.BAD_REQUEST]}
            raw = request.body.decode(errors="replace")
            emulator.log_request(endpoint, None, raw, 400, answer, None)
            return _json(answer, status=400)
        order_no = emulator.shop_order_no_for(endpoint, body)
        fault = faults.take(emulator.store, endpoint, order_no, body)
        response = None
        if fault is None or fault.commits:
            response = _process(request, emulator, endpoint, body, fault)
            order_no = order_no or response.get("shopOrderNo")
        http = _answer(request, response, fault)
        emulator.log_request(
            endpoint,
            order_no,
            body,
            None if fault and fault.kind == "drop_after_commit" else http.status_code,
            response if response is not None else http.content.decode(errors="replace"),
            fault.kind if fault else None,
        )
        if fault and fault.kind == "delay":
            time.sleep(float(fault.params.get("seconds", 35)))  # §2: clients wait 30 s
        return http

    view.__name__ = endpoint
    return view


def _process(request, emulator, endpoint, body, fault) -> dict:
    if endpoint == "register":
        window = request.build_absolute_uri(reverse("easypay_emulator:window"))
        return emulator.register(body, window)
    if endpoint == "approve":
        mismatch = False
        if fault and fault.kind == "amount_mismatch":
            mismatch = fault.params.get("amount", True)
        return emulator.approve(body, amount_mismatch=mismatch)
    if endpoint == "revise":
        refund_fault = fault if fault and fault.kind in faults.REFUND_FAULTS else None
        return emulator.revise(body, fault=refund_fault)
    return emulator.retrieve(body)


def _answer(request, response: dict | None, fault) -> HttpResponse:
    kind = fault.kind if fault else None
    if kind in ("http_500", "http_502", "http_504"):
        status = int(kind[-3:])
        return HttpResponse(f"{status} error", status=status, content_type="text/plain")
    if kind == "html_error":
        page = "<html><head><title>Error</title></head><body><h1>시스템 오류</h1></body></html>"
        return HttpResponse(page, content_type="text/html; charset=utf-8")
    if response is None:  # malformed_json without committing
        response = {"resCd": "9999", "resMsg": ""}
    if kind == "malformed_json":
        text = json.dumps(response, ensure_ascii=False)
        return HttpResponse(text[: len(text) // 2], content_type=JSON_TYPE)
    if kind == "bad_signature" and "msgAuthValue" in response:
        value = response["msgAuthValue"]
        response = {**response, "msgAuthValue": ("0" if value[0] != "0" else "1") + value[1:]}
    if kind == "drop_after_commit":
        _drop_connection(request)
    return _json(response)


def _drop_connection(request) -> None:
    """Close the socket with no answer: our server reads the flag; elsewhere, best effort."""
    environ = request.environ
    environ[DROP] = True
    sock = environ.get("gunicorn.socket")
    if sock is None and "easypay.emulator.server" not in environ:
        # runserver: the socket under wsgi.input (LimitedStream → BufferedReader → SocketIO).
        try:
            sock = environ["wsgi.input"]._read.__self__.raw._sock
        except AttributeError:
            logger.warning("drop_after_commit: no socket to drop under this server")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


register = _api("register")
approve = _api("approve")
revise = _api("revise")
retrieve = _api("retrieve")


# --- the payment window (§4) ---------------------------------------------------------------
# The window is KICC's page, not the shop's: it answers with a Content-Security-Policy of its
# own, and the shop's (config/settings SECURE_CSP, which the dev server's middleware would add)
# does not describe it — Django's middleware leaves a header that is already set alone. Each is
# as strict as the page allows: its one <style> and the return form's one <script> carry a
# fresh nonce, and forms post only where the page means them to.
WINDOW_POLICY = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.NONCE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}


def _return_policy(return_url: str) -> dict:
    """The auto-submitting return form posts to the shop's returnUrl, wherever that is."""
    parts = urlsplit(return_url)
    return {
        "default-src": [CSP.NONE],
        "script-src": [CSP.NONCE],
        "form-action": [f"{parts.scheme}://{parts.netloc}"],
        "base-uri": [CSP.NONE],
    }


def _page(template: str, context: dict, policy: dict) -> HttpResponse:
    nonce = generate_nonce()
    html = TEMPLATES.get_template(template).render(Context({**context, "csp_nonce": nonce}))
    response = HttpResponse(html)
    response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(policy, nonce)
    return response


@emulator_view
def window(request, emulator: Emulator):
    info = emulator.window(request.GET.get("authorizationId", ""))
    if info is None:
        raise Http404
    context = {
        **info,
        # Won with thousands separators, as a payment window shows them (15,000원).
        "amount": f"{info['amount']:,}",
        "declines": sorted(codes.DECLINES.items()),
        "action": reverse("easypay_emulator:window_result"),
        "buttons": [_button(outcome) for outcome in info["methods"]],
    }
    return _page("easypay_emulator/window.html", context, WINDOW_POLICY)


# The window's approve buttons: label, and what the buyer picks (bank, carrier, wallet).
BUTTON_LABELS = {
    "approve": _("카드 결제 승인"),
    "approve_transfer": _("계좌이체 승인"),
    "approve_va": _("가상계좌 발급"),
    "approve_mobile": _("휴대폰 결제 승인"),
    "approve_easypay": _("간편결제 승인"),
}


def _button(outcome: str) -> dict:
    choices, default = shapes.PROVIDERS.get(OUTCOME_METHODS[outcome], ({}, None))
    return {
        "outcome": outcome,
        "label": BUTTON_LABELS[outcome],
        "providers": [(code, name, code == default) for code, name in choices.items()],
    }


@emulator_view
def window_result(request, emulator: Emulator):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        post = emulator.authenticate(
            request.POST.get("authorizationId", ""),
            request.POST.get("outcome", ""),
            decline_code=request.POST.get("declineCode", "8521"),
            provider=request.POST.get("provider") or None,
        )
    except (LookupError, ValueError) as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return _page(
        "easypay_emulator/return_form.html",
        {"url": post.url, "fields": sorted(post.fields.items())},
        _return_policy(post.url),
    )


# --- operator endpoints (_control/…) -------------------------------------------------------
class UnknownOrder(LookupError):
    """The emulator never saw the order: HTTP 404, so a client need not read the message."""


def _control(view):
    @emulator_view
    @functools.wraps(view)
    def wrapped(request, emulator, *args, **kwargs):
        data = {}
        if request.method == "POST":
            try:
                data = json.loads(request.body.decode() or "{}")
            except ValueError:
                return _json({"error": "body must be JSON"}, status=400)
        try:
            return _json(view(request, emulator, data, *args, **kwargs))
        except UnknownOrder as error:
            return _json({"error": str(error)}, status=404)
        except (ValueError, LookupError, TypeError) as error:
            return _json({"error": str(error)}, status=400)
        except Refused as refused:
            return _json({"error": refused.message, "resCd": refused.code}, status=409)

    return wrapped


def _post_only(request):
    if request.method != "POST":
        raise ValueError("use POST")


@_control
def control_reset(request, emulator, data):
    _post_only(request)
    emulator.reset()
    return {"ok": True}


@_control
def control_faults(request, emulator, data):
    _post_only(request)
    params = dict(data.pop("params", {}))
    faults.inject(emulator.store, data.pop("kind", None), **data, **params)
    return {"ok": True}


@_control
def control_ledger(request, emulator, data, shop_order_no):
    ledger = emulator.ledger(shop_order_no, request.GET.get("mallId"))
    if ledger is None:
        raise UnknownOrder(f"no order {shop_order_no}")
    return ledger


@_control
def control_requests(request, emulator, data):
    return {
        "requests": emulator.requests(request.GET.get("endpoint"), request.GET.get("shop_order_no"))
    }


@_control
def control_authenticate(request, emulator, data):
    _post_only(request)
    post = emulator.authenticate(
        data["authorization_id"],
        data.get("outcome", "approve"),
        decline_code=data.get("decline_code", "8521"),
        provider=data.get("provider"),
    )
    return {"url": post.url, "fields": post.fields}


@_control
def control_deposit(request, emulator, data):
    _post_only(request)
    return emulator.deposit(data["shop_order_no"], data.get("mall_id"))


@_control
def control_deposit_cancel(request, emulator, data):
    _post_only(request)
    return emulator.cancel_deposit(data["shop_order_no"], data.get("mall_id"))


@_control
def control_noti_url(request, emulator, data):
    _post_only(request)
    emulator.set_noti_url(
        data.get("url", ""),
        retry_seconds=data.get("retry_seconds"),
        max_retries=data.get("max_retries"),
        timeout=data.get("timeout"),
    )
    return emulator.noti_config()


@_control
def control_notis(request, emulator, data):
    return {"notis": emulator.notis()}


@_control
def control_resend_noti(request, emulator, data):
    _post_only(request)
    emulator.resend_noti(data["shop_order_no"], str(data["noti_type"]))
    return {"ok": True}


@_control
def control_advance_days(request, emulator, data):
    _post_only(request)
    return {"today": emulator.advance_days(int(data.get("days", 1)))}


@_control
def control_retrieve_status(request, emulator, data):
    if request.method == "POST":
        emulator.set_retrieve_status(str(data.get("reading", "")))
    return {"reading": emulator.retrieve_status()}


@_control
def control_console_cancel(request, emulator, data):
    _post_only(request)
    amount = data.get("amount")
    return emulator.console_cancel(
        data["shop_order_no"], None if amount is None else int(amount), data.get("mall_id")
    )


@_control
def control_refund_complete(request, emulator, data):
    """The bank pays a deferred refund out ("done": 노티 50) or refuses it ("bank_failure":
    노티 51); no outcome: as a refund_bank_failure fault chose."""
    _post_only(request)
    return emulator.complete_refund(
        data.get("shop_order_no"),
        cancel_pg_cno=data.get("cancel_pg_cno"),
        outcome=data.get("outcome"),
        mall_id=data.get("mall_id"),
    )


@_control
def control_refund_delay(request, emulator, data):
    if request.method == "POST":
        emulator.set_refund_delay(data.get("seconds"))
    return {"seconds": emulator.refund_delay()}


@_control
def control_easy_pay_method_code(request, emulator, data):
    if request.method == "POST":
        emulator.set_easy_pay_method_code(str(data.get("code", "")))
    return {"code": emulator.switch("easy_pay_method_code")}


@_control
def control_test_host(request, emulator, data):
    if request.method == "POST":
        if not isinstance(data.get("auto_void"), bool):
            raise ValueError("auto_void must be true or false")
        emulator.set_auto_void(data["auto_void"])
    return {"auto_void": emulator.auto_void()}
