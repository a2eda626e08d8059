from django.apps import AppConfig


class DevServerConfig(AppConfig):
    name = "easypay.devserver"
    label = "easypay_devserver"
    verbose_name = "EasyPay dev server"
