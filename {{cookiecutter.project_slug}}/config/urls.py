from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.payments.views import product_list
from config.views import healthz

# templates/404.html is Django's default 404 page; the 500 page gets the shop's name.
handler500 = "config.views.server_error"

urlpatterns = [
    # The home page is the shop's product list (also reachable as payments:products).
    path("", product_list, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Ours first: signup, and a logout that also answers GET with a confirmation page.
    path("accounts/", include("apps.users.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # DJANGO_ADMIN_URL (config/checks.py keeps it a well-formed path).
    path(settings.ADMIN_URL, admin.site.urls),
    # The payment window's return and KICC's 노티 (easypay/urls.py): the only CSRF-exempt URLs.
    path("payments/easypay/", include("easypay.urls")),
    path("", include("apps.payments.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # The local EasyPay emulator: EASYPAY_API_URL's default points here. Never mounted with
    # DEBUG off (easypay/emulator/README.md).
    urlpatterns += [path("__easypay__/", include("easypay.emulator.urls"))]
