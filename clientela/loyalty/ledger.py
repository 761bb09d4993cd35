"""Arithmetic of the points ledger: balances, the rolling 12-month window, tiers and expiry lots.

Shared by the services (which lock a member before they read) and the selectors (which only read).
Points are spent first-in, first-out by expiry date: a redemption uses the points that would expire
soonest, and points expire when their date passes unless they were spent before.
"""

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from .models import Membership, PointsEntry, Tier

TIER_WINDOW_MONTHS = 12
QUALIFYING_KINDS = (PointsEntry.Kind.EARN, PointsEntry.Kind.ADJUST)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local wall-clock time `months` later (or earlier); the 31st becomes the month's last day."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def window_start(as_of: dt.datetime) -> dt.datetime:
    """First instant of the rolling 12 months that end at `as_of` (both ends included)."""
    return add_months(as_of, -TIER_WINDOW_MONTHS)


def qualifying_filter(as_of: dt.datetime, prefix: str = "") -> Q:
    """Entries that count toward the tier at `as_of`: earnings and manual adjustments of the last
    12 months. Redemptions and expiries spend points but do not lower the tier."""
    return Q(
        **{
            f"{prefix}kind__in": QUALIFYING_KINDS,
            f"{prefix}created_at__gte": window_start(as_of),
            f"{prefix}created_at__lte": as_of,
        }
    )


def balance_of(membership: Membership | int, at: dt.datetime | None = None) -> int:
    """The member's points: the sum of the ledger (up to `at`)."""
    qs = PointsEntry.objects.filter(membership=membership)
    if at is not None:
        qs = qs.filter(created_at__lte=at)
    return qs.aggregate(total=Sum("points"))["total"] or 0


def qualifying_points(membership: Membership | int, as_of: dt.datetime | None = None) -> int:
    as_of = as_of or timezone.now()
    total = PointsEntry.objects.filter(qualifying_filter(as_of), membership=membership).aggregate(t=Sum("points"))["t"]
    return max(total or 0, 0)


def tier_for(tiers: Iterable[Tier], points: int) -> Tier | None:
    """The highest tier whose threshold the points reach (tiers of one programme, any order)."""
    reached = [t for t in tiers if t.archived_at is None and points >= t.min_points]
    return max(reached, key=lambda t: t.min_points) if reached else None


def next_tier(tiers: Iterable[Tier], points: int) -> Tier | None:
    ahead = [t for t in tiers if t.archived_at is None and t.min_points > points]
    return min(ahead, key=lambda t: t.min_points) if ahead else None


@dataclass
class Lot:
    """Points earned together that are still unspent, and when they expire (None: never)."""

    expires_at: dt.datetime | None
    points: int


@dataclass
class LotState:
    lots: list[Lot]  # unspent and not yet due, soonest expiry first
    due: int  # points whose expiry date has passed, whether or not an expiry entry records it yet
    expired: int  # points the ledger already records as expired
    balance: int

    @property
    def to_expire(self) -> int:
        """What an expiry run must record now: never more than the balance, never below zero."""
        return max(0, min(self.due - self.expired, self.balance))


def _sort_key(lot: Lot) -> tuple[int, dt.datetime]:
    return (lot.expires_at is None, lot.expires_at or dt.datetime.max.replace(tzinfo=dt.UTC))


def lots_at(entries: Sequence[PointsEntry], at: dt.datetime) -> LotState:
    """Replay the ledger (entries in recording order, up to `at`) first-in, first-out by expiry."""
    lots: list[Lot] = []
    due = expired = balance = 0

    def release(until: dt.datetime) -> int:
        gone = 0
        while lots and lots[0].expires_at is not None and lots[0].expires_at <= until:
            gone += lots.pop(0).points
        return gone

    for entry in entries:
        if entry.created_at > at:
            break
        balance += entry.points
        due += release(entry.created_at)
        if entry.kind == PointsEntry.Kind.EXPIRE:
            expired -= entry.points
        elif entry.points > 0:
            lots.append(Lot(entry.expires_at, entry.points))
            lots.sort(key=_sort_key)
        else:
            spend = -entry.points
            while spend and lots:
                used = min(spend, lots[0].points)
                lots[0].points -= used
                spend -= used
                if not lots[0].points:
                    lots.pop(0)
    due += release(at)
    return LotState(lots=lots, due=due, expired=expired, balance=balance)


def ledger_for(membership: Membership | int) -> list[PointsEntry]:
    """The member's entries in the order they were recorded."""
    return list(
        PointsEntry.objects.filter(membership=membership)
        .only("kind", "points", "expires_at", "created_at", "membership_id")
        .order_by("created_at", "id")
    )
