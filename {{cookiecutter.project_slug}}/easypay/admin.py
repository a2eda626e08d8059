"""easypay's admin: PaymentAdminMixin for the shop's payment admin, and read-only admins for
the records of what was sent to and received from KICC.

Every page here only reads the database: no live PG call while rendering. The PG is called
only by the actions a staff member submits (reconcile, confirmed cancel): see
docs/payment-lifecycle.md, "How the code is divided".
"""

from collections.abc import Callable
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, ClassVar

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import admin_views, display, methods, totals
from .exports import csv_response
from .models import AdminAuditLog, Announcement, Cancellation, Notification, PgCall
from .services import manual


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """A record is evidence: nobody adds, edits or deletes it by hand."""

    list_select_related: ClassVar[tuple[str, ...]] = ("payment",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PgCall)
class PgCallAdmin(ReadOnlyRecordAdmin):
    list_display = (
        "created_at",
        "kind",
        "payment",
        "shop_transaction_id",
        "request_date",
        "outcome",
        "res_cd",
        "http_status",
        "latency_ms",
    )
    list_filter = ("kind", "outcome", "request_date")
    search_fields = ("shop_transaction_id", "payment__shop_order_no", "payment__pg_cno", "res_cd")
    date_hierarchy = "created_at"


class SettledByHandMixin:
    """A "settle by hand" page for the records KICC can no longer be asked about: the URL,
    and a link in the list and on the record's page while it can be used."""

    # An admin_views function (model_admin, request, object_id).
    settle_view: Callable[..., HttpResponse] | None = None

    def get_urls(self):
        opts = self.opts
        view = self.admin_site.admin_view(partial(type(self).settle_view, self))
        return [
            path(
                "<path:object_id>/settle/",
                update_wrapper(view, type(self).settle_view),
                name=f"{opts.app_label}_{opts.model_name}_settle",
            ),
            *super().get_urls(),
        ]

    def can_settle(self, record) -> bool:
        raise NotImplementedError

    @admin.display(description=_("직접 확인"))
    def settle_link(self, record):
        if not self.can_settle(record):
            return "-"
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_settle", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _("KICC 관리자 화면과 대조해 처리"))


@admin.register(Notification)
class NotificationAdmin(SettledByHandMixin, ReadOnlyRecordAdmin):
    list_display = (
        "received_at",
        "noti_type",
        "pg_cno",
        "cancel_pg_cno",
        "shop_order_no",
        "payment",
        "status",
        "remote_addr",
        "settle_link",
    )
    list_filter = ("noti_type", "status")
    search_fields = ("pg_cno", "cancel_pg_cno", "shop_order_no")
    date_hierarchy = "received_at"
    exclude = ("raw_body",)
    readonly_fields = ("body_text", "settle_link")
    settle_view = admin_views.settle_notification_view

    def can_settle(self, record) -> bool:
        return record.status == Notification.Status.HELD and record.payment_id is not None

    @admin.display(description=_("원문"))
    def body_text(self, record):
        # A 노티 carries what pages never show in full (a mobile payment's mobileNo, §8.1):
        # masked as PgCall bodies are. The stored raw_body stays as KICC sent it.
        return format_html("<pre>{}</pre>", record.shown_body())


def _won(amount):
    """An amount column in won (12,345원); None (not known yet) shows as the admin's "-"."""
    return None if amount is None else display.krw(amount)


class CancellationAmounts:
    """A cancellation's amounts in won, and a refund's account masked, for its list, its page
    and the payment page's inline."""

    @admin.display(description=_("취소 금액"), ordering="amount")
    def amount_krw(self, cancellation):
        return _won(cancellation.amount)

    @admin.display(description=_("취소 전 잔액"), ordering="remaining_before")
    def remaining_before_krw(self, cancellation):
        return _won(cancellation.remaining_before)

    @admin.display(description=_("취소 후 잔액"), ordering="remaining_after")
    def remaining_after_krw(self, cancellation):
        return _won(cancellation.remaining_after)

    @admin.display(description=_("환불 계좌"))
    def refund_account(self, cancellation):
        """Bank and masked number: the full number is kept only to ask KICC about the refund
        again (refundQueryFlag), never shown."""
        if not cancellation.refund_account_no:
            return "-"
        shown = f"{methods.bank_name(cancellation.refund_bank_code)} "
        shown += cancellation.refund_account_masked
        holder = cancellation.refund_depositor_name
        return f"{shown} ({holder})" if holder else shown


@admin.register(Cancellation)
class CancellationAdmin(SettledByHandMixin, CancellationAmounts, ReadOnlyRecordAdmin):
    list_display = (
        "created_at",
        "payment",
        "revise_type_code",
        "amount_krw",
        "remaining_before_krw",
        "remaining_after_krw",
        "status",
        "origin",
        "requested_by",
        "cancel_pg_cno",
        "settle_link",
    )
    list_filter = ("status", "revise_type_code", "origin")
    list_select_related = ("payment", "requested_by", "pg_call")
    search_fields = ("payment__shop_order_no", "payment__pg_cno", "cancel_pg_cno")
    date_hierarchy = "created_at"
    exclude = ("refund_account_no",)  # shown masked: refund_account
    readonly_fields = ("refund_account", "settle_link")
    settle_view = admin_views.settle_cancellation_view

    def can_settle(self, record) -> bool:
        return manual.can_settle_by_hand(record)


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyRecordAdmin):
    list_display = ("created_at", "signal", "payment", "sent_at", "attempts")
    list_filter = ("signal",)
    search_fields = ("payment__shop_order_no",)
    date_hierarchy = "created_at"


@admin.register(AdminAuditLog)
class AdminAuditLogAdmin(ReadOnlyRecordAdmin):
    list_display = ("created_at", "actor_repr", "action", "payment", "remote_addr")
    list_filter = ("action",)
    search_fields = ("actor_repr", "action", "payment__shop_order_no")
    date_hierarchy = "created_at"


# ------------------------------------------------------------------------------
# The shop's payment admin
# ------------------------------------------------------------------------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CancellationInline(CancellationAmounts, _ReadOnlyInline):
    model = Cancellation
    fk_name = "payment"
    fields = (
        "created_at",
        "revise_type_code",
        "amount_krw",
        "remaining_after_krw",
        "status",
        "origin",
        "requested_by",
        "reason",
        "refund_account",
        "cancel_pg_cno",
    )

    def get_queryset(self, request):
        # requested_by is a column: one user query per row without the join.
        return super().get_queryset(request).select_related("requested_by")


class PgCallInline(_ReadOnlyInline):
    model = PgCall
    fk_name = "payment"
    fields = (
        "created_at",
        "kind",
        "shop_transaction_id",
        "request_date",
        "outcome",
        "res_cd",
        "res_msg",
        "http_status",
        "latency_ms",
    )


class NotificationInline(_ReadOnlyInline):
    model = Notification
    fk_name = "payment"
    fields = ("received_at", "noti_type", "pg_cno", "cancel_pg_cno", "status", "remote_addr")


class PayMethodFilter(admin.SimpleListFilter):
    """The payment method by its name (신용카드, 가상계좌, ...), not KICC's code (§10.1), and as
    the 결제수단 column names it (MethodDetails.method_code): a wallet payment KICC reports as
    a card (11 with a cpCode) is listed under 간편 결제, not under 신용카드."""

    title = _("결제수단")
    parameter_name = "pay_method_type_code"
    codes = (*methods.WINDOW_METHODS, methods.POINTS, methods.PREPAID)

    def lookups(self, request, model_admin):
        # Every method there is, not the ones paid with: no query over all payments per page.
        return [(code, display.pay_method_label(code)) for code in self.codes]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        # MethodDetails.as_dict() keeps only non-empty values: a cp_code key is a wallet.
        wallet = Q(method_details__has_key="cp_code")
        if code == methods.EASY_PAY:
            return queryset.filter(Q(pay_method_type_code=code) | wallet)
        return queryset.filter(pay_method_type_code=code).exclude(wallet)


if TYPE_CHECKING:  # the mixin's options and methods are ModelAdmin's, overridden
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class PaymentAdminMixin(_ModelAdmin):
    """Mix into the shop's payment ModelAdmin (before admin.ModelAdmin):

        @admin.register(Payment)
        class PaymentAdmin(PaymentAdminMixin, admin.ModelAdmin): ...

    Read-only payments with status badges, KRW amounts, masked cards and the PG records
    inline; actions "reconcile now", "cancel" (behind a confirmation page and the
    ``<app_label>.cancel_<model>`` permission) and CSV export; today / week / month totals in
    KST above the list. Shop-specific columns (buyer, product) are added by the subclass.
    """

    change_list_template = "admin/easypay/payment/change_list.html"
    change_form_template = "admin/easypay/payment/change_form.html"
    list_display: tuple[str, ...] = (
        "shop_order_no",
        "status_badge",
        "amount_krw",
        "cancelled_krw",
        "pay_method",
        "card_masked",
        "pg_cno",
        "created_kst",
    )
    list_filter: ClassVar[tuple[str | type[admin.ListFilter], ...]]
    list_filter = ("status", PayMethodFilter, "created_at")
    search_fields: ClassVar[tuple[str, ...]]
    search_fields = ("shop_order_no", "pg_cno", "approval_no", "authorization_id")
    date_hierarchy = "created_at"
    inlines = (CancellationInline, PgCallInline, NotificationInline)
    actions = ("reconcile_selected", "cancel_selected", "export_csv")
    csv_name = "payments"
    reconcile_limit = 20

    # --- columns -----------------------------------------------------------------
    @admin.display(description=_("상태"), ordering="status")
    def status_badge(self, payment):
        # Colours in easypay/static/easypay/admin.css: the CSP refuses style="" attributes.
        return format_html(
            '<span class="easypay-status easypay-status-{}">{}</span>',
            payment.status,
            payment.get_status_display(),
        )

    @admin.display(description=_("결제 금액"), ordering="amount")
    def amount_krw(self, payment):
        return display.krw(payment.amount)

    @admin.display(description=_("취소 금액"), ordering="cancelled_amount")
    def cancelled_krw(self, payment):
        return display.krw(payment.cancelled_amount) if payment.cancelled_amount else "-"

    @admin.display(description=_("잔액"))
    def remaining_krw(self, payment):
        return display.krw(payment.balance)

    @admin.display(description=_("결제수단"), ordering="pay_method_type_code")
    def pay_method(self, payment):
        # The method with its own details (wallet, bank, carrier and masked number).
        return payment.method.describe() or "-"

    @admin.display(description=_("카드번호"))
    def card_masked(self, payment):
        return display.masked_card(payment.card_no_masked) or "-"

    @admin.display(description=_("생성 시각 (KST)"), ordering="created_at")
    def created_kst(self, payment):
        return display.kst_datetime(payment.created_at)

    # --- the change page: everything read-only ------------------------------------
    payment_fieldsets = (
        (None, {"fields": ("shop_order_no", "status_badge", "goods_name")}),
        (
            _("금액"),
            {"fields": ("amount_krw", "cancelled_krw", "remaining_krw")},
        ),
        (
            _("PG"),
            {
                "fields": (
                    "pg_cno",
                    "authorization_id",
                    "pay_method",
                    "approval_no",
                    "card_masked",
                    "card_issuer_name",
                    "auth_page_url",
                )
            },
        ),
        (
            _("가상계좌"),
            {
                "classes": ("collapse",),
                "fields": (
                    "va_bank_name",
                    "va_account_no",
                    "va_depositor_name",
                    "va_expires_at",
                ),
            },
        ),
        (_("실패"), {"classes": ("collapse",), "fields": ("failure_code", "failure_message")}),
        (
            _("시각"),
            {
                "fields": (
                    "created_at",
                    "registered_at",
                    "approving_at",
                    "paid_at",
                    "cancelled_at",
                    "failed_at",
                    "updated_at",
                )
            },
        ),
        (_("구매 요청"), {"classes": ("collapse",), "fields": ("client_ip", "user_agent")}),
    )
    # Shown as their formatted versions above; the raw columns would say the same, unmasked.
    _shown_formatted = {
        "amount",
        "cancelled_amount",
        "status",
        "card_no_masked",
        "pay_method_type_code",
        "method_details",
        "va_bank_code",
        "public_token",
    }

    def get_fieldsets(self, request, obj=None):
        listed = {f for _name, options in self.payment_fieldsets for f in options["fields"]}
        extra = [
            field.name
            for field in self.model._meta.fields
            if field.name not in listed
            and field.name not in self._shown_formatted
            and not field.primary_key
        ]
        if extra:
            # The shop's own columns (buyer, product, ...) first: they say whose payment it is.
            return ((_("주문"), {"fields": extra}), *self.payment_fieldsets)
        return self.payment_fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Everything was decided by the payment flow or told by the PG: an edit here would make
        # the shop's books disagree with KICC's. Status changes go through easypay.services.
        return [
            *(field.name for field in self.model._meta.fields),
            "status_badge",
            "amount_krw",
            "cancelled_krw",
            "remaining_krw",
            "pay_method",
            "card_masked",
        ]

    def has_add_permission(self, request):
        return False  # a payment exists only through checkout

    def has_delete_permission(self, request, obj=None):
        return False  # payment records are the shop's books

    def save_model(self, request, obj, form, change):
        # Nothing is editable; saving the loaded row would write back stale columns over a
        # status the services changed meanwhile.
        pass

    def save_related(self, request, form, formsets, change):
        pass

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The buttons above the payment, from the payment the page already loaded.
        payment = obj
        context = {
            **context,
            "can_cancel_payment": bool(
                payment
                and self.has_cancel_permission(request)
                and admin_views.can_be_cancelled(payment)
            ),
            "can_refund_payment": bool(
                payment
                and self.has_cancel_permission(request)
                and admin_views.can_be_refunded(payment)
            ),
            "can_reconcile_payment": bool(payment and self.has_reconcile_permission(request)),
            "can_settle_approval": bool(
                payment
                and admin_views.may_settle_by_hand(request, payment)
                and manual.can_settle_approval_by_hand(payment)
            ),
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "payment_totals": totals.payment_totals(self.model._default_manager.all()),
        }
        return super().changelist_view(request, extra_context)

    # --- permissions ---------------------------------------------------------------
    def has_cancel_permission(self, request, obj=None):
        """The model's custom "cancel" permission, e.g. payments.cancel_payment (결제 취소 가능)."""
        return request.user.has_perm(admin_views.cancel_perm(self.opts))

    def has_reconcile_permission(self, request, obj=None):
        # Reconcile only brings the books in line with what the PG says; anyone who may look
        # at payments may ask.
        return self.has_view_permission(request, obj)

    # --- URLs: the confirmation page and "reconcile now" ----------------------------
    def get_urls(self):
        opts = self.opts

        def wrap(view):
            return self.admin_site.admin_view(update_wrapper(partial(view, self), view))

        info = opts.app_label, opts.model_name
        return [
            path(
                "<path:object_id>/cancel/",
                wrap(admin_views.cancel_view),
                name="{}_{}_cancel".format(*info),
            ),
            path(
                "<path:object_id>/refund/",
                wrap(admin_views.refund_view),
                name="{}_{}_refund".format(*info),
            ),
            path(
                "<path:object_id>/reconcile/",
                wrap(admin_views.reconcile_view),
                name="{}_{}_reconcile".format(*info),
            ),
            path(
                "<path:object_id>/settle/",
                wrap(admin_views.settle_approval_view),
                name="{}_{}_settle".format(*info),
            ),
            *super().get_urls(),
        ]

    # --- actions -------------------------------------------------------------------
    @admin.action(description=_("PG에 결제 상태 다시 확인 (대사)"), permissions=["reconcile"])
    def reconcile_selected(self, request, queryset):
        # One PG call (or two) per payment, made while the staff member waits: keep it short.
        # easypay_reconcile is the tool for everything at once.
        payments = list(queryset[: self.reconcile_limit + 1])
        if len(payments) > self.reconcile_limit:
            self.message_user(
                request,
                _("한 번에 %(limit)s건까지 확인할 수 있습니다.") % {"limit": self.reconcile_limit},
                messages.ERROR,
            )
            return
        admin_views.reconcile_payments(self, request, payments)

    @admin.action(description=_("결제 취소 (전체 또는 부분)"), permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        payments = list(queryset[:2])
        if len(payments) != 1:
            self.message_user(
                request,
                _("취소는 한 번에 한 건씩 확인합니다. 결제 하나만 고르세요."),
                messages.ERROR,
            )
            return None
        opts = self.opts
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_cancel",
                args=[payments[0].pk],
                current_app=self.admin_site.name,
            )
        )

    @admin.action(description=_("CSV로 내보내기"), permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(queryset, self.get_csv_columns(request), name=self.csv_name)

    def get_csv_columns(self, request):
        """(header, value) pairs; the shop's admin adds its own (buyer, product)."""
        return [
            (_("주문번호"), lambda p: p.shop_order_no),
            (_("상태"), lambda p: p.get_status_display()),
            (_("상품명"), lambda p: p.goods_name),
            (_("결제 금액"), lambda p: p.amount),
            (_("취소 금액"), lambda p: p.cancelled_amount),
            (_("잔액"), lambda p: p.balance),
            (_("결제수단"), lambda p: p.method.describe()),
            (_("PG 거래번호"), lambda p: p.pg_cno),
            (_("승인번호"), lambda p: p.approval_no),
            (_("카드번호 (마스킹)"), lambda p: display.masked_card(p.card_no_masked)),
            (_("카드사"), lambda p: p.card_issuer_name),
            (_("생성 시각 (KST)"), lambda p: display.kst_datetime(p.created_at)),
            (_("결제 완료 시각 (KST)"), lambda p: display.kst_datetime(p.paid_at)),
            (_("취소 시각 (KST)"), lambda p: display.kst_datetime(p.cancelled_at)),
            (_("실패 사유"), lambda p: p.failure_message),
        ]
