"""Reads of the action-plans module: lists and pages, "my actions", the customer 360° timeline,
and the effectiveness figure for the indicators module."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from clientela.core.importing import normalise
from clientela.core.periods import Period, Ratio
from clientela.core.registry import SearchHit, TimelineEntry
from clientela.customers.models import Customer

from .models import Action, ActionPlan, EffectivenessCheck

P = ActionPlan.Status
A = Action.Status
ACTIVE = (P.OPEN, P.IN_PROGRESS, P.PENDING_VERIFICATION)
STATUS_TONES = {
    P.OPEN: "info",
    P.IN_PROGRESS: "warning",
    P.PENDING_VERIFICATION: "warning",
    P.CLOSED: "good",
    P.CANCELLED: "neutral",
}


def with_progress(qs: QuerySet[ActionPlan]) -> QuerySet[ActionPlan]:
    """Annotate how many of each plan's actions are done (`actions_done` of `actions_total`)."""
    return qs.annotate(
        actions_total=Count("actions", filter=~Q(actions__status=A.CANCELLED), distinct=True),
        actions_done=Count("actions", filter=Q(actions__status=A.DONE), distinct=True),
    )


def plan_list(*, user: Any, include_archived: bool = False) -> QuerySet[ActionPlan]:
    qs = with_progress(ActionPlan.objects.select_related("owner", "customer"))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def plan_get(*, user: Any, pk: int) -> ActionPlan:
    return get_object_or_404(
        ActionPlan.objects.select_related(
            "owner", "customer", "customer__account_manager", "verified_by", "follow_up_of", "source_content_type"
        ).prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("due_date", "id")),
            Prefetch("checks", queryset=EffectivenessCheck.objects.select_related("verified_by")),
            "follow_ups",
        ),
        pk=pk,
    )


def action_get(*, user: Any, pk: int) -> Action:
    return get_object_or_404(Action.objects.select_related("owner", "plan", "plan__owner", "plan__customer"), pk=pk)


def action_list(*, user: Any) -> QuerySet[Action]:
    return Action.objects.filter(archived_at__isnull=True, plan__archived_at__isnull=True).select_related(
        "owner", "plan"
    )


def source_link(plan: ActionPlan) -> dict[str, str] | None:
    if not plan.source_content_type_id:
        return None
    model = plan.source_content_type.model_class()
    source = model._default_manager.filter(pk=plan.source_object_id).first() if model else None
    label = plan.source_label or str(plan.source_content_type.name)
    if source is None:
        return {"label": label, "url": ""}
    url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
    return {"label": f"{capfirst(model._meta.verbose_name)}: {source}", "url": url}


def owner_choices() -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .order_by("first_name", "last_name")
    )


def search(*, query: str, limit: int = 20) -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.filter(archived_at__isnull=True)
    for term in normalise(query).split()[:8]:
        qs = qs.filter(search_text__contains=term)
    return qs.order_by("-created_at")[:limit]


# --- registries -------------------------------------------------------------------------------------


def plans_timeline(*, customer: Customer, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    qs = ActionPlan.objects.filter(customer=customer, archived_at__isnull=True).select_related("owner")
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=plan.created_at,
            kind="action_plan",
            kind_label=f"{plan.get_kind_display()} · {plan.number}",
            title=plan.title,
            url=plan.get_absolute_url(),
            summary=plan.problem[:300],
            actor=str(plan.owner or ""),
            badge=plan.get_status_display()
            + (f" · {plan.get_effectiveness_result_display()}" if plan.effectiveness_result else ""),
            badge_tone=STATUS_TONES[plan.status],
        )
        for plan in qs.order_by("-created_at")[:limit]
    ]


def search_provider(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            gettext_lazy("Action plans"),
            f"{p.number} · {p.title}",
            p.get_absolute_url(),
            f"{p.get_kind_display()} · {p.get_status_display()}",
        )
        for p in search(query=query, limit=limit)
    ]


def home_my_actions(*, user: Any) -> dict[str, Any]:
    actions = list(
        action_list(user=user)
        .filter(owner=user, status=A.PENDING, plan__status__in=ACTIVE)
        .order_by("due_date", "id")[:8]
    )
    plans = list(plan_list(user=user).filter(owner=user, status__in=ACTIVE).order_by("due_date", "id")[:5])
    return {"actions": actions, "plans": plans, "today": timezone.localdate()}


# --- figures for the indicators ---------------------------------------------------------------------


def _latest_check_in(period: Period, now: dt.datetime) -> Subquery:
    return Subquery(
        EffectivenessCheck.objects.filter(
            plan=OuterRef("pk"), verified_at__gte=period.start_at, verified_at__lt=min(period.end_at, now)
        )
        .order_by("-verified_at", "-id")
        .values("result")[:1]
    )


def plan_effectiveness_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[ActionPlan]:
    """The plans behind `plan_effectiveness_rate`, annotated `result_in_period`."""
    now = now or timezone.now()
    qs = (
        ActionPlan.objects.filter(archived_at__isnull=True)
        .annotate(result_in_period=_latest_check_in(period, now))
        .filter(result_in_period__isnull=False)
        .select_related("owner", "customer")
    )
    if segment:
        qs = qs.filter(customer__segment=segment)
    if account_manager:
        qs = qs.filter(customer__account_manager_id=account_manager)
    return qs


def plan_effectiveness_rate(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> Ratio:
    """% of the action plans verified in P that were effective.

    A plan counts in P when its effectiveness was verified in P (`EffectivenessCheck.verified_at`,
    up to now in an open period); if it was verified more than once in P, its latest verification
    in P decides. Numerator: plans whose deciding verification found them effective. A plan found
    not effective in one quarter and effective in the next counts in both, once each. Filters apply
    to the plan's customer (plans without a customer count only without filters).
    """
    counts = plan_effectiveness_records(
        period=period, segment=segment, account_manager=account_manager, now=now
    ).aggregate(total=Count("id"), effective=Count("id", filter=Q(result_in_period=ActionPlan.Result.EFFECTIVE)))
    return Ratio(counts["effective"], counts["total"])


def figure_records_url(*, period: Period, segment: str | None = None, account_manager: int | None = None) -> str:
    """The plans list showing the plans behind `plan_effectiveness_rate`."""
    params = {"verified": period.label}
    if segment:
        params["segment"] = segment
    if account_manager:
        params["account_manager"] = str(account_manager)
    return f"{reverse('action_plans:list')}?{urlencode(params)}"


def content_type_id() -> int:
    return ContentType.objects.get_for_model(ActionPlan).pk
