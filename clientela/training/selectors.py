"""Reads of the training module: staff, current competences and the competence matrix, training
records per person, effectiveness of training, and what the home page shows."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clientela.core.periods import Ratio
from clientela.core.permissions import ADMIN, Role, has_perm

from .models import (
    Attendance,
    Competence,
    CompetenceEvaluation,
    Course,
    RoleRequirement,
    TrainingNeed,
    TrainingSession,
)

EXPIRING_DAYS = 60
STAFF_ROLES = [r for r in Role.values if r != ADMIN]


# --- staff --------------------------------------------------------------------------------------


def staff(*, role: str | None = None) -> QuerySet:
    """Active people who hold at least one role of the process (SPEC §2)."""
    qs = get_user_model().objects.filter(is_active=True, groups__name__in=[role] if role else STAFF_ROLES)
    return qs.distinct().prefetch_related("groups").order_by("first_name", "last_name", "username")


def person_get(*, user: Any, pk: int) -> Any:
    """A person's training record is theirs to see; all records are for quality and management.
    404 for both "not yours" and "not there"."""
    person = get_object_or_404(get_user_model().objects.prefetch_related("groups"), pk=pk)
    if not (has_perm(user, "training.view") or has_perm(user, "training.view_own", person)):
        raise Http404
    return person


def roles_of_person(person: Any) -> list[str]:
    return [g.name for g in person.groups.all() if g.name in STAFF_ROLES]


# --- records ------------------------------------------------------------------------------------


def competence_list(*, user: Any) -> QuerySet[Competence]:
    return Competence.objects.filter(archived_at__isnull=True).prefetch_related(
        Prefetch("requirements", queryset=RoleRequirement.objects.filter(archived_at__isnull=True))
    )


def competence_get(*, user: Any, pk: int) -> Competence:
    return get_object_or_404(Competence, pk=pk, archived_at__isnull=True)


def requirements() -> list[RoleRequirement]:
    return list(RoleRequirement.objects.filter(archived_at__isnull=True).select_related("competence"))


def course_list(*, user: Any) -> QuerySet[Course]:
    return (
        Course.objects.filter(archived_at__isnull=True)
        .prefetch_related("competences")
        .annotate(
            session_count=models.Count("sessions", distinct=True),
            last_session=models.Max("sessions__starts_at", filter=models.Q(sessions__status="held")),
        )
    )


def course_get(*, user: Any, pk: int) -> Course:
    return get_object_or_404(Course.objects.prefetch_related("competences"), pk=pk, archived_at__isnull=True)


def session_list(*, user: Any) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.filter(archived_at__isnull=True)
        .select_related("course", "trainer")
        .annotate(
            attendee_count=models.Count("attendances", filter=models.Q(attendances__status="attended"), distinct=True)
        )
    )


def session_get(*, user: Any, pk: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.select_related("course", "trainer", "origin_type").prefetch_related(
            "course__competences"
        ),
        pk=pk,
    )


def sessions_for_origin(origin: models.Model) -> QuerySet[TrainingSession]:
    """The training sessions that belong to an action plan (or any other record)."""
    ct = ContentType.objects.get_for_model(origin)
    return session_list(user=None).filter(origin_type=ct, origin_id=origin.pk).order_by("starts_at")


def needs_for_origin(origin: models.Model) -> QuerySet[TrainingNeed]:
    ct = ContentType.objects.get_for_model(origin)
    return need_list(user=None).filter(origin_type=ct, origin_id=origin.pk)


def attendance_sheet(session: TrainingSession) -> list[dict[str, Any]]:
    """Every staff member with their attendance on the session (None if not on the list)."""
    recorded = {a.person_id: a for a in session.attendances.all()}
    people = list(staff())
    listed = {p.pk for p in people}
    extra = [a.person for a in recorded.values() if a.person_id not in listed]
    return [{"person": p, "attendance": recorded.get(p.pk)} for p in [*people, *extra]]


def evaluation_list(*, user: Any) -> QuerySet[CompetenceEvaluation]:
    return CompetenceEvaluation.objects.filter(archived_at__isnull=True).select_related(
        "person", "competence", "evaluator", "session", "session__course"
    )


def evaluation_get(*, user: Any, pk: int) -> CompetenceEvaluation:
    return get_object_or_404(evaluation_list(user=user), pk=pk)


def need_list(*, user: Any) -> QuerySet[TrainingNeed]:
    return TrainingNeed.objects.filter(archived_at__isnull=True).select_related(
        "person", "competence", "session", "session__course", "raised_by"
    )


def need_get(*, user: Any, pk: int) -> TrainingNeed:
    return get_object_or_404(need_list(user=user), pk=pk)


# --- current competences and the matrix ---------------------------------------------------------


def current_evaluations(people: Iterable[int] | None = None) -> list[CompetenceEvaluation]:
    """Each person's latest evaluation of each competence (what they hold now), in one query."""
    qs = evaluation_list(user=None).filter(competence__archived_at__isnull=True)
    if people is not None:
        qs = qs.filter(person_id__in=list(people))
    latest: dict[tuple[int, int], CompetenceEvaluation] = {}
    for evaluation in qs.order_by("person_id", "competence_id", "-evaluated_on", "-id"):
        latest.setdefault((evaluation.person_id, evaluation.competence_id), evaluation)
    return list(latest.values())


@dataclass(frozen=True)
class Cell:
    """One person × competence of the matrix: a state (ok, expiring, gap, expired, none) shown by
    colour and always by text."""

    state: str
    label: str
    evaluation: CompetenceEvaluation | None
    required: int | None
    competence_id: int | None = None

    @property
    def detail(self) -> str:
        e = self.evaluation
        if e is None:
            return ""
        parts = [_("level %(level)s") % {"level": e.level_after}]
        if self.required:
            parts[0] = _("level %(level)s of %(required)s") % {"level": e.level_after, "required": self.required}
        if e.valid_until:
            parts.append(_("valid until %(date)s") % {"date": date_format(e.valid_until, "SHORT_DATE_FORMAT")})
        return " · ".join(parts)


def cell_for(
    evaluation: CompetenceEvaluation | None,
    required: int | None,
    today: dt.date | None = None,
    competence_id: int | None = None,
) -> Cell:
    today = today or timezone.localdate()
    competence_id = competence_id or (evaluation.competence_id if evaluation else None)
    if evaluation is None:
        return Cell("none", _("Not evaluated"), None, required, competence_id)
    if evaluation.valid_until and evaluation.valid_until < today:
        return Cell("expired", pgettext("competence", "Expired"), evaluation, required, competence_id)
    below = required is not None and evaluation.level_after < required
    if evaluation.result != CompetenceEvaluation.Result.COMPETENT or below:
        return Cell("gap", _("Below the required level"), evaluation, required, competence_id)
    if evaluation.valid_until and evaluation.valid_until <= today + dt.timedelta(days=EXPIRING_DAYS):
        return Cell("expiring", _("Expires soon"), evaluation, required, competence_id)
    return Cell("ok", _("Meets"), evaluation, required, competence_id)


@dataclass
class MatrixRole:
    role: str
    label: str
    requirements: list[RoleRequirement]
    rows: list[tuple[Any, list[Cell]]]

    @property
    def coverage(self) -> Ratio:
        cells = [c for _person, row in self.rows for c in row]
        return Ratio(sum(1 for c in cells if c.state in ("ok", "expiring")), len(cells))


def competence_matrix(*, role: str | None = None, today: dt.date | None = None) -> list[MatrixRole]:
    """Per role of SPEC §2: the competences it requires and where each of its people stands."""
    today = today or timezone.localdate()
    by_role: dict[str, list[RoleRequirement]] = defaultdict(list)
    for requirement in sorted(requirements(), key=lambda r: r.competence.code):
        by_role[requirement.role].append(requirement)
    people = list(staff())
    current = {(e.person_id, e.competence_id): e for e in current_evaluations(p.pk for p in people)}
    matrix = []
    for code in STAFF_ROLES:
        if role and code != role:
            continue
        members = [p for p in people if code in roles_of_person(p)]
        needed = by_role.get(code, [])
        rows = [
            (
                p,
                [
                    cell_for(current.get((p.pk, r.competence_id)), r.required_level, today, r.competence_id)
                    for r in needed
                ],
            )
            for p in members
        ]
        matrix.append(MatrixRole(code, str(Role(code).label), needed, rows))
    return matrix


# --- a person's record ------------------------------------------------------------------------------


def effectiveness(evaluations: Iterable[CompetenceEvaluation]) -> Ratio:
    """Training effectiveness (ISO 9001 7.2 c): of the evaluations made after a training session,
    those that found the person competent."""
    after = [e for e in evaluations if e.session_id]
    return Ratio(sum(1 for e in after if e.result == CompetenceEvaluation.Result.COMPETENT), len(after))


def mean_gain(evaluations: Iterable[CompetenceEvaluation]) -> float | None:
    gains = [e.level_gain for e in evaluations if e.session_id and e.level_gain is not None]
    return round(sum(gains) / len(gains), 2) if gains else None


def training_hours(person: Any, *, since: dt.datetime | None = None) -> Decimal:
    qs = Attendance.objects.filter(person=person, status=Attendance.Status.ATTENDED)
    if since is not None:
        qs = qs.filter(session__starts_at__gte=since)
    return qs.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def person_record(person: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    roles = roles_of_person(person)
    required = defaultdict(int)
    for requirement in RoleRequirement.objects.filter(role__in=roles, archived_at__isnull=True):
        required[requirement.competence_id] = max(required[requirement.competence_id], requirement.required_level)
    evaluations = list(evaluation_list(user=None).filter(person=person).order_by("-evaluated_on", "-id"))
    current = {e.competence_id: e for e in current_evaluations([person.pk])}
    competence_ids = set(required) | set(current)
    competences = {c.pk: c for c in Competence.objects.filter(pk__in=competence_ids, archived_at__isnull=True)}
    holdings = sorted(
        (
            (competences[cid], cell_for(current.get(cid), required.get(cid), today, cid))
            for cid in competence_ids
            if cid in competences
        ),
        key=lambda pair: pair[0].code,
    )
    year_ago = timezone.now() - dt.timedelta(days=365)
    attendances = list(
        Attendance.objects.filter(person=person)
        .select_related("session", "session__course")
        .order_by("-session__starts_at")
    )
    return {
        "person": person,
        "roles": roles,
        "holdings": holdings,
        "attendances": attendances,
        "received": [a for a in attendances if a.session.status == TrainingSession.Status.HELD],
        "evaluations": evaluations,
        "needs": list(need_list(user=None).filter(person=person).order_by("status", "due_date")),
        "hours_12m": sum(
            (a.hours or 0 for a in attendances if a.session.starts_at >= year_ago and a.hours), Decimal("0")
        ),
        "hours_total": sum((a.hours or 0 for a in attendances if a.hours), Decimal("0")),
        "effectiveness": effectiveness(evaluations),
        "mean_gain": mean_gain(evaluations),
        "upcoming": [
            a
            for a in attendances
            if a.session.status == TrainingSession.Status.PLANNED and a.session.starts_at >= timezone.now()
        ],
    }


def people_summary() -> list[dict[str, Any]]:
    """Every staff member with hours in 12 months, competence states and training effectiveness."""
    people = list(staff())
    ids = [p.pk for p in people]
    year_ago = timezone.now() - dt.timedelta(days=365)
    hours = dict(
        Attendance.objects.filter(
            person_id__in=ids, status=Attendance.Status.ATTENDED, session__starts_at__gte=year_ago
        )
        .values("person_id")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "total")
    )
    required: dict[str, dict[int, int]] = defaultdict(dict)
    for r in requirements():
        required[r.role][r.competence_id] = r.required_level
    current = defaultdict(dict)
    for evaluation in current_evaluations(ids):
        current[evaluation.person_id][evaluation.competence_id] = evaluation
    after_training = defaultdict(list)
    for evaluation in CompetenceEvaluation.objects.filter(
        person_id__in=ids, session__isnull=False, archived_at__isnull=True
    ):
        after_training[evaluation.person_id].append(evaluation)
    rows = []
    today = timezone.localdate()
    for person in people:
        needed: dict[int, int] = {}
        for role in roles_of_person(person):
            for cid, level in required[role].items():
                needed[cid] = max(needed.get(cid, 0), level)
        states = [cell_for(current[person.pk].get(cid), level, today).state for cid, level in needed.items()]
        rows.append(
            {
                "person": person,
                "roles": roles_of_person(person),
                "hours": hours.get(person.pk) or Decimal("0"),
                "required": len(states),
                "met": sum(1 for s in states if s in ("ok", "expiring")),
                "expiring": sum(1 for s in states if s == "expiring"),
                "problems": sum(1 for s in states if s in ("gap", "expired", "none")),
                "effectiveness": effectiveness(after_training[person.pk]),
            }
        )
    return rows


def expiring_competences(
    *, within_days: int = EXPIRING_DAYS, today: dt.date | None = None
) -> list[CompetenceEvaluation]:
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    return sorted(
        (
            e
            for e in current_evaluations()
            if e.valid_until is not None and e.valid_until <= horizon and e.person.is_active
        ),
        key=lambda e: e.valid_until,
    )


# --- home widgets ------------------------------------------------------------------------------------


def home_expiring(*, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    items = expiring_competences(today=today)
    return {"items": items[:8], "count": len(items), "today": today}


def home_my_training(*, user: Any) -> dict[str, Any]:
    record = person_record(user)
    return {
        "upcoming": record["upcoming"][:5],
        "holdings": [h for h in record["holdings"] if h[1].state != "ok"][:6],
        "hours_12m": record["hours_12m"],
        "open_needs": [n for n in record["needs"] if n.status in TrainingNeed.OPEN_STATUSES][:5],
    }
