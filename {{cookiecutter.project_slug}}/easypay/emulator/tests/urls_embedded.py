"""A URLconf that mounts the emulator regardless of DEBUG: to test the views' own guard."""

from django.urls import include, path

urlpatterns = [path("__easypay__/", include("easypay.emulator.urls"))]
