"""Traceability of requirements to the contract deliverables that satisfy them, and to their
deliveries (SPEC §3.2 and §3.6): the matrix a contract shows, requirement by requirement.

The rules are pure functions over plain facts, so they hold whatever stores the deliverables:
`DeliverableFact` and `DeliveryFact` carry what the contracts module knows about a deliverable and
its deliveries, and `build_matrix` decides each requirement's coverage and whether it was delivered
in time and form, by the same rule as the CCT indicator (SPEC §4): a deliverable is fulfilled in time
and form when it has a conforming delivery on or before its due date.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Priority, Status


@dataclass(frozen=True)
class DeliveryFact:
    delivered_on: dt.date
    conforming: bool


@dataclass(frozen=True)
class DeliverableFact:
    id: int
    description: str
    due_date: dt.date | None
    status: str  # pending | delivered | cancelled (SPEC §3.6)
    deliveries: tuple[DeliveryFact, ...] = ()
    url: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def delivered_in_form(self) -> bool:
        """At least one conforming delivery, whenever it came."""
        return any(d.conforming for d in self.deliveries)

    @property
    def in_time_and_form(self) -> bool:
        return self.due_date is not None and any(
            d.conforming and d.delivered_on <= self.due_date for d in self.deliveries
        )

    def state(self, today: dt.date) -> str:
        if self.cancelled:
            return "cancelled"
        if self.in_time_and_form:
            return "in_time_and_form"
        if self.delivered_in_form:
            return "late"
        if self.deliveries:
            return "nonconforming"
        if self.due_date is not None and self.due_date < today:
            return "overdue"
        return "pending"


DELIVERABLE_STATES: dict[str, Promise] = {
    "in_time_and_form": _("Delivered in time and form"),
    "late": _("Delivered in form, late"),
    "nonconforming": _("Delivered, not conforming"),
    "overdue": _("Overdue"),
    "pending": _("Pending"),
    "cancelled": _("Cancelled"),
}

COVERAGE: dict[str, Promise] = {
    "none": _("Not traced to any deliverable"),
    "planned": _("Traced, nothing delivered in form yet"),
    "partial": _("Partly delivered in form"),
    "delivered": _("Delivered in form"),
}


@dataclass(frozen=True)
class TraceRow:
    requirement: Any
    deliverables: list[DeliverableFact]
    coverage: str  # a key of COVERAGE
    in_time_and_form: bool | None  # None when nothing (not cancelled) is traced
    gap: bool  # an agreed must-have with nothing to deliver it

    @property
    def coverage_label(self) -> Promise:
        return COVERAGE[self.coverage]


@dataclass
class TraceMatrix:
    rows: list[TraceRow] = field(default_factory=list)

    @property
    def traced(self) -> int:
        return sum(1 for r in self.rows if r.coverage != "none")

    @property
    def delivered(self) -> int:
        return sum(1 for r in self.rows if r.coverage == "delivered")

    @property
    def in_time_and_form(self) -> int:
        return sum(1 for r in self.rows if r.in_time_and_form)

    @property
    def gaps(self) -> list[TraceRow]:
        return [r for r in self.rows if r.gap]


# Requirements that are commitments: an approved (or fulfilled) must-have has to be delivered by something.
COMMITTED = (Status.APPROVED, Status.FULFILLED)


def trace_row(requirement: Any, deliverables: Sequence[DeliverableFact]) -> TraceRow:
    live = [d for d in deliverables if not d.cancelled]
    in_form = [d for d in live if d.delivered_in_form]
    if not live:
        coverage = "none"
    elif len(in_form) == len(live):
        coverage = "delivered"
    elif in_form:
        coverage = "partial"
    else:
        coverage = "planned"
    return TraceRow(
        requirement=requirement,
        deliverables=list(deliverables),
        coverage=coverage,
        in_time_and_form=all(d.in_time_and_form for d in live) if live else None,
        gap=not live and requirement.priority == Priority.MUST and requirement.status in COMMITTED,
    )


def build_matrix(requirements: Iterable[Any], links: Mapping[int, Sequence[DeliverableFact]]) -> TraceMatrix:
    """One row per requirement, in the given order; `links` maps a requirement id to its deliverables.
    Withdrawn and rejected requirements are left out: nothing is owed for them."""
    rows = [
        trace_row(requirement, links.get(requirement.pk, ()))
        for requirement in requirements
        if requirement.status not in (Status.REJECTED, Status.WITHDRAWN)
    ]
    return TraceMatrix(rows=rows)
