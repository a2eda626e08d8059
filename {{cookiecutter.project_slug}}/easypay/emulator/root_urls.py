"""URLconf of the standalone server: only the emulator, at the root (KICC's paths)."""

from django.urls import include, path

urlpatterns = [path("", include("easypay.emulator.urls"))]
