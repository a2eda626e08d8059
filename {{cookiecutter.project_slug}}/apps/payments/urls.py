from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.product_list, name="products"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/<int:pk>/checkout/", views.checkout, name="checkout"),
    path("p/<str:token>/", views.payment_detail, name="detail"),
    path("p/<str:token>/receipt/", views.receipt, name="receipt"),
    path("mine/", views.my_payments, name="mine"),
]
