from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Korean mobile numbers, digits only, 10–11 long (01012345678): what message gateways take.
phone_validator = RegexValidator(
    r"^01[016789]\d{7,8}$",
    _("휴대폰 번호를 숫자만 입력하세요. 예: 01012345678"),
)


class User(AbstractUser):
    """The shop's user: Django's user plus a mobile number for payment notifications."""

    phone = models.CharField(
        _("휴대폰 번호"),
        max_length=11,
        blank=True,
        validators=[phone_validator],
        help_text=_("결제 알림 문자를 받을 번호 (숫자만)"),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # The stubs type these str; Django's own AbstractUser.Meta sets lazy ones too.
        verbose_name = _("사용자")  # type: ignore[assignment]
        verbose_name_plural = pgettext_lazy("plural", "사용자")  # type: ignore[assignment]
