"""SPEC §5 contract for the training resources."""

import datetime as dt

import pytest
from django.utils import timezone

from clientela.training import services
from clientela.training.models import Attendance
from clientela.training.tests.factories import CompetenceFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_courses_and_sessions(api_as, users):
    competence = CompetenceFactory()
    api = api_as("quality")
    course = api.post(
        "/api/v1/courses/",
        {
            "code": "cur-rgpd",
            "title": "RGPD en atención al cliente",
            "duration_hours": "3",
            "competences": [competence.pk],
        },
        format="json",
    )
    assert course.status_code == 201 and course.json()["code"] == "CUR-RGPD"
    when = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    session = api.post(
        "/api/v1/training-sessions/",
        {"course": course.json()["id"], "starts_at": when, "trainer_name": "Lex Privacy"},
        format="json",
    )
    assert (
        session.status_code == 201
        and session.json()["duration_hours"] == "3.0"
        and session.json()["status"] == "planned"
    )
    pk = session.json()["id"]
    assert api.post(f"/api/v1/training-sessions/{pk}/transition/", {"to": "held"}, format="json").status_code == 200
    assert api.post(f"/api/v1/training-sessions/{pk}/transition/", {"to": "planned"}, format="json").status_code == 409
    missing = api.post("/api/v1/training-sessions/", {"course": course.json()["id"], "starts_at": when}, format="json")
    assert missing.status_code == 400 and "trainer" in missing.json()
    assert api_as("management").post("/api/v1/courses/", {"code": "X", "title": "X"}, format="json").status_code == 403


def test_attendance_and_evaluation_through_the_api(api_as, users):
    competence = CompetenceFactory(validity_months=12)
    session = SessionFactory(course=CourseFactory(competences=[competence]))
    api = api_as("quality")
    line = api.post(
        "/api/v1/attendances/",
        {"session": session.pk, "person": users["customer_service"].pk, "status": "attended"},
        format="json",
    )
    assert line.status_code == 201 and line.json()["hours"] == "6.0"
    again = api.post(
        "/api/v1/attendances/",
        {"session": session.pk, "person": users["customer_service"].pk, "status": "attended", "hours": "5"},
        format="json",
    )
    assert again.status_code == 201 and again.json()["id"] == line.json()["id"] and Attendance.objects.count() == 1
    evaluation = api.post(
        "/api/v1/competence-evaluations/",
        {
            "person": users["customer_service"].pk,
            "competence": competence.pk,
            "session": session.pk,
            "level_before": 1,
            "level_after": 3,
            "result": "competent",
        },
        format="json",
    )
    assert evaluation.status_code == 201
    body = evaluation.json()
    assert body["evaluator"] == users["quality"].pk and body["valid_until"]
    bad = api.post(
        "/api/v1/competence-evaluations/",
        {
            "person": users["operations"].pk,
            "competence": competence.pk,
            "session": session.pk,
            "level_after": 3,
            "result": "competent",
        },
        format="json",
    )
    assert bad.status_code == 400 and "session" in bad.json()


def test_people_read_only_their_own_records(api_as, users):
    competence = CompetenceFactory()
    for role in ("customer_service", "operations"):
        services.evaluation_record(
            actor=users["quality"],
            data={
                "person": users[role],
                "competence": competence,
                "evaluator": users["quality"],
                "level_after": 3,
                "result": "competent",
            },
        )
    mine = api_as("customer_service").get("/api/v1/competence-evaluations/").json()
    assert mine["count"] == 1 and mine["results"][0]["person"] == users["customer_service"].pk
    other_id = (
        api_as("quality")
        .get("/api/v1/competence-evaluations/", {"person": users["operations"].pk})
        .json()["results"][0]["id"]
    )
    assert api_as("customer_service").get(f"/api/v1/competence-evaluations/{other_id}/").status_code == 404
    own_id = mine["results"][0]["id"]
    assert api_as("customer_service").get(f"/api/v1/competence-evaluations/{own_id}/").status_code == 200
    assert api_as("quality").get("/api/v1/competence-evaluations/").json()["count"] == 2
    assert api_as("customer_service").get("/api/v1/courses/").status_code == 403
    assert (
        api_as("customer_service")
        .post(
            "/api/v1/competence-evaluations/",
            {
                "person": users["customer_service"].pk,
                "competence": competence.pk,
                "level_after": 4,
                "result": "competent",
            },
            format="json",
        )
        .status_code
        == 403
    )


def test_needs_through_the_api(api_as, users):
    competence = CompetenceFactory()
    api = api_as("quality")
    need = api.post(
        "/api/v1/training-needs/",
        {"person": users["operations"].pk, "competence": competence.pk, "reason": "Hueco en la matriz"},
        format="json",
    )
    assert need.status_code == 201 and need.json()["status"] == "open"
    duplicate = api.post(
        "/api/v1/training-needs/",
        {"person": users["operations"].pk, "competence": competence.pk, "reason": "Otra vez"},
        format="json",
    )
    assert duplicate.status_code == 400 and "competence" in duplicate.json()
    session = SessionFactory(status="planned", starts_at=timezone.now() + dt.timedelta(days=4))
    planned = api.post(
        f"/api/v1/training-needs/{need.json()['id']}/transition/",
        {"to": "planned", "session": session.pk},
        format="json",
    )
    assert planned.status_code == 200 and planned.json()["session"] == session.pk
