"""Action-plan pages: the list, the plan with its analysis, actions and verification, "my actions"."""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import exporting
from clientela.core.errors import ConflictError, DomainError
from clientela.core.forms import show_service_error as show_model_form_error
from clientela.core.listing import RecordListView
from clientela.core.periods import Period, PeriodError
from clientela.core.permissions import has_perm, permission_required, require
from clientela.training import services as training_services
from clientela.training.models import TrainingNeed

from . import selectors, services, states, training_link
from .filters import ActionFilter, PlanFilter
from .forms import ActionDoneForm, ActionForm, AnalysisForm, PlanForm, TransitionForm, VerificationForm
from .models import Action, ActionPlan

P = ActionPlan.Status
A = Action.Status


def show_service_error(form, exc) -> None:
    """Show a service's refusal on a form; a step form has no record, so a conflict is a message."""
    if isinstance(exc, ConflictError) and not hasattr(form, "instance"):
        form.add_error(None, str(exc))
    else:
        show_model_form_error(form, exc)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("lock_version", "")
    return int(raw) if raw.isdigit() else None


def _error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def export_columns() -> list[exporting.Column]:
    return [
        exporting.Column("number", _("Number"), lambda p: p.number, 14),
        exporting.Column("kind", _("Kind"), lambda p: p.get_kind_display(), 12),
        exporting.Column("origin", _("Origin"), lambda p: p.get_origin_display(), 22),
        exporting.Column("source", _("Origin record"), lambda p: p.source_label, 30),
        exporting.Column("title", _("Title"), lambda p: p.title, 40),
        exporting.Column("customer", _("Customer"), lambda p: p.customer.name if p.customer_id else ""),
        exporting.Column("owner", _("Owner"), lambda p: str(p.owner or "")),
        exporting.Column("created_at", _("Opened"), lambda p: p.created_at),
        exporting.Column("due_date", _("Due date"), lambda p: p.due_date),
        exporting.Column("status", _("Status"), lambda p: p.get_status_display()),
        exporting.Column("actions", _("Actions done"), lambda p: f"{p.actions_done}/{p.actions_total}", 10),
        exporting.Column("root_cause", _("Root cause"), lambda p: p.root_cause, 40),
        exporting.Column("effectiveness", _("Effectiveness"), lambda p: p.get_effectiveness_result_display()),
        exporting.Column("verified_at", _("Verified at"), lambda p: p.verified_at),
        exporting.Column("closed_at", _("Closed at"), lambda p: p.closed_at),
    ]


class PlanListView(RecordListView):
    permission = "action_plans.view"
    template_name = "action_plans/plan_list.html"
    filterset_class = PlanFilter
    sort_fields = {
        "number": "number",
        "title": "title",
        "opened": "created_at",
        "due": "due_date",
        "status": "status",
        "owner": ("owner__first_name", "owner__last_name"),
    }
    default_sort = "-opened"
    export_columns = staticmethod(export_columns)
    export_basename = "planes-de-accion"
    export_title = "Planes de acción"

    def base_queryset(self):
        self.verified_period = None
        if raw := self.request.GET.get("verified"):
            try:
                self.verified_period = Period.parse(raw)
            except PeriodError as exc:
                raise Http404 from exc
            manager = self.request.GET.get("account_manager", "")
            return selectors.with_progress(
                selectors.plan_effectiveness_records(
                    period=self.verified_period,
                    segment=self.request.GET.get("segment") or None,
                    account_manager=int(manager) if manager.isdigit() else None,
                )
            )
        return selectors.plan_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verified_period"] = self.verified_period
        context["today"] = timezone.localdate()
        return context


@permission_required("action_plans.add")
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            plan = services.plan_create(actor=request.user, data=data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Action plan %(number)s opened.") % {"number": plan.number})
            return redirect(plan.get_absolute_url())
    return render(request, "action_plans/plan_form.html", {"form": form})


def _detail_context(request: HttpRequest, plan: ActionPlan, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_change = not plan.is_finished and has_perm(user, "action_plans.change", plan)
    actions = list(plan.actions.all())
    for action in actions:
        action.can_work = not plan.is_finished and has_perm(user, "actions.work", action)
    steps = []
    if can_change:
        for target in states.plan_steps(plan):
            steps.append(
                {
                    "to": target,
                    "label": {
                        P.IN_PROGRESS: _("Start the actions"),
                        P.PENDING_VERIFICATION: _("Send to effectiveness verification"),
                        P.CANCELLED: _("Cancel the plan"),
                    }[target],
                    "form": forms.get(f"step_{target}") or (TransitionForm() if target == P.CANCELLED else None),
                    "open": f"step_{target}" in forms,
                }
            )
    can_verify = plan.status == P.PENDING_VERIFICATION and has_perm(user, "action_plans.verify", plan)
    return {
        "plan": plan,
        "actions": actions,
        "checks": list(plan.checks.all()),
        "follow_ups": list(plan.follow_ups.all()),
        "source": selectors.source_link(plan),
        "can_change": can_change,
        "steps": steps,
        "can_verify": can_verify,
        "training": training_link.panel(plan) if has_perm(user, "training.view") else None,
        "can_train": not plan.is_finished and has_perm(user, "training.manage"),
        "verify_form": forms.get("verify") or (VerificationForm() if can_verify else None),
        "action_form": forms.get("action")
        or (
            ActionForm(initial={"owner": plan.owner_id})
            if can_change and plan.status in (P.OPEN, P.IN_PROGRESS)
            else None
        ),
        "ct_id": selectors.content_type_id(),
        "today": timezone.localdate(),
    }


@permission_required("action_plans.view")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "action_plans/plan_detail.html", _detail_context(request, plan))


@permission_required("training.manage")
@require_POST
def plan_link_session(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = training_link.LinkSessionForm(request.POST)
    if form.is_valid():
        training_services.session_link_origin(actor=request.user, session=form.cleaned_data["session"], origin=plan)
        messages.success(request, _("The training session is now part of this plan."))
    else:
        messages.error(request, _("Choose a planned training session."))
    return redirect(plan.get_absolute_url())


@permission_required("training.manage")
@require_POST
def plan_training_need(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = training_link.TrainingNeedForm(request.POST)
    if form.is_valid():
        data = {**form.cleaned_data, "source": TrainingNeed.Source.ACTION_PLAN}
        try:
            training_services.need_create(actor=request.user, data=data, origin=plan)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Training need recorded for this plan."))
    else:
        messages.error(request, _("Check the person, the competence and the reason."))
    return redirect(plan.get_absolute_url())


@permission_required("action_plans.change")
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    require(request.user, "action_plans.change", plan)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.plan_update(actor=request.user, plan=plan, data=data, expected_version=form.expected_version())
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(plan.get_absolute_url())
    return render(request, "action_plans/plan_form.html", {"form": form, "plan": plan})


@permission_required("action_plans.change")
def plan_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The root-cause analysis: 5 whys, Ishikawa 6M, conclusion, correction and consequences."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    require(request.user, "action_plans.change", plan)
    form = AnalysisForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        fields = [*AnalysisForm.Meta.fields, "five_whys", "ishikawa"]
        data = {k: form.cleaned_data[k] for k in fields}
        try:
            services.plan_update(actor=request.user, plan=plan, data=data, expected_version=form.expected_version())
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Analysis saved."))
            return redirect(plan.get_absolute_url())
    return render(request, "action_plans/plan_analysis.html", {"form": form, "plan": plan})


@permission_required("action_plans.change")
@require_POST
def plan_transition(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    require(request.user, "action_plans.change", plan)
    if to not in P.values:
        raise Http404
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        plan = services.plan_transition(
            actor=request.user, plan=plan, to=to, note=note, expected_version=_version(request)
        )
    except (ValidationError, DomainError) as exc:
        if to == P.CANCELLED and isinstance(exc, ValidationError):
            show_service_error(form, exc)
            plan = selectors.plan_get(user=request.user, pk=pk)
            return render(
                request,
                "action_plans/plan_detail.html",
                _detail_context(request, plan, **{f"step_{to}": form}),
                status=400,
            )
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("%(number)s is now “%(status)s”.") % {"number": plan.number, "status": plan.get_status_display()}
        )
    return redirect(plan.get_absolute_url())


@permission_required("action_plans.verify")
@require_POST
def plan_verify(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    require(request.user, "action_plans.verify", plan)
    form = VerificationForm(request.POST)
    if form.is_valid():
        try:
            plan = services.plan_verify(
                actor=request.user, plan=plan, data=form.cleaned_data, expected_version=_version(request)
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            follow_up = getattr(plan, "_follow_up", None)
            if plan.status == P.CLOSED and plan.effectiveness_result == ActionPlan.Result.EFFECTIVE:
                messages.success(request, _("Verified effective: %(number)s is closed.") % {"number": plan.number})
            elif follow_up is not None:
                messages.warning(
                    request,
                    _("Not effective: %(number)s is closed and the follow-up plan %(follow)s is open.")
                    % {"number": plan.number, "follow": follow_up.number},
                )
                return redirect(follow_up.get_absolute_url())
            else:
                messages.warning(request, _("Not effective: %(number)s is back in progress.") % {"number": plan.number})
            return redirect(plan.get_absolute_url())
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "action_plans/plan_detail.html", _detail_context(request, plan, verify=form), status=400)


# --- actions --------------------------------------------------------------------------------------


@permission_required("action_plans.change")
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    require(request.user, "action_plans.change", plan)
    form = ActionForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.action_create(actor=request.user, plan=plan, data=data)
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Action added."))
            return redirect(f"{plan.get_absolute_url()}#actions")
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "action_plans/plan_detail.html", _detail_context(request, plan, action=form), status=400)


@permission_required("action_plans.view")
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk)
    can_work = not action.plan.is_finished and has_perm(request.user, "actions.work", action)
    can_change = not action.plan.is_finished and has_perm(request.user, "action_plans.change", action.plan)
    form = ActionForm(request.POST or None, instance=action)
    if not can_change:
        for name, field in form.fields.items():
            field.disabled = name != "evidence" or not can_work
    if request.method == "POST":
        if not (can_work or can_change):
            raise PermissionDenied
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version" and not form.fields[k].disabled}
            try:
                services.action_update(
                    actor=request.user, action=action, data=data, expected_version=form.expected_version()
                )
            except (ValidationError, DomainError) as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(action.get_absolute_url())
    return render(
        request,
        "action_plans/action_form.html",
        {
            "form": form,
            "action": action,
            "plan": action.plan,
            "can_work": can_work,
            "done_form": ActionDoneForm(initial={"evidence": action.evidence}, prefix="done") if can_work else None,
            "action_ct": ContentType.objects.get_for_model(Action).pk,
        },
    )


@permission_required("action_plans.view")
@require_POST
def action_transition(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk)
    require(request.user, "actions.work", action)
    if to not in A.values:
        raise Http404
    form = ActionDoneForm(request.POST, prefix="done")
    form.is_valid()
    evidence = form.cleaned_data.get("evidence") if "done-evidence" in request.POST else None
    try:
        services.action_transition(
            actor=request.user,
            action=action,
            to=to,
            note=form.cleaned_data.get("note") or request.POST.get("note", ""),
            evidence=evidence,
            expected_version=_version(request),
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, _error_text(exc))
        return redirect(action.get_absolute_url())
    messages.success(request, _("Action marked “%(status)s”.") % {"status": A(to).label})
    return redirect(
        request.POST.get("next") if request.POST.get("next", "").startswith("/") else action.plan.get_absolute_url()
    )


class MyActionsView(RecordListView):
    permission = "action_plans.view"
    template_name = "action_plans/my_actions.html"
    filterset_class = ActionFilter
    sort_fields = {"due": "due_date", "plan": "plan__number", "status": "status"}
    default_sort = "due"

    def base_queryset(self):
        return selectors.action_list(user=self.request.user).filter(owner=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context
