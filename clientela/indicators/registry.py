"""The indicators the engine knows: each module registers the figures it can compute.

A definition says what the figure is (label, unit, whether it is a proportion, which way is
better, the default target) and how to compute it for a period. The two process indicators of
PSC 004 §4.1 (CCT and SC) are declared here so that every period reports them; the modules that
hold their data (contracts, surveys) provide their computation with `provide(...)`.

    register_indicator(IndicatorDefinition(key="nps", label=_("NPS"), unit=Unit.POINTS, ...))
    provide("cct", from_selector(contracts.selectors.cct, records=records_list("contracts:list")))
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.core.periods import Period


class Unit:
    PERCENT = "percent"  # 0–100
    POINTS = "points"  # NPS, −100…100
    SCORE = "score"  # a mean on a stated scale (CES 1–7)
    HOURS = "hours"
    PER_100 = "per_100"  # per 100 active customers


UNIT_SUFFIX: dict[str, str | Promise] = {
    Unit.PERCENT: "\xa0%",
    Unit.POINTS: "",
    Unit.SCORE: "",
    Unit.HOURS: "\xa0h",
    Unit.PER_100: "",
}

ON_TARGET = "on_target"
BELOW_TARGET = "below_target"
NO_DATA = "no_data"

STATUS_LABELS: dict[str, Promise] = {
    ON_TARGET: _("On target"),
    BELOW_TARGET: _("Below target"),
    NO_DATA: _("No data"),
}
# Tones are the colours of the whole application (good / warning / bad), always next to a text.
TONE_LABELS: dict[str, Promise] = {
    "good": _("On target"),
    "warning": _("Just below target"),
    "bad": _("Below target"),
    "neutral": _("No data"),
}


@dataclass(frozen=True)
class Figure:
    """What a computation returns; the engine rounds the value and adds target and status."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    ci95: tuple[float, float] | None = None
    records_url: str = ""


# compute(period, *, today, segment, account_manager) -> Figure
Compute = Callable[..., Figure]


@dataclass(frozen=True)
class IndicatorDefinition:
    key: str
    label: str | Promise
    unit: str
    default_target: float
    compute: Compute | None = None
    proportion: bool = False
    higher_is_better: bool = True
    process: bool = False  # a process indicator of PSC 004 (CCT, SC): shown first
    order: int = 100
    short_label: str = ""
    description: str | Promise = ""
    default_band: float = 2.0
    bounds: tuple[float, float] = (0.0, 100.0)  # the values a target may take
    # Whether, for a period not yet ended, the figure changes with the time of day and not only with
    # the records and the day (a complaint's deadline passing makes it count): such a figure is
    # always computed; the others are kept on the data version for the day (`core.changes`).
    clock: bool = False
    # A period closed below target drafts an improvement plan (PSC 004 §4: "resultados inferiores a
    # las metas requieren análisis y acciones correctivas"). None: only the process indicators do.
    drafts_plan: bool | None = None

    @property
    def requires_plan(self) -> bool:
        return self.process if self.drafts_plan is None else self.drafts_plan

    @property
    def available(self) -> bool:
        """Whether some module computes it (otherwise every period reports no data)."""
        return self.compute is not None

    @property
    def name(self) -> str:
        return self.short_label or str(self.label)


CCT = IndicatorDefinition(
    key="cct",
    short_label="CCT",
    label=_("Contracts fulfilled in time and form"),
    unit=Unit.PERCENT,
    default_target=95.0,
    proportion=True,
    process=True,
    order=1,
    description=_(
        "Contracts (not draft or cancelled) with at least one deliverable due in the period whose every "
        "deliverable due was delivered conforming on or before its due date, over all those contracts."
    ),
)
SC = IndicatorDefinition(
    key="sc",
    short_label="SC",
    label=_("Customer satisfaction"),
    unit=Unit.PERCENT,
    default_target=85.0,
    proportion=True,
    process=True,
    order=2,
    description=_(
        "Customers whose latest counting survey response of the period scores at or above the satisfied "
        "threshold of the headline question, over the customers who answered; with its 95 % Wilson interval."
    ),
)

_DEFINITIONS: dict[str, IndicatorDefinition] = {}


def register_indicator(definition: IndicatorDefinition) -> None:
    """Add an indicator, or replace the one with the same key."""
    _DEFINITIONS[definition.key] = definition


def provide(key: str, compute: Compute) -> None:
    """Give a declared indicator (CCT, SC) its computation."""
    _DEFINITIONS[key] = replace(_DEFINITIONS[key], compute=compute)


def unregister_indicator(key: str) -> None:
    _DEFINITIONS.pop(key, None)


def definitions() -> list[IndicatorDefinition]:
    """Every indicator: the process indicators first, then by order."""
    return sorted(_DEFINITIONS.values(), key=lambda d: (not d.process, d.order, d.key))


def get_definition(key: str) -> IndicatorDefinition | None:
    return _DEFINITIONS.get(key)


register_indicator(CCT)
register_indicator(SC)


# --- status --------------------------------------------------------------------------------------


def status_for(value: float | None, target: float, higher_is_better: bool) -> str:
    if value is None:
        return NO_DATA
    ok = value >= target if higher_is_better else value <= target
    return ON_TARGET if ok else BELOW_TARGET


def tone_for(value: float | None, target: float, band: float, higher_is_better: bool) -> str:
    """good on target; warning when short of it by no more than the alert band; bad beyond."""
    status = status_for(value, target, higher_is_better)
    if status == NO_DATA:
        return "neutral"
    if status == ON_TARGET:
        return "good"
    assert value is not None
    shortfall = target - value if higher_is_better else value - target
    return "warning" if shortfall <= band else "bad"


# --- adapters for the modules' selectors ---------------------------------------------------------


def records_list(url_name: str, **extra: str) -> Callable[..., str]:
    """The records behind a figure: a list page filtered by the same period, segment and manager."""

    def url(period: Period, *, segment: str | None = None, account_manager: int | None = None) -> str:
        params = {"period": period.label, **extra}
        if segment:
            params["segment"] = segment
        if account_manager:
            params["account_manager"] = str(account_manager)
        return f"{reverse(url_name)}?{urlencode(params)}"

    return url


def from_selector(
    selector: Callable[..., Any],
    *,
    records: Callable[..., str] | None = None,
    numerator: str = "numerator",
    denominator: str = "denominator",
) -> Compute:
    """A computation from a module's selector that returns a ratio-like result (numerator,
    denominator, value, optional ci95) or a bare number (a median, a mean)."""
    takes_today = "today" in inspect.signature(selector).parameters

    def compute(period: Period, *, today: Any, segment: str | None, account_manager: int | None) -> Figure:
        kwargs: dict[str, Any] = {"period": period, "segment": segment, "account_manager": account_manager}
        if takes_today:
            kwargs["today"] = today
        result = selector(**kwargs)
        url = records(period, segment=segment, account_manager=account_manager) if records else ""
        if result is None or isinstance(result, int | float):
            return Figure(value=result, records_url=url)
        ci95 = getattr(result, "ci95", None)
        return Figure(
            value=result.value,
            numerator=getattr(result, numerator, None),
            denominator=getattr(result, denominator, None),
            ci95=tuple(ci95) if ci95 else None,
            records_url=url,
        )

    return compute
