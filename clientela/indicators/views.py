"""Pages of the indicators module: dashboard, targets, management reviews, risks, documents."""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.core import changes
from clientela.core.errors import ConflictError, DomainError
from clientela.core.exporting import Column
from clientela.core.forms import DateInput, show_service_error
from clientela.core.listing import RecordListView
from clientela.core.periods import Period
from clientela.core.permissions import has_perm, permission_required, require
from clientela.customers.models import Interaction
from clientela.customers.selectors import account_manager_choices, segment_choices, visible_interactions

from . import builtin, charts, registry, risk_signals, selectors, services
from .forms import (
    AnalysisForm,
    DashboardFilterForm,
    DecisionForm,
    FollowUpForm,
    PeriodField,
    PlanLinkForm,
    ReviewCreateForm,
    ReviewForm,
    RiskForm,
    SignalSettingsForm,
    VersionForm,
)
from .models import ControlledDocument, DocumentVersion, ManagementReview, RiskOpportunity
from .review_pack import compile_pack, renderable


def _error_text(exc: ValidationError | DomainError) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _next_period(period: Period) -> Period:
    day_after = period.end + dt.timedelta(days=1)
    if period.kind == "quarter":
        return Period.current_quarter(day_after)
    if period.kind == "month":
        return Period.parse(f"{day_after.year}-{day_after.month:02d}")
    return Period.parse(str(day_after.year))


def _with_period(request: HttpRequest, today: dt.date) -> Any:
    """The filters as asked, the current quarter when no period is given."""
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = Period.current_quarter(today).label
    return data


def _chart(definition: registry.IndicatorDefinition, points: list[selectors.TrendPoint]) -> dict[str, Any]:
    return {
        "id": f"chart-{definition.key}",
        "config": charts.chart_config(points, label=definition.name, unit=definition.unit),
        "points": points,
    }


# --- dashboard -----------------------------------------------------------------------------------


@permission_required("indicators.view")
def index(request: HttpRequest) -> HttpResponse:
    return redirect("indicators:dashboard")


@permission_required("indicators.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DashboardFilterForm(_with_period(request, today))
    period, segment, manager = Period.current_quarter(today), None, None
    if form.is_valid():
        period = form.cleaned_data["period"] or period
        segment = form.cleaned_data["segment"] or None
        manager = form.cleaned_data["account_manager"]
    with changes.snapshot():  # one data version; a figure the cards and the trend both show, computed once
        values = selectors.indicator_values(period=period, today=today, segment=segment, account_manager=manager)
        series = selectors.trends(
            definitions=[v.definition for v in values],
            period=period,
            today=today,
            segment=segment,
            account_manager=manager,
        )
    closed = {}
    if not segment and not manager:
        closed = {r.indicator: r for r in selectors.closed_results().filter(period=period.label)}
    cards = [{"v": v, "chart": _chart(v.definition, series[v.key]), "closed": closed.get(v.key)} for v in values]
    following = _next_period(period)
    context = {
        "form": form,
        "period": period,
        "today": today,
        "provisional": period.is_provisional(today),
        "filtered": bool(segment or manager),
        "process_cards": [c for c in cards if c["v"].definition.process],
        "other_cards": [c for c in cards if not c["v"].definition.process],
        "previous_period": period.previous(),
        "next_period": following if following.start <= today else None,
        "period_options": [p.label for p in reversed(Period.current_quarter(today).last(8))],
        "awaiting": _described(selectors.results_awaiting_analysis()),
    }
    return render(request, "indicators/dashboard.html", context)


def _described(results) -> list[dict[str, Any]]:
    """Closed results with the name and unit of their indicator."""
    rows = []
    for result in results:
        definition = registry.get_definition(result.indicator)
        rows.append(
            {
                "r": result,
                "name": definition.name if definition else result.indicator,
                "unit": definition.unit if definition else "",
            }
        )
    return rows


@permission_required("indicators.view")
def indicator_detail(request: HttpRequest, key: str) -> HttpResponse:
    definition = registry.get_definition(key)
    if definition is None:
        raise Http404
    today = timezone.localdate()
    form = DashboardFilterForm(_with_period(request, today))
    period = Period.current_quarter(today)
    if form.is_valid() and form.cleaned_data["period"]:
        period = form.cleaned_data["period"]
    value = selectors.indicator_values(period=period, today=today, keys=[key])[0]
    points = selectors.trends(definitions=[definition], period=period, today=today)[key]
    results = list(selectors.closed_results(indicator=key).order_by("-period_start"))
    can_analyse = has_perm(request.user, "indicators.analyse")
    forms_by_result = {
        r.pk: AnalysisForm(instance=r, prefix=f"r{r.pk}") for r in results if r.needs_plan and can_analyse
    }
    context = {
        "definition": definition,
        "v": value,
        "period": period,
        "form": form,
        "figure_card": {
            "v": value,
            "chart": _chart(definition, points),
            "closed": next((r for r in results if r.period == period.label), None),
        },
        "results": [{"r": r, "form": forms_by_result.get(r.pk)} for r in results],
        "period_options": [p.label for p in reversed(Period.current_quarter(today).last(8))],
    }
    return render(request, "indicators/indicator_detail.html", context)


@permission_required("indicators.analyse")
@require_POST
def result_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors.result_get(pk=pk)
    form = AnalysisForm(request.POST, instance=result, prefix=f"r{result.pk}")
    if form.is_valid():
        try:
            services.result_record_analysis(
                actor=request.user,
                result=result,
                analysis=form.cleaned_data["analysis"],
                plan_reference=form.cleaned_data["plan_reference"],
                expected_version=form.expected_version(),
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Analysis recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(result.get_absolute_url())


# --- the records behind "interactions logged late" -----------------------------------------------


class OccurredInPeriodFilter(django_filters.Filter):
    field_class = PeriodField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(occurred_at__gte=value.start_at, occurred_at__lt=value.end_at)


class LateInteractionFilter(django_filters.FilterSet):
    period = OccurredInPeriodFilter(label=gettext_lazy("Period"))
    since = django_filters.DateFilter(
        label=gettext_lazy("From"), field_name="occurred_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("To"), field_name="occurred_at", lookup_expr="date__lte", widget=DateInput()
    )
    segment = django_filters.ChoiceFilter(
        label=gettext_lazy("Segment"), field_name="customer__segment", empty_label=gettext_lazy("All")
    )
    account_manager = django_filters.ChoiceFilter(
        label=gettext_lazy("Account manager"),
        field_name="customer__account_manager",
        empty_label=gettext_lazy("Anyone"),
    )

    class Meta:
        model = Interaction
        fields = ["period", "since", "until", "segment", "account_manager"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["segment"].extra["choices"] = [(s, s) for s in segment_choices()]
        self.filters["account_manager"].extra["choices"] = [(str(u.pk), str(u)) for u in account_manager_choices()]


class LateInteractionListView(RecordListView):
    permission = "indicators.view"
    template_name = "indicators/late_interactions.html"
    filterset_class = LateInteractionFilter
    sort_fields = {"occurred": "occurred_at", "logged": "created_at", "customer": "customer__name", "delay": "delay"}
    default_sort = "-occurred"
    export_basename = "interacciones-registradas-con-retraso"

    @staticmethod
    def export_columns():
        return [
            Column("occurred_at", gettext_lazy("date and time"), lambda i: i.occurred_at),
            Column("created_at", gettext_lazy("recorded at"), lambda i: i.created_at),
            Column("delay_days", gettext_lazy("days late"), lambda i: i.delay.days),
            Column("customer", gettext_lazy("customer"), lambda i: i.customer.name),
            Column("channel", gettext_lazy("channel"), lambda i: i.get_channel_display()),
            Column("subject", gettext_lazy("subject"), lambda i: i.subject),
            Column("user", gettext_lazy("recorded by"), lambda i: str(i.user or "")),
        ]

    def base_queryset(self):
        days = risk_signals.late_interaction_days()
        return (
            visible_interactions(self.request.user)
            .filter(archived_at__isnull=True)
            .filter(builtin.late_condition(days))
            .annotate(delay=F("created_at") - F("occurred_at"))
            .select_related("customer", "user")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["days"] = risk_signals.late_interaction_days()
        return context


# --- targets -------------------------------------------------------------------------------------


@permission_required("indicators.view")
def targets(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    definitions = registry.definitions()
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        require(request.user, "indicators.set_targets")
        for d in definitions:
            posted[d.key] = {
                "target": request.POST.get(f"target-{d.key}", "").strip().replace(",", "."),
                "band": request.POST.get(f"band-{d.key}", "").strip().replace(",", "."),
            }
        stored = selectors.stored_targets([year])
        try:
            with transaction.atomic():
                for d in definitions:
                    current = selectors.target_of(d, year, stored)
                    target, band = posted[d.key]["target"], posted[d.key]["band"]
                    if not target:
                        continue
                    unchanged = _same(target, current.target) and _same(band or str(current.band), current.band)
                    if unchanged:
                        continue
                    try:
                        services.target_set(
                            actor=request.user, indicator=d.key, year=year, target=target, warning_band=band
                        )
                    except ValidationError as exc:
                        errors[d.key] = exc.messages
                if errors:
                    raise ValidationError(_("Some targets are not valid."))
        except ValidationError:
            messages.error(request, _("Nothing was saved: correct the targets marked below."))
        else:
            messages.success(request, _("Targets for %(year)s saved.") % {"year": year})
            return redirect(f"{reverse('indicators:targets')}?year={year}")
    stored = selectors.stored_targets([year])
    rows = []
    for d in definitions:
        setting = selectors.target_of(d, year, stored)
        row = stored.get((d.key, year))
        rows.append(
            {
                "d": d,
                "setting": setting,
                "row": row,
                "target": posted.get(d.key, {}).get("target", _plain_number(setting.target)),
                "band": posted.get(d.key, {}).get("band", _plain_number(setting.band)),
                "errors": errors.get(d.key, []),
            }
        )
    return render(
        request,
        "indicators/targets.html",
        {"year": year, "rows": rows, "years": list(range(today.year + 1, today.year - 4, -1))},
    )


def _plain_number(value: float) -> str:
    return f"{value:.2f}"


def _same(text: str, value: float) -> bool:
    try:
        return round(float(text), 2) == round(value, 2)
    except ValueError:
        return False


# --- management reviews --------------------------------------------------------------------------


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=ManagementReview.Status.choices, empty_label=gettext_lazy("All")
    )

    class Meta:
        model = ManagementReview
        fields = ["status"]


class ReviewListView(RecordListView):
    permission = "reviews.view"
    template_name = "indicators/review_list.html"
    filterset_class = ReviewFilter
    sort_fields = {"period": "period", "meeting": "meeting_date", "status": "status", "approved": "approved_at"}
    default_sort = "-period"
    export_basename = "revisiones-por-la-direccion"

    @staticmethod
    def export_columns():
        return [
            Column("period", gettext_lazy("quarter"), lambda r: r.period),
            Column("status", gettext_lazy("status"), lambda r: r.get_status_display()),
            Column("meeting_date", gettext_lazy("meeting date"), lambda r: r.meeting_date),
            Column("approved_at", gettext_lazy("approved at"), lambda r: r.approved_at),
            Column("approved_by", gettext_lazy("approved by"), lambda r: str(r.approved_by or "")),
        ]

    def base_queryset(self):
        return selectors.review_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        existing = selectors.review_periods()
        current = Period.current_quarter(today)
        context["create_form"] = ReviewCreateForm(
            initial={"period": next((p.label for p in (current, current.previous()) if p.label not in existing), "")}
        )
        return context


@permission_required("reviews.change")
@require_POST
def review_create(request: HttpRequest) -> HttpResponse:
    form = ReviewCreateForm(request.POST)
    if form.is_valid():
        try:
            review = services.review_create(actor=request.user, period=form.cleaned_data["period"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Management review %(period)s opened.") % {"period": review.period})
            return redirect(review)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("indicators:reviews")


def _review_context(request: HttpRequest, review: ManagementReview) -> dict[str, Any]:
    if review.is_frozen:
        pack = review.pack
        record = review.pack.get("record", {})
    else:
        pack = compile_pack(review, language=request.LANGUAGE_CODE)
        record = services.record_plain(review)
    decisions = list(selectors.review_decisions(review))
    return {
        "review": review,
        "pack": renderable(pack),
        "record": record,
        "decisions": [
            {
                "d": d,
                "follow_up_form": FollowUpForm(prefix=f"d{d.pk}", initial={"to": d.status, "note": d.follow_up})
                if review.is_frozen
                else None,
            }
            for d in decisions
        ],
        "decision_form": None if review.is_frozen else DecisionForm(),
        "ct_id": ContentType.objects.get_for_model(ManagementReview).pk,
        "frozen_pdf": getattr(review, "approved_pdf", None) if review.is_frozen else None,
    }


@permission_required("reviews.view")
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    return render(request, "indicators/review_detail.html", _review_context(request, review))


@permission_required("reviews.change")
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    try:
        services.ensure_editable(review)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(review)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.review_update(
                actor=request.user, review=review, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Meeting record saved."))
            return redirect(review)
    return render(request, "indicators/review_form.html", {"form": form, "review": review})


@permission_required("reviews.approve")
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    try:
        version = int(request.POST.get("lock_version") or 0) or None
    except ValueError:
        version = None
    try:
        services.review_approve(actor=request.user, review=review, expected_version=version)
    except (ValidationError, DomainError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Management review approved: its pack and meeting record are now frozen."))
    return redirect(review)


@permission_required("reviews.view")
def review_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    content = services.review_pdf(review=review)
    suffix = "" if review.is_frozen else "-borrador"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="revision-direccion-{review.period}{suffix}.pdf"'
    return response


@permission_required("reviews.change")
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.decision_add(actor=request.user, review=review, data=data)
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Decision added."))
            return redirect(f"{review.get_absolute_url()}#decisions")
    return render(request, "indicators/decision_form.html", {"form": form, "review": review})


@permission_required("reviews.change")
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(pk=pk)
    form = DecisionForm(request.POST or None, instance=decision)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.decision_update(
                actor=request.user, decision=decision, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{decision.review.get_absolute_url()}#decisions")
    return render(
        request, "indicators/decision_form.html", {"form": form, "review": decision.review, "decision": decision}
    )


@permission_required("reviews.change")
@require_POST
def decision_remove(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(pk=pk)
    try:
        services.decision_remove(actor=request.user, decision=decision)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Decision removed."))
    return redirect(f"{decision.review.get_absolute_url()}#decisions")


@permission_required("reviews.change")
@require_POST
def decision_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(pk=pk)
    form = FollowUpForm(request.POST, prefix=f"d{decision.pk}")
    if form.is_valid():
        try:
            services.decision_follow_up(
                actor=request.user, decision=decision, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Follow-up recorded."))
    return redirect(f"{decision.review.get_absolute_url()}#decisions")


# --- risks and opportunities ---------------------------------------------------------------------


class RiskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=RiskOpportunity.Kind.choices, empty_label=gettext_lazy("All")
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Review overdue"), method="only_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = RiskOpportunity
        fields = ["kind", "overdue"]

    def only_overdue(self, queryset, name, value):
        return queryset.filter(review_date__lt=timezone.localdate()) if value else queryset


class RiskListView(RecordListView):
    permission = "risks.view"
    template_name = "indicators/risk_list.html"
    filterset_class = RiskFilter
    sort_fields = {"code": "code", "title": "title", "score": "score_value", "review": "review_date", "kind": "kind"}
    default_sort = "code"
    export_basename = "riesgos-y-oportunidades"

    @staticmethod
    def export_columns():
        return [
            Column("code", gettext_lazy("code"), lambda r: r.code),
            Column("kind", gettext_lazy("kind"), lambda r: r.get_kind_display()),
            Column("title", gettext_lazy("title"), lambda r: r.title),
            Column("likelihood", gettext_lazy("likelihood"), lambda r: r.likelihood),
            Column("impact", gettext_lazy("impact"), lambda r: r.impact),
            Column("score", gettext_lazy("score"), lambda r: r.score),
            Column("level", gettext_lazy("level"), lambda r: r.level_label),
            Column("strategy", gettext_lazy("strategy"), lambda r: r.get_strategy_display()),
            Column("treatment", gettext_lazy("treatment"), lambda r: r.treatment),
            Column("owner", gettext_lazy("owner"), lambda r: str(r.owner or "")),
            Column("review_date", gettext_lazy("next review"), lambda r: r.review_date),
            Column(
                "plans", gettext_lazy("action plans"), lambda r: ", ".join(p.plan_reference for p in r.plan_links.all())
            ),
        ]

    def base_queryset(self):
        return selectors.risk_list().annotate(score_value=F("likelihood") * F("impact"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        everything = list(selectors.risk_list())
        context["today"] = today
        context["risk_heat_map"] = selectors.heat_map(everything, RiskOpportunity.Kind.RISK)
        context["opportunity_heat_map"] = selectors.heat_map(everything, RiskOpportunity.Kind.OPPORTUNITY)
        context["readings"] = selectors.signal_readings(today=today, risks=everything)
        context["unassessed"] = sum(1 for r in everything if r.score is None)
        context["overdue"] = sum(1 for r in everything if r.review_date and r.review_date < today)
        return context


@permission_required("risks.view")
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get(pk=pk)
    today = timezone.localdate()
    readings = selectors.signal_readings(today=today, risks=[risk])
    return render(
        request,
        "indicators/risk_detail.html",
        {
            "risk": risk,
            "reading": readings.get(risk.signal) if risk.signal else None,
            "signal_missing": bool(risk.signal) and risk_signals.get_provider(risk.signal) is None,
            "overdue": risk.review_date is not None and risk.review_date < today,
            "link_form": PlanLinkForm(),
            "ct_id": ContentType.objects.get_for_model(RiskOpportunity).pk,
        },
    )


@permission_required("risks.change")
def risk_create(request: HttpRequest) -> HttpResponse:
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            risk = services.risk_create(actor=request.user, data=data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("%(risk)s added to the register.") % {"risk": risk})
            return redirect(risk)
    return render(request, "indicators/risk_form.html", {"form": form})


@permission_required("risks.change")
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get(pk=pk)
    form = RiskForm(request.POST or None, instance=risk)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.risk_update(actor=request.user, risk=risk, data=data, expected_version=form.expected_version())
        except (ValidationError, ConflictError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(risk)
    return render(request, "indicators/risk_form.html", {"form": form, "risk": risk})


@permission_required("risks.change")
@require_POST
def risk_archive(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get(pk=pk)
    if request.POST.get("restore"):
        services.risk_restore(actor=request.user, risk=risk)
        messages.success(request, _("Restored to the register."))
    else:
        services.risk_archive(actor=request.user, risk=risk)
        messages.success(request, _("Archived: it no longer appears in the register; its history is kept."))
    return redirect(risk)


@permission_required("risks.change")
@require_POST
def risk_link_plan(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get(pk=pk)
    form = PlanLinkForm(request.POST)
    if form.is_valid():
        try:
            services.risk_link_plan(
                actor=request.user,
                risk=risk,
                reference=form.cleaned_data["plan_reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Action plan linked."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(risk)


@permission_required("risks.change")
@require_POST
def risk_unlink_plan(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    risk = selectors.risk_get(pk=pk)
    link = risk.plan_links.filter(pk=link_pk).first()
    if link is not None:
        services.risk_unlink_plan(actor=request.user, link=link)
        messages.success(request, _("Action plan unlinked."))
    return redirect(risk)


@permission_required("risks.change")
def signal_settings(request: HttpRequest) -> HttpResponse:
    form = SignalSettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_settings_update(
                actor=request.user,
                thresholds=form.thresholds(),
                late_interaction_days=form.cleaned_data["late_interaction_days"],
            )
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Signal thresholds saved."))
            return redirect("indicators:risks")
    return render(request, "indicators/signal_settings.html", {"form": form})


# --- controlled documents ------------------------------------------------------------------------


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Code or title…")}),
    )

    class Meta:
        model = ControlledDocument
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))


class DocumentListView(RecordListView):
    permission = "documents.view"
    template_name = "indicators/document_list.html"
    filterset_class = DocumentFilter
    sort_fields = {"code": "code", "title": "title"}
    default_sort = "code"
    export_basename = "documentos-controlados"

    @staticmethod
    def export_columns():
        def in_force(document, attribute):
            version = next((v for v in document.current_versions if v.status == "in_force"), None)
            return getattr(version, attribute) if version else None

        return [
            Column("code", gettext_lazy("code"), lambda d: d.code),
            Column("title", gettext_lazy("title"), lambda d: d.title),
            Column("version", gettext_lazy("version"), lambda d: in_force(d, "version")),
            Column("effective_date", gettext_lazy("date"), lambda d: in_force(d, "effective_date")),
            Column("author", gettext_lazy("prepared by"), lambda d: d.author),
            Column("approver", gettext_lazy("approved by"), lambda d: d.approver),
        ]

    def base_queryset(self):
        return selectors.document_list()


@permission_required("documents.view")
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    versions = list(selectors.document_versions(document))
    shown = next((v for v in versions if v.status == DocumentVersion.Status.IN_FORCE), None)
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        shown = next((v for v in versions if v.pk == int(wanted)), shown)
    return render(
        request,
        "indicators/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "history": sorted(
                (
                    v
                    for v in versions
                    if v.status in (DocumentVersion.Status.IN_FORCE, DocumentVersion.Status.SUPERSEDED)
                ),
                key=lambda v: v.version,
            ),
            "in_force": next((v for v in versions if v.status == DocumentVersion.Status.IN_FORCE), None),
            "draft": next((v for v in versions if v.status == DocumentVersion.Status.DRAFT), None),
            "shown": shown,
            "ct_id": ContentType.objects.get_for_model(DocumentVersion).pk,
        },
    )


@permission_required("documents.change")
def document_draft(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    in_force = selectors.version_in_force(document)
    form = VersionForm(request.POST or None, initial={"body": in_force.body if in_force else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_draft(actor=request.user, document=document, data=form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Draft of version %(version)s saved.") % {"version": version.version})
            return redirect(version)
    return render(request, "indicators/version_form.html", {"form": form, "document": document})


@permission_required("documents.change")
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(pk=pk)
    form = VersionForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.version_update(
                actor=request.user, version=version, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, DomainError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(version)
    return render(
        request, "indicators/version_form.html", {"form": form, "document": version.document, "version": version}
    )


@permission_required("documents.approve")
@require_POST
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(pk=pk)
    try:
        services.version_approve(actor=request.user, version=version)
    except (ValidationError, DomainError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Version %(version)s approved: it is now the version in force.") % {"version": version.version}
        )
    return redirect(version.document)


@permission_required("documents.change")
@require_POST
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(pk=pk)
    try:
        services.version_withdraw(actor=request.user, version=version, note=request.POST.get("note", "")[:500])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Draft withdrawn."))
    return redirect(version.document)
