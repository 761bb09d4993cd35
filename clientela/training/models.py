"""Customer-service training and competence (ISO 9001 7.2, SPEC §3.9): competences and what each
role needs, courses, sessions and who attended, competence evaluations before and after training,
and training needs.

A person's current competence is never stored: it is their latest evaluation of that competence.
"""

import decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.models import BusinessRecord
from clientela.core.permissions import Role


class Level(models.IntegerChoices):
    LEARNING = 1, _("1 · Learning")
    SUPERVISED = 2, _("2 · Works with supervision")
    INDEPENDENT = 3, _("3 · Works independently")
    EXPERT = 4, _("4 · Expert, can train others")


class Origin(models.Model):
    """The record a training action answers to (a corrective action plan, a risk, a complaint…),
    held as a generic reference so the training module needs no other module's models."""

    origin_type = models.ForeignKey(
        ContentType,
        verbose_name=_("origin type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_id = models.PositiveBigIntegerField(_("origin id"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField(
        _("origin"), max_length=200, blank=True, help_text=_("The action plan or record this training answers to.")
    )

    class Meta:
        abstract = True


class Competence(BusinessRecord):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=0,
        validators=[MaxValueValidator(120)],
        help_text=_("How long an evaluation stays valid before it must be renewed; 0 means it does not expire."),
    )

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        self.name = (self.name or "").strip()


class RoleRequirement(BusinessRecord):
    """A competence every person of a role must hold, at least at a level (the competence matrix)."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    competence = models.ForeignKey(
        Competence, verbose_name=_("competence"), on_delete=models.PROTECT, related_name="requirements"
    )
    required_level = models.PositiveSmallIntegerField(
        _("required level"), choices=Level.choices, default=Level.INDEPENDENT
    )

    class Meta:
        verbose_name = _("role requirement")
        verbose_name_plural = _("role requirements")
        ordering = ["role", "competence__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "competence"],
                condition=models.Q(archived_at__isnull=True),
                name="training_requirement_once",
                violation_error_message=_("The role already requires this competence."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.competence} ≥ {self.required_level}"


class Course(BusinessRecord):
    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BLENDED = "blended", _("Blended")

    class Provider(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives and content"), blank=True)
    competences = models.ManyToManyField(
        Competence,
        verbose_name=_("competences developed"),
        blank=True,
        related_name="courses",
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=5,
        decimal_places=1,
        default=decimal.Decimal("4"),
        validators=[MinValueValidator(decimal.Decimal("0.5")), MaxValueValidator(decimal.Decimal("500"))],
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices, default=Provider.INTERNAL)
    provider_name = models.CharField(_("training provider"), max_length=150, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:course_detail", args=[self.pk])

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        if self.provider == self.Provider.EXTERNAL and not (self.provider_name or "").strip():
            raise ValidationError({"provider_name": _("Name the external training provider.")})


class TrainingSession(Origin, BusinessRecord):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", pgettext_lazy("session", "Cancelled")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    number = models.CharField(_("number"), max_length=20, unique=True)
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("date and time"))
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(decimal.Decimal("0.5")), MaxValueValidator(decimal.Decimal("500"))],
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions_given",
    )
    trainer_name = models.CharField(
        _("external trainer"), max_length=150, blank=True, help_text=_("When the trainer is not a user.")
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    location = models.CharField(_("place or link"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["origin_type", "origin_id"], name="training_session_origin_idx")]

    def __str__(self) -> str:
        return f"{self.number} · {self.course.title}" if self.course_id else self.number

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def trainer_display(self) -> str:
        return str(self.trainer) if self.trainer_id else self.trainer_name

    def clean(self) -> None:
        if not self.trainer_id and not (self.trainer_name or "").strip():
            raise ValidationError({"trainer": _("Say who gives the training: a user or an external trainer.")})


class Attendance(BusinessRecord):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    hours = models.DecimalField(
        _("hours attended"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(decimal.Decimal("0")), MaxValueValidator(decimal.Decimal("500"))],
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "person__first_name", "person__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="training_attendance_once",
                violation_error_message=_("The person is already on this session's list."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.session}"


class CompetenceEvaluation(BusinessRecord):
    class Method(models.TextChoices):
        OBSERVATION = "observation", _("Observation at work")
        TEST = "test", _("Written or practical test")
        CASE_REVIEW = "case_review", _("Review of real cases")
        CUSTOMER_FEEDBACK = "customer_feedback", _("Customer feedback")
        INTERVIEW = "interview", _("Interview")

    class Result(models.TextChoices):
        COMPETENT = "competent", _("Competent")
        NOT_YET = "not_yet", _("Not yet competent")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="evaluations"
    )
    competence = models.ForeignKey(
        Competence, verbose_name=_("competence"), on_delete=models.PROTECT, related_name="evaluations"
    )
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("after the session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        help_text=_("The training whose effectiveness this evaluation checks, if any."),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="+"
    )
    evaluated_on = models.DateField(_("evaluated on"))
    method = models.CharField(_("method"), max_length=30, choices=Method.choices, default=Method.OBSERVATION)
    level_before = models.PositiveSmallIntegerField(_("level before"), choices=Level.choices, null=True, blank=True)
    level_after = models.PositiveSmallIntegerField(_("level reached"), choices=Level.choices)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    notes = models.TextField(_("evidence and notes"), blank=True)

    class Meta:
        verbose_name = _("competence evaluation")
        verbose_name_plural = _("competence evaluations")
        ordering = ["-evaluated_on", "-id"]
        indexes = [
            models.Index(fields=["person", "competence", "evaluated_on"], name="training_eval_current_idx"),
            models.Index(fields=["valid_until"], name="training_eval_validity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.competence}"

    @property
    def level_gain(self) -> int | None:
        return None if self.level_before is None else self.level_after - self.level_before


class TrainingNeed(Origin, BusinessRecord):
    class Source(models.TextChoices):
        MATRIX_GAP = "matrix_gap", _("Gap in the competence matrix")
        EXPIRY = "expiry", _("Competence expiring")
        EVALUATION = "evaluation", _("Evaluation result")
        ACTION_PLAN = "action_plan", _("Action plan")
        REQUEST = "request", _("Request of the person or their manager")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Planned in a session")
        CLOSED = "closed", _("Met")
        CANCELLED = "cancelled", pgettext_lazy("need", "Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.PLANNED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_needs"
    )
    competence = models.ForeignKey(
        Competence, verbose_name=_("competence"), on_delete=models.PROTECT, related_name="needs"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.REQUEST)
    reason = models.TextField(_("reason"))
    due_date = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("planned session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        ordering = ["status", "due_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "competence"],
                condition=models.Q(status__in=["open", "planned"]),
                name="training_need_open_once",
                violation_error_message=_("This person already has an open need for this competence."),
            )
        ]
        indexes = [models.Index(fields=["origin_type", "origin_id"], name="training_need_origin_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.competence}"
