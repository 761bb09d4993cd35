"""Training services: sessions, attendance, evaluations and validity, needs, expiry notices."""

import datetime as dt
import decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.core.errors import DomainError
from clientela.core.models import Notification
from clientela.customers.tests.factories import CustomerFactory
from clientela.training import selectors, services
from clientela.training.models import Attendance, CompetenceEvaluation, TrainingNeed, TrainingSession
from clientela.training.tests.factories import CompetenceFactory, CourseFactory, RequirementFactory, SessionFactory

pytestmark = pytest.mark.django_db


def evaluate(users, person, competence, *, session=None, on=None, level=3, result="competent", before=None):
    return services.evaluation_record(
        actor=users["quality"],
        data={
            "person": person,
            "competence": competence,
            "session": session,
            "evaluator": users["quality"],
            "evaluated_on": on or timezone.localdate(),
            "level_before": before,
            "level_after": level,
            "result": result,
        },
    )


def test_sessions_are_numbered_and_take_the_course_duration(users):
    course = CourseFactory(duration_hours=decimal.Decimal("8"))
    session = services.session_create(
        actor=users["quality"], course=course, data={"starts_at": timezone.now(), "trainer": users["quality"]}
    )
    assert session.number.startswith(f"FOR-{timezone.localdate().year}-") and session.duration_hours == 8


def test_a_session_needs_a_trainer(users):
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(actor=users["quality"], course=CourseFactory(), data={"starts_at": timezone.now()})
    assert "trainer" in excinfo.value.message_dict


def test_a_future_session_cannot_be_held_or_attended(users):
    session = SessionFactory(starts_at=timezone.now() + dt.timedelta(days=3), status="planned")
    with pytest.raises(DomainError):
        services.session_transition(actor=users["quality"], session=session, to="held")
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=users["quality"], session=session, person=users["customer_service"], status="attended"
        )
    line = services.attendance_record(
        actor=users["quality"], session=session, person=users["customer_service"], status="registered"
    )
    assert line.status == "registered"


def test_attendance_is_one_line_per_person_with_hours(users):
    session = SessionFactory()
    person = users["customer_service"]
    first = services.attendance_record(actor=users["quality"], session=session, person=person, status="attended")
    assert first.hours == 6
    again = services.attendance_record(
        actor=users["quality"], session=session, person=person, status="attended", hours=decimal.Decimal("4.5")
    )
    assert again.pk == first.pk and again.hours == decimal.Decimal("4.5")
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(actor=users["quality"], session=session, person=person, status="attended", hours=9)
    assert "hours" in excinfo.value.message_dict
    absent = services.attendance_record(
        actor=users["quality"], session=session, person=person, status="absent", hours=3
    )
    assert absent.hours is None
    assert Attendance.objects.count() == 1


def test_a_bulk_sheet_is_all_or_nothing(users):
    session = SessionFactory()
    rows = [
        (users["customer_service"], "attended", None),
        (users["account_manager"], "attended", decimal.Decimal("99")),
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_bulk(actor=users["quality"], session=session, rows=rows)
    assert excinfo.value.messages[0].startswith("Alicia Cuentas: ")
    assert not Attendance.objects.exists()


def test_a_competent_evaluation_is_valid_for_the_competence_months(users):
    competence = CompetenceFactory(validity_months=24)
    evaluation = evaluate(users, users["customer_service"], competence, on=dt.date(2026, 2, 28))
    assert evaluation.valid_until == dt.date(2028, 2, 28)
    failed = evaluate(users, users["customer_service"], competence, on=dt.date(2026, 3, 1), level=2, result="not_yet")
    assert failed.valid_until is None
    forever = evaluate(users, users["customer_service"], CompetenceFactory(validity_months=0))
    assert forever.valid_until is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"evaluated_on": dt.date.today() + dt.timedelta(days=2)}, "evaluated_on"),
        ({"evaluator": "self"}, "evaluator"),
        ({"level_after": 1, "result": "competent"}, "result"),
    ],
)
def test_bad_evaluations_are_refused_with_a_reason(users, change, field):
    data = {
        "person": users["customer_service"],
        "competence": CompetenceFactory(),
        "evaluator": users["quality"],
        "evaluated_on": timezone.localdate(),
        "level_after": 3,
        "result": "competent",
        **change,
    }
    if data["evaluator"] == "self":
        data["evaluator"] = users["customer_service"]
    with pytest.raises(ValidationError) as excinfo:
        services.evaluation_record(actor=users["quality"], data=data)
    assert field in excinfo.value.message_dict
    assert not CompetenceEvaluation.objects.exists()


def test_a_training_evaluation_needs_attendance(users):
    competence = CompetenceFactory()
    session = SessionFactory(course=CourseFactory(competences=[competence]))
    person = users["customer_service"]
    with pytest.raises(ValidationError) as excinfo:
        evaluate(users, person, competence, session=session)
    assert "session" in excinfo.value.message_dict
    services.attendance_record(actor=users["quality"], session=session, person=person, status="attended")
    assert evaluate(users, person, competence, session=session, before=1).level_gain == 2


def test_a_competent_evaluation_meets_the_open_need(users):
    competence = CompetenceFactory()
    person = users["customer_service"]
    need = services.need_create(
        actor=users["quality"], data={"person": person, "competence": competence, "reason": "Nueva incorporación"}
    )
    with pytest.raises(ValidationError):
        services.need_create(
            actor=users["quality"], data={"person": person, "competence": competence, "reason": "Otra"}
        )
    evaluate(users, person, competence, level=2, result="not_yet")
    need.refresh_from_db()
    assert need.status == "open"
    evaluate(users, person, competence)
    need.refresh_from_db()
    assert need.status == "closed" and need.closed_at


def test_planning_a_need_in_a_session_and_cancelling_the_session_reopens_it(users):
    competence = CompetenceFactory()
    session = SessionFactory(status="planned", starts_at=timezone.now() + dt.timedelta(days=10))
    need = services.need_create(
        actor=users["quality"],
        data={"person": users["operations"], "competence": competence, "reason": "Hueco en la matriz"},
    )
    with pytest.raises(ValidationError):
        services.need_transition(actor=users["quality"], need=need, to="planned")
    need = services.need_transition(actor=users["quality"], need=need, to="planned", session=session)
    assert need.session == session
    services.session_transition(actor=users["quality"], session=session, to="cancelled")
    need.refresh_from_db()
    assert need.status == "open"


def test_a_session_can_belong_to_an_action_plan_without_importing_it(users):
    session = SessionFactory()
    plan = CustomerFactory(name="PA-2026-0007 Respuestas lentas")  # any record stands in for the plan
    services.session_link_origin(actor=users["quality"], session=session, origin=plan)
    session.refresh_from_db()
    assert session.origin == plan and session.origin_label.startswith("PA-2026-0007")
    assert list(selectors.sessions_for_origin(plan)) == [session]
    services.session_link_origin(actor=users["quality"], session=session, origin=None)
    assert not selectors.sessions_for_origin(plan).exists()


def test_the_expiry_job_notifies_once_per_stage_and_opens_one_need(users):
    competence = CompetenceFactory(validity_months=12, name="RGPD")
    person = users["customer_service"]
    evaluate(users, person, competence, on=dt.date(2025, 6, 10))
    with time_machine.travel(dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC), tick=False):
        assert services.competence_expiry_run() == 0
    with time_machine.travel(dt.datetime(2026, 5, 20, 8, tzinfo=dt.UTC), tick=False):
        assert services.competence_expiry_run() == 1
        assert services.competence_expiry_run() == 1
    notes = Notification.objects.filter(kind="training.competence_expiry")
    assert set(notes.values_list("recipient__username", flat=True)) == {person.username, users["quality"].username}
    assert notes.count() == 2
    assert TrainingNeed.objects.filter(person=person, competence=competence, source="expiry").count() == 1
    with time_machine.travel(dt.datetime(2026, 6, 20, 8, tzinfo=dt.UTC), tick=False):
        services.competence_expiry_run()
    assert notes.count() == 4  # "expired" is a new stage
    assert TrainingNeed.objects.filter(person=person, competence=competence).count() == 1


@pytest.mark.parametrize(
    ("valid_until_in", "level", "result", "state"),
    [
        (None, 3, "competent", "ok"),
        (61, 3, "competent", "ok"),
        (60, 3, "competent", "expiring"),
        (0, 3, "competent", "expiring"),
        (-1, 3, "competent", "expired"),
        (None, 2, "competent", "gap"),
        (None, 3, "not_yet", "gap"),
    ],
)
def test_matrix_cells_at_their_boundaries(users, valid_until_in, level, result, state):
    today = dt.date(2026, 6, 1)
    evaluation = CompetenceEvaluation(
        level_after=level,
        result=result,
        valid_until=today + dt.timedelta(days=valid_until_in) if valid_until_in is not None else None,
    )
    assert selectors.cell_for(evaluation, 3, today).state == state
    assert selectors.cell_for(None, 3, today).state == "none"


def test_the_matrix_shows_each_role_with_its_people(users):
    complaints = RequirementFactory(role="customer_service", required_level=3).competence
    evaluate(users, users["customer_service"], complaints, level=3)
    matrix = {block.role: block for block in selectors.competence_matrix()}
    block = matrix["customer_service"]
    assert [p.username for p, _cells in block.rows] == ["carlos"]
    assert block.rows[0][1][0].state == "ok" and block.coverage.value == 100.0
    assert matrix["operations"].requirements == []


def test_the_latest_evaluation_is_the_current_competence(users):
    competence = CompetenceFactory()
    person = users["customer_service"]
    evaluate(users, person, competence, on=dt.date(2026, 1, 1), level=3)
    evaluate(users, person, competence, on=dt.date(2026, 3, 1), level=2, result="not_yet")
    current = selectors.current_evaluations([person.pk])
    assert len(current) == 1 and current[0].level_after == 2


def test_effectiveness_counts_evaluations_after_training(users):
    competence = CompetenceFactory()
    session = SessionFactory(course=CourseFactory(competences=[competence]))
    for role in ("customer_service", "account_manager", "operations"):
        services.attendance_record(actor=users["quality"], session=session, person=users[role], status="attended")
    evaluate(users, users["customer_service"], competence, session=session, before=1, level=3)
    evaluate(users, users["account_manager"], competence, session=session, before=2, level=3)
    evaluate(users, users["operations"], competence, session=session, before=1, level=2, result="not_yet")
    evaluate(users, users["operations"], competence, level=2, result="not_yet")  # not after training
    evaluations = list(selectors.evaluation_list(user=None))
    ratio = selectors.effectiveness(evaluations)
    assert (ratio.numerator, ratio.denominator) == (2, 3)
    assert selectors.mean_gain(evaluations) == pytest.approx(1.33, abs=0.01)
    assert TrainingSession.objects.get().attendances.count() == 3
