from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class UsersConfig(AppConfig):
    name = "apps.users"
    verbose_name = pgettext_lazy("plural", "사용자")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate

        from . import cache_table, throttle

        user_login_failed.connect(throttle.record_login_failure, dispatch_uid="users.throttle")
        post_migrate.connect(cache_table.create, sender=self, dispatch_uid="users.cache_table")
