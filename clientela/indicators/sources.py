"""What the other modules give the indicators module: their figures as indicators (SPEC §3.7, CCT and
SC exactly as §4), the improvement plan drafted for a period closed below target, the sections of
the management review pack, and the live signals of the risk register.

The dependency runs one way: indicators reads the modules' selectors; no module imports indicators.
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.action_plans import selectors as plan_selectors
from clientela.action_plans import services as plan_services
from clientela.action_plans.models import ActionPlan
from clientela.contracts import selectors as contract_selectors
from clientela.contracts.models import Delivery
from clientela.core.periods import Period
from clientela.feedback import selectors as feedback_selectors
from clientela.feedback.models import Feedback
from clientela.requirements import selectors as requirement_selectors
from clientela.surveys import selectors as survey_selectors
from clientela.surveys import statistics

from . import plans, review_pack, risk_signals
from .registry import Figure, IndicatorDefinition, Unit, from_selector, provide, register_indicator


def _with_filters(url: str, params: dict[str, str], segment: str | None, account_manager: int | None) -> str:
    if segment:
        params["segment"] = segment
    if account_manager:
        params["account_manager"] = str(account_manager)
    return f"{url}?{urlencode(params)}"


def _contracts_in_scope(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
    return _with_filters(
        reverse("contracts:list"), {"cct_period": period.label, "cct": "scope"}, segment, account_manager
    )


def _compliance(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
    return _with_filters(reverse("contracts:compliance"), {"period": period.label}, segment, account_manager)


def _satisfaction_report(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
    return _with_filters(reverse("surveys:report"), {"period": period.label}, segment, account_manager)


def _complaints(figure: str):
    def url(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
        return feedback_selectors.figure_records_url(
            figure, period=period, segment=segment, account_manager=account_manager
        )

    return url


def _plans(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
    return plan_selectors.figure_records_url(period=period, segment=segment, account_manager=account_manager)


def register_indicators() -> None:
    provide("cct", from_selector(contract_selectors.cct, records=_contracts_in_scope))
    provide("sc", from_selector(survey_selectors.sc, records=_satisfaction_report))
    definitions = [
        IndicatorDefinition(
            "nps",
            gettext_lazy("Net Promoter Score (NPS)"),
            Unit.POINTS,
            30,
            _score(survey_selectors.nps, value="value", count="total"),
            bounds=(-100, 100),
            order=10,
            short_label="NPS",
            description=gettext_lazy("% promoters (9–10) minus % detractors (0–6) of every 0–10 answer."),
        ),
        IndicatorDefinition(
            "csat",
            gettext_lazy("Customer satisfaction (CSAT)"),
            Unit.PERCENT,
            85,
            from_selector(survey_selectors.csat, records=_satisfaction_report),
            proportion=True,
            order=20,
            short_label="CSAT",
            description=gettext_lazy("% of 1–5 satisfaction answers that are 4 or 5."),
        ),
        IndicatorDefinition(
            "csat_mean",
            gettext_lazy("Mean satisfaction score (1–5)"),
            Unit.SCORE,
            4.0,
            _score(survey_selectors.csat, value="mean", count="denominator"),
            bounds=(1, 5),
            default_band=0.2,
            order=25,
        ),
        IndicatorDefinition(
            "ces",
            gettext_lazy("Customer effort (CES, 1–7)"),
            Unit.SCORE,
            5.0,
            _score(survey_selectors.ces, value="mean", count="total"),
            bounds=(1, 7),
            default_band=0.3,
            order=30,
            short_label="CES",
            description=gettext_lazy("Mean of the 1–7 ease answers: the higher, the easier for the customer."),
        ),
        IndicatorDefinition(
            "response_rate",
            gettext_lazy("Survey response rate"),
            Unit.PERCENT,
            30,
            from_selector(survey_selectors.response_rate, records=_satisfaction_report),
            proportion=True,
            order=40,
        ),
        IndicatorDefinition(
            "complaints_acknowledged_within_sla",
            gettext_lazy("Complaints acknowledged within target"),
            Unit.PERCENT,
            95,
            from_selector(
                feedback_selectors.complaints_acknowledged_within_sla, records=_complaints("acknowledged_within_sla")
            ),
            proportion=True,
            clock=True,
            order=50,
        ),
        IndicatorDefinition(
            "complaints_resolved_within_sla",
            gettext_lazy("Complaints resolved within target"),
            Unit.PERCENT,
            90,
            from_selector(
                feedback_selectors.complaints_resolved_within_sla, records=_complaints("resolved_within_sla")
            ),
            proportion=True,
            clock=True,
            order=60,
        ),
        IndicatorDefinition(
            "median_resolution_hours",
            gettext_lazy("Median time to resolve a complaint (business hours)"),
            Unit.HOURS,
            27,
            from_selector(
                feedback_selectors.median_resolution_business_hours, records=_complaints("median_resolution")
            ),
            higher_is_better=False,
            bounds=(0, 1000),
            default_band=4,
            clock=True,
            order=70,
        ),
        IndicatorDefinition(
            "complaints_per_100_customers",
            gettext_lazy("Complaints per 100 active customers, per quarter"),
            Unit.PER_100,
            30,
            _complaints_per_quarter,
            higher_is_better=False,
            bounds=(0, 1000),
            default_band=5,
            clock=True,
            order=80,
            description=gettext_lazy(
                "Complaints received per 100 active customers, scaled to a quarter so that months, quarters "
                "and years compare with the same target."
            ),
        ),
        IndicatorDefinition(
            "plan_effectiveness",
            gettext_lazy("Action plans verified effective"),
            Unit.PERCENT,
            80,
            from_selector(plan_selectors.plan_effectiveness_rate, records=_plans),
            proportion=True,
            clock=True,
            order=90,
        ),
        IndicatorDefinition(
            "deliverables_otif",
            gettext_lazy("Deliverables on time and in full (OTIF)"),
            Unit.PERCENT,
            95,
            from_selector(contract_selectors.deliverables_otif, records=_compliance),
            proportion=True,
            order=100,
            short_label="OTIF",
        ),
    ]
    for definition in definitions:
        register_indicator(definition)


def _score(selector, *, value: str, count: str):
    """A score that is not a proportion (NPS, a mean on a scale): its value, and the number of
    answers it is made of as the denominator (no numerator: nothing is "n of d" here)."""

    def compute(period: Period, *, today: Any, segment: str | None, account_manager: int | None) -> Figure:
        result = selector(period=period, today=today, segment=segment, account_manager=account_manager)
        score = getattr(result, value, None)
        return Figure(
            value=round(score, 2) if score is not None else None,
            denominator=getattr(result, count, None),
            records_url=_satisfaction_report(period, segment=segment, account_manager=account_manager),
        )

    return compute


QUARTER_DAYS = 365.25 / 4


def _complaints_per_quarter(period: Period, *, today: Any, segment: str | None, account_manager: int | None) -> Figure:
    """Complaints per 100 active customers, scaled to the length of a quarter (an open period counts
    the days elapsed), with the complaints and the active customers as numerator and denominator."""
    rate = feedback_selectors.complaints_per_100_active_customers(
        period=period, segment=segment, account_manager=account_manager
    )
    days = (period.cap(today) - period.start).days + 1
    value = None
    if rate.active_customers and days > 0:
        value = round(rate.complaints / rate.active_customers * 100 * QUARTER_DAYS / days, 2)
    return Figure(
        value=value,
        numerator=rate.complaints,
        denominator=rate.active_customers,
        records_url=_complaints("complaints_per_100")(period, segment=segment, account_manager=account_manager),
    )


# --- a period closed below target opens its plan ----------------------------------------------


def draft_plan(*, result: Any, data: dict[str, Any]) -> plans.PlanRef:
    plan, _created = plan_services.plan_open_for_source(actor=None, source=result, data=data)
    return plans.PlanRef(plan.pk, plan.number, plan.get_absolute_url())


# --- management review sections -----------------------------------------------------------------


def complaints_context(*, review: Any, period: Period, today: dt.date) -> dict[str, Any]:
    received = Feedback.objects.filter(
        received_at__gte=period.start_at, received_at__lt=min(period.end_at, timezone.now()), archived_at__isnull=True
    )
    by_kind = dict(received.values_list("kind").annotate(n=Count("id")).order_by())
    complaints = received.filter(kind=Feedback.Kind.COMPLAINT)
    by_severity = dict(complaints.values_list("severity").annotate(n=Count("id")).order_by())
    top = Counter(
        dict(complaints.exclude(category=None).values_list("category__name").annotate(n=Count("id")).order_by())
    )
    ack = feedback_selectors.complaints_acknowledged_within_sla(period=period)
    resolved = feedback_selectors.complaints_resolved_within_sla(period=period)
    return {
        "complaints": by_kind.get(Feedback.Kind.COMPLAINT, 0),
        "suggestions": by_kind.get(Feedback.Kind.SUGGESTION, 0),
        "compliments": by_kind.get(Feedback.Kind.COMPLIMENT, 0),
        "by_severity": [
            {"severity": str(label), "count": by_severity.get(code, 0)}
            for code, label in Feedback._meta.get_field("severity").choices
        ],
        "top_categories": [{"category": name, "count": n} for name, n in top.most_common(5)],
        "acknowledged_within_sla": {"value": ack.value, "numerator": ack.numerator, "denominator": ack.denominator},
        "resolved_within_sla": {
            "value": resolved.value,
            "numerator": resolved.numerator,
            "denominator": resolved.denominator,
        },
        "median_resolution_hours": feedback_selectors.median_resolution_business_hours(period=period),
        "still_open": complaints.exclude(status__in=[Feedback.Status.CLOSED, Feedback.Status.REJECTED]).count(),
        "with_plan": complaints.filter(
            pk__in=ActionPlan.objects.filter(source_content_type_id=feedback_selectors.content_type_id()).values(
                "source_object_id"
            )
        ).count(),
    }


def surveys_context(*, review: Any, period: Period, today: dt.date) -> dict[str, Any]:
    current = survey_selectors.sc(period=period, today=today)
    previous = survey_selectors.sc(period=period.previous(), today=today)
    test = statistics.two_proportion_test(
        current.numerator, current.denominator, previous.numerator, previous.denominator
    )
    nps = survey_selectors.nps(period=period, today=today)
    csat = survey_selectors.csat(period=period, today=today)
    rate = survey_selectors.response_rate(period=period, today=today)
    return {
        "sc": {
            "value": current.value,
            "numerator": current.numerator,
            "denominator": current.denominator,
            "ci95": current.ci95,
        },
        "sc_previous": {
            "period": period.previous().label,
            "value": previous.value,
            "numerator": previous.numerator,
            "denominator": previous.denominator,
        },
        "significant": bool(test and test.significant),
        "p_value": round(test.p_value, 4) if test else None,
        "test": test.method if test else "",
        "nps": nps.value,
        "csat": csat.value,
        "csat_mean": round(csat.mean, 2) if csat.mean is not None else None,
        "response_rate": rate.value,
        "responses": csat.denominator,
        "report_url": _satisfaction_report(period),
    }


def contracts_context(*, review: Any, period: Period, today: dt.date) -> dict[str, Any]:
    cct = contract_selectors.cct(period=period, today=today)
    otif = contract_selectors.deliverables_otif(period=period, today=today)
    renewal = contract_selectors.renewal_rate(period=period, today=today)
    failed = contract_selectors.failed_contracts(result=cct).select_related("customer")[:20]
    nonconforming = Delivery.objects.filter(
        delivered_on__gte=period.start, delivered_on__lte=period.cap(today), conforming=False
    ).count()
    return {
        "cct": {"value": cct.value, "numerator": cct.numerator, "denominator": cct.denominator},
        "otif": {"value": otif.value, "numerator": otif.numerator, "denominator": otif.denominator},
        "renewal": {"value": renewal.value, "numerator": renewal.numerator, "denominator": renewal.denominator},
        "nonconforming_deliveries": nonconforming,
        "failed": [{"number": c.number, "title": c.title, "customer": c.customer.name} for c in failed],
    }


def plans_context(*, review: Any, period: Period, today: dt.date) -> dict[str, Any]:
    opened = ActionPlan.objects.filter(
        created_at__gte=period.start_at, created_at__lt=period.end_at, archived_at__isnull=True
    )
    by_origin = dict(opened.values_list("origin").annotate(n=Count("id")).order_by())
    open_now = ActionPlan.objects.filter(archived_at__isnull=True).exclude(
        status__in=[ActionPlan.Status.CLOSED, ActionPlan.Status.CANCELLED]
    )
    effectiveness = plan_selectors.plan_effectiveness_rate(period=period)
    return {
        "opened": opened.count(),
        "by_origin": [
            {"origin": str(label), "count": by_origin.get(code, 0)}
            for code, label in ActionPlan.Origin.choices
            if by_origin.get(code)
        ],
        "closed": ActionPlan.objects.filter(
            status=ActionPlan.Status.CLOSED, verified_at__gte=period.start_at, verified_at__lt=period.end_at
        ).count(),
        "open_now": open_now.count(),
        "overdue_now": open_now.filter(Q(due_date__lt=today)).count(),
        "effectiveness": {
            "value": effectiveness.value,
            "numerator": effectiveness.numerator,
            "denominator": effectiveness.denominator,
        },
    }


def register_review_sections() -> None:
    section = review_pack.ReviewSection
    review_pack.register_section(
        section(
            "complaints",
            gettext_lazy("Complaints, suggestions and compliments"),
            "indicators/pack/_complaints.html",
            complaints_context,
            order=40,
            kept=True,
            clause="9.3.2 c) 1)",
        )
    )
    review_pack.register_section(
        section(
            "surveys",
            gettext_lazy("Customer satisfaction (surveys)"),
            "indicators/pack/_surveys.html",
            surveys_context,
            order=45,
            kept=True,
            clause="9.3.2 c) 1)",
        )
    )
    review_pack.register_section(
        section(
            "contracts",
            gettext_lazy("Contract compliance and conformity of deliveries"),
            "indicators/pack/_contracts.html",
            contracts_context,
            order=50,
            kept=True,
            clause="9.3.2 c) 3), 7)",
        )
    )
    review_pack.register_section(
        section(
            "plans",
            gettext_lazy("Nonconformities, corrective actions and their effectiveness"),
            "indicators/pack/_plans.html",
            plans_context,
            order=60,
            kept=True,
            clause="9.3.2 c) 4), 6)",
        )
    )


# --- live risk signals ---------------------------------------------------------------------------


def complaint_sla_breach_rate(*, today: dt.date) -> risk_signals.SignalValue:
    period = (
        Period.current_quarter(today).previous()
        if today.day < 15 and today.month in (1, 4, 7, 10)
        else Period.current_quarter(today)
    )
    ratio = feedback_selectors.sla_breach_rate(period=period)
    detail = _("%(n)s of %(d)s complaints with a deadline in %(p)s missed it") % {
        "n": ratio.numerator,
        "d": ratio.denominator,
        "p": period.label,
    }
    return risk_signals.SignalValue(
        ratio.value, detail, feedback_selectors.figure_records_url("sla_breaches", period=period)
    )


def requirements_in_clarification(*, today: dt.date) -> risk_signals.SignalValue:
    count = requirement_selectors.requirements_stuck_in_clarification(today=today)
    return risk_signals.SignalValue(
        float(count),
        _("%(n)s requirements waiting for clarification longer than allowed") % {"n": count},
        reverse("requirements:stuck") if _has_url("requirements:stuck") else "",
    )


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def register_signals() -> None:
    risk_signals.register_signal(
        risk_signals.SignalProvider(
            "complaint_sla_breach_rate",
            gettext_lazy("Complaints that missed their deadline"),
            Unit.PERCENT,
            10,
            complaint_sla_breach_rate,
        )
    )
    risk_signals.register_signal(
        risk_signals.SignalProvider(
            "requirements_in_clarification",
            gettext_lazy("Requirements stuck in clarification"),
            Unit.POINTS,
            5,
            requirements_in_clarification,
        )
    )


# What register_all() adds, so the engine's own tests can start from the module alone.
INDICATOR_KEYS = (
    "nps",
    "csat",
    "csat_mean",
    "ces",
    "response_rate",
    "complaints_acknowledged_within_sla",
    "complaints_resolved_within_sla",
    "median_resolution_hours",
    "complaints_per_100_customers",
    "plan_effectiveness",
    "deliverables_otif",
)
SECTION_KEYS = ("complaints", "surveys", "contracts", "plans")
SIGNAL_KEYS = ("complaint_sla_breach_rate", "requirements_in_clarification")


def register_all() -> None:
    register_indicators()
    plans.connect(draft_plan)
    register_review_sections()
    register_signals()
