"""Activate the signed-in user's preferred language."""

from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class TwoFactorEnforcementMiddleware:
    """Sends users whose role requires two-step sign-in to set it up before anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/api/", "/s/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect

        from .twofactor import required_for

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.has_two_factor
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and required_for(user)
        ):
            return redirect("accounts:twofactor_setup")
        return self.get_response(request)
