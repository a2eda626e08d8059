from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with the shop's own site as admin.site (config/admin.py), and the
    check that DJANGO_ADMIN_URL is a path it can live at (config/checks.py)."""

    default_site = "config.admin.ShopAdminSite"

    def ready(self):
        super().ready()
        from django.core.checks import Tags, register

        from .checks import check_admin_url

        register(check_admin_url, Tags.urls)
