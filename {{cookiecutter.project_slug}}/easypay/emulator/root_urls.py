"""URLconf of the standalone server: only the emulator, at the root (KICC's paths)."""

from django.urls import include, path

urlpatterns = [path("", include("easypay.emulator.urls"))]

# The shop's 404 page needs the shop's URLs, which this server does not serve.
handler404 = "easypay.emulator.views.not_found"
