"""A URLconf for easypay's view tests: easypay's URLs and a stand-in for the shop's result page
(easypay knows no shop URLs; the shop's Payment.get_absolute_url reverses payments:detail)."""

from django.http import HttpResponse
from django.urls import include, path


def result_page(request, token):
    return HttpResponse(token)


shop = ([path("p/<str:token>/", result_page, name="detail")], "payments")

urlpatterns = [
    path("payments/easypay/", include("easypay.urls")),
    path("", include(shop)),
]
