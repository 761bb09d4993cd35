"""Import and export of requirements (SPEC §6). The customer is referenced by its code and the contract
by its number; the export's columns import back unchanged. Status and version are checked, never
changed, by an import: a status moves on the requirement's page (validation needs the customer's
confirmation), and a file exported before someone else's change is refused instead of overwriting it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contracts.models import Contract
from clientela.core.exporting import Column
from clientela.core.importing import CellError, Importer, ImportField
from clientela.core.permissions import has_perm
from clientela.customers.models import Customer

from . import services
from .models import Kind, Priority, Requirement, Source, Status


def _find_customer(text: str) -> Customer:
    customer = Customer.objects.filter(code__iexact=text.strip()).first()
    if customer is None:
        raise CellError(_("No customer has the code “%(value)s”.") % {"value": text})
    return customer


def _find_contract(text: str) -> Contract:
    contract = Contract.objects.filter(number__iexact=text.strip()).first()
    if contract is None:
        raise CellError(_("No contract has the number “%(value)s”.") % {"value": text})
    return contract


class RequirementImporter(Importer):
    kind = "requirements"
    label = gettext_lazy("requirements")
    permission = "requirements.import"
    model = Requirement
    fields = [
        ImportField("number", aliases=("numero", "n", "requisito", "referencia")),
        ImportField(
            "customer",
            kind="ref",
            required=True,
            resolve=_find_customer,
            aliases=("cliente", "codigo cliente", "customer code"),
        ),
        ImportField(
            "contract",
            kind="ref",
            resolve=_find_contract,
            aliases=("contrato", "numero de contrato", "contract number"),
        ),
        ImportField("title", required=True, aliases=("titulo", "requisito titulo")),
        ImportField("kind", kind="choice", choices=lambda: Kind.choices, aliases=("tipo",)),
        ImportField("priority", kind="choice", choices=lambda: Priority.choices, aliases=("prioridad", "moscow")),
        ImportField("source", kind="choice", choices=lambda: Source.choices, aliases=("origen", "fuente")),
        ImportField("source_reference", aliases=("referencia del origen",)),
        ImportField("description", aliases=("descripcion",)),
        ImportField("acceptance_criteria", aliases=("criterios", "criterios de aceptacion")),
        ImportField("status", kind="choice", choices=lambda: Status.choices, aliases=("estado",)),
        ImportField("version", kind="int", aliases=("version",)),
    ]

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("number", data.get("number"))]

    def find_existing(self, data: dict[str, Any]) -> Requirement | None:
        number = (data.get("number") or "").strip().upper()
        if not number:
            return None
        found = Requirement.objects.filter(number=number).select_related("customer").first()
        if found is None:
            raise ValidationError(
                {
                    "number": _("No requirement has the number “%(value)s”; leave it blank for a new one.")
                    % {"value": number}
                }
            )
        return found

    def save(self, *, actor: Any, data: dict[str, Any], existing: Requirement | None) -> str:
        customer = data.pop("customer")
        status = data.pop("status", "") or ""
        version = data.pop("version", None)
        data.pop("number", None)
        data = {k: v for k, v in data.items() if not (k in ("kind", "priority", "source") and v == "")}
        if not has_perm(actor, "requirements.change", customer):
            raise ValidationError(
                {"customer": _("You may not change the requirements of %(customer)s.") % {"customer": customer.code}}
            )
        if existing is None:
            if status not in ("", Status.DRAFT):
                raise ValidationError(
                    {"status": _("A new requirement starts as a draft; its status moves on its page.")}
                )
            services.requirement_create(actor=actor, customer=customer, data=data)
            return "created"
        if existing.customer_id != customer.pk:
            raise ValidationError({"customer": _("The requirement belongs to another customer.")})
        if status and status != existing.status:
            raise ValidationError(
                {
                    "status": _("The status is %(status)s; it changes on the requirement's page, not by import.")
                    % {"status": existing.get_status_display()}
                }
            )
        if version is not None and version != existing.version:
            raise ValidationError(
                {
                    "version": _(
                        "The file holds version %(file)s but the requirement is at version %(current)s: export it again."
                    )
                    % {"file": version, "current": existing.version}
                }
            )
        before = existing.lock_version
        # A settled requirement edited in place is refused by the service (a DomainError, reported on the row).
        updated = services.requirement_update(actor=actor, requirement=existing, data=data)
        return "updated" if updated.lock_version != before else "unchanged"

    def describe(self, data: dict[str, Any]) -> str:
        customer = data.get("customer")
        return " · ".join(
            str(v) for v in (data.get("number"), customer.code if customer else "", data.get("title")) if v
        )


def requirement_columns() -> list[Column]:
    """The list export: exactly the importer's columns, so it imports back unchanged."""
    return [
        Column("number", gettext_lazy("number"), lambda r: r.number, 14),
        Column("customer", gettext_lazy("customer"), lambda r: r.customer.code, 14),
        Column("contract", gettext_lazy("contract"), lambda r: r.contract.number if r.contract_id else "", 16),
        Column("title", gettext_lazy("title"), lambda r: r.title, 40),
        Column("kind", gettext_lazy("kind"), lambda r: r.get_kind_display()),
        Column("priority", gettext_lazy("priority"), lambda r: r.get_priority_display()),
        Column("source", gettext_lazy("source"), lambda r: r.get_source_display()),
        Column("source_reference", gettext_lazy("source reference"), lambda r: r.source_reference, 30),
        Column("description", gettext_lazy("description"), lambda r: r.description, 60),
        Column("acceptance_criteria", gettext_lazy("acceptance criteria"), lambda r: r.acceptance_criteria, 50),
        Column("status", gettext_lazy("status"), lambda r: r.get_status_display()),
        Column("version", gettext_lazy("version"), lambda r: r.version, 8),
    ]


def document_columns() -> list[Column]:
    """The documented and prioritised requirements of one customer, as a workbook."""
    return [
        *requirement_columns(),
        Column("confirmed_by", gettext_lazy("confirmed by"), lambda r: str(r.confirmed_by or ""), 24),
        Column("confirmed_on", gettext_lazy("confirmed on"), lambda r: r.confirmed_on),
        Column("confirmation_method", gettext_lazy("confirmed through"), lambda r: r.get_confirmation_method_display()),
        Column("validated_at", gettext_lazy("validated at"), lambda r: r.validated_at),
        Column("validated_by", gettext_lazy("validated by"), lambda r: str(r.validated_by or ""), 22),
        Column("approved_at", gettext_lazy("approved at"), lambda r: r.approved_at),
        Column("approved_by", gettext_lazy("approved by"), lambda r: str(r.approved_by or ""), 22),
    ]


requirement_importer = RequirementImporter()
