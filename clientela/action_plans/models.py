"""Corrective and improvement action plans (ISO 9001 10.2, SPEC §3.4): the problem, its
containment, a structured root-cause analysis, actions with owners and evidence, and the
effectiveness verification without which a plan cannot close."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.models import BusinessRecord
from clientela.customers.models import Customer


class IshikawaCategory(models.TextChoices):
    """The 6M of the cause-and-effect diagram, with the names Spanish quality teams use."""

    MANPOWER = "manpower", _("Manpower")
    METHOD = "method", _("Method")
    MACHINE = "machine", _("Machine")
    MATERIAL = "material", _("Material")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


MAX_WHYS = 10
MAX_CAUSES = 20


def normalise_five_whys(value: object) -> list[dict[str, str]]:
    """[{"why": …, "answer": …}, …] in order, without empty pairs; anything else is refused."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError({"five_whys": _("Give the 5 whys as a list of why/answer pairs.")})
    pairs = []
    for item in value:
        why, answer = str(item.get("why") or "").strip(), str(item.get("answer") or "").strip()
        if why or answer:
            pairs.append({"why": why[:500], "answer": answer[:1000]})
    if len(pairs) > MAX_WHYS:
        raise ValidationError({"five_whys": _("Up to %(max)s whys.") % {"max": MAX_WHYS}})
    return pairs


def normalise_ishikawa(value: object) -> dict[str, list[str]]:
    """{category: [cause, …]} over the 6M only, without empty causes."""
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"ishikawa": _("Give the causes per category of the 6M.")})
    unknown = set(value) - set(IshikawaCategory.values)
    if unknown:
        raise ValidationError(
            {"ishikawa": _("Unknown categories: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))}}
        )
    result = {}
    for code in IshikawaCategory.values:
        causes = value.get(code) or []
        if isinstance(causes, str):
            causes = causes.splitlines()
        if not isinstance(causes, list):
            raise ValidationError({"ishikawa": _("Give the causes of each category as a list.")})
        cleaned = [str(c).strip()[:300] for c in causes if str(c).strip()]
        if len(cleaned) > MAX_CAUSES:
            raise ValidationError({"ishikawa": _("Up to %(max)s causes per category.") % {"max": MAX_CAUSES}})
        if cleaned:
            result[code] = cleaned
    return result


class ActionPlan(BusinessRecord):
    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("Corrective")
        IMPROVEMENT = "improvement", _("Improvement")

    class Origin(models.TextChoices):
        FEEDBACK = "feedback", _("Complaint or suggestion")
        INDICATOR = "indicator", _("Indicator out of range")
        SURVEY = "survey", _("Survey result")
        CONTRACT = "contract", _("Contract nonconformity")
        RISK = "risk", _("Risk")
        MANAGEMENT_REVIEW = "management_review", _("Management review")
        AUDIT = "audit", _("Audit")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("plan status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("plan status", "In progress")
        PENDING_VERIFICATION = "pending_verification", pgettext_lazy("plan status", "Pending verification")
        CLOSED = "closed", pgettext_lazy("plan status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("plan status", "Cancelled")

    class Method(models.TextChoices):
        FIVE_WHYS = "five_whys", _("5 whys")
        ISHIKAWA = "ishikawa", _("Ishikawa diagram (6M)")
        BOTH = "both", _("5 whys and Ishikawa")

    class Result(models.TextChoices):
        EFFECTIVE = "effective", _("Effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTIVE)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.OTHER)
    source_content_type = models.ForeignKey(
        ContentType, verbose_name=_("origin type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(_("origin id"), null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    source_label = models.CharField(
        _("origin record"), max_length=255, blank=True, help_text=_("The origin as it was named when the plan opened.")
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), help_text=_("The nonconformity or the opportunity, with its facts."))
    containment = models.TextField(
        _("containment (immediate correction)"), blank=True, help_text=_("What was done at once to limit the damage.")
    )
    correction = models.TextField(
        _("correction"), blank=True, help_text=_("How the nonconformity itself was corrected.")
    )
    consequences = models.TextField(
        _("consequences handled"), blank=True, help_text=_("How its consequences for the customer were dealt with.")
    )
    root_cause_method = models.CharField(
        _("root-cause method"), max_length=20, choices=Method.choices, default=Method.FIVE_WHYS
    )
    five_whys = models.JSONField(
        _("5 whys"), default=list, blank=True, help_text=_("An ordered list of why/answer pairs.")
    )
    ishikawa = models.JSONField(
        _("Ishikawa (6M)"), default=dict, blank=True, help_text=_("Causes found in each of the six categories.")
    )
    root_cause = models.TextField(_("root cause"), blank=True, help_text=_("The conclusion of the analysis."))
    similar_cases_checked = models.BooleanField(_("similar cases checked"), default=False)
    similar_cases = models.TextField(
        _("similar cases"), blank=True, help_text=_("Whether the same nonconformity exists or could occur elsewhere.")
    )
    risk_update_needed = models.BooleanField(
        _("risks and opportunities to update"),
        default=False,
        help_text=_("The plan shows a risk or opportunity of the process that must be updated."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_plans",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.OPEN)
    effectiveness_criterion = models.TextField(
        _("effectiveness criterion"),
        blank=True,
        help_text=_("What will show that the actions worked, and how it is measured."),
    )
    verification_due = models.DateField(_("verify effectiveness on"), null=True, blank=True)
    effectiveness_result = models.CharField(_("effectiveness"), max_length=20, choices=Result.choices, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="plan_status_idx"),
            models.Index(fields=["owner", "status"], name="plan_owner_idx"),
            models.Index(fields=["customer", "-created_at"], name="plan_customer_idx"),
            models.Index(fields=["source_content_type", "source_object_id"], name="plan_source_idx"),
            models.Index(fields=["verified_at"], name="plan_verified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("action_plans:detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.CANCELLED)

    def clean(self) -> None:
        self.five_whys = normalise_five_whys(self.five_whys)
        self.ishikawa = normalise_ishikawa(self.ishikawa)
        if self.follow_up_of_id and self.follow_up_of_id == self.pk:
            raise ValidationError({"follow_up_of": _("A plan cannot follow itself up.")})

    @property
    def ishikawa_rows(self) -> list[tuple[str, str, list[str]]]:
        """(code, label, causes) for each of the 6M, in the diagram's order."""
        data = self.ishikawa or {}
        return [(code, label, list(data.get(code, []))) for code, label in IshikawaCategory.choices]


class EffectivenessCheck(models.Model):
    """One verification of a plan's effectiveness by a quality representative. Kept for every
    attempt: a plan found not effective and verified again shows both."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="checks")
    method = models.TextField(_("verification method"))
    evidence = models.TextField(_("evidence"))
    result = models.CharField(_("result"), max_length=20, choices=ActionPlan.Result.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        verbose_name = _("effectiveness verification")
        verbose_name_plural = _("effectiveness verifications")
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.number} · {self.get_result_display()}"


class Action(BusinessRecord):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("action status", "Pending")
        DONE = "done", pgettext_lazy("action status", "Done")
        CANCELLED = "cancelled", pgettext_lazy("action status", "Cancelled")

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="plan_actions",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("What was done and how it can be checked."))

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="action_owner_idx")]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("action_plans:action_edit", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.due_date < timezone.localdate()
