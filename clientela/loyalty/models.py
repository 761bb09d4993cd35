"""Loyalty programmes (SPEC §3.8): tiers, earning rules, rewards, members, the append-only points
ledger, redemptions, referrals and the log of programme messages.

A member's balance is never stored: it is the sum of the member's ledger entries, read when needed.
"""

import decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.models import BusinessRecord

# Sanity limits: anything beyond them is a typing mistake, not a loyalty gesture.
MAX_POINTS_PER_ENTRY = 1_000_000
MAX_POINTS_PER_UNIT = decimal.Decimal("1000")


class LoyaltyProgramme(BusinessRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    points_validity_months = models.PositiveSmallIntegerField(
        _("points valid for (months)"),
        default=24,
        validators=[MaxValueValidator(120)],
        help_text=_("Points expire this many months after they are earned; 0 means they never expire."),
    )
    max_adjustment = models.PositiveIntegerField(
        _("largest manual adjustment"),
        default=10_000,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS_PER_ENTRY)],
        help_text=_("A manual adjustment above this number of points is refused as a likely mistake."),
    )
    enrol_segments = models.JSONField(
        _("enrol customers of these segments"),
        default=list,
        blank=True,
        help_text=_("Active customers of these segments are enrolled automatically every day."),
    )
    terms = models.TextField(_("terms and conditions"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("loyalty:programme_detail", args=[self.pk])

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        segments = self.enrol_segments or []
        if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
            raise ValidationError({"enrol_segments": _("Give the segments as a list of names.")})
        self.enrol_segments = sorted({s.strip() for s in segments if s.strip()})


class Tier(BusinessRecord):
    """A level of the programme, reached with points earned in the last 12 months."""

    programme = models.ForeignKey(
        LoyaltyProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="tiers"
    )
    name = models.CharField(_("name"), max_length=60)
    min_points = models.PositiveIntegerField(
        _("points needed"),
        validators=[MaxValueValidator(MAX_POINTS_PER_ENTRY * 10)],
        help_text=_("Points earned in the last 12 months (rolling) to reach this tier."),
    )
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["programme", "min_points"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "min_points"],
                condition=models.Q(archived_at__isnull=True),
                name="loyalty_tier_threshold_unique",
                violation_error_message=_("Another tier of this programme starts at the same number of points."),
            ),
            models.UniqueConstraint(
                fields=["programme", "name"],
                condition=models.Q(archived_at__isnull=True),
                name="loyalty_tier_name_unique",
                violation_error_message=_("The programme already has a tier with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EarningRule(BusinessRecord):
    """How many points an event earns: a fixed amount plus, for contracts, points per unit of value."""

    class Event(models.TextChoices):
        CONTRACT_SIGNED = "contract_signed", _("Contract signed")
        CONTRACT_RENEWED = "contract_renewed", _("Contract renewed")
        SURVEY_COMPLETED = "survey_completed", _("Satisfaction survey completed")
        REFERRAL = "referral", _("Referral of a new customer")

    VALUE_EVENTS = frozenset({Event.CONTRACT_SIGNED, Event.CONTRACT_RENEWED})

    programme = models.ForeignKey(
        LoyaltyProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="rules"
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    fixed_points = models.PositiveIntegerField(
        _("fixed points"), default=0, validators=[MaxValueValidator(MAX_POINTS_PER_ENTRY)]
    )
    points_per_unit = models.DecimalField(
        _("points per currency unit"),
        max_digits=9,
        decimal_places=4,
        default=decimal.Decimal("0"),
        validators=[MinValueValidator(decimal.Decimal("0")), MaxValueValidator(MAX_POINTS_PER_UNIT)],
        help_text=_("For contracts: points for each unit of the contract value (0.1 = one point per 10 €)."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("For contracts: the currency the value is counted in (EUR, MXN…). Other currencies earn nothing."),
    )
    max_points = models.PositiveIntegerField(
        _("maximum per event"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_POINTS_PER_ENTRY)],
        help_text=_("Leave blank for no limit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["programme", "event", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "event", "currency"],
                condition=models.Q(archived_at__isnull=True),
                name="loyalty_rule_unique",
                violation_error_message=_("The programme already has a rule for this event and currency."),
            ),
        ]

    def __str__(self) -> str:
        text = self.get_event_display()
        return f"{text} ({self.currency})" if self.currency else str(text)

    def clean(self) -> None:
        self.currency = (self.currency or "").strip().upper()
        errors: dict[str, str] = {}
        if self.event in self.VALUE_EVENTS:
            if len(self.currency) != 3 or not self.currency.isalpha():
                errors["currency"] = _("A contract rule needs the three-letter currency code (EUR, MXN…).")
        else:
            self.currency = ""
            if self.points_per_unit:
                errors["points_per_unit"] = _("Only contract rules earn points by value.")
        if not self.fixed_points and not self.points_per_unit:
            errors["fixed_points"] = _("The rule earns nothing: give fixed points or points per currency unit.")
        if errors:
            raise ValidationError(errors)

    def points_for(self, value: decimal.Decimal | None = None) -> int:
        """Points the event earns under this rule (whole points, rounded down)."""
        points = decimal.Decimal(self.fixed_points)
        if self.event in self.VALUE_EVENTS and value is not None:
            points += value * self.points_per_unit
        whole = int(points.to_integral_value(rounding=decimal.ROUND_FLOOR))
        if self.max_points is not None:
            whole = min(whole, self.max_points)
        return whole


class Reward(BusinessRecord):
    programme = models.ForeignKey(
        LoyaltyProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="rewards"
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    points_cost = models.PositiveIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS_PER_ENTRY)]
    )
    min_tier = models.ForeignKey(
        Tier,
        verbose_name=_("from tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only members of this tier or a higher one may redeem it."),
    )
    stock = models.PositiveIntegerField(_("units available"), null=True, blank=True, help_text=_("Blank: unlimited."))
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["programme", "points_cost", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_tier_id and self.programme_id and self.min_tier.programme_id != self.programme_id:
            raise ValidationError({"min_tier": _("The tier belongs to another programme.")})


class Membership(BusinessRecord):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Left the programme")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Enrolled by a person")
        SEGMENT = "segment", _("Enrolled by segment rule")
        API = "api", _("Enrolled through the API")

    number = models.CharField(_("member number"), max_length=20, unique=True)
    programme = models.ForeignKey(
        LoyaltyProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="memberships"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("enrolment"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    enrolled_at = models.DateTimeField(_("enrolled on"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "customer"],
                name="loyalty_member_once",
                violation_error_message=_("The customer is already a member of this programme."),
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="loyalty_member_customer_idx")]

    def __str__(self) -> str:
        return f"{self.number} · {self.customer.name}" if self.customer_id else self.number

    def get_absolute_url(self) -> str:
        return reverse("loyalty:membership_detail", args=[self.pk])


class PointsQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The points ledger is append-only.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("The points ledger is append-only.")


class PointsEntry(models.Model):
    """One movement of a member's points. Never changed or deleted: a correction is a new entry."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", pgettext_lazy("points", "Expired")
        ADJUST = "adjust", _("Adjustment")

    membership = models.ForeignKey(
        Membership, verbose_name=_("member"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=255)
    rule = models.ForeignKey(
        EarningRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("loyalty", "recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    objects = PointsQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(points=0), name="loyalty_points_not_zero"),
            models.CheckConstraint(
                condition=~models.Q(kind="earn") | models.Q(points__gt=0), name="loyalty_earn_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="expire") | models.Q(points__lt=0), name="loyalty_expire_negative"
            ),
            # The same contract, survey response or referral never earns twice.
            models.UniqueConstraint(
                fields=["membership", "source_type", "source_id"],
                condition=models.Q(kind="earn", source_id__isnull=False),
                name="loyalty_earn_once_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "created_at"], name="loyalty_ledger_member_idx"),
            models.Index(fields=["kind", "expires_at"], name="loyalty_ledger_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The points ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The points ledger is append-only.")

    @property
    def customer(self):
        return self.membership.customer


class Redemption(BusinessRecord):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", pgettext_lazy("redemption", "Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    membership = models.ForeignKey(
        Membership, verbose_name=_("member"), on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("loyalty", "recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def customer(self):
        return self.membership.customer


class Referral(BusinessRecord):
    """A member recommended a new customer; the referral earns points once that customer is active."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer to become active")
        REWARDED = "rewarded", _("Points earned")
        CANCELLED = "cancelled", pgettext_lazy("referral", "Cancelled")

    membership = models.ForeignKey(
        Membership, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="referrals"
    )
    referred_customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("new customer"),
        on_delete=models.PROTECT,
        related_name="referred_by",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("loyalty", "recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rewarded_at = models.DateTimeField(_("rewarded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.referred_customer.name}"

    @property
    def customer(self):
        return self.membership.customer


class ProgrammeMessage(models.Model):
    """What the programme told a member, to whom, when and how (process document §7: "Programas de
    fidelización y comunicación"). A log of what was sent; entries are never edited."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        MEETING = "meeting", _("Face to face")

    class Kind(models.TextChoices):
        WELCOME = "welcome", _("Welcome")
        STATEMENT = "statement", _("Points statement")
        TIER = "tier", _("Tier change")
        EXPIRY = "expiry", _("Points about to expire")
        CAMPAIGN = "campaign", _("Campaign")
        OTHER = "other", _("Other")

    membership = models.ForeignKey(
        Membership, verbose_name=_("member"), on_delete=models.PROTECT, related_name="messages"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.CharField(_("sent to"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    sent_at = models.DateTimeField(_("sent on"), default=timezone.now, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded on"), default=timezone.now)

    class Meta:
        verbose_name = _("programme message")
        verbose_name_plural = _("programme messages")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def customer(self):
        return self.membership.customer
