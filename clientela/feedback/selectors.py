"""Reads of the feedback module: lists and pages, the customer 360° contributions, and the figures
the indicators module publishes (each with the records behind it)."""

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from clientela.core.audit import history_for
from clientela.core.importing import normalise
from clientela.core.models import AuditAction, AuditEntry
from clientela.core.periods import Period, Ratio
from clientela.core.registry import HeadlineFigure, SearchHit, TimelineEntry
from clientela.customers.models import Customer

from . import sla
from .models import Category, Feedback

S = Feedback.Status
K = Feedback.Kind

STATUS_TONES = {
    S.RECEIVED: "info",
    S.ACKNOWLEDGED: "info",
    S.IN_ANALYSIS: "warning",
    S.WAITING_CUSTOMER: "neutral",
    S.RESOLVED: "good",
    S.CLOSED: "neutral",
    S.REJECTED: "bad",
}


# --- lists and pages ------------------------------------------------------------------------------


def feedback_list(*, user: Any, include_archived: bool = False) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("customer", "contact", "assigned_to", "category")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return sla.with_next_due(qs)


def feedback_get(*, user: Any, pk: int) -> Feedback:
    return get_object_or_404(
        Feedback.objects.select_related(
            "customer", "customer__account_manager", "contact", "assigned_to", "category", "assessed_by"
        ),
        pk=pk,
    )


def category_choices() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def step_log(feedback: Feedback) -> list[AuditEntry]:
    """Every step the record went through, oldest first, with who and the note."""
    return list(
        history_for(feedback)
        .filter(action__in=[AuditAction.CREATED, AuditAction.TRANSITION])
        .select_related("actor")
        .order_by("seq")
    )


def source_link(feedback: Feedback) -> dict[str, str] | None:
    """The record this one came from, named and linked when it has a page."""
    if not feedback.source_content_type_id:
        return None
    model = feedback.source_content_type.model_class()
    source = model._default_manager.filter(pk=feedback.source_object_id).first() if model else None
    if source is None:
        return {"label": str(feedback.source_content_type.name), "url": ""}
    url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
    return {"label": f"{capfirst(model._meta.verbose_name)}: {source}", "url": url}


def public_status(*, number: str, email: str) -> Feedback | None:
    """The record with this reference filed with this e-mail (None for any mismatch)."""
    number, email = (number or "").strip().upper(), (email or "").strip().lower()
    if not number or not email:
        return None
    return (
        Feedback.objects.filter(number=number, archived_at__isnull=True)
        .filter(Q(submitter_email__iexact=email) | Q(contact__email__iexact=email))
        .first()
    )


def search(*, query: str, limit: int = 20) -> QuerySet[Feedback]:
    qs = Feedback.objects.filter(archived_at__isnull=True).select_related("customer")
    for term in normalise(query).split()[:8]:
        qs = qs.filter(Q(search_text__contains=term) | Q(customer__search_text__contains=term))
    return qs.order_by("-received_at")[:limit]


def board_columns(*, user: Any, queryset: QuerySet[Feedback], per_column: int = 30) -> list[dict[str, Any]]:
    """The open records grouped by status, most urgent first (one query per column, capped)."""
    counts = dict(queryset.values_list("status").annotate(n=Count("id")).order_by())
    columns = []
    for status in (S.RECEIVED, S.ACKNOWLEDGED, S.IN_ANALYSIS, S.WAITING_CUSTOMER, S.RESOLVED):
        items = list(
            queryset.filter(status=status).order_by(F("next_due_at").asc(nulls_last=True), "received_at")[:per_column]
        )
        columns.append(
            {
                "status": status,
                "label": S(status).label,
                "items": items,
                "count": counts.get(status, 0),
            }
        )
    return columns


# --- customer 360° --------------------------------------------------------------------------------


def feedback_timeline(*, customer: Customer, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    qs = Feedback.objects.filter(customer=customer, archived_at__isnull=True).select_related("contact", "assigned_to")
    if before is not None:
        qs = qs.filter(received_at__lt=before)
    now = timezone.now()
    entries = []
    for item in qs.order_by("-received_at")[:limit]:
        state = sla.state(item, now)
        who = f" · {item.contact}" if item.contact_id else ""
        entries.append(
            TimelineEntry(
                at=item.received_at,
                kind="complaint" if item.kind == K.COMPLAINT else "feedback",
                kind_label=f"{item.get_kind_display()} {item.number}",
                title=item.subject,
                url=item.get_absolute_url(),
                summary=item.description[:300],
                actor=f"{item.assigned_to or ''}{who}".strip(" ·"),
                badge=f"{item.get_status_display()}" + (f" · {state.label}" if state else ""),
                badge_tone=sla.TONES[state] if state else STATUS_TONES[item.status],
            )
        )
    return entries


def customer_figures(*, customer: Customer, user: Any) -> list[HeadlineFigure]:
    since = timezone.now() - dt.timedelta(days=365)
    now = timezone.now()
    stats = Feedback.objects.filter(customer=customer, kind=K.COMPLAINT, archived_at__isnull=True).aggregate(
        open=Count("id", filter=~Q(status__in=[S.CLOSED, S.REJECTED])),
        breaches=Count("id", filter=Q(received_at__gte=since) & sla.state_filter(sla.SlaState.BREACHED, now)),
    )
    base = reverse("feedback:list")
    return [
        HeadlineFigure(
            gettext_lazy("Open complaints"),
            str(stats["open"]),
            "good" if not stats["open"] else "warning",
            f"{base}?{urlencode({'customer': customer.pk, 'kind': K.COMPLAINT, 'open': 'true'})}",
        ),
        HeadlineFigure(
            gettext_lazy("SLA breaches (last 12 months)"),
            str(stats["breaches"]),
            "good" if not stats["breaches"] else "bad",
            f"{base}?{urlencode({'customer': customer.pk, 'sla': sla.SlaState.BREACHED})}",
        ),
    ]


def customer_panel(*, customer: Customer, user: Any) -> dict[str, Any]:
    items = list(
        Feedback.objects.filter(customer=customer, archived_at__isnull=True)
        .select_related("assigned_to", "category")
        .order_by("-received_at")[:50]
    )
    now = timezone.now()
    for item in items:
        item.sla_state = sla.state(item, now)
    total = Feedback.objects.filter(customer=customer, archived_at__isnull=True).count()
    return {"items": items, "total": total, "list_url": f"{reverse('feedback:list')}?customer={customer.pk}"}


def search_provider(*, user: Any, query: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            gettext_lazy("Complaints and suggestions"),
            f"{f.number} · {f.subject}",
            f.get_absolute_url(),
            " · ".join(
                x for x in (f.get_status_display(), f.customer.name if f.customer_id else f.submitter_name) if x
            ),
        )
        for f in search(query=query, limit=limit)
    ]


def home_my_feedback(*, user: Any) -> dict[str, Any]:
    now = timezone.now()
    mine = list(
        feedback_list(user=user)
        .filter(
            assigned_to=user, status__in=[S.RECEIVED, S.ACKNOWLEDGED, S.IN_ANALYSIS, S.WAITING_CUSTOMER, S.RESOLVED]
        )
        .order_by(F("next_due_at").asc(nulls_last=True), "received_at")[:8]
    )
    for item in mine:
        item.sla_state = sla.state(item, now)
    unassigned = Feedback.objects.filter(archived_at__isnull=True, assigned_to__isnull=True, status=S.RECEIVED).count()
    return {"items": mine, "unassigned": unassigned, "now": now}


# --- figures for the indicators (SPEC §3.7) -------------------------------------------------------
#
# Every figure takes the period P = [start, end) in the organisation's time zone and, optionally,
# a customer segment and an account manager (the complaint's customer's). "Now" caps an open
# period: only what is already known counts, so a provisional figure never guesses.


def _scope(qs: QuerySet[Feedback], segment: str | None, account_manager: int | None) -> QuerySet[Feedback]:
    if segment:
        qs = qs.filter(customer__segment=segment)
    if account_manager:
        qs = qs.filter(customer__account_manager_id=account_manager)
    return qs


def _complaints(segment: str | None, account_manager: int | None) -> QuerySet[Feedback]:
    return _scope(Feedback.objects.filter(kind=K.COMPLAINT, archived_at__isnull=True), segment, account_manager)


def _settled(target: str, period: Period, now: dt.datetime) -> Q:
    """Complaints whose `target` deadline falls in P and whose outcome is known at `now`: met
    already, or the deadline has passed (a clock stopped in time while waiting for the customer is
    not known yet: its deadline will move)."""
    due = f"{target}_due_at"
    met = "acknowledged_at" if target == "acknowledge" else "resolved_at"
    in_period = Q(**{f"{due}__gte": period.start_at, f"{due}__lt": period.end_at})
    known = Q(**{f"{met}__isnull": False}) | Q(**{f"{due}__lte": now})
    if target == "resolve":
        paused = Q(status=S.WAITING_CUSTOMER, resolve_breached_at__isnull=True, sla_paused_at__lte=F("resolve_due_at"))
        known &= ~paused
    return in_period & known


def _met(target: str) -> Q:
    due = f"{target}_due_at"
    met = "acknowledged_at" if target == "acknowledge" else "resolved_at"
    return Q(**{f"{met}__isnull": False, f"{met}__lte": F(due), f"{target}_breached_at__isnull": True})


def _target_records(
    target: str, period: Period, segment: str | None, account_manager: int | None, now: dt.datetime | None
) -> QuerySet[Feedback]:
    now = now or timezone.now()
    return (
        _complaints(segment, account_manager)
        .filter(_settled(target, period, now))
        .annotate(
            within_sla=Case(When(_met(target), then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .select_related("customer", "assigned_to", "category")
    )


def _ratio(records: QuerySet[Feedback]) -> Ratio:
    counts = records.aggregate(total=Count("id"), met=Count("id", filter=Q(within_sla=True)))
    return Ratio(counts["met"], counts["total"])


def complaints_acknowledged_within_sla_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The complaints behind `complaints_acknowledged_within_sla`, annotated `within_sla`."""
    return _target_records("acknowledge", period, segment, account_manager, now)


def complaints_acknowledged_within_sla(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> Ratio:
    """% of complaints acknowledged within their target.

    Counts each complaint in the period in which its acknowledgement deadline (`acknowledge_due_at`)
    falls. Denominator: those deadlines in P that are settled at `now` (acknowledged — or rejected,
    which answers it — or past). Numerator: acknowledged no later than the deadline and never
    recorded as breached. In an open period a complaint whose deadline is still ahead and that is
    not yet acknowledged does not count yet.
    """
    return _ratio(
        complaints_acknowledged_within_sla_records(
            period=period, segment=segment, account_manager=account_manager, now=now
        )
    )


def complaints_resolved_within_sla_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The complaints behind `complaints_resolved_within_sla`, annotated `within_sla`."""
    return _target_records("resolve", period, segment, account_manager, now)


def complaints_resolved_within_sla(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> Ratio:
    """% of complaints resolved within their target.

    Counts each complaint in the period in which its resolution deadline falls, after any pause
    (`resolve_due_at`). Denominator: those deadlines in P settled at `now`: answered (resolved or
    rejected), or past — except a complaint waiting for the customer whose clock stopped before
    its deadline, whose deadline will still move. Numerator: answered no later than the deadline
    and never recorded as breached (a breach stays even after reopening). A reopened complaint
    counts with its current answer.
    """
    return _ratio(
        complaints_resolved_within_sla_records(period=period, segment=segment, account_manager=account_manager, now=now)
    )


def median_resolution_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The complaints behind `median_resolution_business_hours`."""
    now = now or timezone.now()
    return (
        _complaints(segment, account_manager)
        .filter(
            status__in=[S.RESOLVED, S.CLOSED],
            resolved_at__gte=period.start_at,
            resolved_at__lt=min(period.end_at, now),
            resolution_seconds__isnull=False,
        )
        .select_related("customer", "assigned_to", "category")
    )


def median_resolution_business_hours(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> float | None:
    """Median business hours from receipt to resolution, pauses not counted, of the complaints
    resolved in P (by `resolved_at`, their current resolution; rejected complaints are not
    resolutions). None when there are none. Rounded to 2 decimals."""
    seconds = list(
        median_resolution_records(period=period, segment=segment, account_manager=account_manager, now=now).values_list(
            "resolution_seconds", flat=True
        )
    )
    if not seconds:
        return None
    return round(statistics.median(seconds) / 3600, 2)


@dataclass(frozen=True)
class ComplaintRate:
    complaints: int
    active_customers: int

    @property
    def value(self) -> float | None:
        if not self.active_customers:
            return None
        return round(self.complaints / self.active_customers * 100, 2)


def complaints_per_100_active_customers_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The complaints behind `complaints_per_100_active_customers`."""
    now = now or timezone.now()
    return (
        _complaints(segment, account_manager)
        .filter(received_at__gte=period.start_at, received_at__lt=min(period.end_at, now))
        .select_related("customer", "assigned_to", "category")
    )


def complaints_per_100_active_customers(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> ComplaintRate:
    """Complaints received in P (by `received_at`, up to now; rejected ones included, archived
    ones not) per 100 active customers. Active customers: status active, not archived, and active
    since before the end of P (the registry keeps no status history, so a customer who left
    during P no longer counts). Complaints without a customer count only without filters."""
    complaints = complaints_per_100_active_customers_records(
        period=period, segment=segment, account_manager=account_manager, now=now
    ).count()
    customers = Customer.objects.filter(status=Customer.Status.ACTIVE, archived_at__isnull=True).filter(
        Q(activated_at__isnull=True) | Q(activated_at__lt=period.end_at)
    )
    if segment:
        customers = customers.filter(segment=segment)
    if account_manager:
        customers = customers.filter(account_manager_id=account_manager)
    return ComplaintRate(complaints=complaints, active_customers=customers.count())


def sla_breach_records(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The complaints with an acknowledgement or resolution deadline settled in P (see the two
    within-SLA figures), annotated `within_sla` (False when either of those targets was breached)."""
    now = now or timezone.now()
    ack, res = _settled("acknowledge", period, now), _settled("resolve", period, now)
    breached = (ack & ~_met("acknowledge")) | (res & ~_met("resolve"))
    return (
        _complaints(segment, account_manager)
        .filter(ack | res)
        .annotate(within_sla=Case(When(breached, then=Value(False)), default=Value(True), output_field=BooleanField()))
        .select_related("customer", "assigned_to", "category")
    )


def sla_breach_rate(
    *, period: Period, segment: str | None = None, account_manager: int | None = None, now: dt.datetime | None = None
) -> Ratio:
    """% of SLA targets breached, the live signal of the risk "Respuestas lentas".

    Counts targets, not complaints: every acknowledgement and resolution deadline settled in P
    (as in the two within-SLA figures) is one target; the numerator is those not met in time. So
    it equals 100 − the combined within-SLA percentage of both targets.
    """
    now = now or timezone.now()
    ack, res = _settled("acknowledge", period, now), _settled("resolve", period, now)
    counts = (
        _complaints(segment, account_manager)
        .filter(ack | res)
        .aggregate(
            ack=Count("id", filter=ack),
            ack_met=Count("id", filter=ack & _met("acknowledge")),
            res=Count("id", filter=res),
            res_met=Count("id", filter=res & _met("resolve")),
        )
    )
    total = counts["ack"] + counts["res"]
    return Ratio(total - counts["ack_met"] - counts["res_met"], total)


FIGURES = {
    "acknowledged_within_sla": (
        gettext_lazy("Complaints acknowledged within target"),
        complaints_acknowledged_within_sla_records,
    ),
    "resolved_within_sla": (gettext_lazy("Complaints resolved within target"), complaints_resolved_within_sla_records),
    "median_resolution": (gettext_lazy("Complaints resolved (median resolution time)"), median_resolution_records),
    "complaints_per_100": (gettext_lazy("Complaints received"), complaints_per_100_active_customers_records),
    "sla_breaches": (gettext_lazy("Complaints with a deadline in the period"), sla_breach_records),
}


def figure_records_url(
    figure: str, *, period: Period, segment: str | None = None, account_manager: int | None = None
) -> str:
    """The complaints list showing the records behind `figure` (a key of FIGURES)."""
    if figure not in FIGURES:
        raise KeyError(figure)
    params = {"figure": figure, "period": period.label}
    if segment:
        params["segment"] = segment
    if account_manager:
        params["account_manager"] = str(account_manager)
    return f"{reverse('feedback:list')}?{urlencode(params)}"


def figure_records(
    *, figure: str, period: Period, segment: str | None, account_manager: int | None
) -> QuerySet[Feedback]:
    return sla.with_next_due(FIGURES[figure][1](period=period, segment=segment, account_manager=account_manager))


def content_type_id() -> int:
    return ContentType.objects.get_for_model(Feedback).pk


def feedback_for_source(source: Any) -> QuerySet[Feedback]:
    """Complaints, suggestions or compliments opened from `source` (e.g. a nonconforming delivery)."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(source, for_concrete_model=True)
    return Feedback.objects.filter(source_content_type=ct, source_object_id=source.pk).order_by("-received_at")
