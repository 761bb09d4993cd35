"""SPEC §5 contract: surveys with nested questions and publishing, invitations with their token and
public URL, responses in the documented shape, follow-ups; errors 400/403/404/409, never 500."""

import datetime as dt

import pytest
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys.models import FollowUp, Survey, SurveyInvitation, SurveyResponse
from clientela.surveys.tests.factories import answer, make_survey

pytestmark = pytest.mark.django_db

SURVEYS = "/api/v1/surveys/"
INVITATIONS = "/api/v1/survey-invitations/"
RESPONSES = "/api/v1/survey-responses/"
FOLLOWUPS = "/api/v1/survey-follow-ups/"

NEW_SURVEY = {
    "title": "Satisfacción con la entrega",
    "language": "es",
    "touchpoint": "delivery",
    "counts_toward_sc": True,
    "questions": [
        {"text": "¿Qué tan satisfecho está?", "kind": "rating", "is_headline": True},
        {"text": "¿Nos recomendaría?", "kind": "nps", "required": False},
        {"text": "¿Qué falló?", "kind": "text", "required": False, "show_if": {"position": 1, "values": [1, 2]}},
    ],
}


def test_create_a_survey_with_nested_questions_and_publish_it(api_as):
    api = api_as("quality")
    created = api.post(SURVEYS, NEW_SURVEY, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["version_status"] == "draft"
    assert [q["kind"] for q in body["questions"]] == ["rating", "nps", "text"]
    assert body["questions"][0]["satisfied_min"] == 4 and body["questions"][0]["scale_max"] == 5
    assert body["questions"][2]["show_if"] == {"position": 1, "values": [1, 2]}
    published = api.post(f"{SURVEYS}{body['id']}/publish/", format="json")
    assert published.status_code == 200
    assert published.json()["status"] == "published" and published.json()["published_version"] == 1
    again = api.post(f"{SURVEYS}{body['id']}/publish/", format="json")
    assert again.status_code == 409 and "detail" in again.json()


def test_changing_questions_of_a_published_survey_creates_a_new_version(api_as):
    api = api_as("quality")
    survey_id = api.post(SURVEYS, NEW_SURVEY, format="json").json()["id"]
    api.post(f"{SURVEYS}{survey_id}/publish/")
    changed = api.patch(
        f"{SURVEYS}{survey_id}/",
        {"questions": [{"text": "¿Cómo valora la entrega?", "kind": "rating", "is_headline": True}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2 and changed.json()["version_status"] == "draft"
    assert changed.json()["published_version"] == 1
    published = api.post(f"{SURVEYS}{survey_id}/publish/").json()
    assert published["version"] == 2 and published["questions"][0]["text"] == "¿Cómo valora la entrega?"


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "X", "questions": [{"text": "¿Sí?", "kind": "stars"}]},
        {"title": "X", "questions": [{"text": "", "kind": "rating"}]},
        {"title": "X", "questions": [{"text": "¿Cuál?", "kind": "single_choice", "choices": ["a"]}]},
        {"title": "X", "questions": [{"text": "¿Y?", "kind": "rating", "scale_max": 10}]},
        {"title": "X", "questions": [{"text": "¿Y?", "kind": "text", "show_if": {"position": 2, "values": ["a"]}}]},
        {"title": "X", "questions": "no"},
        {"title": "", "questions": []},
        {"title": "X", "invitation_days": 0},
    ],
)
def test_bad_surveys_are_a_400_and_nothing_is_created(api_as, payload):
    response = api_as("quality").post(SURVEYS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert not Survey.objects.exists()


def test_publishing_a_counting_survey_without_headline_is_a_400(api_as):
    api = api_as("quality")
    survey_id = api.post(
        SURVEYS,
        {"title": "Sin titular", "counts_toward_sc": True, "questions": [{"text": "¿?", "kind": "nps"}]},
        format="json",
    ).json()["id"]
    response = api.post(f"{SURVEYS}{survey_id}/publish/")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_only_quality_builds_surveys(api_as):
    assert api_as("sales_manager").post(SURVEYS, NEW_SURVEY, format="json").status_code == 403
    assert api_as("customer_service").get(SURVEYS).status_code == 200
    assert api_as("operations").get(SURVEYS).status_code == 403


def test_invite_a_contact_and_answer_through_the_returned_url(api_as, client, users):
    survey = make_survey(users["quality"])
    contact = ContactFactory(customer__account_manager=users["account_manager"])
    created = api_as("account_manager").post(INVITATIONS, {"survey": survey.pk, "contact": contact.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert len(body["token"]) == 43 and body["url"].endswith(f"/s/{body['token']}/")
    assert body["customer"] == contact.customer_id and body["status"] in ("pending", "sent")
    listed = api_as("quality").get(INVITATIONS, {"survey": survey.pk}).json()
    assert listed["count"] == 1 and "token" not in listed["results"][0]
    path = body["url"].split("127.0.0.1:8000", 1)[-1]
    question = survey.current_version.questions.get(position=1)
    assert client.post(path, {f"q_{question.pk}": "5"}).status_code == 302
    assert SurveyInvitation.objects.get().status == "responded"


def test_invitation_refusals(api_as, users):
    survey = make_survey(users["quality"])
    mine = ContactFactory(customer__account_manager=users["account_manager"])
    other = ContactFactory(customer__account_manager=users["bob"])
    no_consent = ContactFactory(
        customer__account_manager=users["account_manager"], survey_consent=False, survey_legal_basis=""
    )
    api = api_as("account_manager")
    assert api.post(INVITATIONS, {"survey": survey.pk, "contact": other.pk}, format="json").status_code == 403
    refused = api.post(INVITATIONS, {"survey": survey.pk, "contact": no_consent.pk}, format="json")
    assert refused.status_code == 409 and "no ha aceptado recibir encuestas" in refused.json()["detail"]
    assert api.post(INVITATIONS, {"survey": survey.pk, "contact": mine.pk}, format="json").status_code == 201
    capped = api.post(INVITATIONS, {"survey": survey.pk, "contact": mine.pk}, format="json")
    assert capped.status_code == 409
    assert api.post(INVITATIONS, {"survey": 9999, "contact": mine.pk}, format="json").status_code == 400
    assert api_as("customer_service").post(INVITATIONS, {"survey": survey.pk, "contact": mine.pk}).status_code == 403


def test_cancel_an_invitation(api_as, users):
    survey = make_survey(users["quality"])
    contact = ContactFactory()
    invitation_id = api_as("quality").post(INVITATIONS, {"survey": survey.pk, "contact": contact.pk}).json()["id"]
    assert api_as("quality").delete(f"{INVITATIONS}{invitation_id}/").status_code == 204
    assert SurveyInvitation.objects.get().status == "cancelled"


def test_record_a_phone_response_in_the_spec_shape(api_as, users):
    survey = make_survey(users["quality"])
    contact = ContactFactory()
    questions = {q.position: q.pk for q in survey.current_version.questions.all()}
    when = (timezone.now() - dt.timedelta(days=2)).isoformat()
    response = api_as("customer_service").post(
        RESPONSES,
        {
            "survey": survey.pk,
            "customer": contact.customer_id,
            "contact": contact.pk,
            "submitted_at": when,
            "channel": "phone",
            "answers": [{"question": questions[1], "value": 2}, {"question": questions[3], "value": "Tarde"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"survey", "customer", "contact", "submitted_at", "channel", "answers"} <= set(body)
    assert body["answers"] == [{"question": questions[1], "value": 2}, {"question": questions[3], "value": "Tarde"}]
    assert body["version"] == 1 and body["headline_value"] == 2 and body["complete"] is True
    assert dt.datetime.fromisoformat(body["submitted_at"]) == dt.datetime.fromisoformat(when)
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (lambda q, other: [{"question": q[1], "value": 9}], "1"),
        (lambda q, other: [{"question": other, "value": 3}], "no es una pregunta de esta encuesta"),
        (lambda q, other: [{"question": q[2], "value": 9}], "requiere respuesta"),
        (lambda q, other: [{"question": q[1], "value": 4}, {"question": q[1], "value": 5}], "dos respuestas"),
        (lambda q, other: [], "al menos una"),
        (lambda q, other: [{"question": q[1], "value": {"x": 1}}], "1"),
    ],
)
def test_bad_answers_are_a_400_and_nothing_is_stored(api_as, users, answers, message):
    survey = make_survey(users["quality"])
    other = make_survey(users["quality"], title="Otra").current_version.questions.first().pk
    questions = {q.position: q.pk for q in survey.current_version.questions.all()}
    response = api_as("quality").post(
        RESPONSES, {"survey": survey.pk, "channel": "paper", "answers": answers(questions, other)}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert message in " ".join(str(m) for m in response.json()["answers"])
    assert not SurveyResponse.objects.exists()


def test_an_incomplete_paper_form_can_be_stored_on_purpose(api_as, users):
    survey = make_survey(users["quality"])
    nps = survey.current_version.questions.get(position=2)
    response = api_as("quality").post(
        RESPONSES,
        {"survey": survey.pk, "channel": "paper", "complete": False, "answers": [{"question": nps.pk, "value": 8}]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["complete"] is False


def test_response_dates_and_contacts_are_checked(api_as, users):
    survey = make_survey(users["quality"])
    question = survey.current_version.questions.get(position=1)
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    api = api_as("quality")
    late = api.post(
        RESPONSES,
        {"survey": survey.pk, "submitted_at": future, "answers": [{"question": question.pk, "value": 5}]},
        format="json",
    )
    assert late.status_code == 400 and "submitted_at" in late.json()
    wrong = api.post(
        RESPONSES,
        {
            "survey": survey.pk,
            "customer": CustomerFactory().pk,
            "contact": ContactFactory().pk,
            "answers": [{"question": question.pk, "value": 5}],
        },
        format="json",
    )
    assert wrong.status_code == 400 and "contact" in wrong.json()


def test_account_managers_record_responses_only_for_their_customers(api_as, users):
    survey = make_survey(users["quality"])
    question = survey.current_version.questions.get(position=1)
    other = CustomerFactory(account_manager=users["bob"])
    response = api_as("account_manager").post(
        RESPONSES,
        {"survey": survey.pk, "customer": other.pk, "answers": [{"question": question.pk, "value": 5}]},
        format="json",
    )
    assert response.status_code == 403


def test_responses_are_never_edited_and_withdrawing_needs_a_reason(api_as, users):
    survey = make_survey(users["quality"])
    response = answer(survey, score=4, customer=CustomerFactory())
    api = api_as("quality")
    assert api.patch(f"{RESPONSES}{response.pk}/", {"channel": "paper"}, format="json").status_code == 405
    assert api.delete(f"{RESPONSES}{response.pk}/", {}, format="json").status_code == 400
    assert api.delete(f"{RESPONSES}{response.pk}/", {"note": "Duplicada"}, format="json").status_code == 204
    assert api.get(f"{RESPONSES}{response.pk}/").status_code == 404


def test_response_list_filters_and_query_count(api_as, users, django_assert_max_num_queries):
    survey = make_survey(users["quality"])
    for n in range(3):
        answer(survey, score=1 + n, customer=CustomerFactory(), extra={3: "x"})
    answer(survey, score=5, customer=None)
    api = api_as("quality")
    assert api.get(RESPONSES, {"anonymous": "true"}).json()["count"] == 1
    assert api.get(RESPONSES, {"survey": survey.pk}).json()["count"] == 4
    api.get(RESPONSES)
    with django_assert_max_num_queries(10) as few:
        api.get(RESPONSES)
    for n in range(15):
        answer(survey, score=1 + n % 5, customer=CustomerFactory(), extra={3: "y"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(RESPONSES)


def test_survey_list_query_count(api_as, users, django_assert_max_num_queries):
    make_survey(users["quality"])
    api = api_as("quality")
    api.get(SURVEYS)
    with django_assert_max_num_queries(10) as few:
        api.get(SURVEYS)
    for n in range(6):
        make_survey(users["quality"], title=f"Encuesta {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(SURVEYS).json()["count"] == 7


def test_follow_ups_through_the_api(api_as, users):
    survey = make_survey(users["quality"])
    customer = CustomerFactory(account_manager=users["account_manager"])
    answer(survey, score=1, customer=customer)
    followup = FollowUp.objects.get()
    api = api_as("account_manager")
    listed = api.get(FOLLOWUPS, {"assigned_to": users["account_manager"].pk}).json()
    assert listed["count"] == 1
    url = f"{FOLLOWUPS}{followup.pk}/transition/"
    assert api.post(url, {"to": "closed"}, format="json").status_code == 400
    assert api.post(url, {"to": "in_progress"}, format="json").status_code == 200
    closed = api.post(url, {"to": "closed", "resolution": "Resuelto por teléfono"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api.post(url, {"to": "open"}, format="json").status_code == 409
    assert api_as("customer_service").post(url, {"to": "in_progress"}, format="json").status_code == 403


def test_the_schema_describes_the_survey_resources(api_as):
    schema = api_as("quality").get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (SURVEYS, INVITATIONS, RESPONSES, FOLLOWUPS, f"{SURVEYS}{{id}}/publish/"):
        assert f"/api/v1{path.removeprefix('/api/v1')}" in schema["paths"]


def test_delete_archives_only_a_draft_or_closed_survey(api_as, users):
    survey = make_survey(users["quality"])
    api = api_as("quality")
    refused = api.delete(f"{SURVEYS}{survey.pk}/")
    assert refused.status_code == 409 and "Cierre la encuesta" in refused.json()["detail"]
    assert api.post(f"{SURVEYS}{survey.pk}/close/").json()["status"] == "closed"
    assert api.delete(f"{SURVEYS}{survey.pk}/").status_code == 204
    survey.refresh_from_db()
    assert survey.archived_at is not None


def test_a_stale_lock_version_is_a_409(api_as, users):
    survey = make_survey(users["quality"], publish=False)
    api = api_as("quality")
    version = api.get(f"{SURVEYS}{survey.pk}/").json()["lock_version"]
    assert (
        api.patch(f"{SURVEYS}{survey.pk}/", {"title": "Uno", "lock_version": version}, format="json").status_code == 200
    )
    stale = api.patch(f"{SURVEYS}{survey.pk}/", {"title": "Dos", "lock_version": version}, format="json")
    assert stale.status_code == 409
