"""Reads of the indicators module: the indicator engine (figure + target + status for any period),
trends, closed results, management reviews, the risk register and controlled documents."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import changes
from clientela.core.periods import Period, PeriodError, wilson_interval
from clientela.core.permissions import MANAGEMENT, QUALITY
from clientela.core.registry import SearchHit

from . import registry, risk_signals
from .models import (
    ControlledDocument,
    DocumentVersion,
    IndicatorResult,
    IndicatorTarget,
    ManagementReview,
    ReviewDecision,
    RiskOpportunity,
    RiskPlanLink,
    level_label,
    level_of,
)
from .registry import Figure, IndicatorDefinition

TREND_QUARTERS = 8


def period_or_error(text: str) -> Period:
    """A period from its label, or a ValidationError that says what a period looks like."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise ValidationError(str(exc), code="period") from exc
    except ValueError:  # a well-formed label outside the calendar (year 0000)
        period = None
    if period is None or not 2000 <= period.start.year <= 2100:
        raise ValidationError(_("Choose a period between the years 2000 and 2100."), code="period")
    return period


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSetting:
    target: float
    band: float
    stored: bool  # set by top management for that year (otherwise the definition's default)


def stored_targets(years: Iterable[int]) -> dict[tuple[str, int], IndicatorTarget]:
    """Every target set for these years, in one query."""
    return {(t.indicator, t.year): t for t in IndicatorTarget.objects.filter(year__in=set(years))}


def target_list() -> QuerySet[IndicatorTarget]:
    return IndicatorTarget.objects.select_related("set_by").order_by("-year", "indicator", "id")


def target_of(
    definition: IndicatorDefinition, year: int, stored: dict[tuple[str, int], IndicatorTarget]
) -> TargetSetting:
    row = stored.get((definition.key, year))
    if row is None:
        return TargetSetting(definition.default_target, definition.default_band, False)
    return TargetSetting(float(row.target), float(row.warning_band), True)


# --- the engine ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorValue:
    definition: IndicatorDefinition
    period: Period
    value: float | None
    numerator: int | None
    denominator: int | None
    ci95: tuple[float, float] | None
    records_url: str
    target: float
    band: float
    status: str
    tone: str
    provisional: bool

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def status_label(self) -> str:
        return str(registry.STATUS_LABELS[self.status])

    @property
    def tone_label(self) -> str:
        return str(registry.TONE_LABELS[self.tone])

    def as_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": str(self.definition.label),
            "short_label": self.definition.short_label,
            "unit": self.definition.unit,
            "process": self.definition.process,
            "proportion": self.definition.proportion,
            "higher_is_better": self.definition.higher_is_better,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target,
            "status": self.status,
            "level": self.tone,
            "records_url": self.records_url or None,
        }
        if self.definition.proportion:
            data["ci95"] = list(self.ci95) if self.ci95 else None
        return data

    def as_plain(self) -> dict[str, Any]:
        """The figure as plain JSON values (what a frozen review keeps)."""
        return {
            "key": self.key,
            "label": str(self.definition.label),
            "short_label": self.definition.short_label,
            "description": str(self.definition.description),
            "unit": self.definition.unit,
            "process": self.definition.process,
            "proportion": self.definition.proportion,
            "higher_is_better": self.definition.higher_is_better,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ci95": list(self.ci95) if self.ci95 else None,
            "target": self.target,
            "band": self.band,
            "status": self.status,
            "status_label": self.status_label,
            "tone": self.tone,
            "tone_label": self.tone_label,
            "provisional": self.provisional,
        }


def figures(
    wanted: Iterable[tuple[IndicatorDefinition, Period]],
    *,
    today: dt.date,
    segment: str | None = None,
    account_manager: int | None = None,
) -> list[Figure]:
    """The modules' figures for these (indicator, period) pairs, in order, kept on the data version
    (`core.changes`) and served again until a counted table changes: those of ended periods, and
    for the day those of an open period that do not read the clock (`IndicatorDefinition.clock`)."""
    pairs = list(wanted)

    def compute(pair: tuple[IndicatorDefinition, Period]) -> Figure:
        definition, period = pair
        if definition.compute is None:
            return Figure(value=None)
        return definition.compute(period, today=today, segment=segment, account_manager=account_manager)

    def parts(pair: tuple[IndicatorDefinition, Period]) -> tuple[Any, ...]:
        definition, period = pair
        day = "" if changes.settled(period, today) else today.isoformat()  # an open period: for the day
        return (definition.key, period.label, day, segment or "", account_manager or 0)

    kept = [
        i
        for i, (d, p) in enumerate(pairs)
        if d.compute is not None and (changes.settled(p, today) or (not d.clock and today == timezone.localdate()))
    ]
    results: list[Figure | None] = [None] * len(pairs)
    from_cache = changes.cached_many("indicator-figure", ((pairs[i], parts(pairs[i])) for i in kept), compute)
    for i, figure in zip(kept, from_cache, strict=True):
        results[i] = figure

    def live(pair: tuple[IndicatorDefinition, Period]) -> Figure:  # once per snapshot (one request)
        return changes.remembered(f"indicator-figure:{parts(pair)}:{today}", lambda: compute(pair))

    return [figure if figure is not None else live(pair) for figure, pair in zip(results, pairs, strict=True)]


def evaluate(
    definition: IndicatorDefinition,
    period: Period,
    *,
    today: dt.date,
    target: TargetSetting,
    segment: str | None = None,
    account_manager: int | None = None,
    figure: Figure | None = None,
) -> IndicatorValue:
    """One indicator for one period: the module's figure (computed unless given), rounded, with its
    target and status."""
    if figure is None:
        (figure,) = figures([(definition, period)], today=today, segment=segment, account_manager=account_manager)
    value = None if figure.value is None else round(float(figure.value), 2)
    ci95 = None
    if value is not None and definition.proportion:
        if figure.ci95 is not None:
            ci95 = (round(float(figure.ci95[0]), 2), round(float(figure.ci95[1]), 2))
        elif figure.numerator is not None and figure.denominator:
            ci95 = wilson_interval(figure.numerator, figure.denominator)
    return IndicatorValue(
        definition=definition,
        period=period,
        value=value,
        numerator=figure.numerator,
        denominator=figure.denominator,
        ci95=ci95,
        records_url=figure.records_url,
        target=target.target,
        band=target.band,
        status=registry.status_for(value, target.target, definition.higher_is_better),
        tone=registry.tone_for(value, target.target, target.band, definition.higher_is_better),
        provisional=period.is_provisional(today),
    )


def indicator_values(
    *,
    period: Period,
    today: dt.date | None = None,
    segment: str | None = None,
    account_manager: int | None = None,
    keys: Iterable[str] | None = None,
) -> list[IndicatorValue]:
    """Every registered indicator (or those in `keys`) for `period`: one query for the targets plus
    what each definition needs, whatever the amount of data."""
    today = today or timezone.localdate()
    wanted = set(keys) if keys is not None else None
    chosen = [d for d in registry.definitions() if wanted is None or d.key in wanted]
    stored = stored_targets([period.start.year])
    computed = figures([(d, period) for d in chosen], today=today, segment=segment, account_manager=account_manager)
    return [
        evaluate(
            d,
            period,
            today=today,
            target=target_of(d, period.start.year, stored),
            segment=segment,
            account_manager=account_manager,
            figure=figure,
        )
        for d, figure in zip(chosen, computed, strict=True)
    ]


# --- trends ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    target: float
    status: str
    tone: str
    closed: bool  # as reported when the quarter closed

    def as_plain(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "value": self.value,
            "target": self.target,
            "status": self.status,
            "tone": self.tone,
            "closed": self.closed,
        }


def trend_quarters(period: Period, *, today: dt.date, n: int = TREND_QUARTERS) -> list[Period]:
    """The n quarters up to the one that holds the end of `period` (or today, for an open period)."""
    return Period.current_quarter(min(period.end, today)).last(n)


def trends(
    *,
    definitions: list[IndicatorDefinition],
    period: Period,
    today: dt.date | None = None,
    segment: str | None = None,
    account_manager: int | None = None,
    n: int = TREND_QUARTERS,
) -> dict[str, list[TrendPoint]]:
    """Last n quarters per indicator. Closed quarters show the result reported at closing (whole
    organisation); with a segment or account manager filter, or where none was closed, the engine
    computes them."""
    today = today or timezone.localdate()
    quarters = trend_quarters(period, today=today, n=n)
    stored = stored_targets({q.start.year for q in quarters})
    closed: dict[tuple[str, str], IndicatorResult] = {}
    if not segment and not account_manager:
        closed = {
            (r.indicator, r.period): r
            for r in IndicatorResult.objects.filter(
                indicator__in=[d.key for d in definitions], period__in=[q.label for q in quarters]
            )
        }
    live_pairs = [(d, q) for d in definitions for q in quarters if (d.key, q.label) not in closed]
    live_figures = dict(
        zip(
            [(d.key, q.label) for d, q in live_pairs],
            figures(live_pairs, today=today, segment=segment, account_manager=account_manager),
            strict=True,
        )
    )
    series: dict[str, list[TrendPoint]] = {}
    for definition in definitions:
        points = []
        for quarter in quarters:
            result = closed.get((definition.key, quarter.label))
            if result is not None:
                value = None if result.value is None else float(result.value)
                target, band = float(result.target), float(result.warning_band)
                points.append(
                    TrendPoint(
                        quarter.label,
                        value,
                        target,
                        result.status,
                        registry.tone_for(value, target, band, result.higher_is_better),
                        True,
                    )
                )
                continue
            live = evaluate(
                definition,
                quarter,
                today=today,
                target=target_of(definition, quarter.start.year, stored),
                segment=segment,
                account_manager=account_manager,
                figure=live_figures[(definition.key, quarter.label)],
            )
            points.append(TrendPoint(quarter.label, live.value, live.target, live.status, live.tone, False))
        series[definition.key] = points
    return series


# --- closed results and the plans they require ---------------------------------------------------


def closed_results(*, indicator: str | None = None) -> QuerySet[IndicatorResult]:
    qs = IndicatorResult.objects.select_related("analysed_by")
    return qs.filter(indicator=indicator) if indicator else qs


def closed_result_for(*, indicator: str, period: Period) -> IndicatorResult | None:
    return IndicatorResult.objects.filter(indicator=indicator, period=period.label).first()


def _plan_indicators() -> list[str]:
    """Indicators whose periods closed below target require an analysis and a plan."""
    return [d.key for d in registry.definitions() if d.requires_plan]


def results_awaiting_analysis() -> QuerySet[IndicatorResult]:
    """Periods closed below target whose analysis is not recorded yet: the dashboard shows them."""
    return IndicatorResult.objects.filter(
        status=IndicatorResult.Status.BELOW_TARGET, analysed_at__isnull=True, indicator__in=_plan_indicators()
    ).order_by("-period_start", "indicator")


def results_needing_plan() -> QuerySet[IndicatorResult]:
    return IndicatorResult.objects.filter(
        status=IndicatorResult.Status.BELOW_TARGET, plan_requested_at__isnull=True, indicator__in=_plan_indicators()
    ).order_by("period_start", "indicator")


def result_get(*, pk: int) -> IndicatorResult:
    return get_object_or_404(IndicatorResult, pk=pk)


def quality_representatives() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, groups__name=QUALITY).distinct().order_by("pk")


def top_management() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, groups__name=MANAGEMENT).distinct().order_by("pk")


# --- management reviews --------------------------------------------------------------------------


def review_list() -> QuerySet[ManagementReview]:
    return ManagementReview.objects.select_related("approved_by", "prepared_by").order_by("-period")


def review_periods() -> set[str]:
    return set(ManagementReview.objects.values_list("period", flat=True))


def review_get(*, pk: int) -> ManagementReview:
    return get_object_or_404(
        ManagementReview.objects.select_related("approved_by", "prepared_by").prefetch_related("attendees"), pk=pk
    )


def review_decisions(review: ManagementReview) -> QuerySet[ReviewDecision]:
    return review.decisions.filter(archived_at__isnull=True).select_related("owner").order_by("due_date", "pk")


def previous_review(review: ManagementReview) -> ManagementReview | None:
    """The last approved review before this one: its decisions are followed up now (9.3.2 a)."""
    return (
        ManagementReview.objects.filter(status=ManagementReview.Status.APPROVED, period__lt=review.period)
        .order_by("-period")
        .first()
    )


def decision_get(*, pk: int) -> ReviewDecision:
    return get_object_or_404(ReviewDecision.objects.select_related("review", "owner"), pk=pk)


def open_decisions(*, kind: str | None = None, before: str | None = None) -> QuerySet[ReviewDecision]:
    qs = ReviewDecision.objects.filter(
        archived_at__isnull=True,
        status=ReviewDecision.Status.OPEN,
        review__status=ManagementReview.Status.APPROVED,
    ).select_related("owner", "review")
    if kind:
        qs = qs.filter(kind=kind)
    if before:
        qs = qs.filter(review__period__lt=before)
    return qs.order_by("due_date", "pk")


# --- risks and opportunities ---------------------------------------------------------------------


def risk_list(*, include_archived: bool = False) -> QuerySet[RiskOpportunity]:
    qs = RiskOpportunity.objects.select_related("owner").prefetch_related(
        Prefetch("plan_links", queryset=RiskPlanLink.objects.order_by("created_at"))
    )
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def risk_get(*, pk: int) -> RiskOpportunity:
    return get_object_or_404(risk_list(include_archived=True), pk=pk)


def heat_map(risks: Iterable[RiskOpportunity], kind: str) -> list[dict[str, Any]]:
    """Rows of impact 5→1, columns of likelihood 1→5, each cell with its score, level and records."""
    cells: dict[tuple[int, int], list[RiskOpportunity]] = {}
    for risk in risks:
        if risk.kind == kind and risk.score is not None:
            cells.setdefault((risk.impact, risk.likelihood), []).append(risk)
    rows = []
    for impact in range(5, 0, -1):
        row = []
        for likelihood in range(1, 6):
            score = impact * likelihood
            level = level_of(score)
            row.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "level": level,
                    "level_label": level_label(level, kind),
                    "records": cells.get((impact, likelihood), []),
                }
            )
        rows.append({"impact": impact, "cells": row})
    return rows


def signal_readings(*, today: dt.date | None = None, risks: Iterable[RiskOpportunity] | None = None) -> dict:
    """The live signal of every provider the risks use (each computed once)."""
    today = today or timezone.localdate()
    keys = None if risks is None else {r.signal for r in risks if r.signal}
    return risk_signals.read_all(today=today, keys=keys)


def overdue_reviews(*, today: dt.date | None = None) -> QuerySet[RiskOpportunity]:
    today = today or timezone.localdate()
    return risk_list().filter(Q(review_date__lt=today))


# --- controlled documents ------------------------------------------------------------------------


def document_list() -> QuerySet[ControlledDocument]:
    return ControlledDocument.objects.filter(archived_at__isnull=True).prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.filter(status__in=["in_force", "draft"]).order_by("version"),
            to_attr="current_versions",
        )
    )


def documents_with_versions() -> QuerySet[ControlledDocument]:
    return ControlledDocument.objects.prefetch_related("versions").order_by("code", "id")


def document_get(*, pk: int) -> ControlledDocument:
    return get_object_or_404(ControlledDocument, pk=pk)


def document_get_by_code(*, code: str) -> ControlledDocument | None:
    return ControlledDocument.objects.filter(code=code).first()


def document_versions(document: ControlledDocument) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("drafted_by", "approved_by").order_by("-version")


def version_in_force(document: ControlledDocument) -> DocumentVersion | None:
    return document.versions.filter(status=DocumentVersion.Status.IN_FORCE).first()


def version_draft(document: ControlledDocument) -> DocumentVersion | None:
    return document.versions.filter(status=DocumentVersion.Status.DRAFT).first()


def version_get(*, pk: int) -> DocumentVersion:
    return get_object_or_404(DocumentVersion.objects.select_related("document"), pk=pk)


# --- shared pages: search and home ---------------------------------------------------------------


def search_risks(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    qs = risk_list().filter(Q(code__icontains=query) | Q(title__icontains=query))
    return [
        SearchHit(gettext_lazy("Risks and opportunities"), str(r), r.get_absolute_url(), r.get_kind_display())
        for r in qs.order_by("code")[:limit]
    ]


def search_documents(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    qs = ControlledDocument.objects.filter(archived_at__isnull=True).filter(
        Q(code__icontains=query) | Q(title__icontains=query)
    )
    return [
        SearchHit(gettext_lazy("Controlled documents"), str(d), d.get_absolute_url())
        for d in qs.order_by("code")[:limit]
    ]


def home_process_indicators(*, user: Any) -> dict[str, Any]:
    """The two process indicators of the current quarter, for top management and quality."""
    period = Period.current_quarter()
    return {
        "period": period,
        "values": indicator_values(period=period, keys=[d.key for d in registry.definitions() if d.process]),
        "awaiting": results_awaiting_analysis().count(),
        "dashboard_url": reverse("indicators:dashboard"),
    }
