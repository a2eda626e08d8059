from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EasypayConfig(AppConfig):
    name = "easypay"
    verbose_name = _("이지페이")

    def ready(self):
        # Registers the fail-closed configuration checks (missing keys, emulator URL in production).
        from easypay import checks  # noqa: F401
