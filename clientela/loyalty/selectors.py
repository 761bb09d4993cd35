"""Reads of the loyalty module: programmes, members with their balance and tier, the ledger,
retention figures and what the customer 360° page shows."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.periods import Period, Ratio
from clientela.core.registry import HeadlineFigure, TimelineEntry
from clientela.customers.models import Contact, Customer, StatusChange

from . import ledger
from .models import (
    EarningRule,
    LoyaltyProgramme,
    Membership,
    PointsEntry,
    ProgrammeMessage,
    Redemption,
    Referral,
    Reward,
    Tier,
)

# --- programmes ----------------------------------------------------------------------------------


def programme_list(*, user: Any, include_archived: bool = False) -> QuerySet[LoyaltyProgramme]:
    qs = LoyaltyProgramme.objects.select_related("owner").annotate(
        member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True)
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def programme_get(*, user: Any, pk: int) -> LoyaltyProgramme:
    return get_object_or_404(
        LoyaltyProgramme.objects.select_related("owner").prefetch_related(
            Prefetch("tiers", queryset=Tier.objects.filter(archived_at__isnull=True).order_by("min_points")),
            Prefetch("rules", queryset=EarningRule.objects.filter(archived_at__isnull=True)),
            Prefetch(
                "rewards",
                queryset=Reward.objects.filter(archived_at__isnull=True).select_related("min_tier"),
            ),
        ),
        pk=pk,
    )


def active_tiers(programme: LoyaltyProgramme | int) -> list[Tier]:
    return list(Tier.objects.filter(programme=programme, archived_at__isnull=True).order_by("min_points"))


def tier_get(*, user: Any, pk: int) -> Tier:
    return get_object_or_404(Tier.objects.select_related("programme"), pk=pk, archived_at__isnull=True)


def rule_get(*, user: Any, pk: int) -> EarningRule:
    return get_object_or_404(EarningRule.objects.select_related("programme"), pk=pk, archived_at__isnull=True)


def reward_get(*, user: Any, pk: int) -> Reward:
    return get_object_or_404(Reward.objects.select_related("programme", "min_tier"), pk=pk, archived_at__isnull=True)


# --- members -------------------------------------------------------------------------------------


def _sum_subquery(filter_q: Q) -> Subquery:
    return Subquery(
        PointsEntry.objects.filter(filter_q, membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(total=Sum("points"))
        .values("total"),
        output_field=IntegerField(),
    )


def with_points(qs: QuerySet[Membership], as_of: dt.datetime | None = None) -> QuerySet[Membership]:
    """Annotate `balance` (sum of the whole ledger) and `qualifying` (points of the last 12 months
    that count toward the tier), each with one subquery."""
    as_of = as_of or timezone.now()
    return qs.annotate(
        balance=Coalesce(_sum_subquery(Q()), Value(0)),
        qualifying=Coalesce(_sum_subquery(ledger.qualifying_filter(as_of)), Value(0)),
    )


def membership_list(*, user: Any, as_of: dt.datetime | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(archived_at__isnull=True).select_related(
        "programme", "customer", "customer__account_manager"
    )
    return with_points(qs, as_of)


def membership_get(*, user: Any, pk: int) -> Membership:
    return get_object_or_404(membership_list(user=user), pk=pk)


def in_tier(members: QuerySet[Membership], tier: Tier) -> QuerySet[Membership]:
    """Members (annotated with `qualifying`) currently in `tier`."""
    upper = (
        Tier.objects.filter(programme_id=tier.programme_id, archived_at__isnull=True, min_points__gt=tier.min_points)
        .order_by("min_points")
        .values_list("min_points", flat=True)
        .first()
    )
    members = members.filter(programme_id=tier.programme_id, qualifying__gte=tier.min_points)
    return members.filter(qualifying__lt=upper) if upper is not None else members


def attach_tiers(members: Iterable[Membership]) -> list[Membership]:
    """Set `tier` and `next_tier` on annotated members, reading each programme's tiers once."""
    members = list(members)
    programme_ids = {m.programme_id for m in members}
    tiers: dict[int, list[Tier]] = defaultdict(list)
    for tier in Tier.objects.filter(programme_id__in=programme_ids, archived_at__isnull=True):
        tiers[tier.programme_id].append(tier)
    for member in members:
        points = max(getattr(member, "qualifying", 0) or 0, 0)
        member.tier = ledger.tier_for(tiers[member.programme_id], points)
        member.next_tier = ledger.next_tier(tiers[member.programme_id], points)
        member.to_next_tier = member.next_tier.min_points - points if member.next_tier else None
    return members


@dataclass(frozen=True)
class Expiring:
    at: dt.datetime
    points: int


def expiring_points(membership: Membership, *, within_days: int = 90, at: dt.datetime | None = None) -> list[Expiring]:
    """Unspent points that expire in the next `within_days` days, grouped by date."""
    at = at or timezone.now()
    state = ledger.lots_at(ledger.ledger_for(membership), at)
    horizon = at + dt.timedelta(days=within_days)
    grouped: dict[dt.date, int] = defaultdict(int)
    stamps: dict[dt.date, dt.datetime] = {}
    for lot in state.lots:
        if lot.expires_at is not None and lot.expires_at <= horizon:
            day = timezone.localtime(lot.expires_at).date()
            grouped[day] += lot.points
            stamps.setdefault(day, lot.expires_at)
    return [Expiring(stamps[day], grouped[day]) for day in sorted(grouped)]


def entries_list(*, user: Any) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.select_related(
        "membership", "membership__customer", "membership__programme", "actor", "rule"
    )


def entries_for(membership: Membership) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(membership=membership).select_related("actor", "rule")


def statement(
    membership: Membership, *, start: dt.datetime, end: dt.datetime
) -> tuple[int, list[tuple[PointsEntry, int]], int]:
    """Opening balance at `start`, the entries in [start, end) each with the balance after it, and
    the closing balance."""
    opening = (
        PointsEntry.objects.filter(membership=membership, created_at__lt=start).aggregate(t=Sum("points"))["t"] or 0
    )
    rows = []
    running = opening
    for entry in entries_for(membership).filter(created_at__gte=start, created_at__lt=end).order_by("created_at", "id"):
        running += entry.points
        rows.append((entry, running))
    return opening, rows, running


def redemption_list(*, user: Any) -> QuerySet[Redemption]:
    return Redemption.objects.filter(archived_at__isnull=True).select_related(
        "membership", "membership__customer", "membership__programme", "reward", "requested_by"
    )


def redemption_get(*, user: Any, pk: int) -> Redemption:
    return get_object_or_404(redemption_list(user=user), pk=pk)


def referral_get(*, user: Any, pk: int) -> Referral:
    return get_object_or_404(
        Referral.objects.select_related("membership", "membership__customer", "referred_customer"), pk=pk
    )


def message_list(*, user: Any) -> QuerySet[ProgrammeMessage]:
    return ProgrammeMessage.objects.select_related(
        "membership", "membership__customer", "membership__programme", "contact", "sent_by"
    )


def rewards_for(membership: Membership) -> list[Reward]:
    return list(
        Reward.objects.filter(programme_id=membership.programme_id, archived_at__isnull=True, is_active=True)
        .select_related("min_tier")
        .order_by("points_cost")
    )


def campaign_recipients(*, programme: LoyaltyProgramme, tier: Tier | None = None) -> list[tuple[Membership, Contact]]:
    """Active members and the contact a campaign e-mail goes to: the main contact if they agreed to
    marketing, else another contact of the customer who did."""
    members = membership_list(user=None).filter(programme=programme, status=Membership.Status.ACTIVE)
    if tier is not None:
        members = in_tier(members, tier)
    contacts = Contact.objects.filter(
        customer__in=members.values("customer"), archived_at__isnull=True, marketing_consent=True
    ).exclude(email="")
    by_customer: dict[int, Contact] = {}
    for contact in contacts.order_by("-is_primary", "pk"):
        by_customer.setdefault(contact.customer_id, contact)
    return [(m, by_customer[m.customer_id]) for m in members.order_by("pk") if m.customer_id in by_customer]


def enrolable_customers(*, programme: LoyaltyProgramme) -> QuerySet[Customer]:
    return (
        Customer.objects.filter(status=Customer.Status.ACTIVE, archived_at__isnull=True)
        .exclude(memberships__programme=programme)
        .order_by("name")
    )


def open_programmes() -> QuerySet[LoyaltyProgramme]:
    return LoyaltyProgramme.objects.filter(status=LoyaltyProgramme.Status.ACTIVE, archived_at__isnull=True)


# --- retention -----------------------------------------------------------------------------------

ACTIVE = Customer.Status.ACTIVE
LEFT = frozenset({Customer.Status.INACTIVE, Customer.Status.FORMER})


def status_history() -> dict[int, list[tuple[dt.datetime, str]]]:
    """Every customer's status over time, oldest first, from the customers' status history (one
    query); a customer without history keeps its current status from its creation."""
    history: dict[int, list[tuple[dt.datetime, str]]] = {}
    changes = StatusChange.objects.order_by("customer_id", "at", "id").values_list("customer_id", "at", "status")
    for pk, at, status in changes.iterator(chunk_size=5000):
        history.setdefault(pk, []).append((at, status))
    if len(history) < Customer.objects.count():
        for pk, created_at, status in Customer.objects.exclude(pk__in=list(history)).values_list(
            "pk", "created_at", "status"
        ):
            history[pk] = [(created_at, status)]
    return history


def _status_at(timeline: list[tuple[dt.datetime, str]], moment: dt.datetime) -> str | None:
    status = None
    for at, value in timeline:
        if at > moment:
            break
        status = value
    return status


def _left_during(timeline: list[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime) -> bool:
    return any(start <= at < end and value in LEFT for at, value in timeline)


def _period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    end = min(period.end_at, timezone.now())
    return period.start_at, end


def _cohort(
    history: dict[int, list[tuple[dt.datetime, str]]], start: dt.datetime, customers: set[int] | None
) -> list[int]:
    return [
        pk
        for pk, timeline in history.items()
        if (customers is None or pk in customers) and _status_at(timeline, start) == ACTIVE
    ]


def members_in_tier_at(*, programme: LoyaltyProgramme, tier: Tier | None, at: dt.datetime) -> set[int]:
    """Customers who were members of `programme` at `at` and in `tier` then (None: every member)."""
    members = with_points(
        Membership.objects.filter(programme=programme, enrolled_at__lte=at).exclude(
            status=Membership.Status.ENDED, ended_at__lte=at
        ),
        as_of=at,
    )
    if tier is not None:
        members = in_tier(members, tier)
    return set(members.values_list("customer_id", flat=True))


def retention_churn(*, period: Period, customers: set[int] | None = None, history: dict | None = None) -> Ratio:
    """Churn: of the customers active when the period starts, those who became inactive or former
    during it (up to today for an open period)."""
    history = history if history is not None else status_history()
    start, end = _period_bounds(period)
    cohort = _cohort(history, start, customers)
    left = sum(1 for pk in cohort if _left_during(history[pk], start, end))
    return Ratio(left, len(cohort))


def retention_renewal(*, period: Period, customers: set[int] | None = None, history: dict | None = None) -> Ratio:
    """Retention from customer data: of the customers active when the period starts, those still
    active when it ends (today for an open period). The contract-based renewal rate (contracts due
    to end in the period that were renewed) needs the contracts module and is computed there."""
    history = history if history is not None else status_history()
    start, end = _period_bounds(period)
    cohort = _cohort(history, start, customers)
    kept = sum(1 for pk in cohort if _status_at(history[pk], end) == ACTIVE)
    return Ratio(kept, len(cohort))


def retention_repeat(
    *, period: Period, programme: LoyaltyProgramme | None = None, customers: set[int] | None = None
) -> Ratio:
    """Repeat rate among programme members: of the customers who earned points for at least one
    contract (signed or renewed) in the 12 months that end with the period, those who did for two or
    more contracts."""
    end = min(period.end_at, timezone.now())
    start = ledger.window_start(end)
    qs = PointsEntry.objects.filter(
        kind=PointsEntry.Kind.EARN,
        rule__event__in=EarningRule.VALUE_EVENTS,
        created_at__gte=start,
        created_at__lt=end,
    )
    if programme is not None:
        qs = qs.filter(membership__programme=programme)
    if customers is not None:
        qs = qs.filter(membership__customer_id__in=customers)
    counts = qs.values("membership__customer_id").annotate(n=Count("id")).values_list("n", flat=True)
    counts = list(counts)
    return Ratio(sum(1 for n in counts if n >= 2), len(counts))


# The renewal rate of contracts (contracts due to end in a period that were renewed) belongs to the
# contracts module; it plugs its selector in here, and the retention page shows it when present.
_contract_renewal_rate: Callable[..., Ratio] | None = None


def register_contract_renewal_rate(fn: Callable[..., Ratio] | None) -> None:
    """`fn(*, period: Period) -> Ratio`: contracts due to end in the period that were renewed."""
    global _contract_renewal_rate
    _contract_renewal_rate = fn


def contract_renewal_rate(*, period: Period) -> Ratio | None:
    return _contract_renewal_rate(period=period) if _contract_renewal_rate is not None else None


@dataclass(frozen=True)
class RetentionRow:
    label: str
    customers: int
    churn: Ratio
    renewal: Ratio
    repeat: Ratio


def retention_by_tier(*, period: Period, programme: LoyaltyProgramme) -> list[RetentionRow]:
    """The figures for the members of each tier (as it stood when the period started), for all
    members, and for the customers outside the programme, to compare."""
    history = status_history()
    start = period.start_at
    rows = []
    members = members_in_tier_at(programme=programme, tier=None, at=start)
    for tier in active_tiers(programme):
        group = members_in_tier_at(programme=programme, tier=tier, at=start)
        rows.append(_row(tier.name, group, period, programme, history))
    rows.append(_row(_("All members"), members, period, programme, history))
    outside = {pk for pk in history if pk not in members}
    rows.append(_row(_("Customers outside the programme"), outside, period, None, history))
    return rows


def _row(label: str, group: set[int], period: Period, programme: Any, history: dict) -> RetentionRow:
    churn = retention_churn(period=period, customers=group, history=history)
    return RetentionRow(
        label=label,
        customers=churn.denominator,
        churn=churn,
        renewal=retention_renewal(period=period, customers=group, history=history),
        repeat=retention_repeat(period=period, programme=programme, customers=group)
        if programme is not None
        else Ratio(0, 0),
    )


def retention_trend(*, period: Period, quarters: int = 6) -> list[dict[str, Any]]:
    history = status_history()
    trend = []
    for each in period.last(quarters):
        trend.append(
            {
                "period": each,
                "churn": retention_churn(period=each, history=history),
                "renewal": retention_renewal(period=each, history=history),
                "repeat": retention_repeat(period=each),
            }
        )
    return trend


def signed_points(points: int) -> str:
    """+1.250 / −300 in the active language's number format."""
    text = number_format(abs(points), 0, force_grouping=True)
    return f"+{text}" if points > 0 else f"−{text}" if points < 0 else text


# --- customer 360°, timeline and home --------------------------------------------------------------


def customer_memberships(*, customer: Customer) -> list[Membership]:
    qs = with_points(
        Membership.objects.filter(customer=customer, archived_at__isnull=True).select_related("programme")
    ).order_by("-status", "programme__name")
    return attach_tiers(qs)


def customer_panel(*, customer: Customer, user: Any) -> dict[str, Any]:
    from clientela.core.permissions import has_perm

    memberships = customer_memberships(customer=customer)
    recent = list(
        PointsEntry.objects.filter(membership__customer=customer)
        .select_related("membership__programme")
        .order_by("-created_at", "-id")[:10]
    )
    joined = {m.programme_id for m in memberships}
    can_enrol = has_perm(user, "loyalty.operate", customer) and customer.status == Customer.Status.ACTIVE
    programmes = [p for p in open_programmes() if p.pk not in joined] if can_enrol else []
    return {"memberships": memberships, "recent": recent, "programmes": programmes, "customer": customer}


def customer_figures(*, customer: Customer, user: Any) -> list[HeadlineFigure]:
    figures = []
    for member in customer_memberships(customer=customer):
        if member.status == Membership.Status.ENDED:
            continue
        points = _("%(points)s points") % {"points": number_format(member.balance, 0, force_grouping=True)}
        value = f"{member.tier.name} · {points}" if member.tier else points
        figures.append(
            HeadlineFigure(
                label=member.programme.name,
                value=value,
                tone="good" if member.status == Membership.Status.ACTIVE else "warning",
                url=member.get_absolute_url(),
                hint=gettext_lazy("Tier and points balance"),
            )
        )
    return figures


def points_timeline(*, customer: Customer, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    qs = PointsEntry.objects.filter(membership__customer=customer).select_related("membership", "actor")
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    tones = {
        PointsEntry.Kind.EARN: "good",
        PointsEntry.Kind.REDEEM: "info",
        PointsEntry.Kind.EXPIRE: "warning",
        PointsEntry.Kind.ADJUST: "neutral",
    }
    return [
        TimelineEntry(
            at=entry.created_at,
            kind="loyalty",
            kind_label=gettext_lazy("Loyalty"),
            title=_("%(points)s points: %(reason)s") % {"points": signed_points(entry.points), "reason": entry.reason},
            url=reverse("loyalty:membership_detail", args=[entry.membership_id]),
            actor=str(entry.actor or ""),
            badge=entry.get_kind_display(),
            badge_tone=tones.get(entry.kind, "neutral"),
        )
        for entry in qs.order_by("-created_at", "-id")[:limit]
    ]


def home_redemptions(*, user: Any) -> dict[str, Any]:
    pending = redemption_list(user=user).filter(status=Redemption.Status.REQUESTED).order_by("created_at")
    return {"pending": list(pending[:6]), "pending_count": pending.count()}
