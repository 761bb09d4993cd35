"""Contracts, their review (ISO 9001 8.2.3), applicable regulations, obligations and deliveries (SPEC §3.6)."""

import datetime as dt
import decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.importing import normalise
from clientela.core.models import BusinessRecord


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro (EUR)")
    USD = "USD", _("US dollar (USD)")
    MXN = "MXN", _("Mexican peso (MXN)")
    ARS = "ARS", _("Argentine peso (ARS)")
    COP = "COP", _("Colombian peso (COP)")
    CLP = "CLP", _("Chilean peso (CLP)")
    PEN = "PEN", _("Peruvian sol (PEN)")
    UYU = "UYU", _("Uruguayan peso (UYU)")
    BRL = "BRL", _("Brazilian real (BRL)")
    GBP = "GBP", _("Pound sterling (GBP)")


class Severity(models.TextChoices):
    """The same scale complaints use, so a nonconformity can become one without translation."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Regulation(BusinessRecord):
    """A law, regulation or standard that can apply to contracts."""

    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Short reference used in lists and imports, e.g. RGPD, LOPDGDD, ISO 9001:2015."),
    )
    title = models.CharField(_("title"), max_length=255)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=80, help_text=_("Where it applies: European Union, Spain, Mexico, international…")
    )
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("contracts:regulation_detail", args=[self.pk])

    def clean(self) -> None:
        self.code = " ".join((self.code or "").split())
        if "," in self.code or ";" in self.code:
            raise ValidationError({"code": _("A code cannot contain commas or semicolons (they separate codes).")})
        self.search_text = normalise(" ".join([self.code, self.title, self.jurisdiction]))


class Contract(BusinessRecord):
    class Kind(models.TextChoices):
        SERVICES = "services", _("Provision of services")
        SUPPLY = "supply", _("Supply of goods")
        MAINTENANCE = "maintenance", _("Maintenance")
        PROJECT = "project", _("Project or works")
        FRAMEWORK = "framework", _("Framework agreement")
        SUBSCRIPTION = "subscription", _("Licence or subscription")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(
        _("number"),
        max_length=30,
        unique=True,
        blank=True,
        help_text=_("Leave blank to number it automatically (CT-2026-0001)."),
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("customer contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        help_text=_("The customer's person for this contract: receives deliveries and satisfaction surveys."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SERVICES)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    value = models.DecimalField(
        pgettext_lazy("money", "value"),
        max_digits=14,
        decimal_places=2,
        default=decimal.Decimal("0.00"),
        validators=[MinValueValidator(decimal.Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contract owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contracts",
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
        help_text=_("The earlier contract with this customer that this one renews."),
    )
    regulations = models.ManyToManyField(
        Regulation,
        verbose_name=_("applicable regulations"),
        through="ContractRegulation",
        related_name="contracts",
        blank=True,
    )
    terms = models.TextField(_("main terms"), blank=True, help_text=_("Scope, service levels, penalties, payment."))
    notes = models.TextField(_("notes"), blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    close_reason = models.TextField(_("reason for closing"), blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates_in_order"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="contract_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "status"], name="contract_customer_idx"),
            models.Index(fields=["status", "end_date"], name="contract_ending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", args=[self.pk])

    @property
    def is_open_for_deliveries(self) -> bool:
        return self.status in DELIVERY_STATUSES

    @property
    def is_editable_commitment(self) -> bool:
        """Terms may be changed freely before activation; afterwards changes are amendments."""
        return self.status in (self.Status.DRAFT, self.Status.IN_REVIEW)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.title = (self.title or "").strip()
        self.number = (self.number or "").strip().upper()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("The contact belongs to another customer.")
        if self.renews_id:
            if self.pk and self.renews_id == self.pk:
                errors["renews"] = _("A contract cannot renew itself.")
            elif self.customer_id and self.renews.customer_id != self.customer_id:
                errors["renews"] = _("A contract can only renew an earlier contract of the same customer.")
            elif self.renews.status not in (self.Status.ACTIVE, self.Status.COMPLETED, self.Status.TERMINATED):
                errors["renews"] = _("Only a contract that was active can be renewed.")
        if errors:
            raise ValidationError(errors)
        customer_name = self.customer.name if self.customer_id else ""
        self.search_text = normalise(" ".join([self.number, self.title, customer_name]))


DELIVERY_STATUSES = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)
# Statuses that count for the CCT indicator (SPEC §4: any status but draft and cancelled).
CCT_EXCLUDED_STATUSES = (Contract.Status.DRAFT, Contract.Status.CANCELLED)


class ContractRegulation(models.Model):
    """A regulation that applies to a contract, and when someone last checked the contract against it."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="regulation_links"
    )
    regulation = models.ForeignKey(
        Regulation, verbose_name=_("regulation"), on_delete=models.PROTECT, related_name="contract_links"
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("applicable regulation")
        verbose_name_plural = _("applicable regulations")
        ordering = ["regulation__code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "regulation"], name="contract_regulation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.regulation.code}"


class ContractReview(BusinessRecord):
    """The contract review of ISO 9001 8.2.3, made before committing to supply."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="reviews")
    requirements_defined = models.BooleanField(
        _("requirements defined"),
        default=False,
        help_text=_("The customer's requirements, including delivery, are defined."),
    )
    differences_resolved = models.BooleanField(
        _("differences resolved"),
        default=False,
        help_text=_("Differences between the offer and the contract or order are resolved."),
    )
    capacity_confirmed = models.BooleanField(
        _("capacity to deliver confirmed"),
        default=False,
        help_text=_("The organisation can meet the requirements (people, means, dates)."),
    )
    regulations_identified = models.BooleanField(
        _("regulations identified"),
        default=False,
        help_text=_("Statutory and regulatory requirements that apply are identified."),
    )
    notes = models.TextField(_("notes"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    superseded_at = models.DateTimeField(
        _("superseded at"),
        null=True,
        blank=True,
        help_text=_("The contract's terms changed after this review, so it no longer authorises activation."),
    )

    CHECKS = ("requirements_defined", "differences_resolved", "capacity_confirmed", "regulations_identified")

    class Meta:
        verbose_name = _("contract review")
        verbose_name_plural = _("contract reviews")
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.reviewed_at:%Y-%m-%d}"

    @property
    def passed(self) -> bool:
        return all(getattr(self, name) for name in self.CHECKS)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class RecurringObligation(BusinessRecord):
    """A template for an obligation that repeats (monthly report, quarterly visit…)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Every two months")
        QUARTERLY = "quarterly", _("Quarterly")
        SEMIANNUAL = "semiannual", _("Every six months")
        ANNUAL = "annual", _("Yearly")

    MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="recurring_obligations"
    )
    description = models.CharField(_("description"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    first_due_date = models.DateField(
        _("first due date"), help_text=_("Later ones fall due on the same day of the month, one period apart.")
    )
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.CharField(_("responsible team"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("recurring obligation")
        verbose_name_plural = _("recurring obligations")
        ordering = ["first_due_date", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def step_months(self) -> int:
        return self.MONTHS[self.frequency]


class Deliverable(BusinessRecord):
    """An obligation of a contract with a due date: what must be delivered, by when, and how it is accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="deliverables"
    )
    description = models.CharField(_("description"), max_length=255)
    due_date = models.DateField(_("due date"), db_index=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_deliverables",
    )
    team = models.CharField(_("responsible team"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    recurring = models.ForeignKey(
        RecurringObligation,
        verbose_name=_("recurring obligation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
        editable=False,
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recurring", "due_date"],
                condition=models.Q(recurring__isnull=False),
                name="deliverable_once_per_recurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "due_date"], name="deliverable_contract_idx"),
            models.Index(fields=["status", "due_date"], name="deliverable_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("contracts:deliverable_detail", args=[self.pk])

    @property
    def outside_contract_dates(self) -> bool:
        contract = self.contract
        return bool(self.due_date and (self.due_date < contract.start_date or self.due_date > contract.end_date))

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == self.Status.PENDING and self.due_date < (today or timezone.localdate())

    def clean(self) -> None:
        self.description = " ".join((self.description or "").split())
        self.team = (self.team or "").strip()


class Delivery(BusinessRecord):
    """One delivery against a deliverable: when, whether it met the acceptance criteria, and the evidence."""

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.PROTECT, related_name="deliveries"
    )
    delivered_on = models.DateField(_("delivered on"))
    conforming = models.BooleanField(
        _("conforming"), default=True, help_text=_("It meets the acceptance criteria (in time and form).")
    )
    notes = models.TextField(_("notes"), blank=True)
    nonconformity = models.TextField(
        _("what was wrong"), blank=True, help_text=_("For a nonconforming delivery: what did not meet the criteria.")
    )
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_deliveries",
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["deliverable", "conforming", "delivered_on"], name="delivery_fulfil_idx")]

    def __str__(self) -> str:
        return f"{self.deliverable} · {self.delivered_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:delivery_detail", args=[self.pk])

    @property
    def on_time(self) -> bool:
        return self.delivered_on <= self.deliverable.due_date

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.nonconformity = (self.nonconformity or "").strip()
        if self.conforming:
            self.nonconformity = ""
            self.severity = ""
        else:
            if not self.nonconformity:
                errors["nonconformity"] = _("Describe what did not meet the acceptance criteria.")
            if not self.severity:
                errors["severity"] = _("Choose how serious the nonconformity is.")
        if self.delivered_on and self.deliverable_id:
            start = self.deliverable.contract.start_date
            if self.delivered_on > timezone.localdate():
                errors["delivered_on"] = _("A delivery is recorded after it happens: the date cannot be in the future.")
            elif self.delivered_on < start:
                errors["delivered_on"] = _(
                    "The delivery date is before the contract starts (%(start)s). Check the date or the contract."
                ) % {"start": formats.date_format(start, "SHORT_DATE_FORMAT")}
        if errors:
            raise ValidationError(errors)
