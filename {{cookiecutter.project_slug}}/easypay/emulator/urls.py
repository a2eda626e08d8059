"""The emulator's URLs: KICC's own paths (docs/kicc-api.md §1), so a client only swaps the host.

Mounted under `__easypay__/` by config/urls.py when DEBUG is on, and at the root by the
standalone server (root_urls.py).
"""

from django.urls import path

from easypay.client import PATHS

from . import views

app_name = "easypay_emulator"

urlpatterns = [
    # The API endpoints at the client's PATHS (without their leading "/"): one table.
    path(PATHS["register"][1:], views.register, name="register"),
    path(PATHS["approve"][1:], views.approve, name="approve"),
    path(PATHS["revise"][1:], views.revise, name="revise"),
    path(PATHS["retrieve"][1:], views.retrieve, name="retrieve"),
    path("view/trades/cert-req.do", views.window, name="window"),
    # The window's own form target (not a KICC path: the real window is KICC's business).
    path("view/trades/cert-res.do", views.window_result, name="window_result"),
    path("_control/reset", views.control_reset, name="reset"),
    path("_control/faults", views.control_faults, name="faults"),
    path("_control/ledger/<str:shop_order_no>", views.control_ledger, name="ledger"),
    path("_control/requests", views.control_requests, name="requests"),
    path("_control/authenticate", views.control_authenticate, name="authenticate"),
    path("_control/deposit", views.control_deposit, name="deposit"),
    path("_control/deposit-cancel", views.control_deposit_cancel, name="deposit_cancel"),
    path("_control/noti-url", views.control_noti_url, name="noti_url"),
    path("_control/notis", views.control_notis, name="notis"),
    path("_control/resend-noti", views.control_resend_noti, name="resend_noti"),
    path("_control/advance-days", views.control_advance_days, name="advance_days"),
    path("_control/retrieve-status", views.control_retrieve_status, name="retrieve_status"),
    path("_control/console-cancel", views.control_console_cancel, name="console_cancel"),
    path("_control/refund-complete", views.control_refund_complete, name="refund_complete"),
    path("_control/refund-delay", views.control_refund_delay, name="refund_delay"),
    path(
        "_control/easy-pay-method-code",
        views.control_easy_pay_method_code,
        name="easy_pay_method_code",
    ),
    path("_control/test-host", views.control_test_host, name="test_host"),
]
