"""Satisfaction surveys at lifecycle points (SPEC §3.5): surveys and their frozen versions of
questions, invitations with single-use tokens, responses with their answers, and the follow-ups
that close the loop with a dissatisfied customer."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clientela.core.models import BusinessRecord


class Survey(BusinessRecord):
    """A questionnaire used at one point of the customer's lifecycle. Its questions live in
    versions: publishing freezes a version, and editing a published survey starts the next one."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey", "Draft")
        PUBLISHED = "published", pgettext_lazy("survey", "Published")
        CLOSED = "closed", pgettext_lazy("survey", "Closed")

    class Touchpoint(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        DELIVERY = "delivery", _("Delivery")
        COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
        PERIODIC = "periodic", _("Periodic relationship")
        RENEWAL = "renewal", _("Renewal")
        OTHER = "other", _("Other")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Only when someone sends it")
        DELIVERY = "delivery", _("After a delivery is recorded")
        COMPLAINT_CLOSED = "complaint_closed", _("After a complaint is closed")
        ACTIVATION = "activation", _("Some days after a customer becomes active")
        QUARTERLY = "quarterly", _("Every quarter (relationship survey)")
        CONTRACT_END = "contract_end", _("Some days before a contract ends")

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown to the customer above the questions.")
    )
    thanks_message = models.TextField(
        _("thank-you message"), blank=True, help_text=_("Shown after the customer sends the answers.")
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.SPANISH,
        help_text=_("The customer sees the survey page and e-mails in this language."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    touchpoint = models.CharField(_("touchpoint"), max_length=20, choices=Touchpoint.choices, default=Touchpoint.OTHER)
    counts_toward_sc = models.BooleanField(
        _("counts toward SC"),
        default=False,
        help_text=_("Its headline question feeds the “% satisfied customers” indicator (SC)."),
    )
    current_version = models.OneToOneField(
        "SurveyVersion",
        verbose_name=_("published version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    trigger = models.CharField(_("sent automatically"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    trigger_days = models.PositiveSmallIntegerField(
        _("days"),
        default=30,
        help_text=_("Days after a customer becomes active, or before a contract ends, for those triggers."),
    )
    followup_threshold = models.PositiveSmallIntegerField(
        _("follow up scores at or below"),
        null=True,
        blank=True,
        help_text=_(
            "A headline answer at or below this value opens a follow-up for the account manager. "
            "Blank: every answer below the “satisfied from” value of the headline question."
        ),
    )
    invitation_days = models.PositiveSmallIntegerField(
        _("invitation valid for (days)"), default=30, help_text=_("The link stops working after this.")
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), default=7, help_text=_("One reminder is sent if there is no answer by then.")
    )
    frequency_cap_days = models.PositiveSmallIntegerField(
        _("frequency cap (days)"),
        default=30,
        help_text=_("A contact who received any survey invitation in this many days is not invited again."),
    )
    open_link_key = models.CharField(
        _("open link key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "trigger"], name="survey_trigger_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(invitation_days__gte=1), name="survey_invitation_days_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.title = (self.title or "").strip()
        if not 1 <= self.invitation_days <= 365:
            errors["invitation_days"] = _("Choose between 1 and 365 days.")
        elif not 1 <= self.reminder_days < self.invitation_days:
            errors["reminder_days"] = _("The reminder must go before the invitation expires.")
        if self.frequency_cap_days > 365:
            errors["frequency_cap_days"] = _("Choose at most 365 days.")
        if self.trigger in (self.Trigger.ACTIVATION, self.Trigger.CONTRACT_END) and not 1 <= self.trigger_days <= 730:
            errors["trigger_days"] = _("Choose between 1 and 730 days.")
        if errors:
            raise ValidationError(errors)

    @property
    def accepts_responses(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.current_version_id is not None


class SurveyVersion(models.Model):
    """One set of questions of a survey. Published versions are frozen; a response keeps the
    version it answered, so every past answer stays readable as it was asked."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_number_unique"),
            models.UniqueConstraint(
                fields=["survey"], condition=models.Q(published_at__isnull=True), name="survey_one_draft_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Satisfaction 1–5 (CSAT)")
        NPS = "nps", _("Likelihood to recommend 0–10 (NPS)")
        CES = "ces", _("Ease 1–7 (CES)")
        SINGLE_CHOICE = "single_choice", _("One option")
        MULTIPLE_CHOICE = "multiple_choice", _("Several options")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"))
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    scale_min = models.SmallIntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale to"), null=True, blank=True)
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    is_headline = models.BooleanField(
        _("headline satisfaction question"),
        default=False,
        help_text=_("The answer that measures satisfaction: it feeds SC, the follow-ups and the 360° view."),
    )
    satisfied_min = models.SmallIntegerField(
        _("satisfied from"),
        null=True,
        blank=True,
        help_text=_("Answers at or above this value count as satisfied (default 4 on 1–5, 6 on 1–7, 7 on 0–10)."),
    )
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("show only if question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dependants",
    )
    show_if_values = models.JSONField(_("has one of the answers"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="question_position_unique"),
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(is_headline=True), name="question_one_headline"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS

    @property
    def scale_values(self) -> list[int]:
        if not self.is_scale or self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))


# kind → (scale_min, scale_max, default satisfied_min)
SCALES: dict[str, tuple[int, int, int]] = {
    Question.Kind.RATING: (1, 5, 4),
    Question.Kind.CES: (1, 7, 6),
    Question.Kind.NPS: (0, 10, 7),
}
SCALE_KINDS = frozenset(SCALES)
CHOICE_KINDS = frozenset({Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE})


class SurveyInvitation(BusinessRecord):
    """An invitation of one contact to one survey, with its single-use link."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation", "Queued")
        SENT = "sent", pgettext_lazy("invitation", "Sent")
        RESPONDED = "responded", pgettext_lazy("invitation", "Answered")
        EXPIRED = "expired", pgettext_lazy("invitation", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("invitation", "Cancelled")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Sent by a person")
        DELIVERY = "delivery", _("Delivery recorded")
        COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
        ACTIVATION = "activation", _("Customer became active")
        QUARTERLY = "quarterly", _("Quarterly relationship survey")
        CONTRACT_END = "contract_end", _("Contract about to end")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="survey_invitations"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="survey_invitations"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    trigger_key = models.CharField(_("trigger key"), max_length=100, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="invitation_contact_idx"),
            models.Index(fields=["survey", "status"], name="invitation_survey_idx"),
            models.Index(fields=["status", "sent_at"], name="invitation_reminder_idx"),
        ]
        constraints = [
            # A trigger (this delivery, this quarter…) invites at most once: re-running it is harmless.
            models.UniqueConstraint(
                fields=["survey", "trigger_key"], condition=~models.Q(trigger_key=""), name="invitation_trigger_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.contact}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:invitation", args=[self.pk])

    @property
    def public_url(self) -> str:
        return settings.SITE_URL + reverse("survey_public:answer", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.SENT) and self.expires_at > timezone.now()


class SurveyResponse(BusinessRecord):
    """A customer's answers to one version of a survey: through an invitation, the open link
    (anonymous) or entered by staff from a phone call or a paper form."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail invitation")
        KIOSK = "kiosk", _("Open link or QR code")
        PHONE = "phone", _("Phone")
        PAPER = "paper", _("Paper form")
        IN_PERSON = "in_person", _("In person")
        OTHER = "other", _("Other")

    # Foreign keys and the answer moment are found through the composite indexes below, whose first
    # column they are: one index fewer to maintain for each answer received.
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses", db_index=False
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="responses"
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="response",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
        db_index=False,
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    submitted_at = models.DateTimeField(_("answered at"))
    complete = models.BooleanField(_("complete"), default=True, help_text=_("Every required question was answered."))
    headline_question = models.ForeignKey(
        Question,
        verbose_name=_("headline question"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    headline_value = models.SmallIntegerField(_("headline score"), null=True, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # A survey's responses, newest first; and, covering like the next one, a period's
            # responses of the surveys that count toward SC.
            models.Index(
                fields=[
                    "survey",
                    "-submitted_at",
                    "complete",
                    "archived_at",
                    "customer",
                    "headline_question",
                    "headline_value",
                    "id",
                ],
                name="response_survey_idx",
            ),
            models.Index(fields=["customer", "-submitted_at"], name="response_customer_idx"),
            # The responses of a period with every column SC and the satisfaction report read, so
            # they are counted and ranked from the index alone.
            models.Index(
                fields=[
                    "submitted_at",
                    "complete",
                    "archived_at",
                    "survey",
                    "customer",
                    "headline_question",
                    "headline_value",
                    "id",
                ],
                name="response_period_idx",
            ),
        ]

    def __str__(self) -> str:
        who = self.customer.name if self.customer_id else _("Anonymous")
        return f"{self.survey} · {who}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response", args=[self.pk])

    @property
    def is_anonymous(self) -> bool:
        return self.customer_id is None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("The contact belongs to another customer.")
        if self.submitted_at and self.submitted_at > timezone.now() + dt.timedelta(minutes=5):
            errors["submitted_at"] = _("The date the customer answered cannot be in the future.")
        if self.version_id and self.survey_id and self.version.survey_id != self.survey_id:
            errors["version"] = _("The version belongs to another survey.")
        if errors:
            raise ValidationError(errors)


class Answer(models.Model):
    # Found through the unique (response, question) index and the covering one below.
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers", db_index=False
    )
    value = models.JSONField(_("answer"))
    # The answer as a number for scales (and 1/0 for yes/no), so distributions are counted in SQL.
    number = models.SmallIntegerField(pgettext_lazy("survey answer", "value"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]
        indexes = [
            models.Index(fields=["question", "number"], name="answer_question_idx"),
            # The answers of a period's responses, counted by question and number from the index alone.
            models.Index(fields=["response", "question", "number"], name="answer_response_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class FollowUp(BusinessRecord):
    """Closing the loop: a dissatisfied answer becomes a task for the customer's account manager."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("follow-up", "Open")
        IN_PROGRESS = "in_progress", _("Customer contacted")
        CLOSED = "closed", pgettext_lazy("follow-up", "Closed")

    response = models.OneToOneField(
        SurveyResponse, verbose_name=_("response"), on_delete=models.PROTECT, related_name="followup"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="survey_followups"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_followups",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    due_date = models.DateField(_("due date"))
    notes = models.TextField(_("notes"), blank=True)
    resolution = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("satisfaction follow-up")
        verbose_name_plural = _("satisfaction follow-ups")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="followup_assignee_idx"),
            models.Index(fields=["customer", "-created_at"], name="followup_customer_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Follow-up of %(customer)s") % {"customer": self.customer.name}

    def get_absolute_url(self) -> str:
        return reverse("surveys:followup", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.due_date < timezone.localdate()
