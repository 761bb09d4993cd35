"""Requirement pages: the register, capture and clarification, validation and approval, versions
and their comparison, and the documented and prioritised requirements of a customer (PDF/XLSX)."""

import copy
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.core import exporting
from clientela.core.errors import ConflictError, DomainError
from clientela.core.forms import show_service_error
from clientela.core.listing import RecordListView
from clientela.core.permissions import has_perm, permission_required, require
from clientela.customers.selectors import customer_get

from . import documents, selectors, services, traceability
from .clarity import clarity_of, find_vague_terms
from .diffing import compare_fields
from .filters import RequirementFilter
from .forms import ConfirmationForm, NewVersionForm, RequirementForm, TraceForm, TransitionForm
from .importers import requirement_columns
from .models import CRITERIA_MAX, DESCRIPTION_MAX, SUBSTANCE_FIELDS, Requirement, RequirementVersion
from .states import REQUIREMENT_FLOW, targets_offered, transition_permission

ACTIONS = {
    "clarifying": gettext_lazy("Send to clarification"),
    "validated": gettext_lazy("Validate"),
    "approved": gettext_lazy("Approve"),
    "fulfilled": gettext_lazy("Mark as fulfilled"),
    "rejected": gettext_lazy("Reject"),
    "withdrawn": gettext_lazy("Withdraw"),
}
COMPARED = {
    "title": "title",
    "description": "description",
    "acceptance_criteria": "acceptance_criteria",
    "priority": "get_priority_display",
    "kind": "get_kind_display",
    "source": "get_source_display",
    "source_reference": "source_reference",
}


def _warn_vague(request: HttpRequest, requirement: Requirement) -> None:
    """Vague words are a warning, never a refusal: the record is saved and the words are named."""
    words = []
    for text in (requirement.title, requirement.description, requirement.acceptance_criteria):
        words.extend(m.text for m in find_vague_terms(text))
    if words:
        messages.warning(
            request,
            _("Saved, but these words are vague and cannot be verified: %(words)s. Replace them with figures or facts.")
            % {"words": ", ".join(f"“{w}”" for w in dict.fromkeys(words))},
        )


# --- the register ---------------------------------------------------------------------------------


class RequirementListView(RecordListView):
    permission = "requirements.view"
    template_name = "requirements/requirement_list.html"
    filterset_class = RequirementFilter
    sort_fields = {
        "number": "number",
        "customer": "customer__name",
        "title": "title",
        "priority": ("priority_rank", "status_rank", "number"),
        "status": ("status_rank", "priority_rank", "number"),
        "kind": "kind",
        "version": "version",
        "since": "status_changed_at",
        "updated": "updated_at",
    }
    default_sort = "priority"
    export_columns = staticmethod(requirement_columns)
    export_permission = "requirements.export"
    export_basename = "requisitos"

    def base_queryset(self):
        return selectors.requirement_list(
            user=self.request.user, include_archived=self.request.GET.get("archived") == "1"
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["matrix"] = selectors.priority_status_matrix(self.object_list)
        context["group_by"] = (
            self.current_sort().lstrip("-") if self.current_sort().lstrip("-") in ("priority", "status") else ""
        )
        context["limit_days"] = selectors.clarification_limit_days()
        return context


@permission_required("requirements.view")
def stuck(request: HttpRequest) -> HttpResponse:
    """The register filtered to requirements stuck in clarification (a menu entry)."""
    return redirect(f"{reverse('requirements:list')}?stuck=on&sort=since")


# --- capture and edit -----------------------------------------------------------------------------


@permission_required("requirements.change")
def requirement_create(request: HttpRequest) -> HttpResponse:
    customers = selectors.customers_for_capture(user=request.user)
    initial = {}
    for name in ("customer", "contract"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = RequirementForm(request.POST or None, initial=initial, customers=customers)
    form.fields["customer"].widget.attrs["hx-get"] = request.path
    if request.method == "POST" and form.is_valid():
        customer = form.cleaned_data["customer"]
        require(request.user, "requirements.change", customer)
        try:
            requirement = services.requirement_create(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Requirement %(number)s captured.") % {"number": requirement.number})
            _warn_vague(request, requirement)
            return redirect(requirement)
    return render(request, "requirements/requirement_form.html", {"form": form, "clarity": _form_clarity(form)})


@permission_required("requirements.change")
def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", requirement)
    if requirement.is_closed:
        messages.error(
            request,
            _("This requirement is %(status)s: it can no longer be changed.")
            % {"status": requirement.get_status_display().lower()},
        )
        return redirect(requirement)
    form = RequirementForm(request.POST or None, instance=copy.copy(requirement), frozen=requirement.is_frozen)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version" and not form.fields[k].disabled}
        was_confirmed = requirement.is_confirmed
        try:
            updated = services.requirement_update(
                actor=request.user, requirement=requirement, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            if was_confirmed and not updated.is_confirmed:
                messages.warning(
                    request,
                    _("The content changed, so the customer's confirmation no longer applies: record it again."),
                )
            _warn_vague(request, updated)
            return redirect(updated)
    return render(
        request,
        "requirements/requirement_form.html",
        {"form": form, "requirement": requirement, "clarity": _form_clarity(form, requirement)},
    )


def _form_clarity(form: Any, requirement: Requirement | None = None):
    data = form.data if form.is_bound else {}

    def value(name: str) -> str:
        if name in data:
            return str(data.get(name) or "")
        return str(getattr(requirement, name, "") or form.initial.get(name, "") or "")

    return clarity_of(
        title=value("title"),
        description=value("description"),
        acceptance_criteria=value("acceptance_criteria"),
        source_reference=value("source_reference"),
        confirmed=bool(requirement and requirement.is_confirmed),
    )


@permission_required("requirements.change")
@require_POST
def clarity_check(request: HttpRequest) -> HttpResponse:
    """The clarity panel for the texts being typed (HTMX): vague words and the checklist."""
    requirement = None
    if request.POST.get("requirement", "").isdigit():
        requirement = selectors.requirement_get(user=request.user, pk=int(request.POST["requirement"]))
    texts = {name: request.POST.get(name, "") for name in ("title", "description", "acceptance_criteria")}
    # The confirmation holds only while the confirmed words stay as they were.
    unchanged = requirement is not None and all(
        _same(request.POST[name], getattr(requirement, name)) for name in SUBSTANCE_FIELDS if name in request.POST
    )
    clarity = clarity_of(
        **texts,
        source_reference=request.POST.get("source_reference", ""),
        confirmed=bool(requirement and requirement.is_confirmed and unchanged and "change_reason" not in request.POST),
    )
    lengths = _lengths(request.POST)
    return render(request, "requirements/_clarity_body.html", {"clarity": clarity, "live": True, "lengths": lengths})


def _same(typed: str, stored: str) -> bool:
    return typed.replace("\r\n", "\n").strip() == (stored or "").strip()


def _lengths(data: Any) -> list[dict[str, Any]]:
    out = []
    for name, limit, label in (
        ("description", DESCRIPTION_MAX, _("Description")),
        ("acceptance_criteria", CRITERIA_MAX, _("Acceptance criteria")),
    ):
        size = len((data.get(name) or "").replace("\r\n", "\n"))
        if size > limit:
            out.append({"label": label, "size": size, "limit": limit})
    return out


# --- one requirement ------------------------------------------------------------------------------


@permission_required("requirements.view")
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    versions = list(selectors.versions_of(requirement))
    current = next((v for v in versions if v.version == requirement.version), None)
    can_change = has_perm(request.user, "requirements.change", requirement)
    moves = []
    for target in targets_offered(requirement.status):
        if has_perm(request.user, transition_permission(target), requirement):
            moves.append({"to": target, "label": ACTIONS[target], "needs_reason": target in ("rejected", "withdrawn")})
    context = {
        "requirement": requirement,
        "clarity": selectors.clarity(requirement),
        "trace": traceability.requirement_trace_row(requirement),
        "versions": versions,
        "current_version": current,
        "moves": moves,
        "can_change": can_change,
        "ct_id": ContentType.objects.get_for_model(Requirement).pk,
        "limit_days": selectors.clarification_limit_days(),
    }
    return render(request, "requirements/requirement_detail.html", context)


@permission_required("requirements.change")
def requirement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", requirement)
    form = ConfirmationForm(request.POST or None, request.FILES or None, instance=copy.copy(requirement))
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_confirm(
                actor=request.user,
                requirement=requirement,
                contact=form.cleaned_data["confirmed_by"],
                confirmed_on=form.cleaned_data["confirmed_on"],
                method=form.cleaned_data["confirmation_method"],
                note=form.cleaned_data["confirmation_note"],
                evidence=form.cleaned_data.get("evidence"),
                expected_version=form.expected_version(),
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("The customer's confirmation is recorded."))
            return redirect(requirement)
    return render(request, "requirements/confirmation_form.html", {"form": form, "requirement": requirement})


@permission_required("requirements.change")
def requirement_trace(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the deliverables of the customer's contracts that satisfy the requirement."""
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", requirement)
    form = TraceForm(request.POST or None, instance=copy.copy(requirement))
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_trace(
                actor=request.user,
                requirement=requirement,
                deliverables=form.cleaned_data["deliverables"],
                expected_version=form.expected_version(),
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Traceability saved."))
            return redirect(f"{requirement.get_absolute_url()}#trace-h")
    return render(request, "requirements/trace_form.html", {"form": form, "requirement": requirement})


@permission_required("requirements.view")
@require_POST
def requirement_transition(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(requirement)
    target = form.cleaned_data["to"]
    require(request.user, transition_permission(target), requirement)
    try:
        services.requirement_transition(
            actor=request.user,
            requirement=requirement,
            target=target,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["lock_version"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Requirement %(number)s is now %(status)s.")
            % {"number": requirement.number, "status": REQUIREMENT_FLOW.label(target).lower()},
        )
    return redirect(requirement)


@permission_required("requirements.change")
def requirement_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", requirement)
    if not requirement.is_frozen:
        messages.info(
            request,
            _("Only a validated or approved requirement gets a new version; while it is being clarified, edit it."),
        )
        return redirect(requirement)
    form = NewVersionForm(request.POST or None, instance=copy.copy(requirement))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("lock_version", "change_reason")}
        try:
            updated = services.requirement_new_version(
                actor=request.user,
                requirement=requirement,
                data=data,
                reason=form.cleaned_data["change_reason"],
                expected_version=form.expected_version(),
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s created. It needs the customer's confirmation and validation again.")
                % {"version": updated.version},
            )
            _warn_vague(request, updated)
            return redirect("requirements:compare", pk=updated.pk, a=updated.version - 1, b=updated.version)
    return render(
        request,
        "requirements/new_version_form.html",
        {"form": form, "requirement": requirement, "clarity": _form_clarity(form, None)},
    )


@permission_required("requirements.change")
@require_POST
def requirement_archive(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", requirement)
    try:
        if request.POST.get("restore"):
            services.requirement_restore(actor=request.user, requirement=requirement)
            messages.success(request, _("Requirement restored."))
        else:
            services.requirement_archive(actor=request.user, requirement=requirement)
            messages.success(request, _("Requirement archived. It can be restored."))
    except (DomainError, ConflictError) as exc:
        messages.error(request, str(exc))
    return redirect(requirement)


# --- versions ---------------------------------------------------------------------------------------


@permission_required("requirements.view")
def version_detail(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    row = selectors.version_get(requirement=requirement, version=version)
    versions = list(selectors.versions_of(requirement))
    return render(
        request,
        "requirements/version_detail.html",
        {"requirement": requirement, "row": row, "versions": versions},
    )


def _values(row: RequirementVersion) -> dict[str, str]:
    return {
        name: str(getattr(row, attr)() if attr.startswith("get_") else getattr(row, attr))
        for name, attr in COMPARED.items()
    }


@permission_required("requirements.view")
def version_compare_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """The version picker of the comparison page (works without JavaScript)."""
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        return redirect(requirement)
    return redirect("requirements:compare", pk=requirement.pk, a=a, b=b)


@permission_required("requirements.view")
def version_compare(request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
    requirement = selectors.requirement_get(user=request.user, pk=pk)
    versions = {v.version: v for v in selectors.versions_of(requirement)}
    if a not in versions or b not in versions:
        raise Http404
    old, new = versions[a], versions[b]
    labels = {name: str(Requirement._meta.get_field(name).verbose_name) for name in COMPARED}
    diffs = compare_fields(_values(old), _values(new), labels)
    return render(
        request,
        "requirements/version_compare.html",
        {
            "requirement": requirement,
            "old": old,
            "new": new,
            "diffs": diffs,
            "versions": sorted(versions.values(), key=lambda v: v.version),
        },
    )


# --- the customer's document -----------------------------------------------------------------------


@permission_required("requirements.view")
def customer_document(request: HttpRequest, customer_pk: int, fmt: str) -> HttpResponse:
    """The documented and prioritised requirements of a customer, for the customer or an auditor."""
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    customer = customer_get(user=request.user, pk=customer_pk)
    requirements = list(selectors.customer_document_requirements(customer=customer, user=request.user))
    if fmt == "xlsx":
        documents.with_trace(requirements)
        filename = f"requisitos-{customer.code}".lower()
        return exporting.xlsx_response(requirements, documents.columns(), filename, _("Requirements"))
    pdf = documents.requirements_pdf(customer=customer, requirements=requirements, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="requisitos-{customer.code.lower()}.pdf"'
    return response
