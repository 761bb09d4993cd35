"""Customer requirements and expectations (SPEC §3.2; ISO 9001 8.2.2–8.2.4): documented, clarified
with the customer, prioritised (MoSCoW), validated, approved and kept in versions.

`Requirement` holds the working values of its current version. `RequirementVersion` keeps every
version as it stood (content, the customer's confirmation, who validated and approved it); the row
of the current version is kept in step with the requirement and freezes once a newer version exists.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.models import BusinessRecord
from clientela.customers.models import Contact, Customer

# Long enough for a real requirement, short enough that a pasted manual is stopped with a message:
# the full document belongs in an attached file.
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
CRITERIA_MAX = 5_000
NOTE_MAX = 2_000


def text_limit(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(
        limit,
        message=_(
            "This text has %(show_value)d characters; the limit is %(limit_value)d. "
            "Summarise it here and attach the full document as a file."
        ),
    )


class Kind(models.TextChoices):
    EXPLICIT = "explicit", _("Explicit")
    IMPLICIT = "implicit", _("Implicit")
    LEGAL = "legal", _("Legal or regulatory")
    EXPECTATION = "expectation", _("Expectation")


class Source(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    TENDER = "tender", _("Tender or specification")
    CONTRACT = "contract", _("Contract")
    REGULATION = "regulation", _("Law or regulation")
    SURVEY = "survey", _("Survey")
    COMPLAINT = "complaint", _("Complaint or suggestion")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    """MoSCoW, in the order they are listed."""

    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have this time")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CLARIFYING = "clarifying", _("Clarifying")
    VALIDATED = "validated", _("Validated")
    APPROVED = "approved", _("Approved")
    FULFILLED = "fulfilled", _("Fulfilled")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConfirmationMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    SIGNED_DOCUMENT = "signed_document", _("Signed document")
    CALL = "call", _("Phone call")


PRIORITY_ORDER = [p.value for p in Priority]
STATUS_ORDER = [s.value for s in Status]
OPEN_STATUSES = (Status.DRAFT, Status.CLARIFYING, Status.VALIDATED, Status.APPROVED)
CLOSED_STATUSES = (Status.FULFILLED, Status.REJECTED, Status.WITHDRAWN)
# The statuses in which a version is settled: its content changes only through a new version.
FROZEN_STATUSES = (Status.VALIDATED, Status.APPROVED)
# What the customer agreed to: changing any of these after validation means a new version.
SUBSTANCE_FIELDS = ("title", "description", "acceptance_criteria", "priority", "kind")


class Requirement(BusinessRecord):
    Kind = Kind
    Source = Source
    Priority = Priority
    Status = Status
    ConfirmationMethod = ConfirmationMethod

    number = models.CharField(
        _("number"), max_length=20, unique=True, editable=False, help_text=_("Given on capture: RQ-2026-0001.")
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="requirements"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text=_("The customer's contract this requirement belongs to, if any."),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[text_limit(DESCRIPTION_MAX)],
        help_text=_("What the customer needs, in their words, and the context."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXPLICIT)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MEETING)
    source_reference = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("Where exactly: the e-mail, the minutes, the clause of the tender or the law."),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.SHOULD, db_index=True
    )
    acceptance_criteria = models.TextField(
        _("acceptance criteria"),
        blank=True,
        validators=[text_limit(CRITERIA_MAX)],
        help_text=_("How both sides will check it is met: figures, limits, dates, tests, documents."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    confirmed_by = models.ForeignKey(
        Contact,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmed_requirements",
        help_text=_("The person at the customer who confirmed this version."),
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmation_method = models.CharField(
        _("confirmed through"), max_length=20, choices=ConfirmationMethod.choices, blank=True
    )
    confirmation_note = models.TextField(_("confirmation note"), blank=True, validators=[text_limit(NOTE_MAX)])
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True, editable=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deliverables = models.ManyToManyField(
        "contracts.Deliverable",
        verbose_name=_("deliverables"),
        blank=True,
        related_name="requirements",
        help_text=_("The contract deliverables that satisfy this requirement (traceability)."),
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "status", "priority"], name="requirement_customer_idx"),
            models.Index(fields=["status", "status_changed_at"], name="requirement_ageing_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["validated", "approved", "fulfilled"])
                | (
                    models.Q(confirmed_by__isnull=False, confirmed_on__isnull=False)
                    & ~models.Q(confirmation_method="")
                    & ~models.Q(acceptance_criteria="")
                ),
                name="requirement_validated_is_confirmed",
                violation_error_message=_(
                    "A validated requirement needs acceptance criteria and the customer's confirmation."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "fulfilled"]) | models.Q(approved_at__isnull=False),
                name="requirement_approved_is_dated",
                violation_error_message=_("An approved requirement records when it was approved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("requirements:detail", args=[self.pk])

    def clean(self) -> None:
        if self.contract_id and self.customer_id and self.contract.customer_id != self.customer_id:
            raise ValidationError({"contract": _("The contract belongs to another customer.")})

    def clean_deliverables(self, deliverables: Iterable[Any]) -> None:
        """The deliverables it may be traced to: those of its own customer's contracts (the service,
        the forms and the API all ask here)."""
        foreign = [d for d in deliverables if d.contract.customer_id != self.customer_id]
        if foreign:
            raise ValidationError(
                {
                    "deliverables": _(
                        "A requirement is traced only to deliverables of its own customer's contracts; "
                        "these belong to another customer: %(deliverables)s."
                    )
                    % {"deliverables": ", ".join(f"{d.contract.number} · {d.description}" for d in foreign)}
                }
            )

    @property
    def is_confirmed(self) -> bool:
        return bool(self.confirmed_by_id and self.confirmed_on and self.confirmation_method)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def days_in_status(self) -> int:
        return max((timezone.now() - self.status_changed_at).days, 0)


class RequirementVersion(models.Model):
    """One version of a requirement as it stood; the current one follows the requirement."""

    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_reference = models.CharField(_("source reference"), max_length=200, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    change_reason = models.TextField(_("reason for the change"), blank=True)
    confirmed_by = models.ForeignKey(
        Contact,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmation_method = models.CharField(
        _("confirmed through"), max_length=20, choices=ConfirmationMethod.choices, blank=True
    )
    confirmation_note = models.TextField(_("confirmation note"), blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("requirement version")
        verbose_name_plural = _("requirement versions")
        ordering = ["requirement", "version"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "version"], name="requirement_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("requirements:version", args=[self.requirement_id, self.version])

    @property
    def customer(self) -> Customer:
        """For the permission rules and the attachments panel: a version belongs to its customer."""
        return self.requirement.customer

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_confirmed(self) -> bool:
        return bool(self.confirmed_by_id and self.confirmed_on and self.confirmation_method)
