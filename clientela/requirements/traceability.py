"""Traceability of requirements to the contract deliverables that satisfy them, and to their
deliveries (SPEC §3.2 and §3.6): the matrix a contract shows, requirement by requirement.

The rules are pure functions over plain facts, so they hold whatever stores the deliverables:
`DeliverableFact` and `DeliveryFact` carry what the contracts module knows about a deliverable and
its deliveries, and `build_matrix` decides each requirement's coverage and whether it was delivered
in time and form, by the same rule as the CCT indicator (SPEC §4): a deliverable is fulfilled in time
and form when it has a conforming delivery on or before its due date.

`matrix_for_contract` and `matrix_for_requirements` read those facts from the database in a fixed
number of queries; `matrix_lines` and `matrix_columns` export a matrix (one line per requirement and
deliverable).
"""

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.contracts.models import Contract, Delivery
from clientela.core.exporting import Column

from .models import PRIORITY_ORDER, STATUS_ORDER, Priority, Requirement, Status
from .selectors import visible_requirements


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
    contract_id: int | None = None
    contract_number: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def delivered_in_form(self) -> bool:
        """At least one conforming delivery, whenever it came."""
        return any(d.conforming for d in self.deliveries)

    @property
    def delivered_in_form_on(self) -> dt.date | None:
        """The date of the first conforming delivery, if any."""
        return min((d.delivered_on for d in self.deliveries if d.conforming), default=None)

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

# Tones of the badges; the label always says it in words too (colour is never the only signal).
DELIVERABLE_TONES = {
    "in_time_and_form": "good",
    "late": "warning",
    "nonconforming": "bad",
    "overdue": "bad",
    "pending": "info",
    "cancelled": "",
}

COVERAGE: dict[str, Promise] = {
    "none": _("Not traced to any deliverable"),
    "planned": _("Traced, nothing delivered in form yet"),
    "partial": _("Partly delivered in form"),
    "delivered": _("Delivered in form"),
}


COVERAGE_TONES = {"none": "bad", "planned": "info", "partial": "warning", "delivered": "good"}


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

    @property
    def coverage_tone(self) -> str:
        return COVERAGE_TONES[self.coverage]


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


# --- read from the database ----------------------------------------------------------------------


def deliverable_facts(requirement_ids: Collection[int]) -> dict[int, list[DeliverableFact]]:
    """The deliverables traced to each requirement, with their deliveries (archived deliveries do not
    count, as in the CCT indicator): two queries whatever the number of requirements."""
    if not requirement_ids:
        return {}
    links = list(
        Requirement.deliverables.through.objects.filter(requirement_id__in=requirement_ids)
        .select_related("deliverable__contract")
        .order_by("deliverable__due_date", "deliverable_id")
    )
    if not links:
        return {}
    deliveries: dict[int, list[DeliveryFact]] = {}
    rows = (
        Delivery.objects.filter(deliverable_id__in={link.deliverable_id for link in links}, archived_at__isnull=True)
        .order_by("delivered_on", "pk")
        .values_list("deliverable_id", "delivered_on", "conforming")
    )
    for deliverable_id, delivered_on, conforming in rows:
        deliveries.setdefault(deliverable_id, []).append(DeliveryFact(delivered_on, conforming))
    facts: dict[int, DeliverableFact] = {}
    traced: dict[int, list[DeliverableFact]] = {}
    for link in links:
        deliverable = link.deliverable
        if deliverable.pk not in facts:
            facts[deliverable.pk] = DeliverableFact(
                id=deliverable.pk,
                description=deliverable.description,
                due_date=deliverable.due_date,
                status=deliverable.status,
                deliveries=tuple(deliveries.get(deliverable.pk, ())),
                url=reverse("contracts:deliverable_detail", args=[deliverable.pk]),
                contract_id=deliverable.contract_id,
                contract_number=deliverable.contract.number,
            )
        traced.setdefault(link.requirement_id, []).append(facts[deliverable.pk])
    return traced


def _in_priority_order(requirements: Iterable[Requirement]) -> list[Requirement]:
    return sorted(
        requirements, key=lambda r: (PRIORITY_ORDER.index(r.priority), STATUS_ORDER.index(r.status), r.number)
    )


def matrix_for_requirements(requirements: Sequence[Requirement]) -> TraceMatrix:
    """The matrix of the given requirements, in their order, with every deliverable traced to each."""
    return build_matrix(requirements, deliverable_facts([r.pk for r in requirements]))


def matrix_for_contract(contract: Contract, *, user: Any = None) -> TraceMatrix:
    """The traceability matrix of a contract (SPEC §3.2, §3.6): its requirements and those traced to
    its deliverables, in MoSCoW order, each with every deliverable that satisfies it (a renewal's
    deliverables too, marked with their contract). Three queries whatever the size of the contract;
    with `user`, only the requirements that person may see."""
    base = visible_requirements(user) if user is not None else Requirement.objects.all()
    requirements = _in_priority_order(
        base.filter(Q(contract=contract) | Q(deliverables__contract=contract), archived_at__isnull=True).distinct()
    )
    return matrix_for_requirements(requirements)


def requirement_trace_row(requirement: Requirement) -> TraceRow:
    """One requirement's deliverables, coverage and delivery in time and form (two queries)."""
    return trace_row(requirement, deliverable_facts([requirement.pk]).get(requirement.pk, ()))


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceLine:
    """One line of the exported matrix: a requirement and one deliverable traced to it (or none)."""

    row: TraceRow
    deliverable: DeliverableFact | None
    today: dt.date

    @property
    def requirement(self) -> Any:
        return self.row.requirement

    @property
    def state_label(self) -> str:
        return str(DELIVERABLE_STATES[self.deliverable.state(self.today)]) if self.deliverable else ""


def matrix_lines(matrix: TraceMatrix, *, today: dt.date | None = None) -> list[TraceLine]:
    today = today or timezone.localdate()
    lines: list[TraceLine] = []
    for row in matrix.rows:
        lines.extend(TraceLine(row, d, today) for d in row.deliverables or [None])
    return lines


def matrix_columns() -> list[Column]:
    """The traceability matrix as a spreadsheet an auditor can filter."""
    return [
        Column("requirement", _("requirement"), lambda line: line.requirement.number, 14),
        Column("title", _("title"), lambda line: line.requirement.title, 40),
        Column("priority", _("priority"), lambda line: line.requirement.get_priority_display()),
        Column("status", _("status"), lambda line: line.requirement.get_status_display()),
        Column("version", _("version"), lambda line: line.requirement.version, 8),
        Column("coverage", _("coverage"), lambda line: str(line.row.coverage_label), 30),
        Column("in_time_and_form", _("delivered in time and form"), lambda line: line.row.in_time_and_form),
        Column("gap", _("gap"), lambda line: line.row.gap, 8),
        Column("contract", _("contract"), lambda line: line.deliverable.contract_number if line.deliverable else ""),
        Column(
            "deliverable", _("deliverable"), lambda line: line.deliverable.description if line.deliverable else "", 40
        ),
        Column("due_date", _("due date"), lambda line: line.deliverable.due_date if line.deliverable else None),
        Column("situation", _("situation"), lambda line: line.state_label, 28),
        Column(
            "delivered_in_form_on",
            _("delivered in form on"),
            lambda line: line.deliverable.delivered_in_form_on if line.deliverable else None,
        ),
    ]
