"""Every write of the surveys module: building and publishing surveys, inviting contacts, storing
responses (public page, open link, staff entry, API, import), the lifecycle triggers and closing
the loop with dissatisfied customers."""

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clientela.core import audit, events, notifications
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction
from clientela.core.periods import Period
from clientela.core.permissions import QUALITY
from clientela.customers.models import Contact, Customer
from clientela.customers.services import contact_opt_out

from . import states, validation
from .models import Answer, FollowUp, Question, Survey, SurveyInvitation, SurveyResponse, SurveyVersion

log = logging.getLogger(__name__)

SURVEY_FIELDS = (
    "title",
    "introduction",
    "thanks_message",
    "language",
    "touchpoint",
    "counts_toward_sc",
    "trigger",
    "trigger_days",
    "followup_threshold",
    "invitation_days",
    "reminder_days",
    "frequency_cap_days",
)
FOLLOWUP_FIELDS = ("assigned_to", "due_date", "notes")
FOLLOWUP_DUE_DAYS = 5
# A queued invitation whose e-mail did not leave (mail server down) is retried after this long.
SEND_RETRY_AFTER = dt.timedelta(minutes=10)
TOKEN_BYTES = 32
RELATED_FIELDS = ["survey", "version", "invitation", "customer", "contact", "headline_question", "entered_by"]


def _pick(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


# --- surveys and their questions --------------------------------------------------------------


def _draft(survey: Survey) -> SurveyVersion | None:
    return survey.versions.filter(published_at__isnull=True).first()


def working_version(survey: Survey) -> SurveyVersion:
    """The version being edited if there is one, else the published one."""
    return _draft(survey) or survey.current_version or survey.versions.order_by("-number").first()


def questions_snapshot(version: SurveyVersion) -> list[str]:
    """The questions as the audit trail records them: one readable line each, with every rule."""
    questions = list(version.questions.order_by("position"))
    positions = {q.pk: q.position for q in questions}
    lines = []
    for q in questions:
        rules = [str(q.get_kind_display()), _("required") if q.required else _("optional")]
        if q.is_headline:
            rules.append(_("headline, satisfied from %(n)s") % {"n": q.satisfied_min})
        if q.choices:
            rules.append(" | ".join(q.choices))
        if q.show_if_question_id:
            rules.append(
                _("only if question %(n)s is %(values)s")
                % {"n": positions.get(q.show_if_question_id), "values": ", ".join(str(v) for v in q.show_if_values)}
            )
        lines.append(f"{q.position}. {q.text} [{'; '.join(rules)}]")
    return lines


def _audit_questions(*, actor: Any, survey: Survey, version: SurveyVersion, before: list, note: str = "") -> None:
    after = questions_snapshot(version)
    if audit.canonical(before) != audit.canonical(after):
        audit.record(
            actor=actor,
            obj=survey,
            action=AuditAction.CHANGED,
            changes={"questions": [before, after]},
            note=note or _("Questions of version %(n)s changed.") % {"n": version.number},
        )


def _check_editable(version: SurveyVersion) -> None:
    if version.published_at is not None:
        raise DomainError(
            _("Version %(n)s is published and its questions are frozen: editing them starts a new version.")
            % {"n": version.number}
        )
    if version.responses.exists():
        raise DomainError(_("This version already has answers, so its questions can no longer change."))


@transaction.atomic
def survey_create(*, actor: Any, data: Mapping[str, Any], questions: list[Mapping[str, Any]] | None = None) -> Survey:
    survey = Survey(**_pick(data, SURVEY_FIELDS))
    survey.created_by = actor if getattr(actor, "is_authenticated", False) else None
    survey = core.save_new(actor=actor, instance=survey)
    version = SurveyVersion.objects.create(survey=survey, number=1)
    if questions:
        _write_questions(version, questions)
        _audit_questions(actor=actor, survey=survey, version=version, before=[])
    return survey


@transaction.atomic
def survey_update(
    *,
    actor: Any,
    survey: Survey,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    questions: list[Mapping[str, Any]] | None = None,
) -> Survey:
    changes = _pick(data, SURVEY_FIELDS)
    if "language" in changes and changes["language"] != survey.language and survey.first_published_at:
        raise ValidationError(
            {"language": [_("The language of a published survey cannot change: its questions are in it.")]}
        )
    survey = core.update_fields(actor=actor, instance=survey, data=changes, expected_version=expected_version)
    if survey.current_version_id is not None and questions is None:
        # The published questions must still fit the settings (headline for SC, threshold on its scale).
        validation.check_version(
            list(survey.current_version.questions.all()),
            counts_toward_sc=survey.counts_toward_sc,
            followup_threshold=survey.followup_threshold,
        )
    if questions is not None:
        questions_replace(actor=actor, survey=survey, questions=questions)
    return survey


@transaction.atomic
def survey_new_version(*, actor: Any, survey: Survey) -> SurveyVersion:
    """Start editing a published survey: a draft copy of the published questions. Customers keep
    answering the published version until the new one is published."""
    survey = core.lock(survey)
    draft = _draft(survey)
    if draft is not None:
        return draft
    source = survey.current_version
    if source is None:
        raise DomainError(_("This survey has no version to copy."))
    number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = SurveyVersion.objects.create(survey=survey, number=number)
    copies: dict[int, Question] = {}
    originals = list(source.questions.order_by("position"))
    for question in originals:
        copies[question.pk] = Question.objects.create(
            version=draft,
            position=question.position,
            text=question.text,
            help_text=question.help_text,
            kind=question.kind,
            scale_min=question.scale_min,
            scale_max=question.scale_max,
            choices=question.choices,
            required=question.required,
            is_headline=question.is_headline,
            satisfied_min=question.satisfied_min,
            show_if_values=question.show_if_values,
        )
    for question in originals:
        if question.show_if_question_id:
            copy = copies[question.pk]
            copy.show_if_question = copies.get(question.show_if_question_id)
            copy.save(update_fields=["show_if_question"])
    audit.record(
        actor=actor,
        obj=survey,
        action=AuditAction.CHANGED,
        changes={"draft_version": [None, number]},
        note=_("Version %(new)s started from version %(old)s.") % {"new": number, "old": source.number},
    )
    return draft


@transaction.atomic
def survey_discard_draft(*, actor: Any, survey: Survey) -> None:
    """Drop the unpublished new version of a published survey; the published one stays."""
    survey = core.lock(survey)
    draft = _draft(survey)
    if draft is None or survey.current_version_id is None:
        raise DomainError(_("There is no new version to discard."))
    number = draft.number
    Question.objects.filter(version=draft).update(show_if_question=None)
    draft.delete()
    audit.record(
        actor=actor,
        obj=survey,
        action=AuditAction.CHANGED,
        changes={"draft_version": [number, None]},
        note=_("Draft version %(n)s discarded.") % {"n": number},
    )


def _editable_draft(*, actor: Any, survey: Survey) -> SurveyVersion:
    draft = _draft(survey)
    if draft is None:
        draft = survey_new_version(actor=actor, survey=survey)
    _check_editable(draft)
    return draft


def _editable_question(*, actor: Any, question: Question) -> Question:
    """The question to change: itself in a draft, or its copy in the survey's new version."""
    version = question.version
    if version.published_at is None:
        _check_editable(version)
        return question
    draft = _editable_draft(actor=actor, survey=version.survey)
    return draft.questions.get(position=question.position)


def _show_if(version: SurveyVersion, cleaned: dict[str, Any], data: Mapping[str, Any], position: int) -> None:
    target = data.get("show_if_question")
    if isinstance(target, int) and not isinstance(target, bool):
        target = version.questions.filter(position=target).first()
    if target is not None and (target.version_id != version.pk or target.position >= position):
        raise ValidationError({"show_if_question": [_("Choose an earlier question of this survey.")]})
    cleaned["show_if_question"] = target
    cleaned["show_if_values"] = validation.clean_show_if(cleaned, target, data.get("show_if_values"))


def _clear_other_headline(version: SurveyVersion, keep: Question | None) -> None:
    # One headline per version: marking a new one unmarks the previous (the builder's checkbox).
    qs = version.questions.filter(is_headline=True)
    if keep is not None and keep.pk:
        qs = qs.exclude(pk=keep.pk)
    qs.update(is_headline=False)


@transaction.atomic
def question_add(*, actor: Any, survey: Survey, data: Mapping[str, Any]) -> Question:
    version = _editable_draft(actor=actor, survey=survey)
    before = questions_snapshot(version)
    cleaned = validation.clean_question(data)
    position = (version.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    _show_if(version, cleaned, data, position)
    if cleaned["is_headline"]:
        _clear_other_headline(version, None)
    question = Question.objects.create(version=version, position=position, **cleaned)
    _audit_questions(actor=actor, survey=survey, version=version, before=before)
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, data: Mapping[str, Any]) -> Question:
    question = _editable_question(actor=actor, question=question)
    version = question.version
    before = questions_snapshot(version)
    cleaned = validation.clean_question(data)
    _show_if(version, cleaned, data, question.position)
    if cleaned["is_headline"]:
        _clear_other_headline(version, question)
    for name, value in cleaned.items():
        setattr(question, name, value)
    question.save()
    if question.kind == Question.Kind.TEXT:
        question.dependants.update(show_if_question=None, show_if_values=[])
    _audit_questions(actor=actor, survey=version.survey, version=version, before=before)
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    question = _editable_question(actor=actor, question=question)
    version = question.version
    before = questions_snapshot(version)
    # A question that depended on this one is shown always rather than deleted with it.
    question.dependants.update(show_if_question=None, show_if_values=[])
    position = question.position
    question.delete()
    for later in version.questions.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    _audit_questions(actor=actor, survey=version.survey, version=version, before=before)


@transaction.atomic
def question_move(*, actor: Any, question: Question, offset: int) -> Question:
    """Move a question up (−1) or down (+1); skip logic keeps depending only on earlier questions."""
    question = _editable_question(actor=actor, question=question)
    version = question.version
    other = version.questions.filter(position=question.position + offset).first()
    if other is None or offset not in (-1, 1):
        return question
    first, second = (other, question) if offset == -1 else (question, other)
    if second.show_if_question_id == first.pk:
        raise DomainError(
            _("Question %(n)s depends on the one before it, so it cannot move above it.") % {"n": second.position}
        )
    before = questions_snapshot(version)
    old = question.position
    question.position = 0
    question.save(update_fields=["position"])
    other.position = old
    other.save(update_fields=["position"])
    question.position = old + offset
    question.save(update_fields=["position"])
    _audit_questions(actor=actor, survey=version.survey, version=version, before=before)
    return question


def _write_questions(version: SurveyVersion, specs: list[Mapping[str, Any]]) -> None:
    errors: list[str] = []
    created: list[Question] = []
    for index, spec in enumerate(specs, start=1):
        try:
            cleaned = validation.clean_question(spec)
            target_position = spec.get("show_if_position")
            target = None
            if target_position not in (None, ""):
                target = next((q for q in created if q.position == target_position), None)
                if target is None:
                    raise ValidationError({"show_if_position": [_("Choose the position of an earlier question.")]})
            cleaned["show_if_question"] = target
            cleaned["show_if_values"] = validation.clean_show_if(cleaned, target, spec.get("show_if_values"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(
                    _("Question %(n)s, %(field)s: %(error)s") % {"n": index, "field": field, "error": message}
                    for message in messages
                )
            continue
        created.append(Question.objects.create(version=version, position=index, **cleaned))
    if sum(1 for q in created if q.is_headline) > 1:
        errors.append(_("Only one question can be the headline satisfaction question."))
    if len(specs) > validation.MAX_QUESTIONS:
        errors.append(_("A survey has at most %(max)s questions.") % {"max": validation.MAX_QUESTIONS})
    if errors:
        raise ValidationError({"questions": errors})


@transaction.atomic
def questions_replace(*, actor: Any, survey: Survey, questions: list[Mapping[str, Any]]) -> SurveyVersion:
    """Replace every question of the survey's draft version (a published survey gets a new one)."""
    version = _editable_draft(actor=actor, survey=survey)
    before = questions_snapshot(version)
    Question.objects.filter(version=version).update(show_if_question=None)
    version.questions.all().delete()
    _write_questions(version, questions)
    _audit_questions(actor=actor, survey=survey, version=version, before=before)
    return version


@transaction.atomic
def survey_publish(*, actor: Any, survey: Survey, expected_version: int | None = None) -> Survey:
    """Publish the draft version: its questions freeze, it replaces the version customers answer."""
    survey = core.lock(survey, expected_version)
    if survey.archived_at is not None:
        raise DomainError(_("An archived survey cannot be published."))
    draft = _draft(survey)
    if draft is None:
        if survey.status == Survey.Status.CLOSED:
            return survey_reopen(actor=actor, survey=survey)
        raise DomainError(_("There is no new version to publish: edit the questions first."))
    if survey.status != Survey.Status.PUBLISHED:
        states.SURVEY.check(survey.status, Survey.Status.PUBLISHED)
    validation.check_version(
        list(draft.questions.order_by("position")),
        counts_toward_sc=survey.counts_toward_sc,
        followup_threshold=survey.followup_threshold,
    )
    now = timezone.now()
    previous = survey.current_version
    if previous is not None:
        previous.retired_at = now
        previous.save(update_fields=["retired_at"])
    draft.published_at = now
    draft.published_by = actor if getattr(actor, "is_authenticated", False) else None
    draft.save(update_fields=["published_at", "published_by"])
    old_status = survey.status
    survey.current_version = draft
    survey.status = Survey.Status.PUBLISHED
    survey.first_published_at = survey.first_published_at or now
    survey.lock_version += 1
    survey.save(update_fields=["current_version", "status", "first_published_at", "lock_version", "updated_at"])
    note = _("Version %(n)s published.") % {"n": draft.number}
    if old_status != Survey.Status.PUBLISHED:
        audit.record_transition(actor=actor, obj=survey, old=old_status, new=survey.status, note=note)
    else:
        audit.record(
            actor=actor,
            obj=survey,
            action=AuditAction.CHANGED,
            changes={"version": [previous.number if previous else None, draft.number]},
            note=note,
        )
    return survey


def _survey_move(*, actor: Any, survey: Survey, to: str, note: str, expected_version: int | None) -> Survey:
    survey = core.lock(survey, expected_version)
    states.SURVEY.check(survey.status, to)
    if to == Survey.Status.PUBLISHED and survey.current_version_id is None:
        raise DomainError(_("Publish a version of the questions first."))
    old = survey.status
    survey.status = to
    survey.lock_version += 1
    survey.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=survey, old=old, new=to, note=note)
    return survey


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, note: str = "", expected_version: int | None = None) -> Survey:
    """No more answers, invitations or triggers; the results stay."""
    return _survey_move(
        actor=actor, survey=survey, to=Survey.Status.CLOSED, note=note, expected_version=expected_version
    )


@transaction.atomic
def survey_reopen(*, actor: Any, survey: Survey, note: str = "", expected_version: int | None = None) -> Survey:
    return _survey_move(
        actor=actor, survey=survey, to=Survey.Status.PUBLISHED, note=note, expected_version=expected_version
    )


@transaction.atomic
def survey_archive(*, actor: Any, survey: Survey, expected_version: int | None = None) -> Survey:
    if survey.status == Survey.Status.PUBLISHED:
        raise DomainError(_("Close the survey before archiving it."))
    return core.archive(actor=actor, instance=survey, expected_version=expected_version)


@transaction.atomic
def survey_open_link(*, actor: Any, survey: Survey, enabled: bool, renew: bool = False) -> Survey:
    """Turn the open (kiosk) link on or off; renewing it makes printed QR codes stop working."""
    survey = core.lock(survey)
    before = survey.open_link_key
    if not enabled:
        survey.open_link_key = None
    elif renew or not survey.open_link_key:
        survey.open_link_key = secrets.token_urlsafe(18)
    if survey.open_link_key == before:
        return survey
    survey.lock_version += 1
    survey.save(update_fields=["open_link_key", "lock_version", "updated_at"])
    audit.record(
        actor=actor,
        obj=survey,
        action=AuditAction.CHANGED,
        changes={"open_link": [bool(before), bool(survey.open_link_key)]},
        note=_("Open link renewed: earlier QR codes no longer work.") if before and survey.open_link_key else "",
    )
    return survey


# --- invitations ----------------------------------------------------------------------------


def invitation_block_reason(*, survey: Survey, contact: Contact, now: dt.datetime | None = None) -> str | None:
    """Why this contact may not be invited to this survey now, or None if they may."""
    now = now or timezone.now()
    if not survey.accepts_responses or survey.archived_at is not None:
        return _("The survey is not published: publish it before inviting anyone.")
    if contact.archived_at is not None:
        return _("%(contact)s is archived.") % {"contact": contact}
    if contact.survey_opt_out_at is not None:
        return _("%(contact)s asked not to receive surveys on %(date)s.") % {
            "contact": contact,
            "date": date_format(timezone.localtime(contact.survey_opt_out_at), "SHORT_DATE_FORMAT"),
        }
    if not contact.email:
        return _("%(contact)s has no e-mail address.") % {"contact": contact}
    if not contact.may_be_surveyed:
        return _("%(contact)s has not agreed to surveys and no other legal basis is recorded.") % {"contact": contact}
    since = now - dt.timedelta(days=survey.frequency_cap_days)
    last = (
        SurveyInvitation.objects.filter(contact=contact, created_at__gte=since)
        .exclude(status=SurveyInvitation.Status.CANCELLED)
        .order_by("-created_at")
        .first()
    )
    if last is not None:
        return _(
            "%(contact)s was invited to a survey on %(date)s; a contact is not invited more than once "
            "every %(days)s days."
        ) % {
            "contact": contact,
            "date": date_format(timezone.localtime(last.created_at), "SHORT_DATE_FORMAT"),
            "days": survey.frequency_cap_days,
        }
    return None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    survey: Survey,
    contact: Contact,
    origin: str = SurveyInvitation.Origin.MANUAL,
    trigger_key: str = "",
) -> SurveyInvitation:
    """Invite a contact: a single-use link, e-mailed after the transaction commits."""
    # The contact's row lock serialises two invitations racing past the frequency cap.
    contact = Contact.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contact.pk)
    reason = invitation_block_reason(survey=survey, contact=contact)
    if reason:
        raise DomainError(reason)
    now = timezone.now()
    invitation = SurveyInvitation(
        survey=survey,
        customer=contact.customer,
        contact=contact,
        token=new_token(),
        origin=origin,
        trigger_key=trigger_key,
        created_at=now,
        expires_at=now + dt.timedelta(days=survey.invitation_days),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    invitation = core.save_new(actor=actor, instance=invitation, note=str(invitation.get_origin_display()))
    from .tasks import send_invitation_email

    transaction.on_commit(lambda pk=invitation.pk: send_invitation_email.enqueue(pk))
    return invitation


def _contact_for_trigger(customer: Customer, contact: Contact | None) -> Contact | None:
    if contact is not None:
        return contact if contact.customer_id == customer.pk else None
    candidates = Contact.objects.filter(customer=customer, archived_at__isnull=True).order_by(
        "-is_primary", "last_name", "first_name", "pk"
    )
    return next((c for c in candidates if c.may_be_surveyed), None)


def invite_on_trigger(
    *, survey: Survey, customer: Customer, contact: Contact | None, origin: str, trigger_key: str
) -> SurveyInvitation | None:
    """One automatic invitation, at most once per trigger key; refusals (consent, opt-out, cap) are
    logged and skipped, never raised into the sender's transaction."""
    if SurveyInvitation.objects.filter(survey=survey, trigger_key=trigger_key).exists():
        return None
    target = _contact_for_trigger(customer, contact)
    if target is None:
        log.info("survey %s: no contact of customer %s may be surveyed (%s)", survey.pk, customer.pk, trigger_key)
        return None
    try:
        with transaction.atomic():
            return invitation_create(actor=None, survey=survey, contact=target, origin=origin, trigger_key=trigger_key)
    except (DomainError, ValidationError, IntegrityError) as exc:
        log.info("survey %s: %s not invited (%s): %s", survey.pk, target.pk, trigger_key, exc)
        return None


def trigger_invitations(
    *, trigger: str, customer: Customer | None, contact: Contact | None, key: str
) -> list[SurveyInvitation]:
    """Invitations for every published survey sent automatically on this trigger."""
    if customer is None:
        return []
    origin = {
        Survey.Trigger.DELIVERY: SurveyInvitation.Origin.DELIVERY,
        Survey.Trigger.COMPLAINT_CLOSED: SurveyInvitation.Origin.COMPLAINT_CLOSED,
        Survey.Trigger.ACTIVATION: SurveyInvitation.Origin.ACTIVATION,
        Survey.Trigger.QUARTERLY: SurveyInvitation.Origin.QUARTERLY,
    }[trigger]
    invited = []
    surveys = Survey.objects.filter(
        status=Survey.Status.PUBLISHED, trigger=trigger, archived_at__isnull=True, current_version__isnull=False
    ).order_by("pk")
    for survey in surveys:
        invitation = invite_on_trigger(
            survey=survey, customer=customer, contact=contact, origin=origin, trigger_key=key
        )
        if invitation is not None:
            invited.append(invitation)
    return invited


def invite_before_contract_end(*, now: dt.datetime | None = None) -> int:
    """Active contracts ending within N days (N per survey): the contract's contact, or the
    customer's, is invited once per contract (the renewal touchpoint)."""
    from clientela.contracts.models import Contract

    today = timezone.localdate(now or timezone.now())
    count = 0
    surveys = Survey.objects.filter(
        status=Survey.Status.PUBLISHED, trigger=Survey.Trigger.CONTRACT_END, archived_at__isnull=True
    )
    for survey in surveys:
        done = set(
            SurveyInvitation.objects.filter(survey=survey, trigger_key__startswith="contract_end:").values_list(
                "trigger_key", flat=True
            )
        )
        contracts = (
            Contract.objects.filter(
                status=Contract.Status.ACTIVE,
                archived_at__isnull=True,
                end_date__gte=today,
                end_date__lte=today + dt.timedelta(days=survey.trigger_days),
            )
            .select_related("customer", "contact")
            .order_by("end_date", "pk")
        )
        for contract in contracts:
            key = f"contract_end:{contract.pk}"
            if key in done:
                continue
            if invite_on_trigger(
                survey=survey,
                customer=contract.customer,
                contact=contract.contact,
                origin=SurveyInvitation.Origin.CONTRACT_END,
                trigger_key=key,
            ):
                count += 1
    return count


def invite_after_activation(*, now: dt.datetime | None = None) -> int:
    """Customers who became active N days ago (N per survey), from the survey's first publication on."""
    now = now or timezone.now()
    count = 0
    surveys = Survey.objects.filter(
        status=Survey.Status.PUBLISHED, trigger=Survey.Trigger.ACTIVATION, archived_at__isnull=True
    ).exclude(first_published_at__isnull=True)
    for survey in surveys:
        delay = dt.timedelta(days=survey.trigger_days)
        done = set(
            SurveyInvitation.objects.filter(survey=survey, trigger_key__startswith="activation:").values_list(
                "trigger_key", flat=True
            )
        )
        customers = Customer.objects.filter(
            status=Customer.Status.ACTIVE,
            archived_at__isnull=True,
            activated_at__lte=now - delay,
            activated_at__gte=survey.first_published_at - delay,
        ).order_by("pk")
        for customer in customers:
            key = f"activation:{customer.pk}"
            if key in done:
                continue
            if invite_on_trigger(
                survey=survey,
                customer=customer,
                contact=None,
                origin=SurveyInvitation.Origin.ACTIVATION,
                trigger_key=key,
            ):
                count += 1
    return count


def invite_quarterly(*, today: dt.date | None = None) -> int:
    """The quarterly relationship survey: one contact of every active customer, once per quarter."""
    quarter = Period.current_quarter(today)
    count = 0
    surveys = Survey.objects.filter(
        status=Survey.Status.PUBLISHED, trigger=Survey.Trigger.QUARTERLY, archived_at__isnull=True
    ).exclude(current_version__isnull=True)
    for survey in surveys:
        prefix = f"quarterly:{quarter.label}:"
        done = set(
            SurveyInvitation.objects.filter(survey=survey, trigger_key__startswith=prefix).values_list(
                "trigger_key", flat=True
            )
        )
        # Whoever already answered this quarter (by phone, on paper…) is not asked again.
        answered = set(
            SurveyResponse.objects.filter(
                survey=survey, submitted_at__gte=quarter.start_at, customer__isnull=False
            ).values_list("customer_id", flat=True)
        )
        for customer in Customer.objects.filter(status=Customer.Status.ACTIVE, archived_at__isnull=True).order_by("pk"):
            key = f"{prefix}{customer.pk}"
            if key in done or customer.pk in answered:
                continue
            if invite_on_trigger(
                survey=survey,
                customer=customer,
                contact=None,
                origin=SurveyInvitation.Origin.QUARTERLY,
                trigger_key=key,
            ):
                count += 1
    return count


def _move_invitation(*, actor: Any, invitation: SurveyInvitation, to: str, note: str = "") -> SurveyInvitation:
    states.INVITATION.check(invitation.status, to)
    old = invitation.status
    invitation.status = to
    invitation.lock_version += 1
    now = timezone.now()
    fields = ["status", "lock_version", "updated_at"]
    stamp = {
        SurveyInvitation.Status.SENT: "sent_at",
        SurveyInvitation.Status.RESPONDED: "responded_at",
        SurveyInvitation.Status.CANCELLED: "cancelled_at",
    }.get(to)
    if stamp and getattr(invitation, stamp) is None:
        setattr(invitation, stamp, now)
        fields.append(stamp)
    invitation.save(update_fields=fields)
    audit.record_transition(actor=actor, obj=invitation, old=old, new=to, note=note)
    return invitation


@transaction.atomic
def invitation_cancel(*, actor: Any, invitation: SurveyInvitation, note: str = "") -> SurveyInvitation:
    invitation = core.lock(invitation)
    if invitation.status == SurveyInvitation.Status.CANCELLED:
        return invitation
    return _move_invitation(actor=actor, invitation=invitation, to=SurveyInvitation.Status.CANCELLED, note=note)


def _cancel_open_invitations(*, contact: Contact, note: str) -> int:
    count = 0
    for invitation in SurveyInvitation.objects.select_for_update().filter(
        contact=contact, status__in=[SurveyInvitation.Status.PENDING, SurveyInvitation.Status.SENT]
    ):
        _move_invitation(actor=None, invitation=invitation, to=SurveyInvitation.Status.CANCELLED, note=note)
        count += 1
    return count


@transaction.atomic
def invitation_opt_out(*, invitation: SurveyInvitation) -> Contact:
    """The contact followed the opt-out link: no more surveys, open invitations cancelled."""
    note = _("The contact opted out from the link in a survey invitation.")
    contact = contact_opt_out(actor=None, contact=invitation.contact, note=note)
    _cancel_open_invitations(contact=contact, note=note)
    return contact


def _send_email(invitation: SurveyInvitation, *, reminder: bool) -> None:
    survey = invitation.survey
    opt_out_url = invitation.public_url.rstrip("/") + "/opt-out/"
    with translation.override(survey.language):
        context = {
            "invitation": invitation,
            "survey": survey,
            "contact": invitation.contact,
            "manager": invitation.customer.account_manager,
            "url": invitation.public_url,
            "opt_out_url": opt_out_url,
            "reminder": reminder,
            "expires": date_format(timezone.localtime(invitation.expires_at), "SHORT_DATE_FORMAT"),
        }
        subject = (
            _("Reminder: %(title)s") % {"title": survey.title}
            if reminder
            else _("%(title)s: we would like to hear from you") % {"title": survey.title}
        )
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("surveys/email/invitation.txt", context),
            to=[invitation.contact.email],
            headers={
                "List-Unsubscribe": f"<{opt_out_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(render_to_string("surveys/email/invitation.html", context), "text/html")
        message.send()


def _may_still_send(invitation: SurveyInvitation) -> bool:
    if invitation.contact.may_be_surveyed and invitation.survey.accepts_responses:
        return True
    if not invitation.contact.may_be_surveyed:
        # Consent withdrawn or opted out since the invitation was made: honoured here too.
        _cancel_open_invitations(contact=invitation.contact, note=_("Not sent: the contact may no longer be surveyed."))
    return False


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """E-mail a queued invitation (idempotent: an invitation is e-mailed once)."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey", "contact", "customer__account_manager")
        .filter(pk=invitation_id, status=SurveyInvitation.Status.PENDING)
        .first()
    )
    if invitation is None or invitation.expires_at <= timezone.now() or not _may_still_send(invitation):
        return False
    _send_email(invitation, reminder=False)
    _move_invitation(actor=None, invitation=invitation, to=SurveyInvitation.Status.SENT)
    return True


@transaction.atomic
def invitation_remind(*, invitation_id: int) -> bool:
    """The one reminder of an unanswered invitation."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey", "contact", "customer__account_manager")
        .filter(pk=invitation_id, status=SurveyInvitation.Status.SENT, reminded_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= timezone.now() or not _may_still_send(invitation):
        return False
    _send_email(invitation, reminder=True)
    invitation.reminded_at = timezone.now()
    invitation.save(update_fields=["reminded_at", "updated_at"])
    audit.record(
        actor=None, obj=invitation, action=AuditAction.CHANGED, changes={"reminded_at": [None, invitation.reminded_at]}
    )
    return True


def invitations_remind_due(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due, and retry e-mails that did not leave."""
    now = now or timezone.now()
    sent = 0
    for pk in SurveyInvitation.objects.filter(
        status=SurveyInvitation.Status.PENDING, created_at__lte=now - SEND_RETRY_AFTER, expires_at__gt=now
    ).values_list("pk", flat=True):
        sent += invitation_send(invitation_id=pk)
    for survey in Survey.objects.filter(status=Survey.Status.PUBLISHED):
        due = SurveyInvitation.objects.filter(
            survey=survey,
            status=SurveyInvitation.Status.SENT,
            reminded_at__isnull=True,
            sent_at__lte=now - dt.timedelta(days=survey.reminder_days),
            expires_at__gt=now,
        ).values_list("pk", flat=True)
        for pk in due:
            sent += invitation_remind(invitation_id=pk)
    return sent


@transaction.atomic
def invitations_expire(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for invitation in SurveyInvitation.objects.select_for_update().filter(
        status__in=[SurveyInvitation.Status.PENDING, SurveyInvitation.Status.SENT], expires_at__lte=now
    ):
        _move_invitation(actor=None, invitation=invitation, to=SurveyInvitation.Status.EXPIRED)
        count += 1
    return count


def mark_opened(invitation: SurveyInvitation) -> None:
    if invitation.opened_at is None:
        SurveyInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


# --- responses ------------------------------------------------------------------------------


def _answers_audit(cleaned: validation.CleanAnswers) -> dict[str, Any]:
    return {
        str(q.position): value for q, (value, _number) in sorted(cleaned.values.items(), key=lambda i: i[0].position)
    }


def _store_response(
    *,
    actor: Any,
    survey: Survey,
    version: SurveyVersion,
    cleaned: validation.CleanAnswers,
    channel: str,
    submitted_at: dt.datetime,
    customer: Customer | None = None,
    contact: Contact | None = None,
    invitation: SurveyInvitation | None = None,
    note: str = "",
) -> SurveyResponse:
    if not cleaned.values:
        raise ValidationError({"answers": [_("Give at least one answer.")]})
    headline = cleaned.headline()
    if version.survey_id == survey.pk:
        version.survey = survey  # the audit names the version by its survey: no query to read it again
    response = SurveyResponse(
        survey=survey,
        version=version,
        invitation=invitation,
        customer=customer,
        contact=contact,
        channel=channel,
        submitted_at=submitted_at,
        complete=cleaned.complete,
        headline_question=headline[0] if headline else None,
        headline_value=headline[1] if headline else None,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    # The related records were read in this transaction: checking again that each exists would cost
    # a query per key, and the one response per invitation is the database's to enforce (below).
    response.full_clean(exclude=RELATED_FIELDS, validate_unique=False)
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError as exc:
        raise DomainError(_("These answers were already received.")) from exc
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=value, number=number)
        for question, (value, number) in cleaned.values.items()
    )
    values = {k: v for k, v in audit.snapshot(response).items() if v not in (None, "", [], False)}
    values["answers"] = _answers_audit(cleaned)
    audit.record(
        actor=actor, obj=response, action=AuditAction.CREATED, changes={k: [None, v] for k, v in values.items()}
    )
    if response.complete:
        _open_followup(actor=actor, response=response)
        events.survey_response_submitted.send(
            sender=SurveyResponse, response=response, customer=customer, contact=contact, actor=actor
        )
    return response


def _questions(version: SurveyVersion) -> list[Question]:
    return list(version.questions.order_by("position"))


@transaction.atomic
def response_submit(
    *, invitation: SurveyInvitation, raw: Mapping[int, Any], questions: list[Question] | None = None
) -> SurveyResponse:
    """Answers through an invitation's link. Sending twice stores one response. `questions`: those
    of the survey's current version as the page read them (a published version's questions are
    frozen), used when the version is still the current one, to save reading them again."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey__current_version", "contact", "customer")
        .get(pk=invitation.pk)
    )
    if invitation.status == SurveyInvitation.Status.RESPONDED:
        return invitation.response
    if not invitation.is_open or invitation.contact.survey_opt_out_at is not None:
        raise DomainError(_("This invitation can no longer be answered."))
    survey = invitation.survey
    if not survey.accepts_responses:
        raise DomainError(_("This survey is closed."))
    version = survey.current_version
    if not questions or any(q.version_id != version.pk for q in questions):
        questions = _questions(version)
    cleaned = validation.clean_answers(questions, raw, enforce_required=True)
    with audit.batch():  # the response's and the invitation's entries join the chain together, last
        response = _store_response(
            actor=None,
            survey=survey,
            version=version,
            cleaned=cleaned,
            channel=SurveyResponse.Channel.EMAIL,
            submitted_at=timezone.now(),
            customer=invitation.customer,
            contact=invitation.contact,
            invitation=invitation,
        )
        _move_invitation(actor=None, invitation=invitation, to=SurveyInvitation.Status.RESPONDED)
    return response


@transaction.atomic
def response_submit_open(*, survey: Survey, raw: Mapping[int, Any]) -> SurveyResponse:
    """An anonymous answer through the open link or QR code (kiosk): counted in results, not in SC."""
    survey = Survey.objects.select_related("current_version").get(pk=survey.pk)
    if not survey.accepts_responses or not survey.open_link_key:
        raise DomainError(_("This survey is closed."))
    version = survey.current_version
    cleaned = validation.clean_answers(_questions(version), raw, enforce_required=True)
    return _store_response(
        actor=None,
        survey=survey,
        version=version,
        cleaned=cleaned,
        channel=SurveyResponse.Channel.KIOSK,
        submitted_at=timezone.now(),
    )


def _version_answered(survey: Survey, question_ids: Iterable[int]) -> SurveyVersion:
    """The published version whose questions were answered (a response answers one version)."""
    ids = set(question_ids)
    found = list(Question.objects.filter(pk__in=ids, version__survey=survey).select_related("version"))
    unknown = ids - {q.pk for q in found}
    if unknown:
        raise ValidationError(
            {"answers": [_("Question %(id)s is not a question of this survey.") % {"id": pk} for pk in sorted(unknown)]}
        )
    versions = {q.version for q in found}
    if len(versions) != 1:
        raise ValidationError({"answers": [_("The answers mix questions of different versions of the survey.")]})
    version = versions.pop()
    if version.published_at is None:
        raise ValidationError({"answers": [_("These questions belong to a version that is not published yet.")]})
    return version


@transaction.atomic
def response_record(
    *,
    actor: Any,
    survey: Survey,
    raw: Mapping[int, Any],
    submitted_at: dt.datetime,
    channel: str,
    customer: Customer | None = None,
    contact: Contact | None = None,
    complete: bool = True,
    note: str = "",
    version: SurveyVersion | None = None,
) -> SurveyResponse:
    """Answers entered by staff (phone, paper, in person) or through the API, with the moment the
    customer really answered. `complete=False` stores a response with missing required answers."""
    if survey.current_version_id is None or survey.archived_at is not None:
        raise DomainError(_("Publish the survey before recording answers."))
    if channel not in SurveyResponse.Channel.values:
        raise ValidationError({"channel": [_("Choose a channel.")]})
    if contact is not None and customer is None:
        customer = contact.customer
    if version is None:
        if not raw:
            raise ValidationError({"answers": [_("Give at least one answer.")]})
        version = _version_answered(survey, raw.keys())
    cleaned = validation.clean_answers(_questions(version), raw, enforce_required=complete)
    return _store_response(
        actor=actor,
        survey=survey,
        version=version,
        cleaned=cleaned,
        channel=channel,
        submitted_at=submitted_at,
        customer=customer,
        contact=contact,
        note=note,
    )


@transaction.atomic
def response_void(*, actor: Any, response: SurveyResponse, note: str) -> SurveyResponse:
    """Take a wrongly entered response out of every figure; it stays in the records."""
    if not note.strip():
        raise ValidationError({"note": [_("Say why the response is withdrawn.")]})
    return core.archive(actor=actor, instance=response, note=note)


# --- closing the loop -----------------------------------------------------------------------


def followup_threshold(survey: Survey, question: Question) -> int:
    if survey.followup_threshold is not None:
        return survey.followup_threshold
    return (question.satisfied_min if question.satisfied_min is not None else question.scale_max or 0) - 1


def _quality_users() -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, groups__name=QUALITY).distinct())


def _open_followup(*, actor: Any, response: SurveyResponse) -> FollowUp | None:
    """A complete, identified response at or below the survey's threshold opens a follow-up for the
    customer's account manager (or the quality team when the customer has none)."""
    question = response.headline_question
    if response.customer is None or question is None or response.headline_value is None:
        return None
    if response.headline_value > followup_threshold(response.survey, question):
        return None
    customer = response.customer
    manager = customer.account_manager if customer.account_manager and customer.account_manager.is_active else None
    followup = core.save_new(
        actor=actor,
        instance=FollowUp(
            response=response,
            customer=customer,
            assigned_to=manager,
            due_date=timezone.localdate() + dt.timedelta(days=FOLLOWUP_DUE_DAYS),
        ),
    )
    score, scale_max, title = response.headline_value, question.scale_max, response.survey.title
    notifications.notify(
        recipients=[manager] if manager else _quality_users(),
        kind="surveys.followup",
        title=lambda: (
            _("Dissatisfied customer: %(customer)s answered %(score)s/%(max)s in “%(survey)s”")
            % {"customer": customer.name, "score": score, "max": scale_max, "survey": title}
        ),
        body=lambda: _("Contact the customer, find out what went wrong and record the outcome."),
        url=reverse("surveys:followup", args=[followup.pk]),
        target=followup,
        dedupe_key=f"surveys.followup:{followup.pk}",
    )
    return followup


@transaction.atomic
def followup_update(
    *, actor: Any, followup: FollowUp, data: Mapping[str, Any], expected_version: int | None = None
) -> FollowUp:
    return core.update_fields(
        actor=actor, instance=followup, data=_pick(data, FOLLOWUP_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def followup_transition(
    *,
    actor: Any,
    followup: FollowUp,
    to: str,
    note: str = "",
    resolution: str = "",
    expected_version: int | None = None,
) -> FollowUp:
    followup = core.lock(followup, expected_version)
    states.FOLLOWUP.check(followup.status, to)
    old = followup.status
    fields = ["status", "lock_version", "updated_at"]
    if to == FollowUp.Status.CLOSED:
        resolution = (resolution or followup.resolution).strip()
        if not resolution:
            raise ValidationError({"resolution": [_("Record what was done with the customer before closing.")]})
        followup.resolution = resolution
        followup.closed_at = timezone.now()
        followup.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        fields += ["resolution", "closed_at", "closed_by"]
    elif old == FollowUp.Status.CLOSED:
        followup.closed_at = None
        followup.closed_by = None
        fields += ["closed_at", "closed_by"]
    followup.status = to
    followup.lock_version += 1
    followup.save(update_fields=fields)
    audit.record_transition(actor=actor, obj=followup, old=old, new=to, note=note or resolution)
    return followup


# Response channel → the channel a complaint opened from it was received through.
COMPLAINT_CHANNELS = {
    SurveyResponse.Channel.EMAIL: "web",
    SurveyResponse.Channel.KIOSK: "web",
    SurveyResponse.Channel.PHONE: "phone",
    SurveyResponse.Channel.IN_PERSON: "meeting",
}


@transaction.atomic
def followup_to_complaint(*, actor: Any, followup: FollowUp) -> tuple[Any, bool]:
    """Open a complaint from the response behind the follow-up (once) and close the follow-up."""
    from clientela.feedback import selectors as feedback_selectors
    from clientela.feedback import services as feedback_services

    existing = feedback_selectors.feedback_for_source(followup.response).first()
    if existing is not None:
        return existing, False
    complaint = feedback_services.feedback_create(actor=actor, data=complaint_data(followup), source=followup.response)
    if followup.status != FollowUp.Status.CLOSED:
        followup_transition(
            actor=actor,
            followup=followup,
            to=FollowUp.Status.CLOSED,
            resolution=_("Handled as complaint %(number)s.") % {"number": complaint.number},
        )
    return complaint, True


def complaint_data(followup: FollowUp) -> dict[str, Any]:
    """What a complaint opened from this follow-up starts with (for feedback_create)."""
    response = followup.response
    lines = [
        f"{answer.question.position}. {answer.question.text}: {_answer_text(answer.value)}"
        for answer in response.answers.select_related("question").order_by("question__position")
    ]
    return {
        "kind": "complaint",
        "customer": followup.customer,
        "contact": response.contact,
        "channel": COMPLAINT_CHANNELS.get(response.channel, "other"),
        "received_at": response.submitted_at,
        "subject": _("Dissatisfaction in the survey “%(survey)s”") % {"survey": response.survey.title},
        "description": "\n".join(lines),
    }


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
