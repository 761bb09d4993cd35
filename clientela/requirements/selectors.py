"""Reads of the requirements module, scoped to what the user may see."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clientela.contracts.models import Contract, Deliverable
from clientela.core.importing import normalise
from clientela.core.models import SiteSetting
from clientela.core.permissions import has_perm
from clientela.core.registry import HeadlineFigure, SearchHit, TimelineEntry
from clientela.customers.models import Customer
from clientela.customers.selectors import sees_blocked, visible_customers

from .clarity import Clarity, clarity_of
from .models import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    STATUS_ORDER,
    Priority,
    Requirement,
    RequirementVersion,
    Status,
)

DEFAULT_CLARIFICATION_DAYS = 30
SETTING_KEY = "requirements.clarification_days"


# --- ageing -------------------------------------------------------------------------------------


def clarification_limit_days() -> int:
    """Days a requirement may stay in clarification before it is flagged. An administrator can set
    it in the site settings (key "requirements.clarification_days", value {"days": N}); otherwise
    the REQUIREMENTS_CLARIFICATION_DAYS setting, 30 by default."""
    row = SiteSetting.objects.filter(key=SETTING_KEY).values_list("value", flat=True).first()
    if isinstance(row, dict):
        try:
            days = int(row.get("days"))
        except (TypeError, ValueError):
            days = 0
        if days > 0:
            return days
    return int(getattr(settings, "REQUIREMENTS_CLARIFICATION_DAYS", DEFAULT_CLARIFICATION_DAYS))


def stuck_cutoff(today: dt.date | None = None, days: int | None = None) -> dt.datetime:
    """Requirements in clarification since before this moment are stuck."""
    today = today or timezone.localdate()
    days = clarification_limit_days() if days is None else days
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return start_of_today - dt.timedelta(days=days)


def stuck_requirements(*, today: dt.date | None = None) -> QuerySet[Requirement]:
    """Live requirements that have been in clarification longer than the configured limit."""
    return Requirement.objects.filter(
        archived_at__isnull=True,
        status=Status.CLARIFYING,
        status_changed_at__lt=stuck_cutoff(today),
        customer__archived_at__isnull=True,
    )


def requirements_stuck_in_clarification(*, today: dt.date | None = None) -> int:
    """The live signal of the risk "Requisitos no claros" (indicators' risk register)."""
    return stuck_requirements(today=today).count()


# --- lists --------------------------------------------------------------------------------------


def _rank(field: str, order: list[str]) -> Case:
    return Case(*[When(**{field: value}, then=Value(i)) for i, value in enumerate(order)], output_field=IntegerField())


def visible_requirements(user: Any) -> QuerySet[Requirement]:
    qs = Requirement.objects.all()
    return qs if sees_blocked(user) else qs.filter(customer__blocked_until__isnull=True)


def with_ranks(qs: QuerySet[Requirement], *, cutoff: dt.datetime | None = None) -> QuerySet[Requirement]:
    """MoSCoW and life-cycle order for sorting, and the ageing flag."""
    cutoff = cutoff or stuck_cutoff()
    return qs.annotate(
        priority_rank=_rank("priority", PRIORITY_ORDER),
        status_rank=_rank("status", STATUS_ORDER),
        is_stuck=Case(
            When(status=Status.CLARIFYING, status_changed_at__lt=cutoff, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def requirement_list(*, user: Any, include_archived: bool = False) -> QuerySet[Requirement]:
    qs = visible_requirements(user).select_related("customer", "customer__account_manager", "confirmed_by", "contract")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return with_ranks(qs)


def requirement_get(*, user: Any, pk: int) -> Requirement:
    qs = visible_requirements(user).select_related(
        "customer",
        "customer__account_manager",
        "confirmed_by",
        "validated_by",
        "approved_by",
        "created_by",
        "contract",
        "contract__owner",
    )
    return get_object_or_404(with_ranks(qs), pk=pk)


def versions_of(requirement: Requirement) -> QuerySet[RequirementVersion]:
    return requirement.versions.select_related("confirmed_by", "validated_by", "approved_by", "created_by").order_by(
        "version"
    )


def version_get(*, requirement: Requirement, version: int) -> RequirementVersion:
    return get_object_or_404(versions_of(requirement), version=version)


def customers_for_capture(*, user: Any) -> QuerySet[Customer]:
    """The live customers whose requirements `user` may capture (the permission rule decides)."""
    candidates = visible_customers(user).filter(archived_at__isnull=True).only("pk", "account_manager_id")
    allowed = [c.pk for c in candidates if has_perm(user, "requirements.change", c)]
    return Customer.objects.filter(pk__in=allowed).order_by("name")


def priority_status_matrix(qs: QuerySet[Requirement]) -> dict[str, Any]:
    """Counts by priority (rows) and status (columns) of a filtered list: the prioritised view."""
    counts = {
        (row["priority"], row["status"]): row["n"]
        for row in qs.order_by().values("priority", "status").annotate(n=Count("id"))
    }
    rows = []
    for priority in Priority:
        cells = [{"status": status, "count": counts.get((priority.value, status.value), 0)} for status in Status]
        rows.append({"priority": priority, "cells": cells, "total": sum(c["count"] for c in cells)})
    totals = [
        {"status": status, "count": sum(counts.get((p.value, status.value), 0) for p in Priority)} for status in Status
    ]
    return {"rows": rows, "totals": totals, "total": sum(counts.values())}


# --- traceability ---------------------------------------------------------------------------------


def contract_choices(*, customer_id: int | None, current: int | None = None) -> QuerySet[Contract]:
    """The contracts a requirement of this customer may belong to: its live ones, newest first (and
    the one it belongs to now, whatever its state)."""
    if customer_id is None:
        return Contract.objects.none()
    live = Q(archived_at__isnull=True) & ~Q(status=Contract.Status.CANCELLED)
    return Contract.objects.filter(Q(customer_id=customer_id) & (live | Q(pk=current))).order_by("-start_date", "-pk")


def traceable_deliverables(requirement: Requirement) -> QuerySet[Deliverable]:
    """The deliverables a requirement may be traced to: those of its customer's contracts (not
    cancelled, nor of a cancelled or archived contract), its own contract's first, plus the ones it
    is traced to now."""
    live = (
        Q(contract__archived_at__isnull=True)
        & ~Q(contract__status=Contract.Status.CANCELLED)
        & ~Q(status=Deliverable.Status.CANCELLED)
    )
    traced = Q(pk__in=requirement.deliverables.values("pk")) if requirement.pk else Q(pk__in=[])
    return (
        Deliverable.objects.filter(Q(contract__customer_id=requirement.customer_id) & (live | traced))
        .select_related("contract")
        .annotate(own=Case(When(contract_id=requirement.contract_id, then=Value(0)), default=Value(1)))
        .order_by("own", "-contract__start_date", "contract_id", "due_date", "pk")
    )


def traceable_requirements(deliverable: Deliverable) -> QuerySet[Requirement]:
    """The requirements a deliverable may satisfy: its customer's live ones (not rejected, withdrawn
    or archived) plus those traced to it now, its contract's first, in MoSCoW order; `is_traced`
    says which are traced to it."""
    traced = Requirement.deliverables.through.objects.filter(requirement_id=OuterRef("pk"), deliverable=deliverable)
    live = Q(archived_at__isnull=True) & ~Q(status__in=[Status.REJECTED, Status.WITHDRAWN])
    return (
        Requirement.objects.filter(customer_id=deliverable.contract.customer_id)
        .annotate(
            is_traced=Exists(traced),
            own=Case(When(contract_id=deliverable.contract_id, then=Value(0)), default=Value(1)),
            priority_rank=_rank("priority", PRIORITY_ORDER),
        )
        .filter(live | Q(is_traced=True))
        .order_by("own", "priority_rank", "number")
    )


def deliverable_requirements(*, deliverable: Deliverable, user: Any) -> list[Requirement]:
    """The requirements traced to a deliverable that the user may see, in MoSCoW order."""
    qs = visible_requirements(user).filter(deliverables=deliverable, archived_at__isnull=True)
    return list(
        qs.annotate(
            priority_rank=_rank("priority", PRIORITY_ORDER), status_rank=_rank("status", STATUS_ORDER)
        ).order_by("priority_rank", "status_rank", "number")
    )


def concerned_people(requirement: Requirement, *, approver: Any = None) -> list[Any]:
    """Who must hear of a change to an agreed requirement (ISO 9001 8.2.4): the customer's account
    manager, whoever approved the version it replaces and the owner of its contract."""
    owner = requirement.contract.owner if requirement.contract_id else None
    people = [requirement.customer.account_manager, approver, owner]
    return [p for p in dict.fromkeys(people) if p is not None]


def clarity(requirement: Requirement) -> Clarity:
    return clarity_of(
        title=requirement.title,
        description=requirement.description,
        acceptance_criteria=requirement.acceptance_criteria,
        source_reference=requirement.source_reference,
        confirmed=requirement.is_confirmed,
    )


# --- customer 360° ------------------------------------------------------------------------------


def customer_requirements(*, customer: Customer, user: Any) -> QuerySet[Requirement]:
    return requirement_list(user=user).filter(customer=customer).order_by("priority_rank", "status_rank", "number")


def customer_document_requirements(*, customer: Customer, user: Any) -> QuerySet[Requirement]:
    """Everything the customer's requirements document prints, in two queries."""
    return (
        customer_requirements(customer=customer, user=user)
        .select_related("validated_by", "approved_by")
        .prefetch_related(Prefetch("versions", queryset=RequirementVersion.objects.order_by("version")))
    )


def customer_panel_context(*, customer: Customer, user: Any) -> dict[str, Any]:
    """The requirements tab of the 360° page: grouped by priority, with status and ageing."""
    requirements = list(customer_requirements(customer=customer, user=user))
    groups = []
    for priority in Priority:
        items = [r for r in requirements if r.priority == priority.value]
        if items:
            groups.append({"priority": priority, "items": items})
    return {
        "groups": groups,
        "count": len(requirements),
        "open": sum(1 for r in requirements if r.status in OPEN_STATUSES),
        "stuck": sum(1 for r in requirements if r.is_stuck),
        "limit_days": clarification_limit_days(),
    }


def customer_figures(*, customer: Customer, user: Any) -> list[HeadlineFigure]:
    stats = Requirement.objects.filter(customer=customer, archived_at__isnull=True).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        stuck=Count("id", filter=Q(status=Status.CLARIFYING, status_changed_at__lt=stuck_cutoff())),
    )
    if not stats["open"]:
        return []
    url = reverse("customers:detail", args=[customer.pk]) + "?tab=requirements"
    if stats["stuck"]:
        hint = ngettext("%(count)s stuck in clarification", "%(count)s stuck in clarification", stats["stuck"]) % {
            "count": stats["stuck"]
        }
        return [HeadlineFigure(gettext_lazy("Open requirements"), str(stats["open"]), "warning", url, hint)]
    return [HeadlineFigure(gettext_lazy("Open requirements"), str(stats["open"]), "neutral", url)]


def _before(field: str, before: dt.datetime | None) -> Case | F:
    if before is None:
        return F(field)
    return Case(When(**{f"{field}__lt": before}, then=F(field)), default=Value(None), output_field=DateTimeField())


EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def requirements_timeline(
    *, customer: Customer, user: Any, before: dt.datetime | None, limit: int
) -> list[TimelineEntry]:
    """Requirement captured, new version, validated and approved: one query over the version rows,
    newest first by the latest of their moments before `before`."""
    moments = ("created_at", "validated_at", "approved_at")
    epoch = Value(EPOCH, output_field=DateTimeField())
    rows = (
        RequirementVersion.objects.filter(requirement__customer=customer, requirement__archived_at__isnull=True)
        .select_related("requirement", "created_by", "validated_by", "approved_by")
        .annotate(latest=Greatest(*[Coalesce(_before(m, before), epoch) for m in moments]))
        .filter(latest__gt=epoch)
        .order_by("-latest", "-pk")[:limit]
    )
    entries: list[TimelineEntry] = []
    for row in rows:
        requirement = row.requirement
        url = reverse("requirements:detail", args=[requirement.pk])
        title = f"{requirement.number} · {row.title}"
        events = [
            (
                row.created_at,
                _("Requirement captured")
                if row.version == 1
                else _("New version %(version)s") % {"version": row.version},
                row.created_by,
                row.change_reason if row.version > 1 else row.description,
                "info",
            ),
            (
                row.validated_at,
                _("Validated (version %(version)s)") % {"version": row.version},
                row.validated_by,
                "",
                "good",
            ),
            (
                row.approved_at,
                _("Approved (version %(version)s)") % {"version": row.version},
                row.approved_by,
                "",
                "good",
            ),
        ]
        for at, badge, who, summary, tone in events:
            if at is None or (before is not None and at >= before):
                continue
            entries.append(
                TimelineEntry(
                    at=at,
                    kind="requirement",
                    kind_label=gettext_lazy("Requirement"),
                    title=title,
                    url=url,
                    summary=summary[:300],
                    actor=str(who or ""),
                    badge=badge,
                    badge_tone=tone,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def search_provider(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    qs = requirement_list(user=user)
    for term in normalise(query).split()[:8]:
        qs = qs.filter(search_text__contains=term)
    return [
        SearchHit(
            gettext_lazy("Requirements"),
            f"{r.number} · {r.title}",
            r.get_absolute_url(),
            f"{r.customer.name} · {r.get_status_display()} · {r.get_priority_display()}",
        )
        for r in qs.order_by("-created_at")[:limit]
    ]


def home_widget(*, user: Any) -> dict[str, Any]:
    """For account managers: their requirements waiting for the customer's confirmation or stuck in
    clarification; for who approves: validated requirements waiting for approval."""
    mine = requirement_list(user=user).filter(customer__account_manager=user)
    unconfirmed = list(
        mine.filter(status__in=[Status.DRAFT, Status.CLARIFYING], confirmed_by__isnull=True, is_stuck=False).order_by(
            "status_changed_at"
        )[:8]
    )
    stuck = list(mine.filter(is_stuck=True).order_by("status_changed_at")[:8])
    awaiting = []
    if has_perm(user, "requirements.approve"):
        awaiting = list(requirement_list(user=user).filter(status=Status.VALIDATED).order_by("validated_at")[:8])
    return {"unconfirmed": unconfirmed, "stuck": stuck, "awaiting": awaiting, "limit_days": clarification_limit_days()}
