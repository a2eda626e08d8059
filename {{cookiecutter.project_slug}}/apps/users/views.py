from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import throttle
from .forms import LoginForm, SignupForm

TOO_MANY_REQUESTS = 429


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account and log in at once; then back to where the buyer was (?next=)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and throttle.signup_blocked(request):
        # Nothing of the refused attempt is checked or kept.
        context = {
            "form": SignupForm(),
            "next": next_url,
            "blocked": throttle.signup_blocked_message(),
        }
        return render(request, "registration/signup.html", context, status=TOO_MANY_REQUESTS)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        throttle.record_signup(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("회원가입을 환영합니다."))
        return redirect(next_url or "home")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class LoginView(auth_views.LoginView):
    """Django's login with the throttle (apps/users/throttle.py): a refused address gets its
    reason in Korean and HTTP 429."""

    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = TOO_MANY_REQUESTS
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only, so no link or image can log you out) plus a page that asks
    first when someone opens the URL, and a message after."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/logout_confirm.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name)

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("로그아웃했습니다."))
        return response
