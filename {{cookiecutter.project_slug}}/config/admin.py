"""The shop's admin site: Django's, named after the shop, with the throttled login form
(apps/users/throttle.py)."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.users.forms import AdminLoginForm


class ShopAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    index_title = gettext_lazy("쇼핑몰 관리")

    # Properties, not class attributes: translated for each request's language.
    @property
    def site_header(self):
        return _("%(shop)s 관리") % {"shop": settings.SHOP_NAME}

    @property
    def site_title(self):
        return self.site_header
