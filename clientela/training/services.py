"""Every write of the training module: competences and role requirements, courses, sessions and
attendance, competence evaluations, training needs, and the daily check of expiring competences."""

import calendar
import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clientela.core import audit, notifications, sequences
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.permissions import QUALITY

from . import states
from .models import (
    Attendance,
    Competence,
    CompetenceEvaluation,
    Course,
    RoleRequirement,
    TrainingNeed,
    TrainingSession,
)

COMPETENCE_FIELDS = ("code", "name", "description", "validity_months")
COURSE_FIELDS = (
    "code",
    "title",
    "objectives",
    "competences",
    "duration_hours",
    "modality",
    "provider",
    "provider_name",
    "is_active",
)
SESSION_FIELDS = ("starts_at", "duration_hours", "trainer", "trainer_name", "modality", "location", "notes")
EVALUATION_FIELDS = (
    "person",
    "competence",
    "session",
    "evaluator",
    "evaluated_on",
    "method",
    "level_before",
    "level_after",
    "result",
    "notes",
)
NEED_FIELDS = ("person", "competence", "source", "reason", "due_date")
EXPIRY_NOTICE_DAYS = 30


def _stored() -> translation.override:
    """Texts kept in records are written in the organisation's language, whoever's action wrote them."""
    return translation.override(settings.LANGUAGE_CODE)


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _set_origin(instance: Any, origin: models.Model | None) -> None:
    if origin is None:
        instance.origin_type, instance.origin_id, instance.origin_label = None, None, ""
    else:
        instance.origin_type = ContentType.objects.get_for_model(origin)
        instance.origin_id = origin.pk
        instance.origin_label = str(origin)[:200]


# --- competences and the role requirements --------------------------------------------------------


@transaction.atomic
def competence_create(*, actor: Any, data: dict[str, Any]) -> Competence:
    return core.save_new(actor=actor, instance=Competence(**_pick(data, COMPETENCE_FIELDS)))


@transaction.atomic
def competence_update(
    *, actor: Any, competence: Competence, data: dict[str, Any], expected_version: int | None = None
) -> Competence:
    return core.update_fields(
        actor=actor, instance=competence, data=_pick(data, COMPETENCE_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def competence_archive(*, actor: Any, competence: Competence) -> Competence:
    """Archive a competence no longer needed; its evaluations stay in people's records."""
    for requirement in RoleRequirement.objects.filter(competence=competence, archived_at__isnull=True):
        core.archive(actor=actor, instance=requirement)
    return core.archive(actor=actor, instance=competence)


@transaction.atomic
def requirement_set(*, actor: Any, role: str, competence: Competence, level: int | None) -> RoleRequirement | None:
    """Require `competence` of every person of `role` at `level`; None removes the requirement."""
    current = RoleRequirement.objects.filter(role=role, competence=competence, archived_at__isnull=True).first()
    if level is None:
        if current is not None:
            core.archive(actor=actor, instance=current)
        return None
    if current is None:
        return core.save_new(
            actor=actor, instance=RoleRequirement(role=role, competence=competence, required_level=level)
        )
    return core.update_fields(actor=actor, instance=current, data={"required_level": level})


# --- courses and sessions -----------------------------------------------------------------------


@transaction.atomic
def course_create(*, actor: Any, data: dict[str, Any]) -> Course:
    data = _pick(data, COURSE_FIELDS)
    competences = data.pop("competences", None)
    course = core.save_new(actor=actor, instance=Course(**data))
    if competences:
        course = core.update_fields(actor=actor, instance=course, data={"competences": list(competences)})
    return course


@transaction.atomic
def course_update(*, actor: Any, course: Course, data: dict[str, Any], expected_version: int | None = None) -> Course:
    return core.update_fields(
        actor=actor, instance=course, data=_pick(data, COURSE_FIELDS), expected_version=expected_version
    )


def course_archive(*, actor: Any, course: Course) -> Course:
    return core.archive(actor=actor, instance=course)


def _next_session_number(year: int) -> str:
    while True:
        number = f"FOR-{year}-{sequences.next_value(f'training-session-{year}'):04d}"
        if not TrainingSession.objects.filter(number=number).exists():
            return number


@transaction.atomic
def session_create(
    *, actor: Any, course: Course, data: dict[str, Any], origin: models.Model | None = None
) -> TrainingSession:
    data = _pick(data, SESSION_FIELDS)
    if not data.get("duration_hours"):
        data["duration_hours"] = course.duration_hours
    if not course.is_active:
        raise DomainError(_("The course is no longer offered."))
    session = TrainingSession(course=course, **data)
    starts = session.starts_at or timezone.now()
    session.number = _next_session_number(timezone.localtime(starts).year)
    _set_origin(session, origin)
    return core.save_new(actor=actor, instance=session)


@transaction.atomic
def session_update(
    *, actor: Any, session: TrainingSession, data: dict[str, Any], expected_version: int | None = None
) -> TrainingSession:
    if session.status == TrainingSession.Status.CANCELLED:
        raise DomainError(_("The session is cancelled: plan it again before changing it."))
    return core.update_fields(
        actor=actor, instance=session, data=_pick(data, SESSION_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def session_link_origin(*, actor: Any, session: TrainingSession, origin: models.Model | None) -> TrainingSession:
    """Make the session part of an action plan (or another record), or unlink it with None."""
    current = core.lock(session)
    before = audit.snapshot(current, ["origin_type", "origin_id", "origin_label"])
    _set_origin(current, origin)
    current.lock_version += 1
    current.save(update_fields=["origin_type", "origin_id", "origin_label", "lock_version", "updated_at"])
    audit.record_changed(actor=actor, obj=current, before=before)
    return current


@transaction.atomic
def session_transition(
    *, actor: Any, session: TrainingSession, to: str, note: str = "", expected_version: int | None = None
) -> TrainingSession:
    current = core.lock(session, expected_version)
    states.SESSION.check(current.status, to)
    if to == TrainingSession.Status.HELD and current.starts_at > timezone.now():
        raise DomainError(_("A session is recorded as held once it has started."))
    old = current.status
    current.status = to
    current.lock_version += 1
    current.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    if to == TrainingSession.Status.CANCELLED:
        with _stored():
            note = _("The planned session was cancelled.")
        for need in TrainingNeed.objects.filter(session=current, status=TrainingNeed.Status.PLANNED):
            need_transition(actor=actor, need=need, to=TrainingNeed.Status.OPEN, note=note)
    return current


# --- attendance ---------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *,
    actor: Any,
    session: TrainingSession,
    person: Any,
    status: str,
    hours: decimal.Decimal | None = None,
    note: str = "",
) -> Attendance:
    """Put a person on the session's list, or record whether they attended and for how long."""
    if session.status == TrainingSession.Status.CANCELLED:
        raise DomainError(_("The session is cancelled: attendance cannot be recorded."))
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Choose a valid attendance.")})
    if status != Attendance.Status.REGISTERED and session.starts_at > timezone.now():
        raise ValidationError({"status": _("Attendance is recorded once the session has started.")})
    if status == Attendance.Status.ATTENDED and hours is None:
        hours = session.duration_hours
    if status != Attendance.Status.ATTENDED:
        hours = None
    if hours is not None and hours > session.duration_hours:
        raise ValidationError(
            {"hours": _("More hours than the session lasted (%(hours)s h).") % {"hours": session.duration_hours}}
        )
    data = {"status": status, "hours": hours, "note": (note or "").strip()}
    current = Attendance.objects.filter(session=session, person=person).first()
    if current is None:
        return core.save_new(actor=actor, instance=Attendance(session=session, person=person, **data))
    return core.update_fields(actor=actor, instance=current, data=data)


@transaction.atomic
def attendance_bulk(
    *, actor: Any, session: TrainingSession, rows: Iterable[tuple[Any, str, decimal.Decimal | None]]
) -> int:
    """Record a whole attendance sheet at once; all or nothing, and every refused line is named.
    Returns the rows written."""
    count = 0
    problems: list[str] = []
    for person, status, hours in rows:
        try:
            with transaction.atomic():
                attendance_record(actor=actor, session=session, person=person, status=status, hours=hours)
        except ValidationError as exc:
            problems += [f"{person}: {message}" for message in exc.messages]
        else:
            count += 1
    if problems:
        raise ValidationError(problems)
    return count


# --- evaluations --------------------------------------------------------------------------------


def _check_evaluation(evaluation: CompetenceEvaluation) -> None:
    errors: dict[str, str] = {}
    if evaluation.evaluated_on and evaluation.evaluated_on > timezone.localdate():
        errors["evaluated_on"] = _("An evaluation is recorded after it happens: the date cannot be in the future.")
    if evaluation.evaluator_id and evaluation.evaluator_id == evaluation.person_id:
        errors["evaluator"] = _("A person cannot evaluate their own competence.")
    session = evaluation.session
    if session is not None:
        if session.status != TrainingSession.Status.HELD:
            errors["session"] = _("Only a session that was held can be evaluated.")
        elif not Attendance.objects.filter(
            session=session, person_id=evaluation.person_id, status=Attendance.Status.ATTENDED
        ).exists():
            errors["session"] = _("The person did not attend this session.")
        elif evaluation.evaluated_on and evaluation.evaluated_on < timezone.localtime(session.starts_at).date():
            errors["evaluated_on"] = _("The evaluation of a training's effectiveness comes after the training.")
    if evaluation.result == CompetenceEvaluation.Result.COMPETENT and evaluation.level_after == 1:
        errors["result"] = _("Level 1 (learning) is not yet competent.")
    if errors:
        raise ValidationError(errors)


def _validity(evaluation: CompetenceEvaluation) -> dt.date | None:
    months = evaluation.competence.validity_months
    if evaluation.result != CompetenceEvaluation.Result.COMPETENT or not months:
        return None
    return _add_months(evaluation.evaluated_on, months)


def _close_needs(*, actor: Any, evaluation: CompetenceEvaluation) -> None:
    if evaluation.result != CompetenceEvaluation.Result.COMPETENT:
        return
    with _stored():
        note = _("Evaluated competent on %(date)s.") % {
            "date": date_format(evaluation.evaluated_on, "SHORT_DATE_FORMAT")
        }
    for need in TrainingNeed.objects.filter(
        person_id=evaluation.person_id, competence_id=evaluation.competence_id, status__in=TrainingNeed.OPEN_STATUSES
    ):
        need_transition(actor=actor, need=need, to=TrainingNeed.Status.CLOSED, note=note)


@transaction.atomic
def evaluation_record(*, actor: Any, data: dict[str, Any]) -> CompetenceEvaluation:
    """Record an evaluation; a competent result sets its validity and meets the person's open needs
    for that competence."""
    data = _pick(data, EVALUATION_FIELDS)
    data.setdefault("evaluator", actor if getattr(actor, "is_authenticated", False) else None)
    data.setdefault("evaluated_on", timezone.localdate())
    evaluation = CompetenceEvaluation(**data)
    _check_evaluation(evaluation)
    if evaluation.competence_id:
        evaluation.valid_until = _validity(evaluation)
    evaluation = core.save_new(actor=actor, instance=evaluation)
    _close_needs(actor=actor, evaluation=evaluation)
    return evaluation


@transaction.atomic
def evaluation_update(
    *, actor: Any, evaluation: CompetenceEvaluation, data: dict[str, Any], expected_version: int | None = None
) -> CompetenceEvaluation:
    data = _pick(data, EVALUATION_FIELDS)
    probe = CompetenceEvaluation(**{**{f: getattr(evaluation, f) for f in EVALUATION_FIELDS}, **data})
    probe.pk = evaluation.pk
    _check_evaluation(probe)
    data["valid_until"] = _validity(probe)
    updated = core.update_fields(actor=actor, instance=evaluation, data=data, expected_version=expected_version)
    _close_needs(actor=actor, evaluation=updated)
    return updated


# --- training needs -----------------------------------------------------------------------------


@transaction.atomic
def need_create(*, actor: Any, data: dict[str, Any], origin: models.Model | None = None) -> TrainingNeed:
    data = _pick(data, NEED_FIELDS)
    need = TrainingNeed(raised_by=actor if getattr(actor, "is_authenticated", False) else None, **data)
    if need.person_id and need.competence_id:
        existing = TrainingNeed.objects.filter(
            person_id=need.person_id, competence_id=need.competence_id, status__in=TrainingNeed.OPEN_STATUSES
        ).exists()
        if existing:
            raise ValidationError({"competence": _("This person already has an open need for this competence.")})
    _set_origin(need, origin)
    return core.save_new(actor=actor, instance=need)


@transaction.atomic
def need_transition(
    *, actor: Any, need: TrainingNeed, to: str, session: TrainingSession | None = None, note: str = ""
) -> TrainingNeed:
    current = core.lock(need)
    states.NEED.check(current.status, to)
    if to == TrainingNeed.Status.PLANNED:
        if session is None:
            raise ValidationError({"session": _("Choose the session the need is planned in.")})
        if session.status != TrainingSession.Status.PLANNED:
            raise ValidationError({"session": _("Choose a session that is still planned.")})
    if (
        to == TrainingNeed.Status.OPEN
        and TrainingNeed.objects.filter(
            person_id=current.person_id, competence_id=current.competence_id, status__in=TrainingNeed.OPEN_STATUSES
        )
        .exclude(pk=current.pk)
        .exists()
    ):
        raise DomainError(_("This person already has another open need for this competence."))
    old = current.status
    current.status = to
    current.session = session if to == TrainingNeed.Status.PLANNED else current.session
    current.closed_at = timezone.now() if to in (TrainingNeed.Status.CLOSED, TrainingNeed.Status.CANCELLED) else None
    current.lock_version += 1
    current.save(update_fields=["status", "session", "closed_at", "lock_version", "updated_at"])
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    return current


# --- competences about to expire ----------------------------------------------------------------


def _expiry_title(person: Any, competence: Competence, until: dt.date, expired: bool) -> Callable[[], str]:
    """The notice's title, rendered later in each recipient's language."""

    def title() -> str:
        values = {"person": person, "competence": competence, "date": date_format(until, "SHORT_DATE_FORMAT")}
        if expired:
            return _("%(person)s: “%(competence)s” expired on %(date)s") % values
        return _("%(person)s: “%(competence)s” expires on %(date)s") % values

    return title


def competence_expiry_run(*, today: dt.date | None = None) -> int:
    """Daily: for every current competence that expires within 30 days or has expired, tell the person
    and the quality representatives (once per stage) and open a training need for its renewal.
    Idempotent: notices are de-duplicated and a person has one open need per competence."""
    from . import selectors

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    quality = list(get_user_model().objects.filter(is_active=True, groups__name=QUALITY))
    handled = 0
    for evaluation in selectors.current_evaluations():
        if evaluation.valid_until is None or evaluation.valid_until > horizon:
            continue
        if not evaluation.person.is_active:
            continue
        expired = evaluation.valid_until < today
        stage = "expired" if expired else "soon"
        person, competence = evaluation.person, evaluation.competence
        until = evaluation.valid_until
        notifications.notify(
            recipients=[person, *quality],
            kind="training.competence_expiry",
            title=_expiry_title(person, competence, until, expired),
            url=reverse("training:person", args=[person.pk]),
            target=evaluation,
            dedupe_key=f"training-expiry:{evaluation.pk}:{stage}",
        )
        with _stored():
            reason = _("Renew the competence before it expires on %(date)s.") % {
                "date": date_format(until, "SHORT_DATE_FORMAT")
            }
        try:
            with transaction.atomic():
                need_create(
                    actor=None,
                    data={
                        "person": person,
                        "competence": competence,
                        "source": TrainingNeed.Source.EXPIRY,
                        "reason": reason,
                        "due_date": until,
                    },
                )
        except (ValidationError, IntegrityError):
            pass  # an open need for it already exists
        handled += 1
    return handled
