"""The shop's admin site: Django's, with the throttled login form (apps/users/throttle.py)."""

from django.contrib import admin

from apps.users.forms import AdminLoginForm


class ShopAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
