"""Training pages: permissions per role, own record, recording a session with attendance and an
evaluation, the competence matrix and query counts."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clientela.training import services
from clientela.training.models import Attendance, CompetenceEvaluation, RoleRequirement, TrainingNeed, TrainingSession
from clientela.training.tests.factories import CompetenceFactory, CourseFactory, RequirementFactory, SessionFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "training:sessions",
    "training:courses",
    "training:evaluations",
    "training:matrix",
    "training:competences",
    "training:needs",
    "training:people",
]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("management", 200),
        ("quality", 200),
        ("sales_manager", 403),
        ("account_manager", 403),
        ("customer_service", 403),
        ("operations", 403),
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_whole_records_are_for_quality_and_management(client_as, role, status, page):
    assert client_as(role).get(reverse(page)).status_code == status


@pytest.mark.parametrize(
    "role", ["management", "quality", "sales_manager", "account_manager", "customer_service", "operations"]
)
def test_everyone_sees_their_own_record(client_as, users, role):
    client = client_as(role)
    assert client.get(reverse("training:me")).status_code == 200
    assert client.get(reverse("training:person", args=[users[role].pk])).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"), [("customer_service", 404), ("operations", 404), ("quality", 200), ("management", 200)]
)
def test_others_records_are_hidden_from_who_may_not_see_them(client_as, users, role, status):
    assert client_as(role).get(reverse("training:person", args=[users["account_manager"].pk])).status_code == status
    assert client_as(role).get(reverse("training:person", args=[999999])).status_code == 404


def test_only_quality_records_training(client_as):
    for name in (
        "training:session_create",
        "training:course_create",
        "training:evaluation_create",
        "training:need_create",
    ):
        assert client_as("management").get(reverse(name)).status_code == 403
        assert client_as("quality").get(reverse(name)).status_code == 200


def test_recording_a_session_with_attendance_and_an_evaluation(client_as, users):
    competence = CompetenceFactory(name="Gestión de quejas según ISO 10002", validity_months=24)
    course = CourseFactory(title="Gestión de quejas según ISO 10002", competences=[competence])
    client = client_as("quality")
    when = timezone.localtime() - dt.timedelta(days=2)
    response = client.post(
        reverse("training:session_create"),
        {
            "course": course.pk,
            "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "trainer": users["quality"].pk,
            "modality": "in_person",
            "location": "Sala 2",
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    client.post(reverse("training:session_transition", args=[session.pk]), {"to": "held"})
    session.refresh_from_db()
    assert session.status == "held"
    carlos, alice = users["customer_service"], users["account_manager"]
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {f"status_{carlos.pk}": "attended", f"hours_{carlos.pk}": "", f"status_{alice.pk}": "absent"},
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("person__username", "status")) == {
        "carlos": "attended",
        "alice": "absent",
    }
    response = client.post(
        reverse("training:evaluation_create"),
        {
            "person": carlos.pk,
            "competence": competence.pk,
            "session": session.pk,
            "evaluated_on": timezone.localdate().isoformat(),
            "evaluator": users["quality"].pk,
            "method": "case_review",
            "level_before": "1",
            "level_after": "3",
            "result": "competent",
        },
    )
    assert response.status_code == 302
    evaluation = CompetenceEvaluation.objects.get()
    assert evaluation.valid_until and evaluation.level_gain == 2
    page = client.get(session.get_absolute_url())
    assert "Carlos" in page.text and "100" in page.text
    refused = client.post(
        reverse("training:evaluation_create"),
        {
            "person": alice.pk,
            "competence": competence.pk,
            "session": session.pk,
            "evaluated_on": timezone.localdate().isoformat(),
            "evaluator": users["quality"].pk,
            "method": "test",
            "level_after": "3",
            "result": "competent",
        },
    )
    assert refused.status_code == 200 and "session" in refused.context["form"].errors


def test_editing_the_role_requirements(client_as):
    competence = CompetenceFactory()
    client = client_as("quality")
    page = client.get(reverse("training:requirements"))
    assert page.status_code == 200
    response = client.post(
        reverse("training:requirements"),
        {f"req_customer_service_{competence.pk}": "3", f"req_operations_{competence.pk}": ""},
    )
    assert response.status_code == 302
    assert list(RoleRequirement.objects.filter(archived_at__isnull=True).values_list("role", "required_level")) == [
        ("customer_service", 3)
    ]
    client.post(reverse("training:requirements"), {f"req_customer_service_{competence.pk}": ""})
    assert not RoleRequirement.objects.filter(archived_at__isnull=True).exists()


def test_the_matrix_shows_text_with_colour_and_offers_needs(client_as, users):
    requirement = RequirementFactory(role="customer_service", required_level=3)
    page = client_as("quality").get(reverse("training:matrix"), {"role": "customer_service"})
    assert "cell-none" in page.text and reverse("training:need_create") in page.text
    assert requirement.competence.name in page.text and "Carlos" in page.text
    assert client_as("quality").get(reverse("training:matrix"), {"role": "nonsense"}).status_code == 200


def test_planning_and_cancelling_needs_from_the_list(client_as, users):
    need = services.need_create(
        actor=users["quality"],
        data={"person": users["operations"], "competence": CompetenceFactory(), "reason": "Hueco"},
    )
    session = SessionFactory(status="planned", starts_at=timezone.now() + dt.timedelta(days=5))
    client = client_as("quality")
    assert client.get(reverse("training:need_transition", args=[need.pk])).status_code == 200
    client.post(reverse("training:need_transition", args=[need.pk]), {"to": "planned", "session": session.pk})
    need.refresh_from_db()
    assert need.status == "planned"
    client.post(reverse("training:need_transition", args=[need.pk]), {"to": "cancelled"})
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.CANCELLED


def test_lists_and_record_need_fixed_queries(client_as, users, django_assert_max_num_queries):
    def grow(n):
        competence = CompetenceFactory()
        RequirementFactory(role="customer_service", competence=competence)
        for _ in range(n):
            session = SessionFactory(course=CourseFactory(competences=[competence]))
            services.attendance_record(
                actor=users["quality"], session=session, person=users["customer_service"], status="attended"
            )
            services.evaluation_record(
                actor=users["quality"],
                data={
                    "person": users["customer_service"],
                    "competence": competence,
                    "session": session,
                    "evaluator": users["quality"],
                    "level_after": 3,
                    "result": "competent",
                },
            )
            services.need_create(
                actor=users["quality"],
                data={"person": users["operations"], "competence": CompetenceFactory(), "reason": "Hueco"},
            )

    grow(2)
    client = client_as("quality")
    urls = [reverse(p) for p in PAGES] + [reverse("training:person", args=[users["customer_service"].pk])]
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(25) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    grow(8)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_session_list_exports(client_as, fmt):
    SessionFactory(course=CourseFactory(title="Uso del CRM Clientela"))
    response = client_as("management").get(reverse("training:sessions"), {"export": fmt})
    body = b"".join(response.streaming_content) if response.streaming else b"".join(response)
    assert response.status_code == 200
    assert (b"Uso del CRM Clientela" in body) if fmt == "csv" else body[:2] == b"PK"


def test_home_widgets(client_as, users):
    competence = CompetenceFactory(validity_months=12, name="Protección de datos")
    services.evaluation_record(
        actor=users["quality"],
        data={
            "person": users["customer_service"],
            "competence": competence,
            "evaluator": users["quality"],
            "evaluated_on": timezone.localdate() - dt.timedelta(days=340),
            "level_after": 3,
            "result": "competent",
        },
    )
    quality_home = client_as("quality").get(reverse("core:home")).text
    assert "Protección de datos" in quality_home
    carlos_home = client_as("customer_service").get(reverse("core:home")).text
    assert reverse("training:me") in carlos_home and "Protección de datos" in carlos_home


def _offered(client, url):
    """What the edit form would post back untouched."""
    form = client.get(url).context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_editing_a_course_saves_and_says_so(client_as):
    course = CourseFactory(title="Antes")
    client = client_as("quality")
    url = reverse("training:course_edit", args=[course.pk])
    response = client.post(url, {**_offered(client, url), "title": "Después"})
    assert response.status_code == 302 and response.url == course.get_absolute_url()
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [("success", "Cambios guardados.")]
    course.refresh_from_db()
    assert course.title == "Después"


def test_a_concurrent_course_edit_is_refused_and_keeps_what_was_typed(client_as, users):
    course = CourseFactory(title="Original")
    client = client_as("quality")
    url = reverse("training:course_edit", args=[course.pk])
    data = _offered(client, url)
    services.course_update(actor=users["admin"], course=course, data={"title": "Cambiado por otro"})
    response = client.post(url, {**data, "title": "Mi cambio"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert 'value="Mi cambio"' in response.text and not list(get_messages(response.wsgi_request))
    course.refresh_from_db()
    assert course.title == "Cambiado por otro"
    retry = {**data, "title": "Mi cambio", "lock_version": response.context["form"].data["lock_version"]}
    assert client.post(url, retry).status_code == 302
    course.refresh_from_db()
    assert course.title == "Mi cambio"


def test_a_session_is_planned_with_its_number_in_the_message(client_as):
    course = CourseFactory()
    response = client_as("quality").post(
        reverse("training:session_create"),
        {
            "course": course.pk,
            "starts_at": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "trainer_name": "Formadora externa",
            "modality": "in_person",
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Sesión {session.number} prevista."]
