from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

User = get_user_model()


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
