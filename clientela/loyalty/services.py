"""Every write of the loyalty module: programmes and their catalogue, members, the points ledger,
redemptions, referrals and programme messages.

Writes that touch a member's points lock the member's row first (SELECT … FOR UPDATE), so two
redemptions, an expiry run and an adjustment arriving together are applied one after the other and
each sees the balance the previous one left. `at` parameters exist to load history (demo data,
tests): they say when an entry takes effect and default to now.
"""

import datetime as dt
import decimal
import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clientela.core import audit, sequences
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.customers.models import Customer

from . import ledger, selectors, states
from .models import (
    MAX_POINTS_PER_ENTRY,
    EarningRule,
    LoyaltyProgramme,
    Membership,
    PointsEntry,
    ProgrammeMessage,
    Redemption,
    Referral,
    Reward,
    Tier,
)

log = logging.getLogger(__name__)

PROGRAMME_FIELDS = (
    "name",
    "description",
    "points_validity_months",
    "max_adjustment",
    "enrol_segments",
    "terms",
    "owner",
)
TIER_FIELDS = ("name", "min_points", "benefits")
RULE_FIELDS = ("event", "fixed_points", "points_per_unit", "currency", "max_points", "is_active", "description")
REWARD_FIELDS = ("name", "description", "points_cost", "min_tier", "stock", "is_active")
MESSAGE_FIELDS = ("contact", "recipient", "channel", "kind", "subject", "body", "sent_at")


def _stored() -> translation.override:
    """Texts kept in the ledger are written in the organisation's language, whoever's action wrote them."""
    return translation.override(settings.LANGUAGE_CODE)


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


# --- programmes and their catalogue --------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: Any, data: dict[str, Any]) -> LoyaltyProgramme:
    programme = LoyaltyProgramme(**_pick(data, PROGRAMME_FIELDS))
    return core.save_new(actor=actor, instance=programme)


@transaction.atomic
def programme_update(
    *, actor: Any, programme: LoyaltyProgramme, data: dict[str, Any], expected_version: int | None = None
) -> LoyaltyProgramme:
    _not_closed(programme)
    return core.update_fields(
        actor=actor, instance=programme, data=_pick(data, PROGRAMME_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def programme_transition(
    *, actor: Any, programme: LoyaltyProgramme, to: str, note: str = "", expected_version: int | None = None
) -> LoyaltyProgramme:
    current = core.lock(programme, expected_version)
    states.PROGRAMME.check(current.status, to)
    if to == LoyaltyProgramme.Status.ACTIVE and not current.tiers.filter(archived_at__isnull=True).exists():
        raise DomainError(_("Define at least one tier before opening the programme."))
    old = current.status
    current.status = to
    current.lock_version += 1
    current.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    return current


@transaction.atomic
def programme_archive(*, actor: Any, programme: LoyaltyProgramme) -> LoyaltyProgramme:
    if programme.status == LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("Close the programme before archiving it."))
    return core.archive(actor=actor, instance=programme)


def _not_closed(programme: LoyaltyProgramme) -> None:
    if programme.status == LoyaltyProgramme.Status.CLOSED:
        raise DomainError(_("The programme is closed: it can no longer be changed."))


@transaction.atomic
def tier_create(*, actor: Any, programme: LoyaltyProgramme, data: dict[str, Any]) -> Tier:
    _not_closed(programme)
    return core.save_new(actor=actor, instance=Tier(programme=programme, **_pick(data, TIER_FIELDS)))


@transaction.atomic
def tier_update(*, actor: Any, tier: Tier, data: dict[str, Any], expected_version: int | None = None) -> Tier:
    _not_closed(tier.programme)
    return core.update_fields(
        actor=actor, instance=tier, data=_pick(data, TIER_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def tier_archive(*, actor: Any, tier: Tier) -> Tier:
    if Reward.objects.filter(min_tier=tier, archived_at__isnull=True).exists():
        raise DomainError(_("Rewards still require this tier: change or archive them first."))
    return core.archive(actor=actor, instance=tier)


@transaction.atomic
def rule_create(*, actor: Any, programme: LoyaltyProgramme, data: dict[str, Any]) -> EarningRule:
    _not_closed(programme)
    return core.save_new(actor=actor, instance=EarningRule(programme=programme, **_pick(data, RULE_FIELDS)))


@transaction.atomic
def rule_update(
    *, actor: Any, rule: EarningRule, data: dict[str, Any], expected_version: int | None = None
) -> EarningRule:
    _not_closed(rule.programme)
    return core.update_fields(
        actor=actor, instance=rule, data=_pick(data, RULE_FIELDS), expected_version=expected_version
    )


def rule_archive(*, actor: Any, rule: EarningRule) -> EarningRule:
    return core.archive(actor=actor, instance=rule)


@transaction.atomic
def reward_create(*, actor: Any, programme: LoyaltyProgramme, data: dict[str, Any]) -> Reward:
    _not_closed(programme)
    return core.save_new(actor=actor, instance=Reward(programme=programme, **_pick(data, REWARD_FIELDS)))


@transaction.atomic
def reward_update(*, actor: Any, reward: Reward, data: dict[str, Any], expected_version: int | None = None) -> Reward:
    _not_closed(reward.programme)
    return core.update_fields(
        actor=actor, instance=reward, data=_pick(data, REWARD_FIELDS), expected_version=expected_version
    )


def reward_archive(*, actor: Any, reward: Reward) -> Reward:
    return core.archive(actor=actor, instance=reward)


# --- members -------------------------------------------------------------------------------------


def _next_member_number() -> str:
    while True:
        number = f"SOC-{sequences.next_value('loyalty-member'):06d}"
        if not Membership.objects.filter(number=number).exists():
            return number


@transaction.atomic
def membership_enrol(
    *,
    actor: Any,
    programme: LoyaltyProgramme,
    customer: Customer,
    source: str = Membership.Source.MANUAL,
    at: dt.datetime | None = None,
) -> Membership:
    """Enrol an active customer in an open programme; a second enrolment is refused."""
    if programme.status != LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("The programme is not open: members can only join an active programme."))
    if customer.archived_at is not None or customer.status != Customer.Status.ACTIVE:
        raise DomainError(_("Only active customers can join a loyalty programme."))
    if Membership.objects.filter(programme=programme, customer=customer).exists():
        raise ValidationError({"customer": _("The customer is already a member of this programme.")})
    membership = Membership(
        number=_next_member_number(),
        programme=programme,
        customer=customer,
        source=source,
        enrolled_at=_now(at),
        enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return core.save_new(actor=actor, instance=membership)


@transaction.atomic
def membership_transition(
    *, actor: Any, membership: Membership, to: str, note: str = "", expected_version: int | None = None
) -> Membership:
    current = core.lock(membership, expected_version)
    states.MEMBERSHIP.check(current.status, to)
    if to == Membership.Status.ACTIVE and current.programme.status != LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("The programme is not open: the membership cannot be reactivated."))
    old = current.status
    current.status = to
    current.ended_at = timezone.now() if to == Membership.Status.ENDED else None
    current.lock_version += 1
    current.save(update_fields=["status", "ended_at", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    return current


def programme_auto_enrol(*, programme: LoyaltyProgramme, actor: Any = None) -> int:
    """Enrol every active customer of the programme's segments who is not a member yet. Safe to run
    again or at the same time as another run: the database refuses a second membership."""
    if programme.status != LoyaltyProgramme.Status.ACTIVE or not programme.enrol_segments:
        return 0
    candidates = (
        Customer.objects.filter(
            status=Customer.Status.ACTIVE, archived_at__isnull=True, segment__in=programme.enrol_segments
        )
        .exclude(memberships__programme=programme)
        .order_by("pk")
    )
    enrolled = 0
    for customer in candidates.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                membership_enrol(actor=actor, programme=programme, customer=customer, source=Membership.Source.SEGMENT)
        except (ValidationError, DomainError):
            continue  # enrolled meanwhile by a person or by another run
        enrolled += 1
    return enrolled


# --- the points ledger ---------------------------------------------------------------------------


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",)).select_related("programme", "customer").get(pk=membership.pk)
    )


def _append(
    *,
    actor: Any,
    membership: Membership,
    kind: str,
    points: int,
    reason: str,
    at: dt.datetime,
    rule: EarningRule | None = None,
    source: Any = None,
    expires: bool = False,
) -> PointsEntry:
    expires_at = None
    if expires and membership.programme.points_validity_months:
        expires_at = ledger.add_months(at, membership.programme.points_validity_months)
    entry = PointsEntry(
        membership=membership,
        kind=kind,
        points=points,
        reason=reason[:255],
        rule=rule,
        expires_at=expires_at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at,
    )
    if source is not None:
        entry.source_type = ContentType.objects.get_for_model(source)
        entry.source_id = source.pk
        entry.source_label = str(source)[:200]
    entry.save(force_insert=True)
    audit.record_created(actor=actor, obj=entry, note=reason)
    return entry


def _expire_locked(membership: Membership, at: dt.datetime) -> PointsEntry | None:
    state = ledger.lots_at(ledger.ledger_for(membership), at)
    if not state.to_expire:
        return None
    with _stored():
        reason = _("Points earned up to %(date)s expired") % {
            "date": date_format(timezone.localtime(at), "SHORT_DATE_FORMAT")
        }
    return _append(
        actor=None, membership=membership, kind=PointsEntry.Kind.EXPIRE, points=-state.to_expire, reason=reason, at=at
    )


@transaction.atomic
def points_expire_due(*, membership: Membership, at: dt.datetime | None = None) -> PointsEntry | None:
    """Record the expiry of every point whose date has passed. Idempotent: a second run (or one
    running at the same moment, which waits for the lock) finds nothing left to expire."""
    return _expire_locked(_locked(membership), _now(at))


def expire_all_due(*, at: dt.datetime | None = None) -> int:
    """The periodic expiry run: every member with points past their date. Returns entries written."""
    at = _now(at)
    candidates = (
        PointsEntry.objects.filter(expires_at__lte=at, points__gt=0)
        .values_list("membership_id", flat=True)
        .distinct()
        .order_by("membership_id")
    )
    written = 0
    for membership_id in list(candidates):
        if points_expire_due(membership=Membership(pk=membership_id), at=at) is not None:
            written += 1
    return written


def _earning_allowed(membership: Membership) -> None:
    if membership.status != Membership.Status.ACTIVE:
        raise DomainError(_("The membership is not active: it does not earn points."))
    if membership.programme.status != LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("The programme is not active: no points can be earned."))


def _clean_value(value: Any) -> decimal.Decimal | None:
    if value is None:
        return None
    try:
        amount = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": _("The value is not a number.")}) from exc
    if not amount.is_finite():
        raise ValidationError({"value": _("The value is not a number.")})
    if amount < 0:
        raise ValidationError({"value": _("A negative value cannot earn points.")})
    return amount


@transaction.atomic
def points_earn(
    *,
    actor: Any,
    membership: Membership,
    rule: EarningRule,
    value: Any = None,
    source: Any = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> PointsEntry | None:
    """Earn the points `rule` gives for an event (of `value`, for contracts). The same source never
    earns twice: a repeated event returns the entry it earned the first time. Returns None when the
    event earns nothing (a contract of value 0)."""
    at = _now(at)
    membership = _locked(membership)
    if rule.programme_id != membership.programme_id:
        raise ValidationError({"rule": _("The rule belongs to another programme.")})
    if not rule.is_active or rule.archived_at is not None:
        raise DomainError(_("The earning rule is not active."))
    _earning_allowed(membership)
    amount = _clean_value(value)
    if source is not None:
        existing = PointsEntry.objects.filter(
            membership=membership,
            kind=PointsEntry.Kind.EARN,
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
        ).first()
        if existing is not None:
            return existing
    points = rule.points_for(amount)
    if points > MAX_POINTS_PER_ENTRY:
        raise ValidationError(
            {
                "value": _(
                    "%(points)s points for one event is not plausible (the limit is %(limit)s): check the value."
                )
                % {"points": points, "limit": MAX_POINTS_PER_ENTRY}
            }
        )
    if points <= 0:
        return None
    if not reason:
        with _stored():
            reason = str(rule.get_event_display())
        if source is not None:
            reason = f"{reason}: {source}"
    try:
        with transaction.atomic():
            return _append(
                actor=actor,
                membership=membership,
                kind=PointsEntry.Kind.EARN,
                points=points,
                reason=reason,
                at=at,
                rule=rule,
                source=source,
                expires=True,
            )
    except IntegrityError:
        # The same event arrived twice at once; the other delivery recorded it.
        return PointsEntry.objects.get(
            membership=membership,
            kind=PointsEntry.Kind.EARN,
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
        )


def earn_for_event(
    *,
    customer: Customer | None,
    event: str,
    source: Any,
    actor: Any = None,
    value: Any = None,
    currency: str = "",
    at: dt.datetime | None = None,
) -> list[PointsEntry]:
    """An event of another module (contract activated, survey answered): every active membership of
    the customer earns under its programme's rule for the event. A refusal by one programme's rules
    is logged and never blocks the process that sent the event."""
    if customer is None:
        return []
    memberships = Membership.objects.filter(
        customer=customer, status=Membership.Status.ACTIVE, programme__status=LoyaltyProgramme.Status.ACTIVE
    ).select_related("programme")
    earned = []
    for membership in memberships:
        rules = EarningRule.objects.filter(
            programme=membership.programme, event=event, is_active=True, archived_at__isnull=True
        )
        if event in EarningRule.VALUE_EVENTS:
            rules = rules.filter(currency=(currency or "").upper())
        rule = rules.first()
        if rule is None:
            continue
        try:
            with transaction.atomic():
                entry = points_earn(actor=actor, membership=membership, rule=rule, value=value, source=source, at=at)
        except (ValidationError, DomainError) as exc:
            log.warning("loyalty: %s for %s earned nothing: %s", event, membership.number, exc)
            continue
        if entry is not None:
            earned.append(entry)
    return earned


@transaction.atomic
def points_adjust(
    *, actor: Any, membership: Membership, points: Any, reason: str, at: dt.datetime | None = None
) -> PointsEntry:
    """A manual adjustment with its reason: a credit (goodwill, a missed earning) or a correction
    that takes points back. A correction never takes more than the member has."""
    at = _now(at)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if isinstance(points, bool) or not isinstance(points, int):
        try:
            points = int(str(points).strip())
        except (TypeError, ValueError):
            errors["points"] = _("Enter a whole number of points.")
    membership = _locked(membership)
    if "points" not in errors:
        limit = membership.programme.max_adjustment
        if points == 0:
            errors["points"] = _("Enter a number of points other than zero.")
        elif abs(points) > limit:
            errors["points"] = _(
                "%(points)s points is more than the largest manual adjustment of this programme (%(limit)s). "
                "Check the figure; a larger gesture needs a change of the programme's limit."
            ) % {"points": points, "limit": limit}
    if len(reason) < 5:
        errors["reason"] = _("Say why the points are adjusted (at least a few words).")
    if errors:
        raise ValidationError(errors)
    if membership.status == Membership.Status.ENDED:
        raise DomainError(_("The customer left the programme: their points can no longer be adjusted."))
    if points < 0:
        _expire_locked(membership, at)
        balance = ledger.balance_of(membership)
        if -points > balance:
            raise DomainError(
                _("The correction would leave the member with a negative balance: they have %(balance)s points.")
                % {"balance": balance}
            )
    return _append(
        actor=actor,
        membership=membership,
        kind=PointsEntry.Kind.ADJUST,
        points=points,
        reason=reason,
        at=at,
        expires=points > 0,
    )


# --- redemptions ---------------------------------------------------------------------------------


@transaction.atomic
def redemption_create(
    *, actor: Any, membership: Membership, reward: Reward, note: str = "", at: dt.datetime | None = None
) -> Redemption:
    """Spend points on a reward. The member's row is locked, due expiries are recorded, then the
    balance is read: two redemptions at once can never spend the same points."""
    at = _now(at)
    membership = _locked(membership)
    if membership.status != Membership.Status.ACTIVE:
        raise DomainError(_("The membership is not active: it cannot redeem rewards."))
    if membership.programme.status != LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("The programme is not active: rewards cannot be redeemed."))
    reward = Reward.objects.select_for_update(of=("self",)).select_related("min_tier").get(pk=reward.pk)
    if reward.programme_id != membership.programme_id:
        raise ValidationError({"reward": _("The reward belongs to another programme.")})
    if not reward.is_active or reward.archived_at is not None:
        raise DomainError(_("The reward “%(reward)s” is not available.") % {"reward": reward})
    if reward.stock is not None and reward.stock < 1:
        raise DomainError(_("The reward “%(reward)s” is out of stock.") % {"reward": reward})
    if reward.min_tier_id:
        tiers = list(membership.programme.tiers.all())
        tier = ledger.tier_for(tiers, ledger.qualifying_points(membership, at))
        if tier is None or tier.min_points < reward.min_tier.min_points:
            raise DomainError(
                _("The reward “%(reward)s” is for members of tier %(tier)s or higher.")
                % {"reward": reward, "tier": reward.min_tier}
            )
    _expire_locked(membership, at)
    balance = ledger.balance_of(membership)
    if reward.points_cost > balance:
        raise DomainError(
            _("Not enough points: “%(reward)s” needs %(cost)s points and the member has %(balance)s.")
            % {"reward": reward, "cost": reward.points_cost, "balance": balance}
        )
    redemption = Redemption(
        number=f"CJ-{at.year}-{sequences.next_value(f'loyalty-redemption-{at.year}'):04d}",
        membership=membership,
        reward=reward,
        points=reward.points_cost,
        note=(note or "").strip(),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at,
    )
    redemption = core.save_new(actor=actor, instance=redemption)
    with _stored():
        reason = _("Redemption %(number)s: %(reward)s") % {"number": redemption.number, "reward": reward}
    _append(
        actor=actor,
        membership=membership,
        kind=PointsEntry.Kind.REDEEM,
        points=-reward.points_cost,
        reason=reason,
        at=at,
        source=redemption,
    )
    if reward.stock is not None:
        Reward.objects.filter(pk=reward.pk).update(stock=models.F("stock") - 1)
    return redemption


@transaction.atomic
def redemption_transition(
    *, actor: Any, redemption: Redemption, to: str, note: str = "", at: dt.datetime | None = None
) -> Redemption:
    """Deliver a requested reward, or cancel it and give the points back."""
    at = _now(at)
    current = core.lock(redemption)
    states.REDEMPTION.check(current.status, to)
    old = current.status
    current.status = to
    fields = ["status", "lock_version", "updated_at"]
    if to == Redemption.Status.DELIVERED:
        current.delivered_at = at
        fields.append("delivered_at")
    else:
        current.cancelled_at = at
        fields.append("cancelled_at")
    current.lock_version += 1
    current.save(update_fields=fields)
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    if to == Redemption.Status.CANCELLED:
        membership = _locked(current.membership)
        with _stored():
            reason = _("Redemption %(number)s cancelled: points returned") % {"number": current.number}
        _append(
            actor=actor,
            membership=membership,
            kind=PointsEntry.Kind.REDEEM,
            points=current.points,
            reason=reason,
            at=at,
            source=current,
            expires=True,
        )
        Reward.objects.filter(pk=current.reward_id, stock__isnull=False).update(stock=models.F("stock") + 1)
    return current


# --- referrals -----------------------------------------------------------------------------------


@transaction.atomic
def referral_record(*, actor: Any, membership: Membership, referred_customer: Customer, note: str = "") -> Referral:
    """A member recommended `referred_customer`. Points are earned once that customer is active."""
    if referred_customer.pk == membership.customer_id:
        raise ValidationError({"referred_customer": _("A member cannot refer themselves.")})
    if Referral.objects.filter(referred_customer=referred_customer).exists():
        raise ValidationError({"referred_customer": _("Another member already referred this customer.")})
    if referred_customer.activated_at is not None and referred_customer.activated_at < membership.enrolled_at:
        raise ValidationError(
            {"referred_customer": _("This customer was already a customer before the member joined the programme.")}
        )
    referral = core.save_new(
        actor=actor,
        instance=Referral(
            membership=membership,
            referred_customer=referred_customer,
            note=(note or "").strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        ),
    )
    referral_reward_if_active(actor=actor, referral=referral)
    return referral


@transaction.atomic
def referral_reward_if_active(*, actor: Any, referral: Referral, at: dt.datetime | None = None) -> bool:
    """Earn the referral points once the referred customer is active (idempotent)."""
    current = core.lock(referral)
    if current.status != Referral.Status.PENDING:
        return False
    if current.referred_customer.status != Customer.Status.ACTIVE:
        return False
    rule = EarningRule.objects.filter(
        programme_id=current.membership.programme_id,
        event=EarningRule.Event.REFERRAL,
        is_active=True,
        archived_at__isnull=True,
    ).first()
    if rule is None:
        return False
    try:
        entry = points_earn(actor=actor, membership=current.membership, rule=rule, source=current, at=at)
    except DomainError:
        return False
    if entry is None:
        return False
    states.REFERRAL.check(current.status, Referral.Status.REWARDED)
    current.status = Referral.Status.REWARDED
    current.rewarded_at = entry.created_at
    current.lock_version += 1
    current.save(update_fields=["status", "rewarded_at", "lock_version", "updated_at"])
    audit.record_transition(
        actor=actor, obj=current, old=Referral.Status.PENDING, new=Referral.Status.REWARDED, note=entry.reason
    )
    return True


@transaction.atomic
def referral_cancel(*, actor: Any, referral: Referral, note: str = "") -> Referral:
    current = core.lock(referral)
    states.REFERRAL.check(current.status, Referral.Status.CANCELLED)
    old = current.status
    current.status = Referral.Status.CANCELLED
    current.lock_version += 1
    current.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=current, old=old, new=current.status, note=note)
    return current


def reward_pending_referrals(*, at: dt.datetime | None = None) -> int:
    """Periodic: referrals whose customer has become active earn their points."""
    pending = Referral.objects.filter(
        status=Referral.Status.PENDING, referred_customer__status=Customer.Status.ACTIVE
    ).order_by("pk")
    return sum(1 for referral in pending if referral_reward_if_active(actor=None, referral=referral, at=at))


# --- programme messages --------------------------------------------------------------------------


@transaction.atomic
def message_record(*, actor: Any, membership: Membership, data: dict[str, Any]) -> ProgrammeMessage:
    """Log a message the programme sent a member (by any channel)."""
    data = _pick(data, MESSAGE_FIELDS)
    contact = data.get("contact")
    if contact is not None and contact.customer_id != membership.customer_id:
        raise ValidationError({"contact": _("The contact belongs to another customer.")})
    if not (data.get("recipient") or "").strip():
        data["recipient"] = (contact.email or str(contact)) if contact is not None else membership.customer.name
    message = ProgrammeMessage(
        membership=membership, sent_by=actor if getattr(actor, "is_authenticated", False) else None, **data
    )
    if message.sent_at and message.sent_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"sent_at": _("A message is logged after it is sent: the date cannot be in the future.")})
    message.full_clean()
    message.save(force_insert=True)
    audit.record_created(actor=actor, obj=message)
    return message


@transaction.atomic
def campaign_send(*, actor: Any, programme: LoyaltyProgramme, subject: str, body: str, tier: Tier | None = None) -> int:
    """E-mail a message to the members (of one tier, or all) whose contact agreed to marketing; each
    e-mail is logged and sent after the transaction commits. Returns how many were sent."""
    from .tasks import send_programme_message  # tasks import this module

    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Write the subject of the message.")
    if not body:
        errors["body"] = _("Write the message.")
    if errors:
        raise ValidationError(errors)
    if programme.status != LoyaltyProgramme.Status.ACTIVE:
        raise DomainError(_("The programme is not active: it cannot send campaigns."))
    sent = 0
    for membership, contact in selectors.campaign_recipients(programme=programme, tier=tier):
        message = message_record(
            actor=actor,
            membership=membership,
            data={
                "contact": contact,
                "recipient": contact.email,
                "channel": ProgrammeMessage.Channel.EMAIL,
                "kind": ProgrammeMessage.Kind.CAMPAIGN,
                "subject": subject,
                "body": body,
            },
        )
        transaction.on_commit(lambda pk=message.pk: send_programme_message.enqueue(pk))
        sent += 1
    return sent
