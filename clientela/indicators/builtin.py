"""The indicator and risk signal this module computes from the customers registry: interactions
logged late, the symptom of the risk "Falta de herramientas adecuadas" (PSC 004 §5)."""

import datetime as dt
from typing import Any

from django.db.models import Count, DateTimeField, F, Func, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.periods import Period, Ratio
from clientela.customers.models import Interaction

from . import registry, risk_signals
from .registry import Figure, IndicatorDefinition, Unit

LATE_INTERACTIONS = "late_interactions"
SIGNAL_WINDOW_DAYS = 90


def interactions_in(
    start_at: dt.datetime, end_at: dt.datetime, *, segment: str | None = None, account_manager: int | None = None
) -> QuerySet[Interaction]:
    qs = Interaction.objects.filter(archived_at__isnull=True, occurred_at__gte=start_at, occurred_at__lt=end_at)
    if segment:
        qs = qs.filter(customer__segment=segment)
    if account_manager:
        qs = qs.filter(customer__account_manager_id=account_manager)
    return qs


class PlusDays(Func):
    """A moment `days` whole days later, in SQL. On SQLite Django adds a duration to a datetime with
    a Python function called once per row (a second for a quarter's 80,000 interactions); whole days
    are added there by shifting the stored text's date and time and keeping its fraction of a
    second as it is, which gives exactly the value Django stores for that moment."""

    output_field = DateTimeField()

    def __init__(self, expression: Any, *, days: int) -> None:
        super().__init__(expression, output_field=DateTimeField())
        self.days = int(days)

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + make_interval(days => %s))", [*params, self.days]

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        shifted = f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', {sql}, %s)"
        return f"({shifted} || substr({sql}, 20))", [*params, f"+{self.days} days", *params]


def late_condition(days: int) -> Q:
    return Q(created_at__gt=PlusDays(F("occurred_at"), days=days))


def late_ratio(
    start_at: dt.datetime,
    end_at: dt.datetime,
    *,
    segment: str | None = None,
    account_manager: int | None = None,
    days: int | None = None,
) -> Ratio:
    """Interactions that happened in [start_at, end_at) and were recorded more than `days` later."""
    days = risk_signals.late_interaction_days() if days is None else days
    counts = interactions_in(start_at, end_at, segment=segment, account_manager=account_manager).aggregate(
        total=Count("id"), late=Count("id", filter=late_condition(days))
    )
    return Ratio(counts["late"], counts["total"])


def _end_of(day: dt.date, period: Period) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=period.tz)


def compute_late_interactions(
    period: Period, *, today: dt.date, segment: str | None, account_manager: int | None
) -> Figure:
    ratio = late_ratio(
        period.start_at, _end_of(period.cap(today), period), segment=segment, account_manager=account_manager
    )
    params = f"?period={period.label}"
    if segment:
        params += f"&segment={segment}"
    if account_manager:
        params += f"&account_manager={account_manager}"
    return Figure(
        value=ratio.value,
        numerator=ratio.numerator,
        denominator=ratio.denominator,
        ci95=ratio.ci95,
        records_url=reverse("indicators:late_interactions") + params,
    )


def signal_late_interactions(*, today: dt.date) -> risk_signals.SignalValue:
    period = Period.current_quarter(today)
    end = _end_of(today, period)
    start = end - dt.timedelta(days=SIGNAL_WINDOW_DAYS)
    ratio = late_ratio(start, end)
    detail = _("%(late)s of %(total)s interactions of the last %(days)s days were recorded late.") % {
        "late": ratio.numerator,
        "total": ratio.denominator,
        "days": SIGNAL_WINDOW_DAYS,
    }
    url = reverse("indicators:late_interactions") + f"?since={(today - dt.timedelta(days=SIGNAL_WINDOW_DAYS - 1))}"
    return risk_signals.SignalValue(ratio.value, detail, url)


LATE_INTERACTIONS_DEFINITION = IndicatorDefinition(
    key=LATE_INTERACTIONS,
    label=gettext_lazy("Interactions logged late"),
    unit=Unit.PERCENT,
    default_target=10.0,
    compute=compute_late_interactions,
    proportion=True,
    higher_is_better=False,
    order=90,
    drafts_plan=True,  # the risk "Falta de herramientas adecuadas" is treated through this indicator
    description=gettext_lazy(
        "Interactions with customers that happened in the period and were recorded in the system more than "
        "the configured number of days later, over all the interactions of the period. A high share means "
        "the monitoring of interactions (PSC 004 §4) lacks adequate tools."
    ),
)


def register_builtin(**_: Any) -> None:
    registry.register_indicator(LATE_INTERACTIONS_DEFINITION)
    risk_signals.register_signal(
        risk_signals.SignalProvider(
            key=LATE_INTERACTIONS,
            label=gettext_lazy("Interactions logged late (last 90 days)"),
            unit=Unit.PERCENT,
            default_threshold=15.0,
            compute=signal_late_interactions,
        )
    )
