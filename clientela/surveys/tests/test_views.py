"""Staff pages: builder, invitations, staff entry, live results, follow-ups, the customer 360°
integration, permissions per role and query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys import services
from clientela.surveys.models import FollowUp, Question, Survey, SurveyInvitation, SurveyResponse
from clientela.surveys.tests.factories import COMMENT, NPS, RATING, answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(users):
    return make_survey(users["quality"])


def test_building_a_survey_in_the_browser_flow(client_as):
    client = client_as("quality")
    response = client.post(
        reverse("surveys:create"),
        {
            "title": "Satisfacción tras la instalación",
            "language": "es",
            "touchpoint": "delivery",
            "counts_toward_sc": "on",
            "trigger": "manual",
            "trigger_days": 30,
            "invitation_days": 30,
            "reminder_days": 7,
            "frequency_cap_days": 30,
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    question_url = reverse("surveys:question_create", args=[survey.pk])
    client.post(
        question_url, {"kind": "rating", "text": "¿Qué tan satisfecho está?", "required": "on", "is_headline": "on"}
    )
    client.post(question_url, {"kind": "single_choice", "text": "¿Qué mejoraría?", "choices": "Plazo\nPrecio\nTrato"})
    first = Question.objects.get(position=1)
    bad = client.post(
        question_url, {"kind": "text", "text": "¿Por qué?", "show_if_question": first.pk, "show_if_values": "9"}
    )
    assert bad.status_code == 200 and "Elija un valor entre 1 y 5" in bad.text
    client.post(
        question_url, {"kind": "text", "text": "¿Por qué?", "show_if_question": first.pk, "show_if_values": "1\n2"}
    )
    detail = client.get(survey.get_absolute_url())
    assert detail.status_code == 200 and "¿Qué mejoraría?" in detail.text
    preview = client.get(reverse("surveys:preview", args=[survey.pk]))
    assert preview.status_code == 200 and "Plazo" in preview.text
    assert client.post(reverse("surveys:publish", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "published" and survey.current_version.questions.count() == 3


def test_the_preview_is_in_the_survey_language(client_as, users):
    survey = make_survey(users["quality"], title="How did we do?", language="en", publish=False)
    page = client_as("quality").get(reverse("surveys:preview", args=[survey.pk]))
    assert '<html lang="en">' in page.text and "Very dissatisfied" in page.text and "Muy" not in page.text


def test_the_preview_checks_answers_but_saves_nothing(client_as, survey):
    first = survey.current_version.questions.get(position=1)
    page = client_as("quality").post(reverse("surveys:preview", args=[survey.pk]), {f"q_{first.pk}": "5"})
    assert page.status_code == 200 and not SurveyResponse.objects.exists()
    missing = client_as("quality").post(reverse("surveys:preview", args=[survey.pk]), {})
    assert missing.status_code == 400


def test_editing_questions_of_a_published_survey_goes_through_a_new_version(client_as, survey):
    client = client_as("quality")
    question = survey.current_version.questions.get(position=1)
    page = client.get(reverse("surveys:question_edit", args=[survey.pk, question.pk]))
    assert page.status_code == 302  # frozen: start a new version first
    client.post(reverse("surveys:new_version", args=[survey.pk]))
    draft = survey.versions.get(published_at__isnull=True)
    copy = draft.questions.get(position=1)
    client.post(
        reverse("surveys:question_edit", args=[survey.pk, copy.pk]),
        {"kind": "rating", "text": "¿Cómo valora la entrega?", "required": "on", "is_headline": "on"},
    )
    detail = client.get(survey.get_absolute_url())
    assert "¿Cómo valora la entrega?" in detail.text
    client.post(reverse("surveys:publish", args=[survey.pk]), {"lock_version": survey.lock_version + 0})
    survey.refresh_from_db()
    assert survey.current_version.number == 2


def test_moving_and_deleting_questions_from_the_builder(client_as, users):
    survey = make_survey(users["quality"], questions=[RATING, NPS, COMMENT], publish=False)
    client = client_as("quality")
    nps = Question.objects.get(kind="nps")
    client.post(reverse("surveys:question_move", args=[survey.pk, nps.pk]), {"direction": "up"})
    assert list(Question.objects.order_by("position").values_list("kind", flat=True)) == ["nps", "rating", "text"]
    client.post(reverse("surveys:question_delete", args=[survey.pk, nps.pk]))
    assert list(Question.objects.order_by("position").values_list("kind", flat=True)) == ["rating", "text"]


def test_inviting_from_the_page_shows_who_may_not_be_invited(client_as, survey, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    ok = ContactFactory(customer=customer, first_name="Rosa")
    refused = ContactFactory(customer=customer, first_name="Pablo", survey_consent=False, survey_legal_basis="")
    client = client_as("account_manager")
    page = client.get(reverse("surveys:invite"), {"survey": survey.pk, "customer": customer.pk})
    assert page.status_code == 200 and "Rosa" in page.text and "Pablo" in page.text
    assert f'value="{refused.pk}" id="contact-{refused.pk}" disabled' in page.text
    response = client.post(
        reverse("surveys:invite"), {"survey": survey.pk, "customer": customer.pk, "contact": [ok.pk, refused.pk]}
    )
    assert response.status_code == 302
    assert list(SurveyInvitation.objects.values_list("contact", flat=True)) == [ok.pk]


def test_account_managers_invite_only_their_customers(client_as, survey, users):
    other = CustomerFactory(account_manager=users["bob"])
    contact = ContactFactory(customer=other)
    client = client_as("account_manager")
    page = client.get(reverse("surveys:invite"), {"survey": survey.pk, "customer": other.pk})
    assert other.name not in page.text
    client.post(reverse("surveys:invite"), {"survey": survey.pk, "customer": other.pk, "contact": [contact.pk]})
    assert not SurveyInvitation.objects.exists()


def test_staff_enter_a_phone_answer_with_its_real_date(client_as, survey, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    contact = ContactFactory(customer=customer)
    client = client_as("customer_service")
    start = client.get(reverse("surveys:response_create", args=[survey.pk]))
    assert start.status_code == 200 and customer.name in start.text
    form = client.get(reverse("surveys:response_create", args=[survey.pk]), {"customer": customer.pk})
    assert form.status_code == 200 and contact.first_name in form.text
    when = timezone.localtime() - dt.timedelta(days=3)
    questions = {q.position: q.pk for q in survey.current_version.questions.all()}
    response = client.post(
        reverse("surveys:response_create", args=[survey.pk]),
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "channel": "phone",
            "submitted_at": when.strftime("%Y-%m-%dT%H:%M"),
            f"q_{questions[1]}": "2",
            f"q_{questions[3]}": "Esperaba más rapidez",
        },
    )
    stored = SurveyResponse.objects.get()
    assert response.status_code == 302 and response.url == stored.get_absolute_url()
    assert stored.entered_by == users["customer_service"] and stored.channel == "phone"
    assert timezone.localtime(stored.submitted_at).date() == when.date()
    assert FollowUp.objects.get().assigned_to == users["account_manager"]


def test_a_missing_required_answer_in_staff_entry_keeps_the_form(client_as, survey):
    customer = CustomerFactory()
    page = client_as("quality").post(
        reverse("surveys:response_create", args=[survey.pk]),
        {
            "customer": customer.pk,
            "channel": "paper",
            "submitted_at": "2026-01-10T10:00",
            "note": "Formulario en papel",
        },
    )
    assert page.status_code == 200 and "Formulario en papel" in page.text and not SurveyResponse.objects.exists()


def test_a_future_date_is_refused(client_as, survey):
    question = survey.current_version.questions.get(position=1)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client_as("quality").post(
        reverse("surveys:response_create", args=[survey.pk]),
        {"customer": "anonymous", "channel": "paper", "submitted_at": future, f"q_{question.pk}": "4"},
    )
    assert page.status_code == 200 and not SurveyResponse.objects.exists()


def test_the_live_results_update_only_when_something_changed(client_as, survey):
    client = client_as("management")
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.status_code == 200 and 'hx-trigger="every 5s"' in page.text
    signature = page.context["r"].signature
    poll = client.get(reverse("surveys:results", args=[survey.pk]), {"v": signature}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204
    answer(survey, score=5, customer=CustomerFactory(), extra={3: "Excelente servicio"})
    poll = client.get(reverse("surveys:results", args=[survey.pk]), {"v": signature}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Excelente servicio" in poll.text and "<html" not in poll.text


def test_live_results_need_a_fixed_number_of_queries(client_as, survey, django_assert_max_num_queries):
    client = client_as("quality")
    answer(survey, score=4, customer=CustomerFactory(), extra={2: 9, 3: "Bien"})
    client.get(reverse("surveys:results", args=[survey.pk]))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("surveys:results", args=[survey.pk]))
    for n in range(15):
        answer(survey, score=1 + n % 5, customer=CustomerFactory(), extra={2: n % 11, 3: f"Comentario {n}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("surveys:results", args=[survey.pk]))


def test_working_a_follow_up(client_as, survey, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    answer(survey, score=1, customer=customer)
    followup = FollowUp.objects.get()
    client = client_as("account_manager")
    home = client.get("/")
    assert customer.name in home.text
    page = client.get(followup.get_absolute_url())
    assert page.status_code == 200
    refused = client.post(reverse("surveys:followup_transition", args=[followup.pk]), {"to": "closed"})
    followup.refresh_from_db()
    assert refused.status_code == 302 and followup.status == "open"
    client.post(reverse("surveys:followup_transition", args=[followup.pk]), {"to": "in_progress"})
    client.post(
        reverse("surveys:followup_transition", args=[followup.pk]),
        {"to": "closed", "resolution": "Llamé al cliente: se repone el material y se revisa el plazo."},
    )
    followup.refresh_from_db()
    assert followup.status == "closed" and followup.closed_by == users["account_manager"]
    other_followup_customer = CustomerFactory(account_manager=users["bob"])
    answer(survey, score=1, customer=other_followup_customer)
    others = FollowUp.objects.get(customer=other_followup_customer)
    response = client.post(reverse("surveys:followup_transition", args=[others.pk]), {"to": "in_progress"})
    assert response.status_code == 403


def test_my_follow_ups_list(client_as, survey, users):
    mine = CustomerFactory(name="Cliente Propio", account_manager=users["account_manager"])
    theirs = CustomerFactory(name="Cliente Ajeno", account_manager=users["bob"])
    answer(survey, score=1, customer=mine)
    answer(survey, score=2, customer=theirs)
    page = client_as("account_manager").get(reverse("surveys:followups"), {"mine": "on", "status": "pending"})
    assert "Cliente Propio" in page.text and "Cliente Ajeno" not in page.text


def test_the_customer_360_shows_responses_follow_ups_and_the_last_score(client_as, survey, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    answer(survey, score=5, customer=customer, at=timezone.now() - dt.timedelta(days=20))
    answer(survey, score=2, customer=customer, extra={3: "La última entrega llegó incompleta"})
    client = client_as("sales_manager")
    page = client.get(customer.get_absolute_url())
    figures = client.get(reverse("customers:figures", args=[customer.pk]))  # loaded by the page
    assert "Última puntuación de satisfacción" in figures.text and "2/5" in figures.text
    assert "La última entrega llegó incompleta" in page.text
    panel = client.get(customer.get_absolute_url(), {"tab": "surveys"})
    assert panel.status_code == 200 and survey.title in panel.text


def test_the_360_page_stays_at_a_fixed_number_of_queries(client_as, survey, django_assert_max_num_queries):
    customer = CustomerFactory()
    answer(survey, score=2, customer=customer, extra={3: "Mal"})
    client = client_as("sales_manager")
    client.get(customer.get_absolute_url())
    with django_assert_max_num_queries(40) as few:
        client.get(customer.get_absolute_url())
    for n in range(10):
        answer(survey, score=1 + n % 5, customer=customer, extra={3: f"Comentario {n}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(customer.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(customer.get_absolute_url(), {"tab": "surveys"})


@pytest.mark.parametrize(
    "name",
    ["surveys:list", "surveys:responses", "surveys:invitations", "surveys:followups"],
)
def test_lists_filter_export_and_need_a_fixed_number_of_queries(client_as, survey, name, django_assert_max_num_queries):
    client = client_as("quality")
    for n in range(3):
        contact = ContactFactory()
        services.invitation_create(actor=None, survey=survey, contact=contact)
        answer(survey, score=1 + n, customer=contact.customer, contact=contact)
    client.get(reverse(name))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse(name))
    for n in range(12):
        contact = ContactFactory()
        services.invitation_create(actor=None, survey=survey, contact=contact)
        answer(survey, score=1 + n % 3, customer=contact.customer, contact=contact)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(name))
    assert page.status_code == 200
    export = client.get(reverse(name), {"export": "csv"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    partial = client.get(reverse(name), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in partial.text


def test_list_filters(client_as, survey):
    answer(survey, score=5, customer=CustomerFactory(name="Bodegas Álava", search_text="bodegas alava"))
    answer(survey, score=3, customer=None)
    client = client_as("quality")
    assert "Bodegas Álava" not in client.get(reverse("surveys:responses"), {"who": "anonymous"}).text
    assert "Bodegas Álava" in client.get(reverse("surveys:responses"), {"q": "ALAVA"}).text


def test_withdrawing_a_response_needs_a_reason(client_as, survey):
    response = answer(survey, score=5, customer=CustomerFactory())
    client = client_as("quality")
    client.post(reverse("surveys:response_void", args=[response.pk]), {"note": ""})
    response.refresh_from_db()
    assert response.archived_at is None
    client.post(reverse("surveys:response_void", args=[response.pk]), {"note": "Duplicada"})
    response.refresh_from_db()
    assert response.archived_at is not None


def test_the_qr_code_of_the_open_link(client_as, survey, users):
    client = client_as("quality")
    assert client.get(reverse("surveys:qr", args=[survey.pk])).status_code == 404
    client.post(reverse("surveys:open_link", args=[survey.pk]), {"action": "enable"})
    survey.refresh_from_db()
    qr = client.get(reverse("surveys:qr", args=[survey.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    detail = client.get(survey.get_absolute_url())
    assert 'class="qr-code"' in detail.text and survey.open_link_key in detail.text


ROLE_MATRIX = [
    # (url name, method, needs survey, {role: expected status})
    ("surveys:list", "get", False, {"operations": 403, "customer_service": 200, "management": 200, "nobody": 403}),
    ("surveys:create", "get", False, {"quality": 200, "sales_manager": 403, "account_manager": 403}),
    ("surveys:detail", "get", True, {"customer_service": 200, "operations": 403}),
    ("surveys:edit", "get", True, {"quality": 200, "management": 403}),
    ("surveys:publish", "post", True, {"sales_manager": 403, "account_manager": 403}),
    ("surveys:close", "post", True, {"management": 403}),
    ("surveys:results", "get", True, {"management": 200, "operations": 403}),
    ("surveys:response_create", "get", True, {"customer_service": 200, "management": 403, "operations": 403}),
    ("surveys:invite", "get", False, {"sales_manager": 200, "account_manager": 200, "customer_service": 403}),
    ("surveys:report", "get", False, {"management": 200, "quality": 200, "account_manager": 403}),
    ("surveys:report_xlsx", "get", False, {"sales_manager": 200, "customer_service": 403}),
    ("surveys:followups", "get", False, {"account_manager": 200, "operations": 403}),
]


@pytest.mark.parametrize(("name", "method", "needs_survey", "expected"), ROLE_MATRIX)
def test_who_may_open_each_page(client_as, survey, name, method, needs_survey, expected):
    url = reverse(name, args=[survey.pk] if needs_survey else [])
    for role, status in expected.items():
        response = getattr(client_as(role), method)(url)
        assert response.status_code == status, (role, name, response.status_code)


def test_pages_need_a_login(client, survey):
    response = client.get(reverse("surveys:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_home_widget_shows_my_follow_ups_and_the_organisations(client_as, survey, users):
    answer(
        survey, score=1, customer=CustomerFactory(name="Cliente de Alicia", account_manager=users["account_manager"])
    )
    answer(survey, score=2, customer=CustomerFactory(name="Cliente de Roberto", account_manager=users["bob"]))
    mine = client_as("account_manager").get("/")
    assert "Cliente de Alicia" in mine.text and "Cliente de Roberto" not in mine.text
    assert "En toda la organización" not in mine.text
    overall = client_as("quality").get("/")
    assert "En toda la organización: 2 abiertos, 0 vencidos." in overall.text


def test_the_360_tab_offers_to_record_and_invite_only_to_who_may(client_as, survey, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    own = client_as("account_manager").get(customer.get_absolute_url(), {"tab": "surveys"})
    assert reverse("surveys:response_create", args=[survey.pk]) in own.text and "Invitar a una encuesta" in own.text
    other = client_as("bob").get(customer.get_absolute_url(), {"tab": "surveys"})
    assert reverse("surveys:response_create", args=[survey.pk]) not in other.text
    assert "Invitar a una encuesta" not in other.text
