"""Complaint pages: the inbox, the board, intake, the complaint with its steps, the public form
and the SLA settings."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.core import calendar as cal
from clientela.core import exporting
from clientela.core.calendar import default_calendar
from clientela.core.errors import ConflictError, DomainError
from clientela.core.forms import show_service_error as show_model_form_error
from clientela.core.listing import RecordListView
from clientela.core.models import CalendarDay
from clientela.core.periods import Period, PeriodError
from clientela.core.permissions import has_perm, permission_required, require

from . import selectors, services, sla, states
from .filters import FeedbackFilter
from .forms import (
    AnswerForm,
    AssignForm,
    CalendarDayForm,
    CalendarForm,
    CategoryFormSet,
    FeedbackForm,
    PublicFeedbackForm,
    SlaTargetFormSet,
    StatusLookupForm,
    step_form,
)
from .models import Feedback, SlaTarget

S = Feedback.Status
PUBLIC_LIMIT = 5  # submissions per address per hour
LOOKUP_LIMIT = 20  # status look-ups per address per hour
RECEIPT_SALT = "clientela.feedback.receipt"


def show_service_error(form, exc) -> None:
    """Show a service's refusal on a form; a step form has no record, so a conflict is a message."""
    if isinstance(exc, ConflictError) and not hasattr(form, "instance"):
        form.add_error(None, str(exc))
    else:
        show_model_form_error(form, exc)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("lock_version", "")
    return int(raw) if raw.isdigit() else None


# --- inbox ----------------------------------------------------------------------------------------


def export_columns() -> list[exporting.Column]:
    now = timezone.now()

    def sla_label(f: Feedback) -> str:
        state = sla.state(f, now)
        return str(state.label) if state else ""

    return [
        exporting.Column("number", _("Number"), lambda f: f.number, 14),
        exporting.Column("kind", _("Kind"), lambda f: f.get_kind_display(), 12),
        exporting.Column("received_at", _("Received at"), lambda f: f.received_at),
        exporting.Column(
            "customer", _("Customer"), lambda f: f.customer.name if f.customer_id else f.submitter_organisation, 30
        ),
        exporting.Column("channel", _("Channel"), lambda f: f.get_channel_display(), 10),
        exporting.Column("subject", _("Subject"), lambda f: f.subject, 40),
        exporting.Column("category", _("Category"), lambda f: f.category.name if f.category_id else ""),
        exporting.Column("severity", _("Severity"), lambda f: f.get_severity_display(), 10),
        exporting.Column("status", _("Status"), lambda f: f.get_status_display()),
        exporting.Column("assigned_to", _("Assigned to"), lambda f: str(f.assigned_to or "")),
        exporting.Column("acknowledge_due_at", _("Acknowledge by"), lambda f: f.acknowledge_due_at),
        exporting.Column("acknowledged_at", _("Acknowledged at"), lambda f: f.acknowledged_at),
        exporting.Column("resolve_due_at", _("Resolve by"), lambda f: f.resolve_due_at),
        exporting.Column("resolved_at", _("Answered at"), lambda f: f.resolved_at),
        exporting.Column("sla", _("SLA"), sla_label, 12),
        exporting.Column(
            "resolution_hours",
            _("Business hours to answer"),
            lambda f: round(f.resolution_seconds / 3600, 2) if f.resolution_seconds is not None else None,
            12,
        ),
        exporting.Column("customer_accepted", _("Customer accepted"), lambda f: f.customer_accepted),
        exporting.Column("closed_at", _("Closed at"), lambda f: f.closed_at),
    ]


class FeedbackListView(RecordListView):
    permission = "feedback.view"
    template_name = "feedback/feedback_list.html"
    filterset_class = FeedbackFilter
    sort_fields = {
        "number": "number",
        "received": "received_at",
        "customer": "customer__name",
        "subject": "subject",
        "severity": "severity",
        "status": "status",
        "due": "next_due_at",
        "assigned": ("assigned_to__first_name", "assigned_to__last_name"),
    }
    default_sort = "-received"
    export_columns = staticmethod(export_columns)
    export_basename = "quejas-y-sugerencias"
    export_title = "Quejas y sugerencias"

    def base_queryset(self):
        self.figure = None
        figure, period = self.request.GET.get("figure"), self.request.GET.get("period")
        if figure in selectors.FIGURES and period:
            try:
                parsed = Period.parse(period)
            except PeriodError as exc:
                raise Http404 from exc
            manager = self.request.GET.get("account_manager", "")
            self.figure = {"label": selectors.FIGURES[figure][0], "period": parsed}
            return selectors.figure_records(
                figure=figure,
                period=parsed,
                segment=self.request.GET.get("segment") or None,
                account_manager=int(manager) if manager.isdigit() else None,
            )
        return selectors.feedback_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for item in context["object_list"]:
            item.sla_state = sla.state(item, now)
        context["figure"] = self.figure
        context["sla_tones"] = sla.TONES
        return context


@permission_required("feedback.view")
def board(request: HttpRequest) -> HttpResponse:
    queryset = selectors.feedback_list(user=request.user)
    if request.GET.get("mine"):
        queryset = queryset.filter(assigned_to=request.user)
    kind = request.GET.get("kind", "")
    if kind in Feedback.Kind.values:
        queryset = queryset.filter(kind=kind)
    columns = selectors.board_columns(user=request.user, queryset=queryset)
    now = timezone.now()
    for column in columns:
        for item in column["items"]:
            item.sla_state = sla.state(item, now)
    return render(
        request,
        "feedback/feedback_board.html",
        {
            "columns": columns,
            "kinds": Feedback.Kind.choices,
            "kind": kind,
            "mine": bool(request.GET.get("mine")),
            "sla_tones": sla.TONES,
        },
    )


# --- intake and editing ---------------------------------------------------------------------------


def _typed(values) -> dict[str, Any]:
    """The form's fields among `values` (what was typed), blanks left out."""
    return {k: v for k, v in values.items() if k in FeedbackForm.base_fields and v}


def _search_or_save(request: HttpRequest, initial: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The form's data and initial values. The customer search's button (the way to search without
    JavaScript) sends the form too: then it is shown again with what was typed, and nothing is saved."""
    if request.method == "POST" and "find_customer" in request.POST:
        return None, {**initial, **_typed(request.POST)}
    return request.POST or None, initial


@permission_required("feedback.add")
def feedback_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"channel": Feedback.Channel.PHONE}
    initial.update(_typed(request.GET))
    data, initial = _search_or_save(request, initial)
    form = FeedbackForm(data, user=request.user, initial=initial, search_url=request.path)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("lock_version", "customer_search")}
        try:
            feedback = services.feedback_create(actor=request.user, data=data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("%(number)s recorded.") % {"number": feedback.number})
            return redirect(feedback.get_absolute_url())
    return render(request, "feedback/feedback_form.html", {"form": form})


@permission_required("feedback.work")
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    require(request.user, "feedback.work", feedback)
    data, initial = _search_or_save(request, _typed(request.GET))
    form = FeedbackForm(data, instance=feedback, user=request.user, initial=initial, search_url=request.path)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("lock_version", "customer_search") and not form.fields[k].disabled
        }
        try:
            services.feedback_update(
                actor=request.user, feedback=feedback, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(feedback.get_absolute_url())
    return render(request, "feedback/feedback_form.html", {"form": form, "feedback": feedback})


# --- the complaint page and its steps -------------------------------------------------------------


def _iso_steps(feedback: Feedback) -> list[dict[str, Any]]:
    """The ISO 10002 steps with when they happened, for the page's step timeline."""
    f = feedback
    answered = f.status in states.ANSWERED
    steps = [
        {"label": _("Receipt"), "at": f.received_at, "detail": f.get_channel_display()},
        {"label": _("Acknowledgement"), "at": f.acknowledged_at, "due": f.acknowledge_due_at},
    ]
    if f.kind != Feedback.Kind.COMPLIMENT:
        steps += [
            {"label": _("Initial assessment"), "at": f.assessed_at, "detail": f.assessed_by or ""},
            {
                "label": _("Analysis"),
                "at": f.assessed_at if f.status != S.REJECTED else None,
                "current": f.status in (S.IN_ANALYSIS, S.WAITING_CUSTOMER),
            },
            {
                "label": _("Rejection") if f.status == S.REJECTED else _("Resolution"),
                "at": f.resolved_at,
                "due": f.resolve_due_at,
            },
            {"label": _("Response to the customer"), "at": f.responded_at},
        ]
    closing_detail = ""
    if f.customer_accepted is not None:
        closing_detail = _("accepted by the customer") if f.customer_accepted else _("not accepted by the customer")
    steps.append({"label": _("Closing"), "at": f.closed_at, "detail": closing_detail})
    for step in steps:
        step["done"] = step["at"] is not None and (step["label"] != _("Analysis") or answered)
    return steps


def _detail_context(request: HttpRequest, feedback: Feedback, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    bound = bound or {}
    steps = []
    for target in states.allowed(feedback):
        if not has_perm(user, states.permission_for(feedback, target), feedback):
            continue
        form = bound.get(target) or step_form(feedback, target)
        blocked = ""
        if target == S.CLOSED and feedback.kind != Feedback.Kind.COMPLIMENT and feedback.customer_accepted is None:
            blocked = _("Record the customer's answer first.")
        steps.append(
            {
                "to": target,
                "label": states.step_label(feedback, target),
                "form": form,
                "open": target in bound,
                "secondary": target == S.REJECTED
                or feedback.status in (S.RESOLVED, S.CLOSED)
                and target == S.IN_ANALYSIS,
                "blocked": blocked,
            }
        )
    state = sla.state(feedback, now)
    paused_left = None
    if feedback.status == S.WAITING_CUSTOMER and feedback.sla_paused_at and feedback.resolve_due_at:
        paused_left = default_calendar().between(feedback.sla_paused_at, feedback.resolve_due_at)
    from clientela.action_plans.services import plans_for_source

    plans = list(plans_for_source(feedback).select_related("owner"))
    can_work = has_perm(user, "feedback.work", feedback)
    return {
        "feedback": feedback,
        "sla_state": state,
        "sla_tone": sla.TONES.get(state, "neutral") if state else "neutral",
        "next_due": sla.next_due(feedback),
        "paused_left_hours": round(paused_left.total_seconds() / 3600, 1) if paused_left is not None else None,
        "steps": steps,
        "iso_steps": _iso_steps(feedback),
        "log": selectors.step_log(feedback),
        "plans": plans,
        "has_active_plan": any(not p.is_finished for p in plans),
        "source": selectors.source_link(feedback),
        "can_work": can_work,
        "can_assign": feedback.is_open and has_perm(user, "feedback.assign", feedback),
        "can_take": feedback.is_open and has_perm(user, "feedback.take", feedback),
        "can_open_plan": has_perm(user, "action_plans.add")
        and (
            feedback.kind == Feedback.Kind.COMPLAINT
            or (feedback.kind == Feedback.Kind.SUGGESTION and feedback.evaluation == Feedback.Evaluation.ACCEPTED)
        ),
        "answer_form": bound.get("answer") or (AnswerForm() if feedback.status == S.RESOLVED and can_work else None),
        "assign_form": AssignForm(initial={"assigned_to": feedback.assigned_to_id}),
        "ct_id": selectors.content_type_id(),
    }


@permission_required("feedback.view")
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    return render(request, "feedback/feedback_detail.html", _detail_context(request, feedback))


@permission_required("feedback.view")
@require_POST
def feedback_step(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """Perform one step; a refusal re-shows the page with the step's form and the reason."""
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    if to not in S.values:
        raise Http404
    require(request.user, states.permission_for(feedback, to), feedback)
    form = step_form(feedback, to, request.POST)
    if form is not None and not form.is_valid():
        return render(
            request, "feedback/feedback_detail.html", _detail_context(request, feedback, {to: form}), status=400
        )
    data = dict(form.cleaned_data) if form is not None else {}
    note = data.pop("note", "") or request.POST.get("note", "")
    try:
        feedback = services.feedback_transition(
            actor=request.user, feedback=feedback, to=to, note=note, data=data, expected_version=_version(request)
        )
    except (ValidationError, DomainError) as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return redirect(feedback.get_absolute_url())
        show_service_error(form, exc)
        feedback = selectors.feedback_get(user=request.user, pk=pk)
        return render(
            request, "feedback/feedback_detail.html", _detail_context(request, feedback, {to: form}), status=409
        )
    messages.success(
        request,
        _("%(number)s is now “%(status)s”.") % {"number": feedback.number, "status": feedback.get_status_display()},
    )
    return redirect(feedback.get_absolute_url())


@permission_required("feedback.work")
@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    require(request.user, "feedback.work", feedback)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_record_answer(
                actor=request.user,
                feedback=feedback,
                accepted=form.cleaned_data["customer_accepted"],
                note=form.cleaned_data["customer_decision_note"],
                expected_version=_version(request),
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("The customer's answer is recorded."))
            return redirect(feedback.get_absolute_url())
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    return render(
        request, "feedback/feedback_detail.html", _detail_context(request, feedback, {"answer": form}), status=400
    )


@permission_required("feedback.view")
@require_POST
def feedback_assign(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    if request.POST.get("take"):
        require(request.user, "feedback.take", feedback)
        assignee = request.user
    else:
        require(request.user, "feedback.assign", feedback)
        form = AssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose someone from the list."))
            return redirect(feedback.get_absolute_url())
        assignee = form.cleaned_data["assigned_to"]
    try:
        feedback = services.feedback_assign(
            actor=request.user, feedback=feedback, assignee=assignee, expected_version=_version(request)
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        if feedback.assigned_to_id:
            messages.success(request, _("Assigned to %(name)s.") % {"name": feedback.assigned_to})
        else:
            messages.success(request, _("Nobody is assigned now."))
    return redirect(feedback.get_absolute_url())


@permission_required("action_plans.add")
@require_POST
def feedback_open_plan(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    try:
        plan, created = services.feedback_open_plan(actor=request.user, feedback=feedback)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(feedback.get_absolute_url())
    if created:
        messages.success(
            request, _("Action plan %(number)s opened: complete its analysis and actions.") % {"number": plan.number}
        )
    else:
        messages.info(request, _("This record already has the plan %(number)s in progress.") % {"number": plan.number})
    return redirect(plan.get_absolute_url())


@permission_required("feedback.view")
@require_GET
def feedback_person(request: HttpRequest, pk: int) -> HttpResponse:
    """The complainant's contact details, shown on request and logged (SPEC §3.10)."""
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    services.feedback_viewed_person(actor=request.user, feedback=feedback)
    context = {"feedback": feedback}
    if request.headers.get("HX-Request"):
        return render(request, "feedback/_person.html", context)
    return render(request, "feedback/feedback_person.html", context)


# --- public intake --------------------------------------------------------------------------------


def _over_limit(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Count this request against its address; True once the hourly limit is passed."""
    key = f"feedback-public:{bucket}:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, 3600):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between the two calls
        cache.set(key, 1, 3600)
        return False


def public_form(request: HttpRequest) -> HttpResponse:
    form = PublicFeedbackForm(request.POST or None, initial={"kind": request.GET.get("kind") or "complaint"})
    status = 200
    if request.method == "POST":
        if _over_limit(request, "submit", PUBLIC_LIMIT):
            form.add_error(
                None,
                _("We have received too many messages from your connection. Please try again in an hour or call us."),
            )
            return render(request, "feedback/public_form.html", {"form": form}, status=429)
        if form.is_valid():
            if form.is_spam():
                # Bots are told nothing; no record is made.
                return redirect("feedback:public_thanks", token=signing.dumps("", salt=RECEIPT_SALT))
            try:
                feedback = services.feedback_submit_public(
                    data=form.cleaned_data, language=translation.get_language() or "es"
                )
            except ValidationError as exc:
                show_service_error(form, exc)
                status = 400
            else:
                return redirect("feedback:public_thanks", token=signing.dumps(feedback.number, salt=RECEIPT_SALT))
        else:
            status = 400
    return render(request, "feedback/public_form.html", {"form": form}, status=status)


def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        number = signing.loads(token, salt=RECEIPT_SALT, max_age=dt.timedelta(hours=2))
    except signing.BadSignature as exc:
        raise Http404 from exc
    return render(request, "feedback/public_thanks.html", {"number": number})


def public_status(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    found = None
    status = 200
    if request.method == "POST":
        if _over_limit(request, "status", LOOKUP_LIMIT):
            form.add_error(None, _("Too many look-ups from your connection. Please try again in an hour."))
            return render(request, "feedback/public_status.html", {"form": form}, status=429)
        if form.is_valid():
            found = selectors.public_status(number=form.cleaned_data["number"], email=form.cleaned_data["email"])
            if found is None:
                form.add_error(None, _("We find no message with that reference and e-mail address."))
                status = 404
        else:
            status = 400
    return render(request, "feedback/public_status.html", {"form": form, "found": found}, status=status)


# --- settings: business calendar, SLA targets, categories -----------------------------------------


@permission_required("settings.manage")
def sla_settings(request: HttpRequest) -> HttpResponse:
    record = cal.ensure_default_record(actor=request.user)
    for severity in Feedback.Severity.values:
        if not SlaTarget.objects.filter(severity=severity).exists():
            acknowledge, resolve = sla.DEFAULT_TARGETS[severity]
            SlaTarget.objects.create(severity=severity, acknowledge_hours=acknowledge, resolve_hours=resolve)
    section = request.POST.get("section") if request.method == "POST" else None
    calendar_form = CalendarForm(request.POST if section == "calendar" else None, instance=record, prefix="cal")
    day_form = CalendarDayForm(request.POST if section == "day" else None, prefix="day")
    targets = SlaTarget.objects.all().order_by("acknowledge_hours")
    target_forms = SlaTargetFormSet(request.POST if section == "targets" else None, queryset=targets, prefix="sla")
    category_forms = CategoryFormSet(request.POST if section == "categories" else None, prefix="cat")
    try:
        if section == "calendar" and calendar_form.is_valid():
            data = {k: v for k, v in calendar_form.cleaned_data.items() if k in cal.CALENDAR_FIELDS}
            cal.calendar_update(
                actor=request.user, calendar=record, data=data, expected_version=calendar_form.expected_version()
            )
            messages.success(request, _("Calendar saved. New deadlines follow it; recorded ones keep theirs."))
            return redirect("feedback:settings")
        if section == "day" and day_form.is_valid():
            cal.calendar_day_add(actor=request.user, calendar=record, data=day_form.cleaned_data)
            messages.success(request, _("Day added to the calendar."))
            return redirect("feedback:settings")
        if section == "targets" and target_forms.is_valid():
            services.targets_update(actor=request.user, forms=target_forms.forms)
            messages.success(request, _("SLA targets saved. They apply to complaints received from now on."))
            return redirect("feedback:settings")
        if section == "categories" and category_forms.is_valid():
            services.categories_update(actor=request.user, forms=category_forms.forms)
            messages.success(request, _("Categories saved."))
            return redirect("feedback:settings")
    except (ValidationError, ConflictError) as exc:
        target = {"calendar": calendar_form, "day": day_form}.get(section or "")
        if target is not None:
            show_service_error(target, exc)
        else:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    calendar = cal.WorkingCalendar.from_record(record)
    today = timezone.localdate()
    upcoming = []
    for offset in range(366):
        day = today + dt.timedelta(days=offset)
        if calendar.week[day.weekday()] and (name := calendar.holiday_name(day)):
            upcoming.append((day, name))
    return render(
        request,
        "feedback/sla_settings.html",
        {
            "record": record,
            "calendar_form": calendar_form,
            "day_form": day_form,
            "target_forms": target_forms,
            "category_forms": category_forms,
            "days": record.days.all(),
            "holidays": upcoming,
            "hours_per_week": calendar.hours_per_week(),
        },
        status=400 if section else 200,
    )


@permission_required("settings.manage")
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarDay, pk=pk)
    cal.calendar_day_remove(actor=request.user, day=day)
    messages.success(request, _("Day removed from the calendar."))
    return redirect(reverse("feedback:settings"))
