"""Sign-in, profile, language and API token pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services, twofactor
from .forms import CodeForm, ProfileForm, TokenForm
from .models import ApiToken, User

PENDING_USER = "2fa_pending_user"
PENDING_BACKEND = "2fa_pending_backend"
PENDING_NEXT = "2fa_pending_next"


class LoginView(auth_views.LoginView):
    """Password first; users with two-step sign-in then confirm a code before the session starts."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user.has_two_factor:
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_BACKEND] = user.backend
            self.request.session[PENDING_NEXT] = self.get_success_url()
            return redirect("accounts:login_verify")
        return super().form_valid(form)


def login_verify(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(user, form.cleaned_data["code"]):
            next_url = request.session.get(PENDING_NEXT) or "/"
            backend = request.session.get(PENDING_BACKEND)
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT):
                request.session.pop(key, None)
            auth_login(request, user, backend=backend)
            return redirect(next_url)
        if twofactor.attempts_left(user.pk) <= 0:
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT):
                request.session.pop(key, None)
            messages.error(request, _("Too many wrong codes. Sign in again in 15 minutes."))
            return redirect("accounts:login")
        form.add_error("code", _("The code is not valid. Check your phone's clock and try the current code."))
    return render(request, "accounts/login_verify.html", {"form": form})


@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_two_factor:
        return render(request, "accounts/twofactor_setup.html", {"enabled": True, "form": CodeForm()})
    secret = request.session.get("2fa_setup_secret") or twofactor.new_secret()
    request.session["2fa_setup_secret"] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.enable(user=user, secret=secret, code=form.cleaned_data["code"]):
            request.session.pop("2fa_setup_secret", None)
            messages.success(request, _("Two-step sign-in is on. You will be asked for a code when you sign in."))
            return redirect("accounts:profile")
        form.add_error("code", _("The code is not valid. Check your phone's clock and try the current code."))
    context = {
        "form": form,
        "qr": twofactor.provisioning_qr(user, secret),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": twofactor.required_for(user),
    }
    return render(request, "accounts/twofactor_setup.html", context)


@login_required
@require_POST
def twofactor_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if twofactor.required_for(request.user):
        messages.error(request, _("Your role requires two-step sign-in; it cannot be turned off."))
    elif form.is_valid() and twofactor.disable(user=request.user, code=form.cleaned_data["code"]):
        messages.success(request, _("Two-step sign-in is off."))
    else:
        messages.error(request, _("The code is not valid. Check your phone's clock and try the current code."))
    return redirect("accounts:profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/profile.html", {"form": form, "tokens": tokens, "token_form": TokenForm()})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the token name."))
        return redirect("accounts:profile")
    raw = services.token_issue(user=request.user, name=form.cleaned_data["name"])
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/profile.html",
        {"form": ProfileForm(instance=request.user), "tokens": tokens, "token_form": TokenForm(), "new_token": raw},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(user=request.user, token=token)
    messages.success(request, _("The token has been revoked; it no longer works."))
    return redirect("accounts:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
