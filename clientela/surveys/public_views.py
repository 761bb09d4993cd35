"""Public survey pages (no login): the invitation link /s/<token>/, its opt-out, and the open link
for kiosks and QR codes. Mobile first, work without JavaScript, in the survey's language; a bad,
used or expired link gets a friendly page, never an error."""

import hashlib
import re
import secrets
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from clientela.core.errors import DomainError

from . import selectors, services
from .forms import AnswerForm, OpenLinkTrapForm
from .models import Survey, SurveyInvitation
from .validation import AnswerErrors

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
OPEN_KEY = re.compile(r"^[A-Za-z0-9_-]{24}$")
RATE_WINDOW = 600  # seconds
BAD_LINK_LIMIT = 30  # unknown tokens per address and window
OPEN_VIEW_LIMIT = 300
OPEN_SEND_LIMIT = 30
NONCE_AGE = 4 * 3600


def _address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not a forwarded header a client could forge to dodge the limit.
    raw = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _over_limit(request: HttpRequest, bucket: str, limit: int, *, count: bool = True) -> bool:
    key = f"surveys:rate:{bucket}:{_address(request)}"
    if not count:
        return (cache.get(key) or 0) >= limit
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return False


def _private(response: HttpResponse, language: str) -> HttpResponse:
    # The token is in the address: never cache the page, never send it to another site, never index it.
    # ("same-origin", not "no-referrer": browsers would then send "Origin: null" and fail the CSRF check.)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, language: str, status: int = 200):
    with translation.override(language):
        html = render_to_string(template, {**context, "language": language}, request=request)
    return _private(HttpResponse(html, status=status), language)


def notice(request: HttpRequest, *, title: str, message: str, status: int, language: str = "") -> HttpResponse:
    language = language or translation.get_language() or "es"
    return _page(
        request, "surveys/public/notice.html", {"title": title, "message": message}, language=language, status=status
    )


def render_survey_page(
    request: HttpRequest,
    *,
    survey: Survey,
    form: AnswerForm,
    preview: bool = False,
    preview_checked: bool = False,
    version: Any = None,
    invitation: SurveyInvitation | None = None,
    kiosk: bool = False,
    nonce: str = "",
    status: int = 200,
) -> HttpResponse:
    with translation.override(survey.language):
        items = form.items()
    context = {
        "survey": survey,
        "form": form,
        "items": items,
        "errors": [item for item in items if item["field"].errors],
        "preview": preview,
        "preview_checked": preview_checked,
        "version": version or survey.current_version,
        "invitation": invitation,
        "kiosk": kiosk,
        "nonce": nonce,
        "opt_out_url": reverse("survey_public:opt_out", args=[invitation.token]) if invitation else "",
    }
    if form.is_bound and form.errors:
        status = 400 if status == 200 else status
    return _page(request, "surveys/public/answer.html", context, language=survey.language, status=status)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return notice(
        request,
        title=_("This link does not work"),
        message=_(
            "The address may be incomplete: open the link from the invitation e-mail again, or copy it whole. "
            "If it still does not work, the invitation may have been withdrawn."
        ),
        status=404,
    )


def _too_many(request: HttpRequest, language: str = "") -> HttpResponse:
    return notice(
        request,
        title=_("Please wait a few minutes"),
        message=_("We received too many requests from your connection. Try again in a few minutes."),
        status=429,
        language=language,
    )


def _find_invitation(request: HttpRequest, token: str) -> SurveyInvitation | HttpResponse:
    if _over_limit(request, "bad-link", BAD_LINK_LIMIT, count=False):
        return _too_many(request)
    invitation = None
    if TOKEN.match(token):
        invitation = (
            SurveyInvitation.objects.select_related("survey__current_version", "contact", "customer")
            .filter(token=token)
            .first()
        )
    if invitation is None:
        _over_limit(request, "bad-link", BAD_LINK_LIMIT)
        return _invalid_link(request)
    return invitation


def _unanswerable(request: HttpRequest, invitation: SurveyInvitation) -> HttpResponse | None:
    """A friendly page when the invitation cannot be answered, else None."""
    language = invitation.survey.language
    with translation.override(language):
        if invitation.status == SurveyInvitation.Status.RESPONDED:
            return redirect("survey_public:thanks", token=invitation.token)
        if invitation.contact.survey_opt_out_at is not None or invitation.status == SurveyInvitation.Status.CANCELLED:
            return notice(
                request,
                title=_("This invitation is no longer valid"),
                message=_("It was withdrawn. You will not receive more surveys if you asked not to."),
                status=410,
                language=language,
            )
        if not invitation.is_open:
            return notice(
                request,
                title=_("This survey has expired"),
                message=_("The invitation could be answered until %(date)s. Thank you for your interest.")
                % {"date": date_format(timezone.localtime(invitation.expires_at), "SHORT_DATE_FORMAT")},
                status=410,
                language=language,
            )
        if not invitation.survey.accepts_responses:
            return notice(
                request,
                title=_("This survey is closed"),
                message=_("It no longer accepts answers. Thank you for your interest."),
                status=410,
                language=language,
            )
    return None


def answer(request: HttpRequest, token: str) -> HttpResponse:
    found = _find_invitation(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    refusal = _unanswerable(request, invitation)
    if refusal is not None:
        return refusal
    survey = invitation.survey
    questions = selectors.version_questions(survey.current_version)
    with translation.override(survey.language):
        form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
        if request.method == "POST" and form.is_valid():
            try:
                services.response_submit(invitation=invitation, raw=form.raw_answers(), questions=questions)
            except AnswerErrors as exc:
                form.show_errors(exc)
            except DomainError:
                invitation.refresh_from_db()
                return _unanswerable(request, invitation) or _invalid_link(request)
            else:
                return redirect("survey_public:thanks", token=invitation.token)
        if request.method == "GET":
            services.mark_opened(invitation)
        return render_survey_page(request, survey=survey, form=form, invitation=invitation)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    found = _find_invitation(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    if invitation.status != SurveyInvitation.Status.RESPONDED:
        return redirect("survey_public:answer", token=invitation.token)
    survey = invitation.survey
    return _page(
        request,
        "surveys/public/thanks.html",
        {"survey": survey, "opt_out_url": reverse("survey_public:opt_out", args=[invitation.token])},
        language=survey.language,
    )


@csrf_exempt  # mail programs send the one-click opt-out (RFC 8058) as a bare POST; the token authorises it
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    found = _find_invitation(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    language = invitation.survey.language
    done = invitation.contact.survey_opt_out_at is not None
    if request.method == "POST" and not done:
        services.invitation_opt_out(invitation=invitation)
        done = True
    return _page(
        request,
        "surveys/public/opt_out.html",
        {"invitation": invitation, "done": done, "survey": invitation.survey},
        language=language,
    )


# --- open link (kiosk, QR code): anonymous answers ----------------------------------------------


def _open_survey(request: HttpRequest, key: str) -> Survey | HttpResponse:
    survey = None
    if OPEN_KEY.match(key):
        survey = Survey.objects.select_related("current_version").filter(open_link_key=key).first()
    if survey is None:
        _over_limit(request, "bad-link", BAD_LINK_LIMIT)
        return _invalid_link(request)
    if not survey.accepts_responses:
        return notice(
            request,
            title=_("This survey is closed"),
            message=_("It no longer accepts answers. Thank you for your interest."),
            status=410,
            language=survey.language,
        )
    return survey


def _new_nonce() -> str:
    return signing.dumps(secrets.token_hex(12), salt="surveys.open")


def open_survey(request: HttpRequest, key: str) -> HttpResponse:
    if _over_limit(request, "bad-link", BAD_LINK_LIMIT, count=False):
        return _too_many(request)
    found = _open_survey(request, key)
    if isinstance(found, HttpResponse):
        return found
    survey = found
    bucket, limit = ("open-send", OPEN_SEND_LIMIT) if request.method == "POST" else ("open-view", OPEN_VIEW_LIMIT)
    if _over_limit(request, f"{bucket}:{survey.pk}", limit):
        return _too_many(request, survey.language)
    questions = selectors.version_questions(survey.current_version)
    with translation.override(survey.language):
        form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
        if request.method == "POST":
            trap = OpenLinkTrapForm(request.POST)
            if trap.is_valid() and trap.cleaned_data["website"]:
                return redirect("survey_public:open_thanks", key=key)  # a robot: thanked, not stored
            try:
                nonce = signing.loads(request.POST.get("nonce", ""), salt="surveys.open", max_age=NONCE_AGE)
            except signing.BadSignature:
                nonce = None
            if nonce is not None and form.is_valid():
                # One response per page shown: a double click or a resend of the same page stores nothing new.
                if not cache.add(f"surveys:nonce:{nonce}", 1, NONCE_AGE):
                    return redirect("survey_public:open_thanks", key=key)
                try:
                    services.response_submit_open(survey=survey, raw=form.raw_answers())
                except AnswerErrors as exc:
                    cache.delete(f"surveys:nonce:{nonce}")
                    form.show_errors(exc)
                except DomainError:
                    return notice(
                        request,
                        title=_("This survey is closed"),
                        message=_("It no longer accepts answers. Thank you for your interest."),
                        status=410,
                        language=survey.language,
                    )
                else:
                    return redirect("survey_public:open_thanks", key=key)
            elif nonce is None:
                form.add_error(None, _("The page had been open for a long time: please send your answers again."))
        return render_survey_page(request, survey=survey, form=form, kiosk=True, nonce=_new_nonce())


def open_thanks(request: HttpRequest, key: str) -> HttpResponse:
    found = _open_survey(request, key)
    if isinstance(found, HttpResponse):
        return found
    return _page(
        request,
        "surveys/public/thanks.html",
        {"survey": found, "kiosk": True, "again_url": reverse("survey_public:open", args=[key])},
        language=found.language,
    )
