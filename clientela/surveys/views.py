"""Staff pages of the surveys module: builder, invitations, staff entry, live results, follow-ups
and the satisfaction report."""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core.errors import DomainError
from clientela.core.forms import saved, show_service_error
from clientela.core.listing import RecordListView
from clientela.core.periods import Period, PeriodError
from clientela.core.permissions import has_perm, permission_required, require
from clientela.customers.models import Customer
from clientela.feedback import selectors as feedback_selectors

from . import charts, exports, report, selectors, services
from .filters import FollowUpFilter, InvitationFilter, ResponseFilter, SurveyFilter
from .forms import (
    AnswerForm,
    FollowUpForm,
    FollowUpTransitionForm,
    QuestionForm,
    ReportPeriodForm,
    StaffResponseForm,
    SurveyForm,
    VoidForm,
)
from .models import FollowUp, Question, Survey, SurveyInvitation, SurveyResponse
from .public_views import render_survey_page
from .states import FOLLOWUP
from .validation import AnswerErrors, clean_answers

LIVE_POLL_SECONDS = 5


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def customers_for(user: Any, perm: str):
    """The customers `user` may do `perm` for: all of them, or only their own accounts."""
    customers = selectors.customer_choices()
    if has_perm(user, perm, Customer(account_manager_id=None)):
        return customers
    return customers.filter(account_manager=user)


# --- surveys ----------------------------------------------------------------------------------


class SurveyListView(RecordListView):
    permission = "surveys.view"
    template_name = "surveys/survey_list.html"
    filterset_class = SurveyFilter
    sort_fields = {
        "title": "title",
        "status": "status",
        "touchpoint": "touchpoint",
        "responses": "response_count",
        "updated": "updated_at",
    }
    default_sort = "title"
    export_columns = staticmethod(exports.survey_columns)
    export_basename = "encuestas"

    def base_queryset(self):
        return selectors.survey_list(user=self.request.user, include_archived=self.request.GET.get("archived") == "1")


@permission_required("surveys.change")
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if survey := saved(
        request,
        form,
        lambda data: services.survey_create(actor=request.user, data=data),
        message=_("Survey created. Now add its questions."),
    ):
        return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


@permission_required("surveys.change")
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if saved(
        request,
        form,
        lambda data: services.survey_update(
            actor=request.user,
            survey=survey,
            data={k: v for k, v in data.items() if not form.fields[k].disabled},
            expected_version=form.expected_version(),
        ),
        message=_("Changes saved."),
    ):
        return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@permission_required("surveys.view")
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    version = services.working_version(survey)
    questions = selectors.version_questions(version)
    can_change = has_perm(request.user, "surveys.change", survey)
    editable = bool(version and version.is_draft and can_change and survey.archived_at is None)
    open_url = (
        request.build_absolute_uri(reverse("survey_public:open", args=[survey.open_link_key]))
        if survey.open_link_key
        else ""
    )
    context = {
        "survey": survey,
        "version": version,
        "questions": questions,
        "editable": editable,
        "can_change": can_change,
        "versions": selectors.survey_versions(survey),
        "open_url": open_url,
        "qr": charts.qr_svg(open_url, title=_("QR code of the open link of “%(title)s”") % {"title": survey.title})
        if open_url
        else "",
        "totals": selectors.survey_totals(survey),
        "ct_id": ContentType.objects.get_for_model(Survey).pk,
    }
    return render(request, "surveys/survey_detail.html", context)


def _survey_post(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    try:
        action(survey)
    except (DomainError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, success)
    return redirect(_safe_next(request, reverse("surveys:detail", args=[survey.pk])))


def _expected(request: HttpRequest) -> int | None:
    raw = request.POST.get("lock_version", "")
    return int(raw) if raw.isdigit() else None


@permission_required("surveys.change")
@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_publish(actor=request.user, survey=s, expected_version=_expected(request)),
        _("Survey published: its questions are now frozen and customers can answer it."),
    )


@permission_required("surveys.change")
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_close(actor=request.user, survey=s, expected_version=_expected(request)),
        _("Survey closed: it accepts no more answers. Its results stay available."),
    )


@permission_required("surveys.change")
@require_POST
def survey_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_reopen(actor=request.user, survey=s, expected_version=_expected(request)),
        _("Survey reopened."),
    )


@permission_required("surveys.change")
@require_POST
def survey_archive(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    try:
        services.survey_archive(actor=request.user, survey=survey)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("surveys:detail", pk=survey.pk)
    messages.success(request, _("Survey archived. Its responses are kept."))
    return redirect("surveys:list")


@permission_required("surveys.change")
@require_POST
def survey_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_new_version(actor=request.user, survey=s),
        _("New version started. Customers keep answering the published version until you publish this one."),
    )


@permission_required("surveys.change")
@require_POST
def survey_discard_draft(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_discard_draft(actor=request.user, survey=s),
        _("The unpublished version was discarded."),
    )


@permission_required("surveys.change")
@require_POST
def survey_open_link(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in {"enable", "disable", "renew"}:
        raise Http404
    messages_by_action = {
        "enable": _("Open link turned on: print the QR code or open it on a kiosk."),
        "disable": _("Open link turned off: its QR code no longer works."),
        "renew": _("Open link renewed: earlier QR codes no longer work."),
    }
    return _survey_post(
        request,
        pk,
        lambda s: services.survey_open_link(
            actor=request.user, survey=s, enabled=action != "disable", renew=action == "renew"
        ),
        messages_by_action[action],
    )


@permission_required("surveys.view")
def survey_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The open link's QR code as an SVG file to print."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    if not survey.open_link_key:
        raise Http404
    url = request.build_absolute_uri(reverse("survey_public:open", args=[survey.open_link_key]))
    response = HttpResponse(charts.qr_svg_document(url), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="qr-encuesta-{survey.pk}.svg"'
    return response


# --- questions (builder) ------------------------------------------------------------------------


def _draft_or_redirect(request: HttpRequest, survey: Survey):
    version = services.working_version(survey)
    if version is None or not version.is_draft:
        messages.error(request, _("The published questions are frozen: start a new version to change them."))
        return None
    return version


@permission_required("surveys.change")
def question_form(request: HttpRequest, pk: int, qpk: int | None = None) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    version = _draft_or_redirect(request, survey)
    if version is None:
        return redirect("surveys:detail", pk=survey.pk)
    question = get_object_or_404(Question, pk=qpk, version=version) if qpk else None
    earlier = version.questions.exclude(kind=Question.Kind.TEXT)
    if question is not None:
        earlier = earlier.filter(position__lt=question.position)
    form = QuestionForm(request.POST or None, earlier=earlier.order_by("position"), question=question)

    def save(data: dict[str, Any]) -> Question:
        # service_data() splits the choices and conditions typed one a line into lists.
        if question is None:
            return services.question_add(actor=request.user, survey=survey, data=form.service_data())
        return services.question_update(actor=request.user, question=question, data=form.service_data())

    if saved(request, form, save, message=_("Question saved.")):
        return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "survey": survey, "question": question, "version": version},
    )


@permission_required("surveys.change")
@require_POST
def question_delete(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    question = get_object_or_404(Question, pk=qpk, version__survey=survey)
    try:
        services.question_delete(actor=request.user, question=question)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Question deleted."))
    return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")


@permission_required("surveys.change")
@require_POST
def question_move(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    question = get_object_or_404(Question, pk=qpk, version__survey=survey)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.question_move(actor=request.user, question=question, offset=offset)
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("surveys:detail", args=[survey.pk]) + f"#question-{question.position + offset}")


@permission_required("surveys.view")
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey as the customer will see it; answers are checked but never saved."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    version = services.working_version(survey)
    questions = selectors.version_questions(version)
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    checked = False
    if request.method == "POST" and form.is_valid():
        try:
            clean_answers(questions, form.raw_answers(), enforce_required=True)
        except AnswerErrors as exc:
            form.show_errors(exc)
        else:
            checked = True
    return render_survey_page(request, survey=survey, form=form, preview=True, preview_checked=checked, version=version)


# --- invitations --------------------------------------------------------------------------------


class InvitationListView(RecordListView):
    permission = "surveys.view"
    template_name = "surveys/invitation_list.html"
    filterset_class = InvitationFilter
    sort_fields = {
        "created": "created_at",
        "customer": "customer__name",
        "survey": "survey__title",
        "status": "status",
        "expires": "expires_at",
    }
    default_sort = "-created"
    export_columns = staticmethod(exports.invitation_columns)
    export_basename = "invitaciones-encuesta"

    def base_queryset(self):
        return selectors.invitation_list(user=self.request.user)


@permission_required("surveys.view")
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    return render(
        request,
        "surveys/invitation_detail.html",
        {
            "invitation": invitation,
            "can_manage": has_perm(request.user, "surveys.invite", invitation),
            "ct_id": ContentType.objects.get_for_model(SurveyInvitation).pk,
        },
    )


@permission_required("surveys.invite")
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    require(request.user, "surveys.invite", invitation)
    try:
        services.invitation_cancel(actor=request.user, invitation=invitation, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation cancelled: its link no longer works."))
    return redirect("surveys:invitation", pk=invitation.pk)


@permission_required("surveys.invite")
def invite(request: HttpRequest) -> HttpResponse:
    """Choose a survey and a customer, then the contacts to invite (each with why they may not be)."""
    surveys = selectors.surveys_accepting()
    customers = customers_for(request.user, "surveys.invite")
    params = request.POST if request.method == "POST" else request.GET
    survey = surveys.filter(pk=params.get("survey")).first() if str(params.get("survey", "")).isdigit() else None
    customer = (
        customers.filter(pk=params.get("customer")).first() if str(params.get("customer", "")).isdigit() else None
    )
    rows = []
    if survey and customer:
        for contact in selectors.contacts_of(customer):
            rows.append(
                {"contact": contact, "reason": services.invitation_block_reason(survey=survey, contact=contact)}
            )
    if request.method == "POST" and survey and customer:
        require(request.user, "surveys.invite", customer)
        chosen = {int(v) for v in request.POST.getlist("contact") if v.isdigit()}
        invited, refused = [], []
        for row in rows:
            if row["contact"].pk not in chosen:
                continue
            try:
                services.invitation_create(actor=request.user, survey=survey, contact=row["contact"])
            except DomainError as exc:
                refused.append(str(exc))
            else:
                invited.append(str(row["contact"]))
        if invited:
            messages.success(
                request,
                _("Invitation sent to %(names)s. They receive it by e-mail in a moment.")
                % {"names": ", ".join(invited)},
            )
        for reason in refused:
            messages.error(request, reason)
        if not invited and not refused:
            messages.error(request, _("Choose at least one contact."))
        else:
            return redirect(_safe_next(request, f"{reverse('surveys:invitations')}?survey={survey.pk}"))
    return render(
        request,
        "surveys/invite.html",
        {
            "surveys": surveys,
            "customers": customers,
            "survey": survey,
            "customer": customer,
            "rows": rows,
            "next": _safe_next(request, ""),
        },
    )


# --- responses ----------------------------------------------------------------------------------


class ResponseListView(RecordListView):
    permission = "surveys.view"
    template_name = "surveys/response_list.html"
    filterset_class = ResponseFilter
    sort_fields = {
        "submitted": "submitted_at",
        "customer": "customer__name",
        "survey": "survey__title",
        "score": "headline_value",
        "channel": "channel",
    }
    default_sort = "-submitted"
    export_basename = "respuestas-encuesta"

    def export_columns(self) -> list:
        return exports.response_columns(selectors.max_question_position())

    def base_queryset(self):
        queryset = selectors.response_list(user=self.request.user)
        if self.request.GET.get("export"):
            queryset = queryset.prefetch_related("answers__question")
        return queryset


@permission_required("surveys.view")
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(user=request.user, pk=pk)
    followup = FollowUp.objects.filter(response=response).select_related("assigned_to").first()
    return render(
        request,
        "surveys/response_detail.html",
        {
            "response": response,
            "answers": selectors.response_answers(response),
            "followup": followup,
            "void_form": VoidForm(),
            "can_void": has_perm(request.user, "surveys.change", response) and response.archived_at is None,
            "ct_id": ContentType.objects.get_for_model(SurveyResponse).pk,
        },
    )


@permission_required("surveys.change")
@require_POST
def response_void(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(user=request.user, pk=pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        services.response_void(actor=request.user, response=response, note=form.cleaned_data["note"])
        messages.success(request, _("Response withdrawn: it no longer counts in any figure."))
    else:
        messages.error(request, _("Say why the response is withdrawn."))
    return redirect("surveys:response", pk=response.pk)


@permission_required("surveys.respond")
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff entry of answers taken by phone, on paper or in person, with their real date."""
    survey = get_object_or_404(selectors.surveys_with_version(), pk=pk)
    customers = customers_for(request.user, "surveys.respond")
    raw_customer = request.POST.get("customer") or request.GET.get("customer") or ""
    customer = customers.filter(pk=raw_customer).first() if raw_customer.isdigit() else None
    anonymous = raw_customer == "anonymous"
    if customer is None and not anonymous:
        return render(
            request, "surveys/response_start.html", {"survey": survey, "customers": customers, "selected": raw_customer}
        )
    if customer is not None:
        require(request.user, "surveys.respond", customer)
    questions = selectors.version_questions(survey.current_version)
    meta = StaffResponseForm(request.POST if request.method == "POST" else None, customer=customer)
    answers = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and meta.is_valid() and answers.is_valid():
        try:
            response = services.response_record(
                actor=request.user,
                survey=survey,
                raw=answers.raw_answers(),
                submitted_at=meta.cleaned_data["submitted_at"],
                channel=meta.cleaned_data["channel"],
                customer=customer,
                contact=meta.cleaned_data.get("contact"),
                complete=not meta.cleaned_data["incomplete"],
                note=meta.cleaned_data["note"],
                version=survey.current_version,
            )
        except AnswerErrors as exc:
            answers.show_errors(exc)
            messages.error(request, _("Some answers need attention: see the marked questions."))
        except (ValidationError, DomainError) as exc:
            show_service_error(meta, exc)
        else:
            messages.success(request, _("Response recorded."))
            if hasattr(response, "followup"):
                messages.info(request, _("The score is low: a follow-up was opened for the account manager."))
            return redirect(_safe_next(request, reverse("surveys:response", args=[response.pk])))
    return render(
        request,
        "surveys/response_form.html",
        {
            "survey": survey,
            "customer": customer,
            "meta": meta,
            "form": answers,
            "items": answers.items(),
            "next": _safe_next(request, ""),
        },
    )


# --- live results ---------------------------------------------------------------------------


@permission_required("surveys.view")
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    if request.headers.get("HX-Request"):
        # Polling: nothing new since the page's signature → 204, htmx leaves the page as it is.
        if request.GET.get("v") == selectors.live_signature(survey):
            return HttpResponse(status=204)
        return render(request, "surveys/survey_results.html#live", _results_context(survey))
    return render(request, "surveys/survey_results.html", _results_context(survey))


def _results_context(survey: Survey) -> dict[str, Any]:
    results = selectors.live_results(survey)
    return {
        "survey": survey,
        "r": results,
        "poll_seconds": LIVE_POLL_SECONDS,
        "live": survey.status == Survey.Status.PUBLISHED,
        "headline_chart": charts.distribution_chart_config(results.headline_rows, results.headline)
        if results.headline
        else None,
    }


# --- follow-ups -----------------------------------------------------------------------------


class FollowUpListView(RecordListView):
    permission = "surveys.view"
    template_name = "surveys/followup_list.html"
    filterset_class = FollowUpFilter
    sort_fields = {
        "due": "due_date",
        "customer": "customer__name",
        "status": "status",
        "created": "created_at",
        "score": "response__headline_value",
    }
    default_sort = "due"
    export_columns = staticmethod(exports.followup_columns)
    export_basename = "seguimientos-satisfaccion"

    def base_queryset(self):
        return selectors.followup_list(user=self.request.user)


@permission_required("surveys.view")
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get(user=request.user, pk=pk)
    can_work = has_perm(request.user, "surveys.followup", followup)
    form = FollowUpForm(request.POST or None, instance=followup)
    if not can_work:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        require(request.user, "surveys.followup", followup)
    if saved(
        request,
        form,
        lambda data: services.followup_update(
            actor=request.user, followup=followup, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect("surveys:followup", pk=followup.pk)
    return render(
        request,
        "surveys/followup_detail.html",
        {
            "followup": followup,
            "form": form,
            "can_work": can_work,
            "targets": FOLLOWUP.targets(followup.status),
            "answers": selectors.response_answers(followup.response),
            "complaint": feedback_selectors.feedback_for_source(followup.response).first(),
            "ct_id": ContentType.objects.get_for_model(FollowUp).pk,
        },
    )


@permission_required("feedback.add")
@require_POST
def followup_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn the dissatisfaction into a complaint (ISO 10002) in one click; the follow-up closes
    pointing to it. A second click goes to the complaint already opened."""
    followup = selectors.followup_get(user=request.user, pk=pk)
    require(request.user, "surveys.followup", followup)
    try:
        complaint, created = services.followup_to_complaint(actor=request.user, followup=followup)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("surveys:followup", pk=followup.pk)
    if created:
        messages.success(request, _("Complaint %(number)s opened from this follow-up.") % {"number": complaint.number})
    return redirect(complaint)


@permission_required("surveys.followup")
@require_POST
def followup_transition(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get(user=request.user, pk=pk)
    require(request.user, "surveys.followup", followup)
    form = FollowUpTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("surveys:followup", pk=followup.pk)
    try:
        services.followup_transition(
            actor=request.user,
            followup=followup,
            to=form.cleaned_data["to"],
            resolution=form.cleaned_data["resolution"],
            expected_version=form.cleaned_data.get("lock_version"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Follow-up updated."))
    return redirect("surveys:followup", pk=followup.pk)


# --- satisfaction report --------------------------------------------------------------------


def _report_period(request: HttpRequest) -> tuple[Period | None, ReportPeriodForm]:
    today = timezone.localdate()
    raw = request.GET.get("period") or Period.current_quarter(today).label
    form = ReportPeriodForm({"period": raw})
    if not form.is_valid():
        return None, form
    try:
        return Period.parse(form.cleaned_data["period"]), form
    except PeriodError as exc:
        form.add_error("period", str(exc))
        return None, form


def _period_options() -> list[str]:
    current = Period.current_quarter(timezone.localdate())
    return [p.label for p in reversed(current.last(8))]


@permission_required("surveys.report")
def report_page(request: HttpRequest) -> HttpResponse:
    period, form = _report_period(request)
    context: dict[str, Any] = {"form": form, "period_options": _period_options()}
    if period is not None:
        data = report.satisfaction_report(period=period)
        context.update(
            report=data,
            trend_chart=charts.trend_chart_config(data.trend),
            pchart_chart=charts.pchart_config(data.pchart),
        )
    return render(request, "surveys/report.html", context, status=200 if period else 400)


@permission_required("surveys.report")
def report_pdf(request: HttpRequest) -> HttpResponse:
    period, _form = _report_period(request)
    if period is None:
        raise Http404
    data = report.satisfaction_report(period=period)
    pdf = report.render_pdf(data, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="informe-satisfaccion-{period.label}.pdf"'
    return response


@permission_required("surveys.report")
def report_xlsx(request: HttpRequest) -> HttpResponse:
    period, _form = _report_period(request)
    if period is None:
        raise Http404
    data = report.satisfaction_report(period=period)
    response = HttpResponse(
        report.render_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="informe-satisfaccion-{period.label}.xlsx"'
    return response
