"""A URLconf that mounts the emulator regardless of DEBUG: to test the views' own guard."""

from django.urls import include, path

urlpatterns = [path("__easypay__/", include("easypay.emulator.urls"))]

# The shop's 404 page links to the shop's URLs, which are not mounted here.
handler404 = "easypay.emulator.views.not_found"
