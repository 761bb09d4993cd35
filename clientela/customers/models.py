"""Customers, their contacts and every interaction with them (SPEC §3.1)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clientela.core.importing import normalise
from clientela.core.models import BusinessRecord

from .validation import format_tax_id, normalise_phone, normalise_tax_id

LIVE = models.Q(archived_at__isnull=True)


class Customer(BusinessRecord):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organisation")
        PERSON = "person", _("Person")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        FORMER = "former", _("Former customer")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        blank=True,
        help_text=_("Leave blank to number it automatically (CLI-000123)."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORGANIZATION)
    tax_id = models.CharField(
        _("tax ID"),
        max_length=32,
        blank=True,
        help_text=_("NIF/CIF, RFC, CUIT, RUT, RUC, NIT… checked for the country."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    country = CountryField(_("country"), default="ES")
    segment = models.CharField(_("segment"), max_length=80, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT, db_index=True
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )
    activated_at = models.DateTimeField(_("became active"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    blocked_until = models.DateField(
        _("blocked until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Blocked data (LOPDGDD art. 32) is hidden from normal roles until it is destroyed."),
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tax_id"], condition=~models.Q(tax_id=""), name="customer_tax_id_unique"),
        ]
        # The list shows customers not archived, by name; each filter has an index that yields them
        # in that order and counts them without reading the table (docs/performance.md).
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["account_manager", "status"], name="customer_manager_idx"),
            models.Index(fields=["country", "status"], name="customer_country_idx"),
            models.Index(fields=["status", "name", "id"], condition=LIVE, name="customer_live_status_idx"),
            models.Index(fields=["kind", "name", "id"], condition=LIVE, name="customer_live_kind_idx"),
            models.Index(fields=["country", "name", "id"], condition=LIVE, name="customer_live_country_idx"),
            models.Index(fields=["segment", "name", "id"], condition=LIVE, name="customer_live_segment_idx"),
            models.Index(fields=["account_manager", "name", "id"], condition=LIVE, name="customer_live_manager_idx"),
            # The few archived customers, whose contacts the contact list leaves out.
            models.Index(fields=["id"], condition=models.Q(archived_at__isnull=False), name="customer_archived_idx"),
            # The few blocked customers (LOPDGDD art. 32), subtracted from counts for most roles.
            models.Index(fields=["id"], condition=models.Q(blocked_until__isnull=False), name="customer_blocked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def tax_id_display(self) -> str:
        return format_tax_id(self.tax_id, self.country.code) if self.tax_id else ""

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.name = (self.name or "").strip()
        self.email = (self.email or "").strip().lower()
        try:
            self.tax_id = normalise_tax_id(self.tax_id, self.country.code if self.country else "")
        except ValidationError as exc:
            errors["tax_id"] = exc.messages
        try:
            self.phone = normalise_phone(self.phone, self.country.code if self.country else "")
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if errors:
            raise ValidationError(errors)
        self.search_text = normalise(" ".join([self.code, self.name, self.tax_id, self.email, self.segment]))


class Contact(BusinessRecord):
    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Performance of a contract")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    survey_consent = models.BooleanField(_("agrees to satisfaction surveys"), default=False)
    survey_consent_at = models.DateTimeField(_("survey consent date"), null=True, blank=True)
    survey_legal_basis = models.CharField(
        _("legal basis for surveys"), max_length=30, choices=LegalBasis.choices, blank=True
    )
    survey_opt_out_at = models.DateTimeField(_("opted out of surveys"), null=True, blank=True)
    marketing_consent = models.BooleanField(_("agrees to marketing"), default=False)
    marketing_consent_at = models.DateTimeField(_("marketing consent date"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    blocked_until = models.DateField(_("blocked until"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["customer", "last_name"], name="contact_customer_idx"),
            models.Index(fields=["email"], name="contact_email_idx"),
            # The contact list's order (docs/performance.md).
            models.Index(fields=["last_name", "first_name", "id"], condition=LIVE, name="contact_live_name_idx"),
            models.Index(fields=["id"], condition=models.Q(blocked_until__isnull=False), name="contact_blocked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def may_be_surveyed(self) -> bool:
        """Survey invitations need consent (or another recorded basis), no opt-out, and an e-mail."""
        return (
            bool(self.email)
            and self.survey_opt_out_at is None
            and (self.survey_consent or bool(self.survey_legal_basis))
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.first_name = (self.first_name or "").strip()
        self.last_name = (self.last_name or "").strip()
        self.email = (self.email or "").strip().lower()
        country = self.customer.country.code if self.customer_id and self.customer.country else "ES"
        try:
            self.phone = normalise_phone(self.phone, country)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if self.survey_consent and not self.survey_legal_basis:
            self.survey_legal_basis = self.LegalBasis.CONSENT
        if errors:
            raise ValidationError(errors)
        self.search_text = normalise(" ".join([self.first_name, self.last_name, self.email, self.position]))


class Interaction(BusinessRecord):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        CHAT = "chat", _("Chat")
        WEB = "web", _("Web")
        OTHER = "other", _("Other")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="interactions"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, default=Direction.OUTBOUND)
    occurred_at = models.DateTimeField(_("date and time"))
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_timeline_idx"),
            models.Index(fields=["-occurred_at"], name="interaction_recent_idx"),
            # The interaction list's order, newest first with ties by id (docs/performance.md).
            models.Index(fields=["occurred_at", "id"], condition=LIVE, name="interaction_live_when_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("The contact belongs to another customer.")
        if self.occurred_at and self.occurred_at > timezone.now() + dt.timedelta(minutes=5):
            errors["occurred_at"] = _("An interaction is recorded after it happens: the date cannot be in the future.")
        if errors:
            raise ValidationError(errors)


class StatusChange(models.Model):
    """When a customer entered each status: the history behind churn and retention figures."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=Customer.Status.choices)
    at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["customer", "at", "id"]
        indexes = [models.Index(fields=["customer", "at"], name="customer_status_history_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.status} @ {self.at:%Y-%m-%d}"
