"""Import and export of customers and contacts (SPEC §6): the export's columns import back unchanged."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.exporting import Column
from clientela.core.importing import CellError, Importer, ImportField

from . import services
from .models import Contact, Customer

CUSTOMER_ALIASES = {
    "tax_id": (
        "nif",
        "cif",
        "nif/cif",
        "nif cif",
        "nie",
        "rfc",
        "cuit",
        "rut",
        "ruc",
        "nit",
        "vat",
        "cif/nif",
        "identificacion fiscal",
        "tax id",
    ),
    "email": ("correo", "correo electronico", "email", "mail"),
    "phone": ("telefono", "tel", "movil"),
    "name": ("razon social", "nombre o razon social", "company", "empresa", "cliente"),
    "account_manager": ("gerente de cuentas", "comercial", "responsable"),
    "address": ("direccion", "domicilio"),
    "country": ("pais",),
    "code": ("codigo", "codigo cliente", "customer code"),
}


class CustomerImporter(Importer):
    kind = "customers"
    label = gettext_lazy("customers")
    permission = "customers.import"
    model = Customer
    fields = [
        ImportField("code", aliases=CUSTOMER_ALIASES["code"]),
        ImportField("name", required=True, aliases=CUSTOMER_ALIASES["name"]),
        ImportField("kind", kind="choice", choices=lambda: Customer.Kind.choices),
        ImportField("tax_id", aliases=CUSTOMER_ALIASES["tax_id"]),
        ImportField("email", aliases=CUSTOMER_ALIASES["email"]),
        ImportField("phone", aliases=CUSTOMER_ALIASES["phone"]),
        ImportField("address", aliases=CUSTOMER_ALIASES["address"]),
        ImportField("country", kind="country", aliases=CUSTOMER_ALIASES["country"]),
        ImportField("segment"),
        ImportField("status", kind="choice", choices=lambda: Customer.Status.choices),
        ImportField("account_manager", kind="user", aliases=CUSTOMER_ALIASES["account_manager"]),
        ImportField("notes"),
    ]

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("code", data.get("code")), ("tax_id", data.get("tax_id")), ("email", data.get("email"))]

    def find_existing(self, data: dict[str, Any]) -> Customer | None:
        if data.get("code"):
            return Customer.objects.filter(code=data["code"].strip().upper()).first()
        if data.get("tax_id"):
            from .validation import normalise_tax_id

            try:
                tax_id = normalise_tax_id(data["tax_id"], data.get("country") or "ES")
            except Exception:
                tax_id = data["tax_id"]
            found = Customer.objects.filter(tax_id=tax_id).first()
            if found:
                return found
        if data.get("email"):
            return Customer.objects.filter(email=data["email"].strip().lower()).first()
        return None

    def save(self, *, actor: Any, data: dict[str, Any], existing: Customer | None) -> str:
        data = {k: v for k, v in data.items() if not (k in ("kind", "status", "country") and v == "")}
        if existing is None:
            services.customer_create(actor=actor, data=data)
            return "created"
        before_version = existing.lock_version
        updated = services.customer_update(actor=actor, customer=existing, data=data)
        return "updated" if updated.lock_version != before_version else "unchanged"

    def describe(self, data: dict[str, Any]) -> str:
        return " · ".join(str(v) for v in (data.get("code"), data.get("name"), data.get("tax_id")) if v)


def _find_customer(text: str) -> Customer:
    key = text.strip()
    customer = (
        Customer.objects.filter(
            Q(code__iexact=key) | Q(tax_id__iexact=key.replace("-", "").replace(".", "").replace(" ", ""))
        ).first()
        or Customer.objects.filter(name__iexact=key).first()
    )
    if customer is None:
        raise CellError(_("No customer has the code, tax ID or name “%(value)s”.") % {"value": text})
    return customer


class ContactImporter(Importer):
    kind = "contacts"
    label = gettext_lazy("contacts")
    permission = "customers.import"
    model = Contact
    fields = [
        ImportField(
            "customer",
            kind="ref",
            required=True,
            resolve=_find_customer,
            aliases=("cliente", "codigo cliente", "customer code"),
        ),
        ImportField("first_name", required=True, aliases=("nombre",)),
        ImportField("last_name", aliases=("apellidos", "apellido")),
        ImportField("email", aliases=CUSTOMER_ALIASES["email"]),
        ImportField("phone", aliases=CUSTOMER_ALIASES["phone"]),
        ImportField("position", aliases=("cargo", "puesto")),
        ImportField("is_primary", kind="bool", aliases=("principal",)),
        ImportField("survey_consent", kind="bool", aliases=("consiente encuestas", "encuestas")),
        ImportField("survey_consent_at", kind="datetime"),
        ImportField("survey_legal_basis", kind="choice", choices=lambda: Contact.LegalBasis.choices),
        ImportField("marketing_consent", kind="bool", aliases=("consiente marketing", "marketing")),
        ImportField("marketing_consent_at", kind="datetime"),
    ]

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        customer = data.get("customer")
        email = data.get("email")
        key = f"{customer.pk}:{email}" if customer is not None and email else None
        return [("email", key)] if key else []

    def find_existing(self, data: dict[str, Any]) -> Contact | None:
        customer = data["customer"]
        qs = Contact.objects.filter(customer=customer)
        if data.get("email"):
            return qs.filter(email=data["email"].strip().lower()).first()
        return qs.filter(
            first_name__iexact=data.get("first_name", "").strip(),
            last_name__iexact=(data.get("last_name") or "").strip(),
        ).first()

    def save(self, *, actor: Any, data: dict[str, Any], existing: Contact | None) -> str:
        customer = data.pop("customer")
        if existing is None:
            services.contact_create(actor=actor, customer=customer, data=data)
            return "created"
        before_version = existing.lock_version
        updated = services.contact_update(actor=actor, contact=existing, data=data)
        return "updated" if updated.lock_version != before_version else "unchanged"

    def describe(self, data: dict[str, Any]) -> str:
        customer = data.get("customer")
        return " · ".join(
            str(v)
            for v in (
                customer.code if customer else "",
                data.get("first_name"),
                data.get("last_name"),
                data.get("email"),
            )
            if v
        )


def customer_columns() -> list[Column]:
    return [
        Column("code", gettext_lazy("code"), lambda c: c.code, 14),
        Column("name", gettext_lazy("name"), lambda c: c.name, 36),
        Column("kind", gettext_lazy("kind"), lambda c: c.get_kind_display()),
        Column("tax_id", gettext_lazy("tax ID"), lambda c: c.tax_id),
        Column("email", gettext_lazy("e-mail"), lambda c: c.email, 28),
        Column("phone", gettext_lazy("phone"), lambda c: c.phone),
        Column("address", gettext_lazy("address"), lambda c: c.address, 36),
        Column("country", gettext_lazy("country"), lambda c: c.country.name if c.country else ""),
        Column("segment", gettext_lazy("segment"), lambda c: c.segment),
        Column("status", gettext_lazy("status"), lambda c: c.get_status_display()),
        Column(
            "account_manager",
            gettext_lazy("account manager"),
            lambda c: c.account_manager.username if c.account_manager else "",
        ),
        Column("notes", gettext_lazy("notes"), lambda c: c.notes, 30),
    ]


def contact_columns() -> list[Column]:
    return [
        Column("customer", gettext_lazy("customer"), lambda c: c.customer.code, 14),
        Column("first_name", gettext_lazy("first name"), lambda c: c.first_name),
        Column("last_name", gettext_lazy("last name"), lambda c: c.last_name),
        Column("email", gettext_lazy("e-mail"), lambda c: c.email, 28),
        Column("phone", gettext_lazy("phone"), lambda c: c.phone),
        Column("position", gettext_lazy("position"), lambda c: c.position),
        Column("is_primary", gettext_lazy("main contact"), lambda c: c.is_primary),
        Column("survey_consent", gettext_lazy("agrees to satisfaction surveys"), lambda c: c.survey_consent),
        Column("survey_consent_at", gettext_lazy("survey consent date"), lambda c: c.survey_consent_at),
        Column(
            "survey_legal_basis", gettext_lazy("legal basis for surveys"), lambda c: c.get_survey_legal_basis_display()
        ),
        Column("marketing_consent", gettext_lazy("agrees to marketing"), lambda c: c.marketing_consent),
        Column("marketing_consent_at", gettext_lazy("marketing consent date"), lambda c: c.marketing_consent_at),
    ]


def interaction_columns() -> list[Column]:
    return [
        Column("customer", gettext_lazy("customer"), lambda i: i.customer.code, 14),
        Column("customer_name", gettext_lazy("name"), lambda i: i.customer.name, 30),
        Column("occurred_at", gettext_lazy("date and time"), lambda i: i.occurred_at),
        Column("channel", gettext_lazy("channel"), lambda i: i.get_channel_display()),
        Column("direction", gettext_lazy("direction"), lambda i: i.get_direction_display()),
        Column("contact", gettext_lazy("contact"), lambda i: str(i.contact) if i.contact_id else ""),
        Column("subject", gettext_lazy("subject"), lambda i: i.subject, 36),
        Column("notes", gettext_lazy("notes"), lambda i: i.notes, 40),
        Column("user", gettext_lazy("recorded by"), lambda i: str(i.user) if i.user_id else ""),
    ]


customer_importer = CustomerImporter()
contact_importer = ContactImporter()
