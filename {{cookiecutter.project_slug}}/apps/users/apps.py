from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class UsersConfig(AppConfig):
    name = "apps.users"
    verbose_name = pgettext_lazy("plural", "사용자")
