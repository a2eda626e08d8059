"""easypay's URLs, included by config/urls.py at payments/easypay/ (namespace "easypay")."""

from django.urls import path

from . import views

app_name = "easypay"

urlpatterns = [
    # The token is the payment's unguessable public_token, never its id (integrity rule 7).
    path("return/<str:token>/", views.payment_return, name="return"),
    path("noti/", views.notification, name="noti"),
]
