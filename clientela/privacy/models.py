"""Data-subject requests (GDPR / LOPDGDD, LFPDPPP, Ley 25.326) and legal holds."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from clientela.core.models import BusinessRecord


class DataSubjectRequest(BusinessRecord):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        PORTABILITY = "portability", _("Portability")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")
        RESTRICTION = "restriction", _("Restriction (blocking)")
        OBJECTION = "objection", _("Objection")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("data subject request", "Received")
        IN_PROGRESS = "in_progress", pgettext_lazy("data subject request", "In progress")
        COMPLETED = "completed", pgettext_lazy("data subject request", "Completed")
        REJECTED = "rejected", pgettext_lazy("data subject request", "Rejected")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("right exercised"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    country = CountryField(_("legal profile"), default="ES", help_text=_("Decides the legal deadline."))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requester_name = models.CharField(_("requester"), max_length=200)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    received_at = models.DateTimeField(_("received"))
    due_date = models.DateField(_("due date"))
    details = models.TextField(_("what the person asks"), blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    identity_method = models.CharField(_("how the identity was checked"), max_length=200, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    completed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False)
                | models.Q(contact__isnull=False)
                | ~models.Q(requester_email=""),
                name="dsr_identifies_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.requester_name}"

    def get_absolute_url(self) -> str:
        return reverse("privacy:detail", args=[self.pk])


class LegalHold(models.Model):
    """Records that must not be disposed of (litigation, inspection) until the hold is lifted."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.CharField(_("reason"), max_length=255)
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave blank for an indefinite hold."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.customer} · {self.reason}"
