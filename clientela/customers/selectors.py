"""Reads of the customers module, scoped to what the user may see."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.permissions import ACCOUNT_MANAGER, SALES_MANAGER, has_perm
from clientela.core.registry import HeadlineFigure, SearchHit, TimelineEntry, registry
from clientela.core.rowcount import row_count
from clientela.core.textsearch import text_search

from .models import Contact, Customer, Interaction


def sees_blocked(user: Any) -> bool:
    """Blocked personal data (LOPDGDD art. 32) is visible only to who handles data protection."""
    return has_perm(user, "privacy.manage")


def visible_customers(user: Any) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    return qs if sees_blocked(user) else qs.filter(blocked_until__isnull=True)


def visible_contacts(user: Any) -> QuerySet[Contact]:
    qs = Contact.objects.all()
    if sees_blocked(user):
        return qs
    return qs.filter(blocked_until__isnull=True, customer__blocked_until__isnull=True)


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    qs = Interaction.objects.all()
    if sees_blocked(user):
        return qs
    return qs.filter(customer__blocked_until__isnull=True).exclude(contact__blocked_until__isnull=False)


def customer_list(*, user: Any, include_archived: bool = False) -> QuerySet[Customer]:
    qs = visible_customers(user).select_related("account_manager")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def customer_count(*, user: Any, include_archived: bool = False) -> int | None:
    """How many customers `customer_list()` yields, read from the exact counter (no COUNT), less the
    blocked ones the user may not see (a handful, found by their partial index)."""
    total = row_count(Customer, live=not include_archived)
    if total is None or sees_blocked(user) or not any_blocked():
        return total
    hidden = Customer.objects.filter(blocked_until__isnull=False)
    if not include_archived:
        hidden = hidden.filter(archived_at__isnull=True)
    return total - hidden.count()


def any_blocked() -> bool:
    """Is any customer or contact blocked? Two lookups in tiny partial indexes; when none is (the
    usual case), the exact counters need no correction."""
    customers, customer_params = (
        Customer.objects.filter(blocked_until__isnull=False).order_by().values("pk")[:1].query.sql_with_params()
    )
    contacts, contact_params = (
        Contact.objects.filter(blocked_until__isnull=False).order_by().values("pk")[:1].query.sql_with_params()
    )
    with connection.cursor() as cursor:  # both in one round trip: this runs on every list page
        cursor.execute(
            f"SELECT EXISTS({customers}) OR EXISTS({contacts})",
            (*customer_params, *contact_params),
        )
        return bool(cursor.fetchone()[0])


def customer_get(*, user: Any, pk: int) -> Customer:
    return get_object_or_404(visible_customers(user).select_related("account_manager"), pk=pk)


def contact_list(*, user: Any) -> QuerySet[Contact]:
    archived_customers = Customer.objects.filter(archived_at__isnull=False).values("pk")
    return (
        visible_contacts(user)
        .filter(archived_at__isnull=True)
        .exclude(customer_id__in=archived_customers)
        .select_related("customer")
    )


def contact_count(*, user: Any) -> int | None:
    """How many contacts `contact_list()` yields, without counting 200,000 rows: the exact counter
    of contacts not archived, less those of archived customers (a handful, by index)."""
    live = row_count(Contact, live=True)
    if live is None:
        return None
    hidden = Contact.objects.filter(archived_at__isnull=True, customer__archived_at__isnull=False).count()
    if not sees_blocked(user) and any_blocked():
        hidden += (
            Contact.objects.filter(archived_at__isnull=True, customer__archived_at__isnull=True)
            .filter(Q(blocked_until__isnull=False) | Q(customer__blocked_until__isnull=False))
            .count()
        )
    return live - hidden


def contact_count_all(*, user: Any) -> int | None:
    """Every contact the user may see, archived ones included (the API's list), from the counter."""
    total = row_count(Contact, live=False)
    if total is None or sees_blocked(user) or not any_blocked():
        return total
    blocked = Contact.objects.filter(Q(blocked_until__isnull=False) | Q(customer__blocked_until__isnull=False))
    return total - blocked.count()


def contact_get(*, user: Any, pk: int) -> Contact:
    return get_object_or_404(visible_contacts(user).select_related("customer", "customer__account_manager"), pk=pk)


def interaction_list(*, user: Any) -> QuerySet[Interaction]:
    return visible_interactions(user).filter(archived_at__isnull=True).select_related("customer", "contact", "user")


def interaction_count(*, user: Any, include_archived: bool = False) -> int | None:
    """How many interactions `interaction_list()` yields, read from the exact counter (no COUNT);
    with blocked people around (rare), the blocked ones are subtracted for who may not see them."""
    total = row_count(Interaction, live=not include_archived)
    if total is None or sees_blocked(user) or not any_blocked():
        return total
    hidden = Interaction.objects.filter(
        Q(customer__blocked_until__isnull=False) | Q(contact__blocked_until__isnull=False)
    )
    if not include_archived:
        hidden = hidden.filter(archived_at__isnull=True)
    return total - hidden.count()


def interaction_get(*, user: Any, pk: int) -> Interaction:
    return get_object_or_404(visible_interactions(user).select_related("customer", "contact", "user"), pk=pk)


def account_manager_choices() -> QuerySet:
    """Users who can manage accounts: account managers and sales managers."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[ACCOUNT_MANAGER, SALES_MANAGER])
        .distinct()
        .order_by("first_name", "last_name")
    )


def account_manager_options() -> list[tuple[str, str]]:
    """(id, name) of `account_manager_choices()`, for filters: the names shown as `str(user)` shows
    them, without building a user object per option."""
    rows = account_manager_choices().values_list("pk", "first_name", "last_name", "username")
    return [(str(pk), f"{first} {last}".strip() or username) for pk, first, last, username in rows]


def _distinct_values(column: str, limit: int) -> list[str]:
    """The distinct non-empty values of an indexed customer column, in order, found by jumping
    from one value to the next in its index ("loose index scan"): a handful of index lookups
    instead of reading 100,000 rows (PostgreSQL has no skip scan; both run this recursive query)."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    column = connection.ops.quote_name(Customer._meta.get_field(column).column)
    sql = (
        f"WITH RECURSIVE found(value) AS ("  # noqa: S608 (names are ours)
        f"  SELECT MIN({column}) FROM {table} WHERE {column} > %s"
        f"  UNION ALL"
        f"  SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value) FROM found"
        f"  WHERE found.value IS NOT NULL"
        f") SELECT value FROM found WHERE value IS NOT NULL LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["", limit])
        return [row[0] for row in cursor.fetchall()]


def country_choices() -> list[str]:
    """Country codes that customers have (archived ones too), for the list's filter."""
    return _distinct_values("country", 300)


def segment_choices() -> list[str]:
    return _distinct_values("segment", 200)


def search_customers(*, query: str, limit: int = 20, user: Any = None) -> QuerySet[Customer]:
    qs = text_search(visible_customers(user).filter(archived_at__isnull=True), "search_text", query)
    return qs.order_by("name")[:limit]


TIMELINE_COLUMNS = (
    "occurred_at",
    "channel",
    "direction",
    "subject",
    "notes",
    "user__first_name",
    "user__last_name",
    "user__username",
    "contact__first_name",
    "contact__last_name",
)


def interactions_timeline(
    *, customer: Customer, user: Any, before: dt.datetime | None, limit: int
) -> list[TimelineEntry]:
    # Only the columns the entries show: a timeline row is not worth two full related records.
    qs = (
        visible_interactions(user)
        .filter(customer=customer, archived_at__isnull=True)
        .select_related("user", "contact")
        .only(*TIMELINE_COLUMNS)
    )
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    entries = []
    for interaction in qs.order_by("-occurred_at")[:limit]:
        who = f" · {interaction.contact}" if interaction.contact_id else ""
        entries.append(
            TimelineEntry(
                at=interaction.occurred_at,
                kind="interaction",
                kind_label=interaction.get_channel_display(),
                title=interaction.subject,
                url=reverse("customers:interaction_edit", args=[interaction.pk]),
                summary=interaction.notes[:300],
                actor=f"{interaction.user or ''}{who}",
                badge=interaction.get_direction_display(),
                badge_tone="info" if interaction.direction == Interaction.Direction.INBOUND else "neutral",
            )
        )
    return entries


def customer_timeline(
    *, customer: Customer, user: Any, before: dt.datetime | None = None, limit: int = 20, kinds: set[str] | None = None
) -> tuple[list[TimelineEntry], bool]:
    """The newest `limit` entries from every source the user may see, and whether more exist."""
    merged: list[TimelineEntry] = []
    for source in registry.timeline_sources:
        if kinds and source.key not in kinds:
            continue
        if not has_perm(user, source.permission, customer):
            continue
        merged.extend(source.fetch(customer=customer, user=user, before=before, limit=limit + 1))
    merged.sort(key=lambda e: e.at, reverse=True)
    return merged[:limit], len(merged) > limit


def customer_figures(*, customer: Customer, user: Any) -> list[HeadlineFigure]:
    since = timezone.now() - dt.timedelta(days=90)
    stats = Interaction.objects.filter(customer=customer, archived_at__isnull=True).aggregate(
        recent=Count("id", filter=Q(occurred_at__gte=since)), last=Max("occurred_at")
    )
    figures = [
        HeadlineFigure(gettext_lazy("Interactions, last 90 days"), str(stats["recent"])),
    ]
    if stats["last"]:
        days = (timezone.now() - stats["last"]).days
        tone = "good" if days <= 30 else "warning" if days <= 90 else "bad"
        figures.append(
            HeadlineFigure(
                gettext_lazy("Last contact"),
                _("%(days)s days ago") % {"days": days} if days else _("today"),
                tone,
            )
        )
    else:
        figures.append(HeadlineFigure(gettext_lazy("Last contact"), _("never"), "warning"))
    return figures


def search_provider_customers(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            gettext_lazy("Customers"),
            c.name,
            reverse("customers:detail", args=[c.pk]),
            f"{c.code} · {c.tax_id_display}".strip(" ·"),
        )
        for c in search_customers(query=query, limit=limit, user=user)
    ]


def search_provider_contacts(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    qs = text_search(contact_list(user=user), "search_text", query)
    return [
        SearchHit(
            gettext_lazy("Contacts"),
            c.full_name,
            reverse("customers:detail", args=[c.customer_id]) + "?tab=contacts",
            f"{c.customer.name} · {c.email}".strip(" ·"),
        )
        for c in qs.order_by("last_name")[:limit]
    ]


def home_my_customers(*, user: Any) -> dict[str, Any]:
    mine = customer_list(user=user).filter(account_manager=user).order_by("-updated_at")[:8]
    recent = interaction_list(user=user).filter(user=user).order_by("-occurred_at")[:6]
    totals = Customer.objects.filter(archived_at__isnull=True).aggregate(
        active=Count("id", filter=Q(status=Customer.Status.ACTIVE)),
        prospects=Count("id", filter=Q(status=Customer.Status.PROSPECT)),
    )
    return {"customers": mine, "interactions": recent, "totals": totals}
