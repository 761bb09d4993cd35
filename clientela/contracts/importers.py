"""Import and export of contracts, deliverables and deliveries (SPEC §6).

The export's columns are the importer's fields, with the same labels, so an exported file imports
back unchanged. Customers are referenced by code or tax ID, contracts by number, deliverables by
their id or by contract number + description (+ due date).
"""

import datetime as dt
from collections import deque
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.errors import DomainError
from clientela.core.exporting import Column
from clientela.core.importing import CellError, Importer, ImportField, normalise
from clientela.core.permissions import has_perm
from clientela.customers.models import Contact, Customer

from . import selectors, services
from .models import Contract, Currency, Deliverable, Delivery, Regulation, Severity
from .states import CONTRACT_FLOW, NEEDS_REASON

C = Contract.Status


def _find_customer(text: str) -> Customer:
    key = text.strip()
    compact = key.replace("-", "").replace(".", "").replace(" ", "")
    customer = (
        Customer.objects.filter(Q(code__iexact=key) | Q(tax_id__iexact=compact)).first()
        or Customer.objects.filter(name__iexact=key).first()
    )
    if customer is None:
        raise CellError(_("No customer has the code, tax ID or name “%(value)s”.") % {"value": text})
    return customer


def _find_contract(text: str) -> Contract:
    contract = Contract.objects.filter(number__iexact=text.strip()).first()
    if contract is None:
        raise CellError(_("No contract has the number “%(value)s”.") % {"value": text})
    return contract


def _username(user: Any) -> str:
    return user.username if user is not None else ""


def _line(line: int, message: str) -> str:
    return _("Line %(line)s: %(message)s") % {"line": line, "message": message}


def _refused(exc: DomainError, field: str = "status") -> ValidationError:
    return ValidationError({field: [str(exc)]})


def columns_for(importer: Importer, accessors: dict[str, Any]) -> list[Column]:
    """Export columns named and labelled exactly as the importer reads them."""
    return [Column(spec.name, importer.label_for(spec), accessors[spec.name]) for spec in importer.fields]


# --- contracts --------------------------------------------------------------------------------


class ContractImporter(Importer):
    kind = "contracts"
    label = gettext_lazy("contracts")
    permission = "contracts.import"
    model = Contract
    fields = [
        ImportField("number", aliases=("numero", "n contrato", "numero de contrato", "contract number")),
        ImportField(
            "customer",
            kind="ref",
            required=True,
            resolve=_find_customer,
            aliases=("cliente", "codigo cliente", "customer code", "nif", "cif", "rfc", "cuit", "rut", "ruc", "nit"),
        ),
        ImportField("contact", aliases=("contacto",)),
        ImportField("title", required=True, aliases=("titulo", "objeto", "objeto del contrato")),
        ImportField("kind", kind="choice", choices=lambda: Contract.Kind.choices, aliases=("tipo de contrato",)),
        ImportField("status", kind="choice", choices=lambda: Contract.Status.choices),
        ImportField("start_date", kind="date", required=True, aliases=("inicio", "fecha inicio")),
        ImportField("end_date", kind="date", required=True, aliases=("fin", "fecha fin", "vencimiento")),
        ImportField("value", kind="decimal", aliases=("valor", "importe", "importe total")),
        ImportField("currency", kind="choice", choices=lambda: Currency.choices, aliases=("moneda", "divisa")),
        ImportField("owner", kind="user", aliases=("responsable",)),
        ImportField("renews", aliases=("renueva a",)),
        ImportField("regulations", aliases=("normativa", "normativas", "normas")),
        ImportField("terms", aliases=("condiciones", "terminos")),
        ImportField("notes", aliases=("notas", "observaciones")),
        ImportField("reviewed_on", kind="date", label=gettext_lazy("reviewed on")),
        ImportField("reviewed_by", kind="user", label=gettext_lazy("reviewed by")),
        ImportField("close_reason"),
    ]

    def __init__(self) -> None:
        self._last: Contract | None = None

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        if data.get("number"):
            return [("number", data["number"].strip().upper())]
        customer = data.get("customer")
        return [("title", f"{customer.pk if customer else ''}:{data.get('title')}:{data.get('start_date')}")]

    def find_existing(self, data: dict[str, Any]) -> Contract | None:
        if data.get("number"):
            return Contract.objects.filter(number__iexact=data["number"].strip()).first()
        return Contract.objects.filter(
            customer=data["customer"], title__iexact=data["title"].strip(), start_date=data["start_date"]
        ).first()

    def _values(self, data: dict[str, Any], existing: Contract | None) -> dict[str, Any]:
        values = {
            k: v
            for k, v in data.items()
            if k in services.CONTRACT_FIELDS and not (k in ("kind", "currency", "value") and v in ("", None))
        }
        customer = data["customer"]
        if "contact" in data:
            values["contact"] = self._contact(customer, data["contact"])
        if "renews" in data:
            values["renews"] = _find_contract(data["renews"]) if data["renews"] else None
        if "regulations" in data:
            values["regulations"] = self._regulations(data["regulations"])
        if existing is not None and not values.get("number"):
            values.pop("number", None)
        return values

    def _contact(self, customer: Customer, text: str) -> Contact | None:
        if not text:
            return None
        key = normalise(text)
        for contact in customer.contacts.filter(archived_at__isnull=True):
            if key in (normalise(contact.email), normalise(contact.full_name)):
                return contact
        raise CellError(_("“%(value)s” is not a contact of %(customer)s.") % {"value": text, "customer": customer})

    def _regulations(self, text: str) -> list[Regulation]:
        codes = [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]
        found = {normalise(r.code): r for r in Regulation.objects.filter(archived_at__isnull=True)}
        missing = [c for c in codes if normalise(c) not in found]
        if missing:
            raise CellError(_("Unknown regulations: %(codes)s.") % {"codes": ", ".join(missing)})
        return [found[normalise(c)] for c in codes]

    def _reach(self, *, actor: Any, contract: Contract, target: str, data: dict[str, Any]) -> bool:
        """Walk the contract to `target` through the workflow (and its review gate)."""
        if contract.status == target:
            return False
        path = _path(contract.status, target)
        if path is None:
            raise ValidationError(
                {
                    "status": [
                        _("A contract in status “%(current)s” cannot move to “%(target)s”.")
                        % {"current": CONTRACT_FLOW.label(contract.status), "target": CONTRACT_FLOW.label(target)}
                    ]
                }
            )
        for step in path:
            if step == C.ACTIVE:
                review = services.current_review(contract)
                if review is None or not review.passed:
                    if not data.get("reviewed_on") or not data.get("reviewed_by"):
                        raise ValidationError(
                            {
                                "reviewed_on": [
                                    _(
                                        "An active contract needs its contract review: fill in “reviewed on” and "
                                        "“reviewed by”."
                                    )
                                ]
                            }
                        )
                    moment = timezone.make_aware(dt.datetime.combine(data["reviewed_on"], dt.time(12, 0)))
                    services.contract_review_record(
                        actor=actor,
                        contract=contract,
                        data={
                            **dict.fromkeys(("requirements_defined", "differences_resolved"), True),
                            **dict.fromkeys(("capacity_confirmed", "regulations_identified"), True),
                            "reviewer": data["reviewed_by"],
                            "reviewed_at": moment,
                            "notes": _("Contract review recorded in an imported file."),
                        },
                    )
            note = data.get("close_reason") or ""
            if step in NEEDS_REASON and not note:
                raise ValidationError({"close_reason": [_("Say why the contract is terminated or cancelled.")]})
            try:
                contract = services.contract_transition(actor=actor, contract=contract, to=step, note=note)
            except DomainError as exc:
                raise _refused(exc) from exc
        return True

    def save(self, *, actor: Any, data: dict[str, Any], existing: Contract | None) -> str:
        values = self._values(data, existing)
        target = data.get("status") or None
        try:
            if existing is None:
                contract = services.contract_create(actor=actor, data=values)
                self._reach(actor=actor, contract=contract, target=target or C.DRAFT, data=data)
                self._last = contract
                return "created"
            version = existing.lock_version
            regulations = set(existing.regulation_links.values_list("regulation_id", flat=True))
            contract = existing
            if any(_differs(existing, name, value) for name, value in values.items() if name != "regulations"):
                contract = services.contract_update(actor=actor, contract=existing, data=values)
            elif "regulations" in values and {r.pk for r in values["regulations"]} != regulations:
                contract = services.contract_update(
                    actor=actor, contract=existing, data={"regulations": values["regulations"]}
                )
            moved = self._reach(actor=actor, contract=contract, target=target, data=data) if target else False
        except DomainError as exc:
            raise _refused(exc, "number") from exc
        contract.refresh_from_db()
        self._last = contract
        changed = (
            moved
            or contract.lock_version != version
            or set(contract.regulation_links.values_list("regulation_id", flat=True)) != regulations
        )
        return "updated" if changed else "unchanged"

    def row_warnings(self, data: dict[str, Any], line: int) -> list[str]:
        return [_line(line, w) for w in services.contract_warnings(self._last)] if self._last else []

    def describe(self, data: dict[str, Any]) -> str:
        return " · ".join(str(v) for v in (data.get("number"), data.get("title"), data.get("customer")) if v)


def _differs(instance: Any, name: str, value: Any) -> bool:
    current = getattr(instance, name)
    if isinstance(current, str) and isinstance(value, str):
        return current.strip() != value.strip()
    return current != value


def _path(current: str, target: str) -> list[str] | None:
    """The shortest sequence of moves from `current` to `target`, or None."""
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    seen = {current}
    while queue:
        state, path = queue.popleft()
        for nxt in CONTRACT_FLOW.targets(state):
            if nxt == target:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, nxt]))
    return None


contract_importer = ContractImporter()


def _current_passed_review(contract: Contract) -> Any:
    reviews = getattr(contract, "current_reviews", None)
    if reviews is None:
        reviews = list(contract.reviews.filter(superseded_at__isnull=True).select_related("reviewer"))
    return next((r for r in reviews if r.passed), None)


def contract_columns() -> list[Column]:
    def review_date(c: Contract) -> Any:
        review = _current_passed_review(c)
        return timezone.localdate(review.reviewed_at) if review else None

    def reviewer(c: Contract) -> str:
        review = _current_passed_review(c)
        return _username(review.reviewer) if review else ""

    def contact(c: Contract) -> str:
        return (c.contact.email or c.contact.full_name) if c.contact else ""

    return columns_for(
        contract_importer,
        {
            "number": lambda c: c.number,
            "customer": lambda c: c.customer.code,
            "contact": contact,
            "title": lambda c: c.title,
            "kind": lambda c: c.get_kind_display(),
            "status": lambda c: c.get_status_display(),
            "start_date": lambda c: c.start_date,
            "end_date": lambda c: c.end_date,
            "value": lambda c: c.value,
            "currency": lambda c: c.currency,
            "owner": lambda c: _username(c.owner),
            "renews": lambda c: c.renews.number if c.renews else "",
            "regulations": lambda c: ", ".join(sorted(r.code for r in c.regulations.all())),
            "terms": lambda c: c.terms,
            "notes": lambda c: c.notes,
            "reviewed_on": review_date,
            "reviewed_by": reviewer,
            "close_reason": lambda c: c.close_reason,
        },
    )


# --- deliverables -----------------------------------------------------------------------------


class DeliverableImporter(Importer):
    kind = "deliverables"
    label = gettext_lazy("deliverables")
    permission = "deliverables.change"
    model = Deliverable
    fields = [
        ImportField("id", kind="int", label="ID", aliases=("identificador",)),
        ImportField(
            "contract",
            kind="ref",
            required=True,
            resolve=_find_contract,
            aliases=("contrato", "numero de contrato", "n contrato", "contract number"),
        ),
        ImportField("customer", label=gettext_lazy("customer"), aliases=("cliente",)),
        ImportField("description", required=True, aliases=("descripcion", "entregable", "obligacion")),
        ImportField("due_date", kind="date", required=True, aliases=("vencimiento", "fecha limite", "fecha prevista")),
        ImportField("acceptance_criteria", aliases=("criterios de aceptacion", "criterio de aceptacion")),
        ImportField("responsible", kind="user", aliases=("responsable",)),
        ImportField("team", aliases=("equipo",)),
        ImportField("status", kind="choice", choices=lambda: Deliverable.Status.choices),
        ImportField("cancel_reason", aliases=("motivo de cancelacion",)),
        ImportField("outcome", label=gettext_lazy("compliance"), aliases=("cumplimiento",)),
    ]

    def __init__(self) -> None:
        self._last: Deliverable | None = None

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        if data.get("id"):
            return [("id", str(data["id"]))]
        contract = data.get("contract")
        key = f"{contract.pk if contract else ''}:{normalise(data.get('description'))}:{data.get('due_date')}"
        return [("description", key)]

    def find_existing(self, data: dict[str, Any]) -> Deliverable | None:
        contract = data["contract"]
        if data.get("id"):
            found = Deliverable.objects.filter(pk=data["id"]).select_related("contract").first()
            if found is None:
                raise CellError(_("No deliverable has the id %(id)s.") % {"id": data["id"]})
            if found.contract_id != contract.pk:
                raise CellError(
                    _("Deliverable %(id)s belongs to contract %(number)s.")
                    % {"id": data["id"], "number": found.contract.number}
                )
            return found
        # Without an id only an exact match counts: a changed due date needs the id column.
        return contract.deliverables.filter(
            description__iexact=data["description"].strip(), due_date=data["due_date"]
        ).first()

    def save(self, *, actor: Any, data: dict[str, Any], existing: Deliverable | None) -> str:
        contract: Contract = data["contract"]
        if not has_perm(actor, "deliverables.change", contract):
            raise ValidationError({"contract": [_("You may not change the deliverables of this contract.")]})
        values = {k: v for k, v in data.items() if k in services.DELIVERABLE_FIELDS}
        target = data.get("status") or None
        reason = (data.get("cancel_reason") or "").strip()
        try:
            if existing is None:
                if target == Deliverable.Status.DELIVERED:
                    raise ValidationError({"status": [_delivered_only_by_delivery()]})
                deliverable = services.deliverable_create(actor=actor, contract=contract, data=values)
                if target == Deliverable.Status.CANCELLED:
                    deliverable = services.deliverable_transition(
                        actor=actor, deliverable=deliverable, to=target, note=reason
                    )
                self._last = deliverable
                return "created"
            version = existing.lock_version
            deliverable = services.deliverable_update(actor=actor, deliverable=existing, data=values)
            if target and target != deliverable.status:
                if Deliverable.Status.DELIVERED in (target, deliverable.status):
                    raise ValidationError({"status": [_delivered_only_by_delivery()]})
                deliverable = services.deliverable_transition(
                    actor=actor, deliverable=deliverable, to=target, note=reason
                )
        except DomainError as exc:
            raise _refused(exc, "contract") from exc
        self._last = deliverable
        return "updated" if deliverable.lock_version != version else "unchanged"

    def row_warnings(self, data: dict[str, Any], line: int) -> list[str]:
        return [_line(line, w) for w in services.deliverable_warnings(self._last)] if self._last else []

    def describe(self, data: dict[str, Any]) -> str:
        contract = data.get("contract")
        return " · ".join(str(v) for v in (contract.number if contract else "", data.get("description")) if v)


def _delivered_only_by_delivery() -> str:
    return _(
        "A deliverable becomes delivered when a conforming delivery is recorded: import the delivery "
        "(kind “deliveries”) instead."
    )


deliverable_importer = DeliverableImporter()


def deliverable_columns() -> list[Column]:
    return columns_for(
        deliverable_importer,
        {
            "id": lambda d: d.pk,
            "contract": lambda d: d.contract.number,
            "customer": lambda d: d.contract.customer.name,
            "description": lambda d: d.description,
            "due_date": lambda d: d.due_date,
            "acceptance_criteria": lambda d: d.acceptance_criteria,
            "responsible": lambda d: _username(d.responsible),
            "team": lambda d: d.team,
            "status": lambda d: d.get_status_display(),
            "cancel_reason": lambda d: d.cancel_reason,
            "outcome": lambda d: selectors.outcome(d)[1],
        },
    )


# --- deliveries -------------------------------------------------------------------------------


class DeliveryImporter(Importer):
    kind = "deliveries"
    label = gettext_lazy("deliveries")
    permission = "deliveries.add"
    model = Delivery
    fields = [
        ImportField("id", kind="int", label="ID", aliases=("identificador",)),
        ImportField("contract", kind="ref", resolve=_find_contract, aliases=("contrato", "numero de contrato")),
        ImportField("customer", label=gettext_lazy("customer"), aliases=("cliente",)),
        ImportField("deliverable", kind="int", label=gettext_lazy("deliverable ID"), aliases=("id entregable",)),
        ImportField("deliverable_description", label=gettext_lazy("deliverable"), aliases=("entregable",)),
        ImportField("due_date", kind="date", label=gettext_lazy("due date"), aliases=("vencimiento",)),
        ImportField("delivered_on", kind="date", required=True, aliases=("fecha de entrega", "entregado el")),
        ImportField("conforming", kind="bool", aliases=("conforme",)),
        ImportField("on_time", kind="bool", label=gettext_lazy("on time"), aliases=("a tiempo",)),
        ImportField("notes", aliases=("notas", "observaciones")),
        ImportField("nonconformity", aliases=("no conformidad", "que fallo")),
        ImportField("severity", kind="choice", choices=lambda: Severity.choices, aliases=("gravedad",)),
        ImportField("recorded_by", kind="user", aliases=("registrado por",)),
    ]

    def _deliverable(self, data: dict[str, Any]) -> Deliverable:
        contract = data.get("contract")
        if data.get("deliverable"):
            found = Deliverable.objects.filter(pk=data["deliverable"]).select_related("contract").first()
            if found is None or (contract is not None and found.contract_id != contract.pk):
                raise CellError(_("No deliverable of this contract has the id %(id)s.") % {"id": data["deliverable"]})
            return found
        description = (data.get("deliverable_description") or "").strip()
        if contract is None or not description:
            raise CellError(_("Give the deliverable's id, or the contract number and the deliverable's description."))
        candidates = list(contract.deliverables.filter(description__iexact=description))
        if data.get("due_date"):
            candidates = [d for d in candidates if d.due_date == data["due_date"]]
        if not candidates:
            raise CellError(
                _("Contract %(number)s has no deliverable “%(description)s”.")
                % {"number": contract.number, "description": description}
            )
        if len(candidates) > 1:
            raise CellError(
                _("Contract %(number)s has several deliverables “%(description)s”: add the due date or the id.")
                % {"number": contract.number, "description": description}
            )
        return candidates[0]

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        if data.get("id"):
            return [("id", str(data["id"]))]
        contract = data.get("contract")
        key = ":".join(
            str(v)
            for v in (
                data.get("deliverable") or "",
                contract.pk if contract else "",
                normalise(data.get("deliverable_description")),
                data.get("due_date"),
                data.get("delivered_on"),
                data.get("conforming", True),
            )
        )
        return [("delivered_on", key)]

    def find_existing(self, data: dict[str, Any]) -> Delivery | None:
        if data.get("id"):
            found = Delivery.objects.filter(pk=data["id"]).select_related("deliverable").first()
            if found is None:
                raise CellError(_("No delivery has the id %(id)s.") % {"id": data["id"]})
            data["_deliverable"] = found.deliverable
            return found
        deliverable = self._deliverable(data)
        data["_deliverable"] = deliverable
        return deliverable.deliveries.filter(
            delivered_on=data["delivered_on"], conforming=data.get("conforming", True)
        ).first()

    def save(self, *, actor: Any, data: dict[str, Any], existing: Delivery | None) -> str:
        values = {k: v for k, v in data.items() if k in services.DELIVERY_FIELDS}
        if values.get("severity") == "":
            values.pop("severity")
        try:
            if existing is None:
                if data.get("recorded_by"):
                    values["recorded_by"] = data["recorded_by"]
                services.delivery_record(actor=actor, deliverable=data["_deliverable"], data=values)
                return "created"
            if not any(_differs(existing, name, value) for name, value in values.items()):
                return "unchanged"
            if not has_perm(actor, "deliveries.change", existing):
                raise ValidationError({"id": [_("You may not correct this delivery.")]})
            services.delivery_update(actor=actor, delivery=existing, data=values)
        except DomainError as exc:
            raise _refused(exc, "delivered_on") from exc
        return "updated"

    def describe(self, data: dict[str, Any]) -> str:
        deliverable = data.get("_deliverable")
        parts = [str(deliverable) if deliverable else "", str(data.get("delivered_on") or "")]
        return " · ".join(p for p in parts if p)


delivery_importer = DeliveryImporter()


def delivery_columns() -> list[Column]:
    return columns_for(
        delivery_importer,
        {
            "id": lambda d: d.pk,
            "contract": lambda d: d.deliverable.contract.number,
            "customer": lambda d: d.deliverable.contract.customer.name,
            "deliverable": lambda d: d.deliverable_id,
            "deliverable_description": lambda d: d.deliverable.description,
            "due_date": lambda d: d.deliverable.due_date,
            "delivered_on": lambda d: d.delivered_on,
            "conforming": lambda d: d.conforming,
            "on_time": lambda d: d.on_time,
            "notes": lambda d: d.notes,
            "nonconformity": lambda d: d.nonconformity,
            "severity": lambda d: d.get_severity_display(),
            "recorded_by": lambda d: _username(d.recorded_by),
        },
    )


def regulation_columns() -> list[Column]:
    return [
        Column("code", gettext_lazy("code"), lambda r: r.code, 18),
        Column("title", gettext_lazy("title"), lambda r: r.title, 48),
        Column("jurisdiction", gettext_lazy("jurisdiction"), lambda r: r.jurisdiction),
        Column("url", gettext_lazy("link"), lambda r: r.url, 40),
        Column("summary", gettext_lazy("summary"), lambda r: r.summary, 60),
        Column("contracts", gettext_lazy("contracts"), lambda r: getattr(r, "contract_count", 0), 10),
    ]
