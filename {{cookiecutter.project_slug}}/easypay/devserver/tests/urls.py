"""The emulator and easypay's own URLs, mounted whatever DEBUG says: what follow() reverses."""

from django.urls import include, path

urlpatterns = [
    path("payments/easypay/", include("easypay.urls")),
    path("__easypay__/", include("easypay.emulator.urls")),
]
