"""The management review pack (ISO 9001 9.3.2 inputs), compiled from sections that modules register.

A section has a key, a title, the ISO clause it answers, a template and a context function that
returns plain JSON values. While the review is in preparation the pack is compiled live; approval
stores the compiled JSON in the review, and from then on the pack is rendered from that snapshot
only, so later changes to the data do not alter it.

    register_section(ReviewSection("complaints", _("Complaints and suggestions"), "feedback/pack/_complaints.html",
                                   complaints_context, order=40, clause="9.3.2 c) 1), 4)"))

`context(*, review, period, today)` must return values that survive JSON (dates as ISO strings).
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.core import changes
from clientela.core.periods import Period

from . import registry, selectors
from .models import IndicatorResult, ManagementReview, ReviewDecision, RiskOpportunity

GENERIC_TEMPLATE = "indicators/pack/_generic.html"


@dataclass(frozen=True)
class ReviewSection:
    key: str
    title: str | Promise
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100
    clause: str = ""
    # For a period that has ended, the data depend only on the records and the day (`today`): they
    # are kept on the data version (`core.changes`) and computed again when the records change.
    kept: bool = False


_SECTIONS: dict[str, ReviewSection] = {}


def register_section(section: ReviewSection) -> None:
    _SECTIONS[section.key] = section


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections() -> list[ReviewSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def plain(data: Any) -> Any:
    """What JSON keeps of `data` (dates become ISO strings, tuples lists)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def compile_pack(review: ManagementReview, *, today: dt.date | None = None, language: str | None = None) -> dict:
    today = today or timezone.localdate()
    period = Period.parse(review.period)
    language = language or settings.LANGUAGE_CODE
    chosen = sections()
    with translation.override(language), changes.snapshot():

        def data_of(section: ReviewSection) -> Any:
            return plain(section.context(review=review, period=period, today=today))

        keep = [s for s in chosen if s.kept and changes.settled(period, today)]
        kept = dict(
            zip(
                [s.key for s in keep],
                changes.cached_many(
                    "review-section",
                    [(s, (s.key, review.pk, period.label, language, today.isoformat())) for s in keep],
                    data_of,
                ),
                strict=True,
            )
        )
        compiled = [
            {
                "key": s.key,
                "title": str(s.title),
                "clause": s.clause,
                "template": s.template,
                "data": kept[s.key] if s.key in kept else data_of(s),
            }
            for s in chosen
        ]
    return plain(
        {
            "period": period.label,
            "start": period.start,
            "end": period.end,
            "provisional": period.is_provisional(today),
            "compiled_at": timezone.now(),
            "language": language or settings.LANGUAGE_CODE,
            "sections": compiled,
        }
    )


def renderable(pack: dict) -> dict:
    """The pack with each section's template resolved (a section whose module is gone still shows)."""
    resolved = []
    for section in pack.get("sections", []):
        template = select_template([section.get("template") or GENERIC_TEMPLATE, GENERIC_TEMPLATE])
        resolved.append({**section, "resolved_template": template.template.name})
    return {**pack, "sections": resolved}


# --- the sections this module provides -----------------------------------------------------------


def _decision_plain(decision: ReviewDecision, today: dt.date) -> dict[str, Any]:
    return {
        "review": decision.review.period,
        "kind": decision.kind,
        "kind_label": decision.get_kind_display(),
        "description": decision.description,
        "owner": str(decision.owner),
        "due_date": decision.due_date,
        "status": decision.status,
        "status_label": decision.get_status_display(),
        "overdue": decision.status == ReviewDecision.Status.OPEN and decision.due_date < today,
        "follow_up": decision.follow_up,
        "plan_reference": decision.plan_reference,
    }


def previous_actions_context(*, review: ManagementReview, period: Period, today: dt.date) -> dict[str, Any]:
    previous = selectors.previous_review(review)
    decisions: list[ReviewDecision] = []
    if previous is not None:
        decisions = list(selectors.review_decisions(previous).select_related("review"))
    seen = {d.pk for d in decisions}
    # Decisions of older reviews that are still open are followed up too.
    decisions += [d for d in selectors.open_decisions(before=review.period) if d.pk not in seen]
    rows = [_decision_plain(d, today) for d in decisions]
    return {
        "previous": None
        if previous is None
        else {"period": previous.period, "meeting_date": previous.meeting_date, "approved_at": previous.approved_at},
        "decisions": rows,
        "open": sum(1 for r in rows if r["status"] == ReviewDecision.Status.OPEN),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "done": sum(1 for r in rows if r["status"] == ReviewDecision.Status.DONE),
    }


def indicators_context(*, review: ManagementReview, period: Period, today: dt.date) -> dict[str, Any]:
    values = selectors.indicator_values(period=period, today=today)
    series = selectors.trends(definitions=[v.definition for v in values], period=period, today=today)
    window = [q.label for q in selectors.trend_quarters(period, today=today)]
    results = list(
        IndicatorResult.objects.filter(period__in=window, status=IndicatorResult.Status.BELOW_TARGET)
        .select_related("analysed_by")
        .order_by("period_start", "indicator")
    )
    labels = {v.key: v.definition.name for v in values}
    items = []
    for value in values:
        item = value.as_plain()
        item["trend"] = [p.as_plain() for p in series[value.key]]
        items.append(item)
    return {
        "indicators": items,
        "below_target": [
            {
                "indicator": labels.get(r.indicator, r.indicator),
                "period": r.period,
                "value": None if r.value is None else float(r.value),
                "target": float(r.target),
                "unit": next((v.definition.unit for v in values if v.key == r.indicator), "percent"),
                "plan_reference": r.plan_reference,
                "plan_requested": r.plan_requested_at is not None,
                "analysis": r.analysis,
                "analysed_at": r.analysed_at,
                "analysed_by": str(r.analysed_by) if r.analysed_by else "",
            }
            for r in results
        ],
    }


def heat_map_plain(risks: list[RiskOpportunity], kind: str) -> list[dict[str, Any]]:
    return [
        {
            "impact": row["impact"],
            "cells": [
                {
                    "likelihood": cell["likelihood"],
                    "score": cell["score"],
                    "level": cell["level"],
                    "level_label": cell["level_label"],
                    "codes": [r.code for r in cell["records"]],
                }
                for cell in row["cells"]
            ],
        }
        for row in selectors.heat_map(risks, kind)
    ]


def risk_plain(risk: RiskOpportunity, readings: dict, today: dt.date) -> dict[str, Any]:
    reading = readings.get(risk.signal) if risk.signal else None
    return {
        "code": risk.code,
        "kind": risk.kind,
        "kind_label": risk.get_kind_display(),
        "title": risk.title,
        "description": risk.description,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "level": risk.level,
        "level_label": risk.level_label,
        "tone": risk.level_tone,
        "strategy": risk.get_strategy_display() if risk.strategy else "",
        "treatment": risk.treatment,
        "owner": str(risk.owner) if risk.owner else "",
        "review_date": risk.review_date,
        "review_overdue": risk.review_date is not None and risk.review_date < today,
        "plans": [link.plan_reference for link in risk.plan_links.all()],
        "signal": reading.as_plain() if reading is not None else None,
    }


def risks_context(*, review: ManagementReview, period: Period, today: dt.date) -> dict[str, Any]:
    risks = list(selectors.risk_list())
    readings = selectors.signal_readings(today=today, risks=risks)
    return {
        "risks": [risk_plain(r, readings, today) for r in risks if r.kind == RiskOpportunity.Kind.RISK],
        "opportunities": [risk_plain(r, readings, today) for r in risks if r.kind == RiskOpportunity.Kind.OPPORTUNITY],
        "risk_heat_map": heat_map_plain(risks, RiskOpportunity.Kind.RISK),
        "opportunity_heat_map": heat_map_plain(risks, RiskOpportunity.Kind.OPPORTUNITY),
    }


# PSC 004 §3.1 "Recursos del proceso" (the words of the process document).
PROCESS_RESOURCES = [
    ("Humanos", "Personal de atención al cliente, gerentes de cuentas y equipos operativos."),
    ("Financieros", "Presupuesto asignado para herramientas de monitoreo de satisfacción y atención de quejas."),
    (
        "Tecnológicos",
        "Sistemas de CRM (Customer Relationship Management) y herramientas de seguimiento de satisfacción.",
    ),
    ("Información", "Registros históricos de clientes, contratos y resultados de encuestas de satisfacción."),
]


def resources_context(*, review: ManagementReview, period: Period, today: dt.date) -> dict[str, Any]:
    recent = [period.label, period.previous().label]
    out_of_range = IndicatorResult.objects.filter(
        period__in=recent, status=IndicatorResult.Status.BELOW_TARGET
    ).order_by("period_start", "indicator")
    return {
        "process_resources": [{"kind": kind, "description": text} for kind, text in PROCESS_RESOURCES],
        "out_of_range": [
            {"indicator": (d.name if (d := registry.get_definition(r.indicator)) else r.indicator), "period": r.period}
            for r in out_of_range
        ],
        "open_resource_decisions": [
            _decision_plain(d, today) for d in selectors.open_decisions(kind=ReviewDecision.Kind.RESOURCE)
        ],
    }


def register_builtin() -> None:
    register_section(
        ReviewSection(
            "previous_actions",
            _("Follow-up of previous management reviews"),
            "indicators/pack/_previous_actions.html",
            previous_actions_context,
            order=10,
            kept=True,
            clause="9.3.2 a)",
        )
    )
    register_section(
        ReviewSection(
            "indicators",
            _("Process indicators: results, targets and trends"),
            "indicators/pack/_indicators.html",
            indicators_context,
            order=30,
            kept=True,
            clause="9.3.2 c) 2), 3), 5)",
        )
    )
    register_section(
        ReviewSection(
            "risks",
            _("Risks and opportunities and the actions taken"),
            "indicators/pack/_risks.html",
            risks_context,
            order=70,
            clause="9.3.2 e), f)",
        )
    )
    register_section(
        ReviewSection(
            "resources",
            _("Adequacy of resources"),
            "indicators/pack/_resources.html",
            resources_context,
            order=80,
            kept=True,
            clause="9.3.2 d)",
        )
    )
