"""Read-only admins for easypay's records: what was sent to and received from KICC.

They only read the database: no live PG call while rendering (DESIGN.md §2).
The shop's payment admin gets PaymentAdminMixin (added with the payment services).
"""

from django.contrib import admin

from .models import AdminAuditLog, Cancellation, Notification, PgCall


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """A record is evidence: nobody adds, edits or deletes it by hand."""

    list_select_related = ("payment",)

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


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRecordAdmin):
    list_display = (
        "received_at",
        "noti_type",
        "pg_cno",
        "cancel_pg_cno",
        "shop_order_no",
        "payment",
        "status",
        "remote_addr",
    )
    list_filter = ("noti_type", "status")
    search_fields = ("pg_cno", "cancel_pg_cno", "shop_order_no")
    date_hierarchy = "received_at"


@admin.register(Cancellation)
class CancellationAdmin(ReadOnlyRecordAdmin):
    list_display = (
        "created_at",
        "payment",
        "revise_type_code",
        "amount",
        "remaining_before",
        "remaining_after",
        "status",
        "origin",
        "requested_by",
        "cancel_pg_cno",
    )
    list_filter = ("status", "revise_type_code", "origin")
    list_select_related = ("payment", "requested_by")
    search_fields = ("payment__shop_order_no", "payment__pg_cno", "cancel_pg_cno")
    date_hierarchy = "created_at"


@admin.register(AdminAuditLog)
class AdminAuditLogAdmin(ReadOnlyRecordAdmin):
    list_display = ("created_at", "actor_repr", "action", "payment", "remote_addr")
    list_filter = ("action",)
    search_fields = ("actor_repr", "action", "payment__shop_order_no")
    date_hierarchy = "created_at"
