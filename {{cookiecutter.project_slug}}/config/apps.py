from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with the shop's own site as admin.site (config/admin.py)."""

    default_site = "config.admin.ShopAdminSite"
