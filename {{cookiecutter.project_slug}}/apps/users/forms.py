from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from . import throttle

User = get_user_model()


class ThrottledLoginMixin:
    """Refuses, before any password is checked, an address that failed too often
    (apps/users/throttle.py); Django's form counts each failure through user_login_failed."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if self.request is not None and username and throttle.login_blocked(self.request, username):
            raise forms.ValidationError(throttle.login_blocked_message(), code="throttled")
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class SignupForm(UserCreationForm):
    """Username, email and the mobile number payment notifications go to (the receivers in
    apps/payments/signals.py read ``payment.user.phone``)."""

    email = forms.EmailField(label=_("이메일"), max_length=254)
    # Wider than the model's 11 digits so "010-1234-5678" gets to clean_phone; the model's
    # validator checks what remains.
    phone = forms.CharField(
        label=User._meta.get_field("phone").verbose_name,
        help_text=User._meta.get_field("phone").help_text,
        max_length=20,
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "tel", "placeholder": "01012345678"}
        )
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    def clean_phone(self):
        # "010-1234-5678" is how people write it; the model (and text gateways) want digits only.
        # The model's validator still decides whether what remains is a Korean mobile number.
        return "".join(self.cleaned_data["phone"].split()).replace("-", "")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("이미 가입된 이메일입니다."), code="email_taken")
        return email
