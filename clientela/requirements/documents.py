"""The "documented and prioritised requirements" of a customer (the process's output of flow 1) as
a PDF an auditor can read, and as a workbook."""

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clientela.core import pdf
from clientela.core.exporting import Column
from clientela.customers.models import Customer

from .importers import document_columns
from .models import Priority, Requirement, Status
from .selectors import clarification_limit_days
from .traceability import TraceMatrix, matrix_for_requirements


def _traced(requirement: Requirement) -> str:
    row = getattr(requirement, "trace", None)
    return "; ".join(f"{d.contract_number} · {d.description}" for d in row.deliverables) if row else ""


def columns() -> list[Column]:
    """The register's columns, the confirmation and approval, and the traceability (`with_trace`)."""
    return [
        *document_columns(),
        Column(
            "coverage",
            gettext_lazy("coverage"),
            lambda r: str(r.trace.coverage_label) if getattr(r, "trace", None) else "",
            30,
        ),
        Column("deliverables", gettext_lazy("deliverables"), _traced, 50),
    ]


def with_trace(requirements: list[Requirement]) -> TraceMatrix:
    """Give each requirement its row of the traceability matrix (`trace`; None when nothing is owed
    for it) in two queries, and return the matrix."""
    matrix = matrix_for_requirements(requirements)
    rows = {row.requirement.pk: row for row in matrix.rows}
    for requirement in requirements:
        requirement.trace = rows.get(requirement.pk)
    return matrix


def document_context(*, customer: Customer, requirements: list[Requirement], user: Any) -> dict[str, Any]:
    live_statuses = {s.value for s in Status} - {Status.REJECTED.value, Status.WITHDRAWN.value}
    live = [r for r in requirements if r.status in live_statuses]
    groups = []
    for priority in Priority:
        items = [r for r in live if r.priority == priority.value]
        if items:
            groups.append({"priority": priority, "items": items})
    return {
        "customer": customer,
        "groups": groups,
        "live": live,
        "closed": [r for r in requirements if r.status not in live_statuses],
        "count": len(requirements),
        "approved": sum(1 for r in requirements if r.status in (Status.APPROVED, Status.FULFILLED)),
        "matrix": with_trace(requirements),
        "issued_at": timezone.now(),
        "issued_by": user,
        "limit_days": clarification_limit_days(),
    }


def requirements_pdf(*, customer: Customer, requirements: list[Requirement], user: Any) -> bytes:
    html = render_to_string(
        "requirements/document.html", document_context(customer=customer, requirements=requirements, user=user)
    )
    stylesheet = Path(finders.find("requirements/document.css")).read_text(encoding="utf-8")
    return pdf.write_pdf(html, stylesheets=[stylesheet])
