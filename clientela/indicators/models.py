"""CCT and SC indicators, targets, management review, risks and opportunities."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from clientela.core.models import BusinessRecord, TimeStampedModel


class IndicatorTarget(BusinessRecord):
    """The target of one indicator for one calendar year, set by top management."""

    indicator = models.CharField(_("indicator"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)
    warning_band = models.DecimalField(
        _("alert band"),
        max_digits=9,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(0)],
        help_text=_("A result this close to the target, on the wrong side, is shown as a warning rather than bad."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["-year", "indicator"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="indicator_target_unique_year")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.target}"


class IndicatorResult(BusinessRecord):
    """The figure of one indicator for one closed period, as reported at closing.

    It is what the quarterly review reads and the source of the improvement plan a result below
    target requires (PSC 004 §4.1: "Resultados inferiores a las metas requieren análisis y
    acciones correctivas inmediatas")."""

    class Status(models.TextChoices):
        ON_TARGET = "on_target", _("On target")
        BELOW_TARGET = "below_target", _("Below target")
        NO_DATA = "no_data", _("No data")

    indicator = models.CharField(_("indicator"), max_length=40, db_index=True)
    period = models.CharField(_("period"), max_length=10)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    numerator = models.IntegerField(_("numerator"), null=True, blank=True)
    denominator = models.IntegerField(_("denominator"), null=True, blank=True)
    ci95_low = models.DecimalField(_("95 % interval, low"), max_digits=7, decimal_places=2, null=True, blank=True)
    ci95_high = models.DecimalField(_("95 % interval, high"), max_digits=7, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)
    warning_band = models.DecimalField(_("alert band"), max_digits=9, decimal_places=2, default=2)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    closed_at = models.DateTimeField(_("closed at"))
    plan_requested_at = models.DateTimeField(_("plan requested"), null=True, blank=True)
    plan_id = models.PositiveIntegerField(_("action plan id"), null=True, blank=True)
    plan_reference = models.CharField(_("action plan"), max_length=40, blank=True)
    plan_url = models.CharField(_("action plan address"), max_length=255, blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analysed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed indicator result")
        verbose_name_plural = _("closed indicator results")
        ordering = ["-period_start", "indicator"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="indicator_result_unique_period")]
        indexes = [models.Index(fields=["status", "analysed_at"], name="indicator_result_open_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:detail", args=[self.indicator]) + f"?period={self.period}"

    @property
    def needs_plan(self) -> bool:
        from .registry import get_definition

        definition = get_definition(self.indicator)
        return self.status == self.Status.BELOW_TARGET and (definition is None or definition.requires_plan)

    @property
    def ci95(self) -> tuple[float, float] | None:
        if self.ci95_low is None or self.ci95_high is None:
            return None
        return (float(self.ci95_low), float(self.ci95_high))


class ManagementReview(BusinessRecord):
    """Revisión por la Dirección (ISO 9001 9.3) of one quarter: the compiled inputs and the meeting
    record. Approval by top management freezes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("management review", "In preparation")
        APPROVED = "approved", pgettext_lazy("management review", "Approved")

    period = models.CharField(_("quarter"), max_length=10, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="management_reviews"
    )
    other_attendees = models.TextField(
        _("other attendees"), blank=True, help_text=_("People without a user account, one per line, with their role.")
    )
    external_changes = models.TextField(
        _("changes in external and internal issues"),
        blank=True,
        help_text=_("ISO 9001 9.3.2 b): market, regulations, organisation, suppliers…"),
    )
    audit_results = models.TextField(
        _("audit results and external providers"),
        blank=True,
        help_text=_("ISO 9001 9.3.2 c) 6) and 7): internal and external audits, performance of suppliers."),
    )
    conclusions = models.TextField(
        _("conclusions"), blank=True, help_text=_("Suitability, adequacy and effectiveness of the process.")
    )
    resources = models.TextField(
        _("resources"),
        blank=True,
        help_text=_("Resources reviewed and needed (PSC 004 §4.1: reviewed when indicators are out of range)."),
    )
    pack = models.JSONField(_("frozen pack"), default=dict, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="review_approved_has_date",
            )
        ]

    def __str__(self) -> str:
        return _("Management review %(period)s") % {"period": self.period}

    def get_absolute_url(self) -> str:
        return reverse("indicators:review_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class ApprovedReviewPdf(models.Model):
    """The PDF printed at approval: the very document top management approved, byte for byte."""

    review = models.OneToOneField(
        ManagementReview, verbose_name=_("management review"), on_delete=models.PROTECT, related_name="approved_pdf"
    )
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approved review PDF")
        verbose_name_plural = _("approved review PDFs")

    def __str__(self) -> str:
        return f"{self.review} · {self.sha256[:12]}"


class ReviewDecision(BusinessRecord):
    """An output of the review (ISO 9001 9.3.3) with its owner and due date, followed up at the next one."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Opportunity for improvement")
        CHANGE = "change", _("Change to the management system")
        RESOURCE = "resource", _("Resource need")
        ACTION = "action", _("New action")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("review decision", "Open")
        DONE = "done", pgettext_lazy("review decision", "Done")
        CANCELLED = "cancelled", pgettext_lazy("review decision", "Cancelled")

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ACTION)
    description = models.TextField(_("decision"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_decisions"
    )
    due_date = models.DateField(_("due date"))
    plan_reference = models.CharField(
        _("action plan"),
        max_length=40,
        blank=True,
        help_text=_("Number of the action plan that carries it out, if any."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


# Likelihood × impact (1–25) in four bands: the same in the heat map, the register and the PDF.
LEVEL_LIMITS = [(4, "low"), (9, "medium"), (14, "high"), (25, "critical")]


def level_of(score: int | None) -> str:
    if score is None:
        return "unassessed"
    return next(name for limit, name in LEVEL_LIMITS if score <= limit)


def level_label(level: str, kind: str) -> str:
    """A risk has a level (bajo… crítico); an opportunity a priority (baja… muy alta)."""
    if level == "unassessed":
        return str(_("Not assessed"))
    if kind == "opportunity":
        return {
            "low": pgettext("opportunity priority", "Low"),
            "medium": pgettext("opportunity priority", "Medium"),
            "high": pgettext("opportunity priority", "High"),
            "critical": pgettext("opportunity priority", "Very high"),
        }[level]
    return {
        "low": pgettext("risk level", "Low"),
        "medium": pgettext("risk level", "Medium"),
        "high": pgettext("risk level", "High"),
        "critical": pgettext("risk level", "Critical"),
    }[level]


def level_tone(level: str, kind: str) -> str:
    """Risks use the good / warning / bad colours; opportunities are never 'bad', only worth more or less."""
    if level == "unassessed":
        return "neutral"
    if kind == "opportunity":
        return "info"
    return {"low": "good", "medium": "warning", "high": "bad", "critical": "bad"}[level]


class RiskOpportunity(BusinessRecord):
    """A risk or an opportunity of the process (PSC 004 §5 and §6), assessed likelihood × impact."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        OPPORTUNITY = "opportunity", _("Opportunity")

    class Strategy(models.TextChoices):
        AVOID = "avoid", _("Avoid")
        MITIGATE = "mitigate", _("Mitigate")
        TRANSFER = "transfer", _("Share or transfer")
        ACCEPT = "accept", _("Accept")
        EXPLOIT = "exploit", _("Pursue")
        ENHANCE = "enhance", _("Enhance")

    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    strategy = models.CharField(_("strategy"), max_length=20, choices=Strategy.choices, blank=True)
    treatment = models.TextField(_("treatment"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risks_owned",
    )
    review_date = models.DateField(_("next review"), null=True, blank=True)
    signal = models.CharField(
        _("live signal"), max_length=40, blank=True, help_text=_("A figure of the system that warns about it.")
    )

    class Meta:
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__isnull=True) | models.Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__isnull=True) | models.Q(impact__gte=1, impact__lte=5),
                name="risk_impact_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:risk_detail", args=[self.pk])

    @property
    def score(self) -> int | None:
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        return level_of(self.score)

    @property
    def level_label(self) -> str:
        return level_label(self.level, self.kind)

    @property
    def level_tone(self) -> str:
        return level_tone(self.level, self.kind)


class RiskPlanLink(TimeStampedModel):
    """An action plan that treats a risk or pursues an opportunity (by its number)."""

    risk = models.ForeignKey(
        RiskOpportunity, verbose_name=_("risk or opportunity"), on_delete=models.CASCADE, related_name="plan_links"
    )
    plan_reference = models.CharField(_("action plan"), max_length=40)
    plan_id = models.PositiveIntegerField(_("action plan id"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("linked action plan")
        verbose_name_plural = _("linked action plans")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["risk", "plan_reference"], name="risk_plan_link_unique")]

    def __str__(self) -> str:
        return self.plan_reference


class ControlledDocument(BusinessRecord):
    """A document of the management system under version control (ISO 9001 7.5)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("prepared by"), max_length=80, help_text=_("Who writes it (Crea)."))
    approver = models.CharField(_("approved by"), max_length=80, help_text=_("Who approves it (Aprueba)."))

    class Meta:
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} | {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:document_detail", args=[self.pk])


class DocumentVersion(BusinessRecord):
    """One version of a controlled document; exactly one approved version is in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("document version", "Draft")
        IN_FORCE = "in_force", pgettext_lazy("document version", "In force")
        SUPERSEDED = "superseded", pgettext_lazy("document version", "Superseded")
        WITHDRAWN = "withdrawn", pgettext_lazy("document version", "Withdrawn")

    document = models.ForeignKey(
        ControlledDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=10)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    effective_date = models.DateField(_("date"), null=True, blank=True)
    change_summary = models.CharField(_("change (asiento)"), max_length=255)
    body = models.TextField(_("text"))
    approver_label = models.CharField(_("approves"), max_length=80, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_unique"),
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(status="in_force"), name="document_one_version_in_force"
            ),
            models.UniqueConstraint(fields=["document"], condition=models.Q(status="draft"), name="document_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:document_detail", args=[self.document_id]) + f"?version={self.pk}"
