"""Contract pages: lists, the contract with its review, regulations and obligations, deliveries,
the due-dates calendar, compliance (CCT) and the regulations register."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import attachments, exporting
from clientela.core.errors import DomainError
from clientela.core.forms import saved, show_service_error
from clientela.core.listing import RecordListView
from clientela.core.periods import Period, PeriodError
from clientela.core.permissions import has_perm, permission_required, require
from clientela.requirements import selectors as requirement_selectors
from clientela.requirements import services as requirement_services
from clientela.requirements import traceability
from clientela.requirements.forms import DeliverableTraceForm

from . import nonconformity, selectors, services
from .filters import ContractFilter, DeliverableFilter, DeliveryFilter, RegulationFilter
from .forms import (
    AddRegulationForm,
    CancelDeliverableForm,
    ContractForm,
    DeliverableForm,
    DeliveryForm,
    RecurringObligationForm,
    RegulationForm,
    ReviewForm,
    TransitionForm,
)
from .importers import contract_columns, deliverable_columns, delivery_columns, regulation_columns
from .models import Contract, ContractReview, Deliverable, Delivery, RecurringObligation, Regulation
from .states import CONTRACT_FLOW, CONTRACT_MOVE_PERMISSIONS, NEEDS_REASON

CONTRACT_TABS = ("deliverables", "traceability", "review", "regulations", "documents", "history")
REGULATION_CONTRACTS_SHOWN = 20
YEARS = (1900, 2999)  # pages that step through months and quarters stay within these


def _move_verbs() -> dict[str, str]:
    return {
        Contract.Status.IN_REVIEW: _("Submit for review"),
        Contract.Status.DRAFT: _("Return to draft"),
        Contract.Status.ACTIVE: _("Activate"),
        Contract.Status.COMPLETED: _("Mark as completed"),
        Contract.Status.TERMINATED: _("Terminate"),
        Contract.Status.CANCELLED: _("Cancel the contract"),
    }


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


# --- contracts --------------------------------------------------------------------------------


class ContractListView(RecordListView):
    permission = "contracts.view"
    template_name = "contracts/contract_list.html"
    filterset_class = ContractFilter
    sort_fields = {
        "number": "number",
        "title": "title",
        "customer": "customer__name",
        "status": "status",
        "start": "start_date",
        "end": "end_date",
        "value": ("currency", "value"),
    }
    default_sort = "-start"
    export_columns = staticmethod(contract_columns)
    export_basename = "contratos"

    def base_queryset(self):
        qs = selectors.contract_list(user=self.request.user, include_archived=self.request.GET.get("archived") == "1")
        if self.request.GET.get("export"):
            current = ContractReview.objects.filter(superseded_at__isnull=True).select_related("reviewer")
            qs = qs.select_related("contact", "renews").prefetch_related(
                "regulations", Prefetch("reviews", queryset=current, to_attr="current_reviews")
            )
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["totals"] = selectors.value_by_currency(self.object_list)
        period = self.request.GET.get("cct_period")
        if period:
            context["cct_period"] = period
            context["cct_failed"] = self.request.GET.get("cct") == "failed"
        return context


@permission_required("contracts.add")
def contract_create(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else {}
    form = ContractForm(request.POST or None, initial=initial, user=request.user)
    form.fields["customer"].widget.attrs["hx-get"] = request.path

    def save(data: dict[str, Any]) -> Contract:
        require(request.user, "contracts.change", Contract(customer=data["customer"], status=Contract.Status.DRAFT))
        return services.contract_create(actor=request.user, data=data)

    if contract := saved(
        request,
        form,
        save,
        message=lambda contract: _("Contract %(number)s created as a draft.") % {"number": contract.number},
    ):
        return redirect(contract)
    return render(request, "contracts/contract_form.html", {"form": form})


@permission_required("contracts.view")
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    active = request.GET.get("tab", "deliverables")
    active = active if active in CONTRACT_TABS else "deliverables"
    context: dict[str, Any] = {
        "contract": contract,
        "tabs": [
            ("deliverables", _("Deliverables")),
            *([("traceability", _("Traceability"))] if has_perm(request.user, "requirements.view") else []),
            ("review", _("Contract review")),
            ("regulations", _("Regulations")),
            ("documents", _("Documents")),
            ("history", _("History")),
        ],
        "active_tab": active,
        "ct_id": ContentType.objects.get_for_model(Contract).pk,
        "review": services.current_review(contract),
    }
    if active == "deliverables":
        deliverables = list(
            selectors.with_outcome(contract.deliverables.select_related("responsible")).order_by("due_date", "pk")
        )
        today = timezone.localdate()
        for deliverable in deliverables:
            deliverable.outcome = selectors.outcome(deliverable, today)
        context["deliverables"] = deliverables
        context["obligations"] = contract.recurring_obligations.filter(archived_at__isnull=True).select_related(
            "responsible"
        )
    elif active == "traceability":
        require(request.user, "requirements.view")
        context["matrix"] = traceability.matrix_for_contract(contract, user=request.user)
    elif active == "review":
        context["reviews"] = contract.reviews.select_related("reviewer").order_by("-reviewed_at", "-pk")
    elif active == "regulations":
        context["links"] = selectors.regulation_links(contract=contract)
        context["add_regulation_form"] = AddRegulationForm(contract=contract)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "tab-content":
        return render(request, "contracts/contract_detail.html#tab", context)
    context["compliance"] = selectors.contract_compliance(contract=contract)
    verbs = _move_verbs()
    context["moves"] = [
        {"to": to, "label": label, "verb": verbs[to], "needs_reason": to in NEEDS_REASON}
        for to, label in selectors.allowed_moves(user=request.user, contract=contract)
    ]
    return render(request, "contracts/contract_detail.html", context)


@permission_required("requirements.export")
def contract_traceability_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The contract's traceability matrix as CSV or XLSX: one line per requirement and deliverable."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    require(request.user, "contracts.view")
    contract = selectors.contract_get(user=request.user, pk=pk)
    matrix = traceability.matrix_for_contract(contract, user=request.user)
    return exporting.export_response(
        traceability.matrix_lines(matrix),
        traceability.matrix_columns(),
        fmt,
        f"trazabilidad-{contract.number}",
        _("Traceability"),
    )


@permission_required("contracts.change")
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "contracts.change", contract)
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else {}
    form = ContractForm(request.POST or None, instance=contract, initial=initial, user=request.user)
    form.fields["customer"].widget.attrs["hx-get"] = request.path

    def save(data: dict[str, Any]) -> Contract:
        return services.contract_update(
            actor=request.user,
            contract=contract,
            data={k: v for k, v in data.items() if not form.fields[k].disabled},
            expected_version=form.expected_version(),
        )

    if updated := saved(request, form, save, message=_("Changes saved.")):
        _warn(request, services.contract_warnings(updated))
        return redirect(updated)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": contract, "review": services.current_review(contract)},
    )


@permission_required("contracts.view")
@require_POST
def contract_transition(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(contract)
    to = form.cleaned_data["to"]
    try:
        CONTRACT_FLOW.check(contract.status, to)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(contract)
    require(request.user, CONTRACT_MOVE_PERMISSIONS[(contract.status, to)], contract)
    try:
        contract = services.contract_transition(
            actor=request.user,
            contract=contract,
            to=to,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("lock_version"),
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(
            request,
            _("Contract %(number)s is now “%(status)s”.")
            % {"number": contract.number, "status": contract.get_status_display()},
        )
    return redirect(contract)


@permission_required("contracts.review")
def contract_review(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "contracts.review", contract)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.contract_review_record(actor=request.user, contract=contract, data=form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            if review.passed:
                messages.success(request, _("Contract review recorded: every check is confirmed."))
            else:
                messages.warning(
                    request,
                    _(
                        "Contract review recorded with open points: the contract cannot be activated until they are resolved."
                    ),
                )
            return redirect(f"{contract.get_absolute_url()}?tab=review")
    return render(
        request,
        "contracts/review_form.html",
        {"form": form, "contract": contract, "links": selectors.regulation_links(contract=contract)},
    )


@permission_required("contracts.archive")
@require_POST
def contract_archive(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    if request.POST.get("restore"):
        services.contract_restore(actor=request.user, contract=contract)
        messages.success(request, _("Contract restored."))
    else:
        services.contract_archive(actor=request.user, contract=contract)
        messages.success(
            request, _("Contract archived. Its deliverables, deliveries and history are kept and it can be restored.")
        )
    return redirect(contract)


@permission_required("contracts.change")
@require_POST
def contract_regulation_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "contracts.change", contract)
    form = AddRegulationForm(request.POST, contract=contract)
    if form.is_valid():
        try:
            services.contract_regulation_add(
                actor=request.user, contract=contract, regulation=form.cleaned_data["regulation"]
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Regulation linked to the contract."))
    else:
        messages.error(request, _("Choose a regulation."))
    return redirect(f"{contract.get_absolute_url()}?tab=regulations")


@permission_required("contracts.change")
@require_POST
def contract_regulation_remove(request: HttpRequest, pk: int, regulation_pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "contracts.change", contract)
    regulation = selectors.regulation_get(user=request.user, pk=regulation_pk)
    try:
        services.contract_regulation_remove(actor=request.user, contract=contract, regulation=regulation)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Regulation unlinked from the contract."))
    return redirect(f"{contract.get_absolute_url()}?tab=regulations")


@permission_required("regulations.change")
@require_POST
def contract_regulation_reviewed(request: HttpRequest, pk: int, regulation_pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    regulation = selectors.regulation_get(user=request.user, pk=regulation_pk)
    try:
        services.contract_regulation_reviewed(
            actor=request.user, contract=contract, regulation=regulation, notes=request.POST.get("notes", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(code)s marked as reviewed today for this contract.") % {"code": regulation.code})
    return redirect(f"{contract.get_absolute_url()}?tab=regulations")


# --- obligations ------------------------------------------------------------------------------


@permission_required("deliverables.change")
def deliverable_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "deliverables.change", contract)
    form = DeliverableForm(request.POST or None, instance=Deliverable(contract=contract))
    if deliverable := saved(
        request,
        form,
        lambda data: services.deliverable_create(actor=request.user, contract=contract, data=data),
        message=_("Deliverable added."),
    ):
        _warn(request, services.deliverable_warnings(deliverable))
        return redirect(contract)
    return render(
        request,
        "contracts/deliverable_form.html",
        {"form": form, "contract": contract, "teams": selectors.team_choices()},
    )


@permission_required("deliverables.change")
def obligation_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, "deliverables.change", contract)
    form = RecurringObligationForm(request.POST or None, instance=RecurringObligation(contract=contract))
    if saved(
        request,
        form,
        lambda data: services.recurring_obligation_create(actor=request.user, contract=contract, data=data),
        message=lambda obligation: (
            _("Recurring obligation added: %(count)s dated deliverables within the contract's dates.")
            % {"count": obligation.deliverables.count()}
        ),
    ):
        return redirect(contract)
    return render(
        request,
        "contracts/obligation_form.html",
        {"form": form, "contract": contract, "teams": selectors.team_choices()},
    )


@permission_required("deliverables.change")
@require_POST
def obligation_stop(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = selectors.obligation_get(user=request.user, pk=pk)
    require(request.user, "deliverables.change", obligation.contract)
    services.recurring_obligation_stop(actor=request.user, obligation=obligation)
    messages.success(request, _("No more deliverables will be generated from “%(what)s”.") % {"what": obligation})
    return redirect(obligation.contract)


class DeliverableListView(RecordListView):
    permission = "contracts.view"
    template_name = "contracts/deliverable_list.html"
    filterset_class = DeliverableFilter
    sort_fields = {
        "due": "due_date",
        "description": "description",
        "contract": "contract__number",
        "customer": "contract__customer__name",
        "status": "status",
    }
    default_sort = "due"
    export_columns = staticmethod(deliverable_columns)
    export_basename = "entregables"

    def base_queryset(self):
        return selectors.deliverable_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for deliverable in context["object_list"]:
            deliverable.outcome = selectors.outcome(deliverable, today)
        return context


@permission_required("contracts.view")
def deliverable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    contract = deliverable.contract
    can_record = (
        has_perm(request.user, "deliveries.add", deliverable)
        and contract.is_open_for_deliveries
        and deliverable.status == Deliverable.Status.PENDING
    )
    form = DeliveryForm(deliverable=deliverable) if can_record else None
    return _deliverable_page(request, deliverable, form)


def _deliverable_page(request: HttpRequest, deliverable: Deliverable, form: DeliveryForm | None) -> HttpResponse:
    deliverable.outcome = selectors.outcome(deliverable)
    return render(
        request,
        "contracts/deliverable_detail.html",
        {
            "deliverable": deliverable,
            "requirements": requirement_selectors.deliverable_requirements(deliverable=deliverable, user=request.user),
            "contract": deliverable.contract,
            "deliveries": deliverable.deliveries.select_related("recorded_by").order_by("-delivered_on", "-pk"),
            "form": form,
            "warnings": services.deliverable_warnings(deliverable),
            "cancel_form": CancelDeliverableForm(initial={"lock_version": deliverable.lock_version}),
            "ct_id": ContentType.objects.get_for_model(Deliverable).pk,
        },
    )


@permission_required("requirements.change")
def deliverable_trace(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the requirements of the customer that the deliverable satisfies."""
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    require(request.user, "requirements.change", deliverable)
    form = DeliverableTraceForm(request.POST or None, deliverable=deliverable)
    if request.method == "POST" and form.is_valid():
        try:
            requirement_services.deliverable_trace(
                actor=request.user, deliverable=deliverable, requirements=form.cleaned_data["requirements"]
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Traceability saved."))
            return redirect(deliverable)
    return render(
        request,
        "contracts/deliverable_trace_form.html",
        {"form": form, "deliverable": deliverable, "contract": deliverable.contract},
    )


@permission_required("deliverables.change")
def deliverable_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    require(request.user, "deliverables.change", deliverable)
    form = DeliverableForm(request.POST or None, instance=deliverable)
    if updated := saved(
        request,
        form,
        lambda data: services.deliverable_update(
            actor=request.user, deliverable=deliverable, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        _warn(request, services.deliverable_warnings(updated))
        return redirect(updated)
    return render(
        request,
        "contracts/deliverable_form.html",
        {"form": form, "contract": deliverable.contract, "deliverable": deliverable, "teams": selectors.team_choices()},
    )


@permission_required("deliverables.change")
@require_POST
def deliverable_transition(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    require(request.user, "deliverables.change", deliverable)
    form = CancelDeliverableForm(request.POST)
    if form.is_valid():
        try:
            services.deliverable_transition(
                actor=request.user,
                deliverable=deliverable,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data.get("lock_version"),
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            done = form.cleaned_data["to"] == Deliverable.Status.CANCELLED
            messages.success(request, _("Deliverable cancelled.") if done else _("Deliverable reinstated."))
    return redirect(deliverable)


@permission_required("deliveries.add")
@require_POST
def delivery_create(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    require(request.user, "deliveries.add", deliverable)
    form = DeliveryForm(request.POST, request.FILES, deliverable=deliverable)
    if form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("deliverable_version", "evidence", "lock_version")
        }
        try:
            with transaction.atomic():
                delivery = services.delivery_record(
                    actor=request.user,
                    deliverable=deliverable,
                    data=data,
                    expected_version=form.cleaned_data.get("deliverable_version"),
                )
                if form.cleaned_data.get("evidence"):
                    attachments.attach(
                        actor=request.user, target=delivery, upload=form.cleaned_data["evidence"], purpose="evidence"
                    )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            if delivery.conforming:
                messages.success(request, _("Delivery recorded as conforming."))
            else:
                messages.warning(
                    request,
                    _("Nonconforming delivery recorded. The deliverable stays pending until a conforming delivery."),
                )
            return redirect(delivery if not delivery.conforming else deliverable)
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    return _deliverable_page(request, deliverable, form)


class DeliveryListView(RecordListView):
    permission = "contracts.view"
    template_name = "contracts/delivery_list.html"
    filterset_class = DeliveryFilter
    sort_fields = {
        "delivered": "delivered_on",
        "deliverable": "deliverable__description",
        "contract": "deliverable__contract__number",
        "customer": "deliverable__contract__customer__name",
    }
    default_sort = "-delivered"
    export_columns = staticmethod(delivery_columns)
    export_basename = "entregas"

    def base_queryset(self):
        return selectors.delivery_list(user=self.request.user)


@permission_required("contracts.view")
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    context = {
        "delivery": delivery,
        "deliverable": delivery.deliverable,
        "contract": delivery.deliverable.contract,
        "ct_id": ContentType.objects.get_for_model(Delivery).pk,
    }
    if not delivery.conforming:
        context["complaint"] = nonconformity.existing_complaint(delivery)
        context["plan"] = nonconformity.existing_plan(delivery)
    return render(request, "contracts/delivery_detail.html", context)


@permission_required("feedback.add")
@require_POST
def delivery_open_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    try:
        complaint, created = nonconformity.open_complaint(actor=request.user, delivery=delivery)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(delivery)
    if created:
        messages.success(request, _("Complaint %(number)s opened from this delivery.") % {"number": complaint.number})
    else:
        messages.info(request, _("This delivery already has complaint %(number)s.") % {"number": complaint.number})
    return redirect(complaint)


@permission_required("action_plans.add")
@require_POST
def delivery_open_plan(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    try:
        plan, created = nonconformity.open_plan(actor=request.user, delivery=delivery)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(delivery)
    if created:
        messages.success(
            request, _("Corrective action plan %(number)s opened from this delivery.") % {"number": plan.number}
        )
    else:
        messages.info(request, _("This delivery already has action plan %(number)s.") % {"number": plan.number})
    return redirect(plan)


@permission_required("deliveries.change")
def delivery_edit(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    require(request.user, "deliveries.change", delivery)
    form = DeliveryForm(request.POST or None, instance=delivery, with_evidence=False)
    if saved(
        request,
        form,
        lambda data: services.delivery_update(
            actor=request.user, delivery=delivery, data=data, expected_version=form.expected_version()
        ),
        message=_("Delivery corrected. The history keeps what it said before."),
    ):
        return redirect(delivery)
    return render(
        request,
        "contracts/delivery_form.html",
        {"form": form, "delivery": delivery, "deliverable": delivery.deliverable},
    )


# --- calendar and compliance ------------------------------------------------------------------


def _month(text: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not YEARS[0] <= year <= YEARS[1]:
        return today.year, today.month
    return year, month


@permission_required("contracts.view")
def calendar_view(request: HttpRequest) -> HttpResponse:
    year, month = _month(request.GET.get("month"))
    mine = request.GET.get("mine") == "1"
    team = request.GET.get("team", "")
    first = dt.date(year, month, 1)
    previous = first - dt.timedelta(days=1)
    following = first + dt.timedelta(days=32)
    weeks = selectors.calendar_month(user=request.user, year=year, month=month, mine=mine, team=team)
    return render(
        request,
        "contracts/calendar.html",
        {
            "weeks": weeks,
            "first": first,
            "month_value": f"{year}-{month:02d}",
            "previous": f"{previous.year}-{previous.month:02d}",
            "following": f"{following.year}-{following.month:02d}",
            "mine": mine,
            "team": team,
            "teams": selectors.team_choices(),
            "has_items": any(not day.is_empty for week in weeks for day in week if day.in_month),
        },
    )


@permission_required("contracts.view")
def compliance_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        period = Period.parse(request.GET.get("period") or "")
    except PeriodError:
        period = Period.current_quarter(today)
    if not YEARS[0] <= period.start.year <= YEARS[1]:
        period = Period.current_quarter(today)
    segment = request.GET.get("segment") or None
    manager = request.GET.get("account_manager")
    manager_id = int(manager) if manager and manager.isdigit() else None
    result = selectors.cct(period=period, today=today, segment=segment, account_manager=manager_id)
    trend = selectors.cct_trend(periods=period.last(6), today=today)
    context = {
        "period": period,
        "result": result,
        "otif": selectors.deliverables_otif(period=period, today=today, segment=segment, account_manager=manager_id),
        "renewal": selectors.renewal_rate(period=period, today=today, segment=segment, account_manager=manager_id),
        "failed": selectors.failed_contracts(result=result),
        "trend": trend,
        "chart": selectors.trend_chart(trend),
        "periods": Period.current_quarter(today).last(8)[::-1],
        "segments": selectors.segment_options(),
        "managers": selectors.manager_options(),
        "segment": segment or "",
        "manager": manager_id,
        "scope_url": reverse("contracts:list") + f"?cct_period={period.label}&cct=scope",
        "failed_url": reverse("contracts:list") + f"?cct_period={period.label}&cct=failed",
    }
    return render(request, "contracts/compliance.html", context)


# --- regulations ------------------------------------------------------------------------------


class RegulationListView(RecordListView):
    permission = "contracts.view"
    template_name = "contracts/regulation_list.html"
    filterset_class = RegulationFilter
    sort_fields = {"code": "code", "title": "title", "jurisdiction": "jurisdiction", "contracts": "contract_count"}
    default_sort = "code"
    export_columns = staticmethod(regulation_columns)
    export_basename = "normativa"

    def base_queryset(self):
        return selectors.regulation_list(
            user=self.request.user, include_archived=self.request.GET.get("archived") == "1"
        )


@permission_required("regulations.change")
def regulation_create(request: HttpRequest) -> HttpResponse:
    form = RegulationForm(request.POST or None)
    if regulation := saved(
        request,
        form,
        lambda data: services.regulation_create(actor=request.user, data=data),
        message=lambda regulation: _("Regulation %(code)s added to the register.") % {"code": regulation.code},
    ):
        return redirect(regulation)
    return render(
        request, "contracts/regulation_form.html", {"form": form, "jurisdictions": selectors.jurisdiction_choices()}
    )


@permission_required("contracts.view")
def regulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    regulation = selectors.regulation_get(user=request.user, pk=pk)
    links = regulation.contract_links.select_related("contract", "contract__customer", "reviewed_by").order_by(
        "-contract__start_date", "-pk"
    )
    return render(
        request,
        "contracts/regulation_detail.html",
        {
            "regulation": regulation,
            "links": links[:REGULATION_CONTRACTS_SHOWN],
            "total": links.count(),
            "ct_id": ContentType.objects.get_for_model(Regulation).pk,
        },
    )


@permission_required("regulations.change")
def regulation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    regulation = selectors.regulation_get(user=request.user, pk=pk)
    form = RegulationForm(request.POST or None, instance=regulation)
    if saved(
        request,
        form,
        lambda data: services.regulation_update(
            actor=request.user, regulation=regulation, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect(regulation)
    return render(
        request,
        "contracts/regulation_form.html",
        {"form": form, "regulation": regulation, "jurisdictions": selectors.jurisdiction_choices()},
    )


@permission_required("regulations.change")
@require_POST
def regulation_archive(request: HttpRequest, pk: int) -> HttpResponse:
    regulation = selectors.regulation_get(user=request.user, pk=pk)
    if request.POST.get("restore"):
        services.regulation_restore(actor=request.user, regulation=regulation)
        messages.success(request, _("Regulation restored."))
    else:
        services.regulation_archive(actor=request.user, regulation=regulation)
        messages.success(request, _("Regulation archived: contracts that cite it keep the link."))
    return redirect(regulation)
