"""A URLconf for easypay's view tests: easypay's URLs and a stand-in for the shop's result page
(easypay knows no shop URLs; the shop's Payment.get_absolute_url reverses payments:detail)."""

from django.http import HttpResponse, HttpResponseNotFound
from django.urls import include, path


def result_page(request, token):
    return HttpResponse(token)


def not_found(request, exception=None):
    # The shop's 404 page (templates/404.html) links to the shop's URLs, which are not here.
    return HttpResponseNotFound("Not Found")


handler404 = not_found

shop = ([path("p/<str:token>/", result_page, name="detail")], "payments")

urlpatterns = [
    path("payments/easypay/", include("easypay.urls")),
    path("", include(shop)),
]
