"""Complaints, suggestions and compliments (ISO 10002), with their SLA clock (SPEC §3.3)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.importing import normalise
from clientela.core.models import BusinessRecord
from clientela.customers.models import Contact, Customer, Interaction


class Category(models.Model):
    """What a complaint or suggestion is about; the list the quality team analyses trends by."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class SlaTarget(models.Model):
    """Acknowledgement and resolution targets of a complaint severity, in business hours."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    acknowledge_hours = models.DecimalField(
        _("acknowledge within (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    resolve_hours = models.DecimalField(
        _("resolve within (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")

    def __str__(self) -> str:
        return self.get_severity_display()


class Feedback(BusinessRecord):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        COMPLIMENT = "compliment", _("Compliment")

    class Status(models.TextChoices):
        # Spanish labels agree with "queja", "sugerencia" and "felicitación" (all feminine).
        RECEIVED = "received", pgettext_lazy("feedback status", "Received")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("feedback status", "Acknowledged")
        IN_ANALYSIS = "in_analysis", pgettext_lazy("feedback status", "In analysis")
        WAITING_CUSTOMER = "waiting_customer", pgettext_lazy("feedback status", "Waiting for the customer")
        RESOLVED = "resolved", pgettext_lazy("feedback status", "Resolved")
        CLOSED = "closed", pgettext_lazy("feedback status", "Closed")
        REJECTED = "rejected", pgettext_lazy("feedback status", "Rejected")

    class Evaluation(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("suggestion", "Accepted")
        DECLINED = "declined", pgettext_lazy("suggestion", "Declined")

    Severity = Severity
    Channel = Interaction.Channel

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    submitter_name = models.CharField(
        _("name of the person"),
        max_length=150,
        blank=True,
        help_text=_("Who filed it, when they are not a registered contact."),
    )
    submitter_email = models.EmailField(_("their e-mail"), blank=True)
    submitter_phone = models.CharField(_("their phone"), max_length=40, blank=True)
    submitter_organisation = models.CharField(_("their organisation"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Interaction.Channel.choices)
    received_at = models.DateTimeField(
        _("received at"), help_text=_("When the customer filed it, which may be before it was recorded here.")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_feedback",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    remedy_sought = models.TextField(_("remedy sought"), blank=True, help_text=_("What the customer asks for."))

    # Initial assessment (before the analysis).
    impact = models.TextField(_("impact"), blank=True, help_text=_("Who and what is affected, and how much."))
    immediate_action_needed = models.BooleanField(_("needs immediate action"), default=False)
    immediate_action = models.TextField(_("immediate action taken"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Analysis, resolution and response.
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    response_to_customer = models.TextField(
        _("response to the customer"), blank=True, help_text=_("The decision as it was communicated to the customer.")
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    customer_accepted = models.BooleanField(_("customer accepted"), null=True, blank=True)
    customer_decision_at = models.DateTimeField(_("customer's answer recorded at"), null=True, blank=True)
    customer_decision_note = models.TextField(_("customer's answer"), blank=True)
    evaluation = models.CharField(
        _("evaluation of the suggestion"), max_length=10, choices=Evaluation.choices, blank=True
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # SLA clock: targets applied, deadlines (moved by pauses), when each was met or breached.
    acknowledge_target_hours = models.DecimalField(
        _("acknowledgement target (business hours)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    resolve_target_hours = models.DecimalField(
        _("resolution target (business hours)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledge_warn_at = models.DateTimeField(_("acknowledgement at risk from"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    resolve_warn_at = models.DateTimeField(_("resolution at risk from"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(
        _("answered at"), null=True, blank=True, help_text=_("When it was resolved or rejected (cleared on reopening).")
    )
    acknowledge_breached_at = models.DateTimeField(_("acknowledgement target breached at"), null=True, blank=True)
    resolve_breached_at = models.DateTimeField(_("resolution target breached at"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("paused business time (seconds)"), default=0)
    resolution_seconds = models.PositiveIntegerField(
        _("business time to answer (seconds)"), null=True, blank=True, help_text=_("Pauses not counted.")
    )

    # Where it came from (a nonconforming delivery, a survey response…).
    source_content_type = models.ForeignKey(
        ContentType, verbose_name=_("origin type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(_("origin id"), null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")

    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind"], name="feedback_status_idx"),
            models.Index(fields=["assigned_to", "status"], name="feedback_assignee_idx"),
            models.Index(fields=["customer", "-received_at"], name="feedback_customer_idx"),
            models.Index(fields=["kind", "received_at"], name="feedback_received_idx"),
            models.Index(fields=["acknowledge_due_at"], name="feedback_ack_due_idx"),
            models.Index(fields=["resolve_due_at"], name="feedback_resolve_due_idx"),
            models.Index(fields=["source_content_type", "source_object_id"], name="feedback_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledge_due_at__isnull=True)
                | models.Q(acknowledge_due_at__gte=models.F("received_at")),
                name="feedback_ack_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(resolve_due_at__isnull=True) | models.Q(resolve_due_at__gte=models.F("received_at")),
                name="feedback_resolve_due_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}" if self.number else self.subject

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.subject = (self.subject or "").strip()
        self.submitter_email = (self.submitter_email or "").strip().lower()
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = [_("The contact belongs to another customer.")]
        if self.received_at and self.received_at > timezone.now() + dt.timedelta(minutes=5):
            errors["received_at"] = [_("The date of receipt cannot be in the future.")]
        if errors:
            raise ValidationError(errors)
        self.search_text = normalise(
            " ".join([self.number, self.subject, self.submitter_name, self.submitter_organisation])
        )

    @property
    def is_complaint(self) -> bool:
        return self.kind == self.Kind.COMPLAINT

    @property
    def has_sla(self) -> bool:
        return self.resolve_due_at is not None

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.REJECTED)

    @property
    def person_name(self) -> str:
        """Who filed it: the contact, or the name the person gave."""
        return str(self.contact) if self.contact_id else self.submitter_name

    @property
    def person_email(self) -> str:
        return (self.contact.email if self.contact_id else "") or self.submitter_email
