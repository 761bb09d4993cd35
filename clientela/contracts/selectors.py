"""Reads of the contracts module: lists, compliance, the CCT indicator (SPEC §4) and the shared-page hooks."""

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.importing import normalise
from clientela.core.periods import Period, Ratio
from clientela.core.permissions import has_perm
from clientela.core.registry import HeadlineFigure, SearchHit, TimelineEntry

from .models import (
    CCT_EXCLUDED_STATUSES,
    Contract,
    ContractRegulation,
    Deliverable,
    Delivery,
    RecurringObligation,
    Regulation,
)
from .states import CONTRACT_FLOW, CONTRACT_MOVE_PERMISSIONS

D = Deliverable.Status
C = Contract.Status


# --- the CCT indicator (SPEC §4, exact) ------------------------------------------------------


def fulfilled_in_time_and_form() -> Exists:
    """For a deliverable row: at least one conforming delivery on or before its due date."""
    return Exists(
        Delivery.objects.filter(
            deliverable=OuterRef("pk"),
            conforming=True,
            delivered_on__lte=OuterRef("due_date"),
            archived_at__isnull=True,
        )
    )


def deliverables_due(
    *,
    start: dt.date,
    until: dt.date,
    segment: str | None = None,
    account_manager: int | None = None,
    customer: int | None = None,
) -> QuerySet[Deliverable]:
    """Deliverables due in [start, until], not cancelled, of contracts in any status but draft and
    cancelled; annotated with `fulfilled` (in time and form)."""
    qs = (
        Deliverable.objects.filter(due_date__gte=start, due_date__lte=until)
        .exclude(status=D.CANCELLED)
        .exclude(contract__status__in=CCT_EXCLUDED_STATUSES)
    )
    if segment:
        qs = qs.filter(contract__customer__segment=segment)
    if account_manager:
        qs = qs.filter(contract__customer__account_manager_id=account_manager)
    if customer:
        qs = qs.filter(contract__customer_id=customer)
    return qs.annotate(fulfilled=fulfilled_in_time_and_form())


@dataclass(frozen=True)
class CCTResult:
    """% de contratos cumplidos en tiempo y forma, for one period; the target and its status are the
    indicators module's business."""

    period: Period
    counted_until: dt.date  # the period's end, or today for an open period
    provisional: bool
    numerator: int
    denominator: int
    value: float | None  # percent, 2 decimals; None when no contract is in scope
    deliverables_due: int
    deliverables_fulfilled: int
    contract_ids: tuple[int, ...]  # the denominator's contracts
    failed_contract_ids: tuple[int, ...]  # in scope but not fulfilled in time and form

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.numerator, self.denominator)

    @property
    def ci95(self) -> tuple[float, float] | None:
        return self.ratio.ci95


def cct(
    *,
    period: Period,
    today: dt.date | None = None,
    segment: str | None = None,
    account_manager: int | None = None,
) -> CCTResult:
    """CCT exactly as SPEC §4, in one query whatever the amount of data."""
    today = today or timezone.localdate()
    until = period.cap(today)
    rows = list(
        deliverables_due(start=period.start, until=until, segment=segment, account_manager=account_manager)
        .order_by()
        .values("contract_id")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(fulfilled=True)))
        .order_by("contract_id")
        .values_list("contract_id", "total", "ok")
    )
    in_scope = tuple(contract_id for contract_id, _total, _ok in rows)
    failed = tuple(contract_id for contract_id, total, ok in rows if ok < total)
    numerator, denominator = len(in_scope) - len(failed), len(in_scope)
    return CCTResult(
        period=period,
        counted_until=until,
        provisional=period.is_provisional(today),
        numerator=numerator,
        denominator=denominator,
        value=Ratio(numerator, denominator).value,
        deliverables_due=sum(total for _id, total, _ok in rows),
        deliverables_fulfilled=sum(ok for _id, _total, ok in rows),
        contract_ids=in_scope,
        failed_contract_ids=failed,
    )


def _otif(*, start: dt.date, until: dt.date, **scope: Any) -> Ratio:
    counts = (
        deliverables_due(start=start, until=until, **scope)
        .order_by()
        .aggregate(total=Count("pk"), ok=Count("pk", filter=Q(fulfilled=True)))
    )
    return Ratio(counts["ok"], counts["total"])


def deliverables_otif(
    *,
    period: Period,
    today: dt.date | None = None,
    segment: str | None = None,
    account_manager: int | None = None,
) -> Ratio:
    """Deliverables due in P delivered on time and in full (conforming) / deliverables due in P."""
    until = period.cap(today or timezone.localdate())
    return _otif(start=period.start, until=until, segment=segment, account_manager=account_manager)


def renewal_rate(
    *,
    period: Period,
    today: dt.date | None = None,
    segment: str | None = None,
    account_manager: int | None = None,
) -> Ratio:
    """Contracts that reached their end date in P (active or completed) and were renewed by a later
    contract that is not a draft or cancelled / contracts that reached their end date in P."""
    until = period.cap(today or timezone.localdate())
    qs = Contract.objects.filter(end_date__gte=period.start, end_date__lte=until, status__in=[C.ACTIVE, C.COMPLETED])
    # The renewed ones as one uncorrelated set: a correlated EXISTS per contract made SQLite scan the
    # whole table once per contract (its statistics call `renews` unselective, most rows having none).
    renewed = (
        Contract.objects.filter(renews__isnull=False).exclude(status__in=CCT_EXCLUDED_STATUSES).values("renews_id")
    )
    if segment:
        qs = qs.filter(customer__segment=segment)
    if account_manager:
        qs = qs.filter(customer__account_manager_id=account_manager)
    counts = qs.order_by().aggregate(total=Count("pk"), ok=Count("pk", filter=Q(pk__in=renewed)))
    return Ratio(counts["ok"], counts["total"])


def cct_trend(*, periods: list[Period], today: dt.date | None = None) -> list[CCTResult]:
    """One CCT per period (one query each)."""
    return [cct(period=p, today=today) for p in periods]


def failed_contracts(*, result: CCTResult) -> QuerySet[Contract]:
    """The contracts behind the numerator's gap, with what went wrong in the period."""
    until, start = result.counted_until, result.period.start
    due = Deliverable.objects.filter(contract=OuterRef("pk"), due_date__gte=start, due_date__lte=until).exclude(
        status=D.CANCELLED
    )
    return (
        Contract.objects.filter(pk__in=result.failed_contract_ids)
        .select_related("customer", "owner")
        .annotate(
            due_in_period=_count(due),
            missed_in_period=_count(due.exclude(fulfilled_in_time_and_form())),
        )
        .order_by("customer__name", "number")
    )


def trend_chart(trend: list[CCTResult]) -> dict[str, Any]:
    """Chart.js configuration for the CCT trend (the same figures are in the table beside it)."""
    return {
        "type": "bar",
        "data": {
            "labels": [r.period.label for r in trend],
            "datasets": [
                {
                    "label": "CCT %",
                    "data": [r.value for r in trend],
                    "backgroundColor": ["#9aa5b1" if r.provisional else "#1f6feb" for r in trend],
                }
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {"legend": {"display": False}},
            "scales": {"y": {"min": 0, "max": 100}},
        },
    }


def segment_options() -> list[str]:
    from clientela.customers.selectors import segment_choices

    return segment_choices()


def manager_options() -> QuerySet:
    from clientela.customers.selectors import account_manager_choices

    return account_manager_choices()


# --- contracts ------------------------------------------------------------------------------


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(qs.order_by().values("contract").annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        0,
    )


def with_compliance(qs: QuerySet[Contract], today: dt.date | None = None) -> QuerySet[Contract]:
    """Per contract: deliverables due so far, of them fulfilled in time and form, and overdue ones."""
    today = today or timezone.localdate()
    due = Deliverable.objects.filter(contract=OuterRef("pk"), due_date__lte=today).exclude(status=D.CANCELLED)
    return qs.annotate(
        due_so_far=_count(due),
        on_time_so_far=_count(due.filter(fulfilled_in_time_and_form())),
        overdue_count=_count(due.filter(status=D.PENDING, due_date__lt=today)),
    )


def contract_list(*, user: Any, include_archived: bool = False) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("customer", "owner")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return with_compliance(qs)


def contract_get(*, user: Any, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.select_related("customer", "customer__account_manager", "owner", "contact", "renews"), pk=pk
    )


def customers_for_contracts(*, user: Any) -> QuerySet:
    """Customers the user may draft contracts for: all for a sales manager, their own for an
    account manager (asked of the permission table with a customer nobody manages)."""
    from clientela.customers.models import Customer

    qs = Customer.objects.filter(archived_at__isnull=True).order_by("name")
    unmanaged = Contract(customer=Customer(account_manager_id=None), status=C.DRAFT)
    if has_perm(user, "contracts.change", unmanaged):
        return qs
    return qs.filter(account_manager=user)


def renewable_contracts(*, customer_id: int | None, exclude: int | None = None) -> QuerySet[Contract]:
    """Earlier contracts of the customer that a new one may renew."""
    qs = Contract.objects.filter(customer_id=customer_id, status__in=[C.ACTIVE, C.COMPLETED, C.TERMINATED])
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-end_date")


def allowed_moves(*, user: Any, contract: Contract) -> list[tuple[str, str]]:
    """(status, label) of the moves this user may make on this contract now."""
    return [
        (target, CONTRACT_FLOW.label(target))
        for target in CONTRACT_FLOW.targets(contract.status)
        if has_perm(user, CONTRACT_MOVE_PERMISSIONS[(contract.status, target)], contract)
    ]


@dataclass(frozen=True)
class Compliance:
    """A contract's obligations by outcome (cancelled ones apart)."""

    total: int
    on_time: int  # fulfilled in time and form
    late: int  # delivered in conformity, but after the due date
    pending: int  # not yet due
    overdue: int  # due and not delivered in conformity
    cancelled: int
    with_nonconformity: int  # had at least one nonconforming delivery

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.on_time, self.due)


def contract_compliance(*, contract: Contract, today: dt.date | None = None) -> Compliance:
    today = today or timezone.localdate()
    active = ~Q(status=D.CANCELLED)
    counts = (
        contract.deliverables.annotate(
            fulfilled=fulfilled_in_time_and_form(),
            had_nc=Exists(Delivery.objects.filter(deliverable=OuterRef("pk"), conforming=False)),
        )
        .order_by()
        .aggregate(
            total=Count("pk", filter=active),
            on_time=Count("pk", filter=active & Q(fulfilled=True)),
            late=Count("pk", filter=Q(status=D.DELIVERED, fulfilled=False)),
            pending=Count("pk", filter=Q(status=D.PENDING, due_date__gte=today)),
            overdue=Count("pk", filter=Q(status=D.PENDING, due_date__lt=today)),
            cancelled=Count("pk", filter=Q(status=D.CANCELLED)),
            with_nonconformity=Count("pk", filter=Q(had_nc=True)),
        )
    )
    return Compliance(**counts)


def value_by_currency(qs: QuerySet[Contract]) -> list[tuple[str, Any]]:
    """Contract values summed per currency (never across currencies)."""
    return list(
        qs.order_by()
        .values("currency")
        .annotate(total=Sum("value"))
        .order_by("currency")
        .values_list("currency", "total")
    )


# --- deliverables and deliveries --------------------------------------------------------------


def with_outcome(qs: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    return qs.annotate(
        fulfilled=fulfilled_in_time_and_form(),
        had_nc=Exists(Delivery.objects.filter(deliverable=OuterRef("pk"), conforming=False)),
        delivery_count=Coalesce(
            Subquery(
                Delivery.objects.filter(deliverable=OuterRef("pk"))
                .order_by()
                .values("deliverable")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def deliverable_list(*, user: Any) -> QuerySet[Deliverable]:
    return with_outcome(
        Deliverable.objects.filter(contract__archived_at__isnull=True).select_related(
            "contract", "contract__customer", "responsible"
        )
    )


def deliverable_get(*, user: Any, pk: int) -> Deliverable:
    return get_object_or_404(
        with_outcome(
            Deliverable.objects.select_related(
                "contract", "contract__customer", "contract__customer__account_manager", "responsible", "recurring"
            )
        ),
        pk=pk,
    )


def outcome(deliverable: Deliverable, today: dt.date | None = None) -> tuple[str, str, str]:
    """(key, label, tone) of a deliverable annotated by `with_outcome`: text, never colour alone."""
    today = today or timezone.localdate()
    if deliverable.status == D.CANCELLED:
        return "cancelled", _("Cancelled"), "neutral"
    if deliverable.status == D.DELIVERED:
        if deliverable.fulfilled:
            return "on_time", _("On time and in form"), "good"
        return "late", _("Delivered late"), "warning"
    if deliverable.due_date < today:
        return "overdue", _("Overdue"), "bad"
    if deliverable.had_nc:
        return "nonconforming", _("Nonconforming, pending"), "warning"
    return "pending", _("Pending"), "info"


def delivery_list(*, user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.filter(deliverable__contract__archived_at__isnull=True).select_related(
        "deliverable", "deliverable__contract", "deliverable__contract__customer", "recorded_by"
    )


def delivery_get(*, user: Any, pk: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related(
            "deliverable",
            "deliverable__contract",
            "deliverable__contract__customer",
            "deliverable__contract__customer__account_manager",
            "deliverable__contract__contact",
            "recorded_by",
        ),
        pk=pk,
    )


# --- regulations ------------------------------------------------------------------------------


def regulation_list(*, user: Any, include_archived: bool = False) -> QuerySet[Regulation]:
    qs = Regulation.objects.annotate(
        contract_count=Count("contract_links", filter=~Q(contract_links__contract__status__in=CCT_EXCLUDED_STATUSES))
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def obligation_get(*, user: Any, pk: int) -> RecurringObligation:
    return get_object_or_404(RecurringObligation.objects.select_related("contract", "contract__customer"), pk=pk)


def regulation_get(*, user: Any, pk: int) -> Regulation:
    return get_object_or_404(Regulation, pk=pk)


def regulation_links(*, contract: Contract) -> QuerySet[ContractRegulation]:
    return contract.regulation_links.select_related("regulation", "reviewed_by").order_by("regulation__code")


def jurisdiction_choices() -> list[str]:
    return list(
        Regulation.objects.exclude(jurisdiction="")
        .values_list("jurisdiction", flat=True)
        .distinct()
        .order_by("jurisdiction")[:100]
    )


def team_choices() -> list[str]:
    return list(Deliverable.objects.exclude(team="").values_list("team", flat=True).distinct().order_by("team")[:100])


# --- calendar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    in_month: bool
    is_today: bool
    deliverables: tuple[Deliverable, ...]
    contracts_ending: tuple[Contract, ...]

    @property
    def is_empty(self) -> bool:
        return not self.deliverables and not self.contracts_ending


def calendar_month(
    *, user: Any, year: int, month: int, mine: bool = False, team: str = "", today: dt.date | None = None
) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month with what falls due each day; two queries."""
    today = today or timezone.localdate()
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    start = first - dt.timedelta(days=first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    deliverables = deliverable_list(user=user).filter(due_date__gte=start, due_date__lte=end)
    ending = Contract.objects.filter(
        archived_at__isnull=True, status=C.ACTIVE, end_date__gte=start, end_date__lte=end
    ).select_related("customer")
    if mine:
        deliverables = deliverables.filter(Q(responsible=user) | Q(contract__owner=user))
        ending = ending.filter(owner=user)
    if team:
        deliverables = deliverables.filter(team=team)
    by_day: dict[dt.date, list[Deliverable]] = {}
    for deliverable in deliverables.order_by("due_date", "contract__number", "pk"):
        deliverable.outcome = outcome(deliverable, today)
        by_day.setdefault(deliverable.due_date, []).append(deliverable)
    ending_by_day: dict[dt.date, list[Contract]] = {}
    for contract in ending:
        ending_by_day.setdefault(contract.end_date, []).append(contract)
    weeks: list[list[CalendarDay]] = []
    day = start
    while day <= end:
        week = []
        for _offset in range(7):
            week.append(
                CalendarDay(
                    date=day,
                    in_month=day.month == month,
                    is_today=day == today,
                    deliverables=tuple(by_day.get(day, ())),
                    contracts_ending=tuple(ending_by_day.get(day, ())),
                )
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


# --- shared pages: 360° timeline, figures, panel, search, home -------------------------------


def _local_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def contracts_timeline(*, customer: Any, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    """Contract milestones (created, activated, closed) from the contracts' own dates: one query."""
    qs = Contract.objects.filter(customer=customer, archived_at__isnull=True)
    if before is not None:
        qs = qs.filter(Q(created_at__lt=before) | Q(activated_at__lt=before) | Q(closed_at__lt=before))
    entries: list[TimelineEntry] = []
    latest = Greatest("created_at", Coalesce("activated_at", "created_at"), Coalesce("closed_at", "created_at"))
    for contract in qs.select_related("owner").annotate(latest=latest).order_by("-latest", "-pk")[:limit]:
        url = contract.get_absolute_url()
        owner = str(contract.owner or "")
        milestones = [(contract.created_at, _("Contract drafted"), "neutral")]
        if contract.activated_at:
            milestones.append((contract.activated_at, _("Contract activated"), "good"))
        if contract.closed_at:
            tone = "bad" if contract.status == C.TERMINATED else "neutral"
            milestones.append((contract.closed_at, contract.get_status_display(), tone))
        for at, badge, tone in milestones:
            if before is not None and at >= before:
                continue
            entries.append(
                TimelineEntry(
                    at=at,
                    kind="contract",
                    kind_label=gettext_lazy("Contract"),
                    title=str(contract),
                    url=url,
                    summary=contract.close_reason if badge == contract.get_status_display() else "",
                    actor=owner,
                    badge=str(badge),
                    badge_tone=tone,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def deliveries_timeline(*, customer: Any, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    qs = Delivery.objects.filter(deliverable__contract__customer=customer).select_related(
        "deliverable", "deliverable__contract", "recorded_by"
    )
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    entries = []
    for delivery in qs.order_by("-created_at")[:limit]:
        deliverable = delivery.deliverable
        if delivery.conforming:
            badge, tone = (_("On time and in form"), "good") if delivery.on_time else (_("Conforming, late"), "warning")
        else:
            badge, tone = _("Nonconforming"), "bad"
        entries.append(
            TimelineEntry(
                at=delivery.created_at,
                kind="delivery",
                kind_label=gettext_lazy("Delivery"),
                title=f"{deliverable.description} · {deliverable.contract.number}",
                url=delivery.get_absolute_url(),
                summary=delivery.nonconformity or delivery.notes,
                actor=str(delivery.recorded_by or ""),
                badge=str(badge),
                badge_tone=tone,
            )
        )
    return entries


def customer_figures(*, customer: Any, user: Any) -> list[HeadlineFigure]:
    """'Contract compliance': deliverables due in the last 12 months fulfilled in time and form."""
    today = timezone.localdate()
    ratio = _otif(start=today - dt.timedelta(days=365), until=today, customer=customer.pk)
    url = reverse("customers:detail", args=[customer.pk]) + "?tab=contracts"
    if ratio.value is None:
        return [HeadlineFigure(gettext_lazy("Contract compliance"), "—", "neutral", url, _("nothing due in 12 months"))]
    tone = "good" if ratio.value >= 95 else "warning" if ratio.value >= 85 else "bad"
    from clientela.core.templatetags.clientela import percent

    return [
        HeadlineFigure(
            gettext_lazy("Contract compliance"),
            percent(ratio.value),
            tone,
            url,
            _("%(ok)s of %(total)s deliverables on time and in form, last 12 months")
            % {"ok": ratio.numerator, "total": ratio.denominator},
        )
    ]


def customer_panel(*, customer: Any, user: Any) -> dict[str, Any]:
    contracts = list(
        with_compliance(
            Contract.objects.filter(customer=customer, archived_at__isnull=True).select_related("owner")
        ).order_by("-start_date", "-pk")
    )
    live = Contract.objects.filter(customer=customer, archived_at__isnull=True, status=C.ACTIVE)
    return {"contracts": contracts, "active_value": value_by_currency(live)}


def search_provider_contracts(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    qs = Contract.objects.filter(archived_at__isnull=True).select_related("customer")
    for term in normalise(query).split()[:8]:
        qs = qs.filter(search_text__contains=term)
    return [
        SearchHit(
            gettext_lazy("Contracts"),
            str(c),
            c.get_absolute_url(),
            f"{c.customer.name} · {c.get_status_display()}",
        )
        for c in qs.order_by("-start_date")[:limit]
    ]


def home_due_soon(*, user: Any) -> dict[str, Any]:
    """Overdue deliverables and those due within 7 days: the user's own first, else everyone's for
    the people who record deliveries."""
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=7)
    base = deliverable_list(user=user).filter(status=D.PENDING, contract__status=C.ACTIVE, due_date__lte=horizon)
    counts = base.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)), soon=Count("pk", filter=Q(due_date__gte=today))
    )
    mine = base.filter(Q(responsible=user) | Q(contract__owner=user))
    items = list(mine.order_by("due_date", "pk")[:8])
    scope = "mine"
    if not items and has_perm(user, "deliveries.add"):
        items = list(base.order_by("due_date", "pk")[:8])
        scope = "all"
    for item in items:
        item.outcome = outcome(item, today)
    return {"items": items, "counts": counts, "scope": scope, "today": today}
