"""The public survey pages: no login, the survey's language, friendly pages for every bad link,
answers kept on errors, one response per invitation, and the rate-limited open link."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory
from clientela.surveys import services
from clientela.surveys.models import FollowUp, SurveyResponse
from clientela.surveys.public_views import OPEN_SEND_LIMIT
from clientela.surveys.tests.factories import COMMENT, NPS, RATING, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(users):
    return make_survey(users["quality"])


@pytest.fixture
def invitation(survey):
    return services.invitation_create(actor=None, survey=survey, contact=ContactFactory(first_name="Marta"))


def url(invitation, name="answer"):
    return reverse(f"survey_public:{name}", args=[invitation.token])


def fields(survey, **by_position):
    return {f"q_{survey.current_version.questions.get(position=p).pk}": v for p, v in by_position.items()}


def test_the_page_opens_without_login_in_the_survey_language(invitation):
    page = Client().get(url(invitation))
    assert page.status_code == 200
    assert page["Content-Language"] == "es" and page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert '<html lang="es">' in page.text and "Satisfacción con la entrega" in page.text
    assert 'type="radio"' in page.text and "<script>" not in page.text and "style=" not in page.text
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_an_english_survey_is_shown_in_english(users):
    survey = make_survey(users["quality"], title="How did we do?", language="en")
    invitation = services.invitation_create(actor=None, survey=survey, contact=ContactFactory())
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(url(invitation))
    assert '<html lang="en">' in page.text and "Send my answers" in page.text and "Very satisfied" in page.text


def test_answering_stores_one_response_and_thanks(invitation, survey):
    client = Client()
    data = fields(survey, **{"1": "5", "2": "9", "3": "Muy puntuales"})
    response = client.post(url(invitation), data)
    assert response.status_code == 302 and response.url == url(invitation, "thanks")
    stored = SurveyResponse.objects.get()
    assert (stored.customer, stored.contact, stored.headline_value, stored.channel) == (
        invitation.customer,
        invitation.contact,
        5,
        "email",
    )
    assert stored.answers.get(question__position=3).value == "Muy puntuales"
    again = client.post(url(invitation), data)
    assert again.status_code == 302 and SurveyResponse.objects.count() == 1
    assert client.get(url(invitation)).url == url(invitation, "thanks")
    assert client.get(url(invitation, "thanks")).status_code == 200


def test_a_missing_required_answer_keeps_what_was_typed(invitation, survey):
    page = Client().post(url(invitation), fields(survey, **{"2": "9", "3": "Texto escrito"}))
    assert page.status_code == 400
    assert "Texto escrito" in page.text and 'value="9" checked' in page.text
    assert 'role="alert"' in page.text and not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", ["6", "0", "cinco", "5.5"])
def test_answers_out_of_scale_are_refused(invitation, survey, bad):
    page = Client().post(url(invitation), fields(survey, **{"1": bad}))
    assert page.status_code == 400 and not SurveyResponse.objects.exists()


def test_answers_to_another_surveys_questions_are_ignored(invitation, survey, users):
    other = make_survey(users["quality"], title="Otra")
    data = {**fields(survey, **{"1": "4"}), **fields(other, **{"1": "1"})}
    assert Client().post(url(invitation), data).status_code == 302
    assert list(SurveyResponse.objects.get().answers.values_list("question__version__survey", flat=True)) == [survey.pk]


@pytest.mark.parametrize("token", ["x" * 43, "abc", "a" * 44, "%00" * 5, "' OR 1=1 --", "ñandú" * 9])
def test_forged_or_truncated_tokens_get_a_friendly_page(token):
    page = Client().get(f"/s/{token}/")
    assert page.status_code == 404 and "Este enlace no funciona" in page.text
    assert Client().get(f"/s/{token}/a/b/").status_code == 404


def test_a_truncated_real_token_gets_a_friendly_page(invitation):
    page = Client().get(f"/s/{invitation.token[:-1]}/")
    assert page.status_code == 404 and "<form" not in page.text


def test_an_expired_invitation_gets_a_friendly_page(invitation, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    page = Client().get(url(invitation))
    assert page.status_code == 410 and "<form" not in page.text
    assert Client().post(url(invitation), {}).status_code == 410


def test_a_cancelled_invitation_or_closed_survey_gets_a_friendly_page(invitation, users):
    services.survey_close(actor=users["quality"], survey=invitation.survey)
    assert Client().get(url(invitation)).status_code == 410
    services.invitation_cancel(actor=users["quality"], invitation=invitation)
    assert Client().get(url(invitation)).status_code == 410


def test_a_low_score_opens_a_follow_up_for_the_account_manager(survey, users):
    contact = ContactFactory(customer__account_manager=users["account_manager"])
    invitation = services.invitation_create(actor=None, survey=survey, contact=contact)
    Client().post(url(invitation), fields(survey, **{"1": "2", "3": "Llegó tarde"}))
    followup = FollowUp.objects.get()
    assert followup.assigned_to == users["account_manager"] and followup.customer == contact.customer
    notice = users["account_manager"].notifications.get()
    assert "2/5" in notice.title and notice.url == followup.get_absolute_url()


def test_the_opt_out_link_asks_then_records(invitation):
    client = Client()
    page = client.get(url(invitation, "opt_out"))
    assert page.status_code == 200 and "<form" in page.text
    invitation.contact.refresh_from_db()
    assert invitation.contact.survey_opt_out_at is None  # a GET (a mail scanner) changes nothing
    assert client.post(url(invitation, "opt_out")).status_code == 200
    invitation.contact.refresh_from_db()
    assert invitation.contact.survey_opt_out_at is not None
    assert client.get(url(invitation)).status_code == 410


def test_one_click_opt_out_from_the_mail_program_needs_no_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(invitation, "opt_out"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    invitation.contact.refresh_from_db()
    assert invitation.contact.survey_opt_out_at is not None


def test_the_answer_form_is_protected_against_cross_site_posts(invitation, survey):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(invitation), fields(survey, **{"1": "5"})).status_code == 403


def test_skip_logic_ignores_answers_to_questions_that_do_not_apply(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    first = survey.versions.get().questions.get()
    services.question_add(
        actor=users["quality"],
        survey=survey,
        data={**COMMENT, "text": "¿Qué falló?", "required": True, "show_if_question": first, "show_if_values": [1, 2]},
    )
    survey = services.survey_publish(actor=users["quality"], survey=survey)
    invitation = services.invitation_create(actor=None, survey=survey, contact=ContactFactory())
    page = Client().get(url(invitation))
    assert "data-show-if=" in page.text and "Responda solo si contestó «1, 2» en la pregunta 1" in page.text
    assert Client().post(url(invitation), fields(survey, **{"1": "5", "2": "No aplica"})).status_code == 302
    assert SurveyResponse.objects.get().answers.count() == 1
    other = services.invitation_create(actor=None, survey=survey, contact=ContactFactory())
    page = Client().post(url(other), fields(survey, **{"1": "1"}))
    assert page.status_code == 400  # the follow-up question applies now and is required


def test_a_flood_of_bad_links_is_slowed_down_without_touching_others(invitation):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [attacker.get(f"/s/{'x' * 43}/").status_code for _ in range(35)]
    assert statuses[0] == 404 and statuses[-1] == 429
    assert Client(REMOTE_ADDR="198.51.100.7").get(url(invitation)).status_code == 200


# --- open link (kiosk) --------------------------------------------------------------------------


@pytest.fixture
def kiosk(users):
    survey = make_survey(users["quality"], questions=[RATING, NPS])
    return services.survey_open_link(actor=users["quality"], survey=survey, enabled=True)


def kiosk_post(client, kiosk, **answers):
    page = client.get(reverse("survey_public:open", args=[kiosk.open_link_key]))
    nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
    return client.post(
        reverse("survey_public:open", args=[kiosk.open_link_key]), {"nonce": nonce, **fields(kiosk, **answers)}
    ), nonce


def test_the_open_link_stores_anonymous_responses(kiosk):
    response, _nonce = kiosk_post(Client(), kiosk, **{"1": "4", "2": "10"})
    assert response.status_code == 302
    stored = SurveyResponse.objects.get()
    assert stored.customer is None and stored.channel == "kiosk" and stored.headline_value == 4
    assert not FollowUp.objects.exists()


def test_the_same_kiosk_page_sent_twice_stores_one_response(kiosk):
    client = Client()
    _first, nonce = kiosk_post(client, kiosk, **{"1": "4"})
    again = client.post(
        reverse("survey_public:open", args=[kiosk.open_link_key]), {"nonce": nonce, **fields(kiosk, **{"1": "4"})}
    )
    assert again.status_code == 302 and SurveyResponse.objects.count() == 1


def test_robots_filling_the_hidden_field_are_thanked_and_ignored(kiosk):
    client = Client()
    page = client.get(reverse("survey_public:open", args=[kiosk.open_link_key]))
    nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
    response = client.post(
        reverse("survey_public:open", args=[kiosk.open_link_key]),
        {"nonce": nonce, "website": "http://spam.example", **fields(kiosk, **{"1": "1"})},
    )
    assert response.status_code == 302 and not SurveyResponse.objects.exists()


def test_the_open_link_is_rate_limited_per_address(kiosk):
    client = Client(REMOTE_ADDR="192.0.2.1")
    statuses = []
    for _ in range(OPEN_SEND_LIMIT + 2):
        response, _nonce = kiosk_post(client, kiosk, **{"1": "5"})
        statuses.append(response.status_code)
    assert statuses[0] == 302 and statuses[-1] == 429
    assert SurveyResponse.objects.count() == OPEN_SEND_LIMIT
    other, _ = kiosk_post(Client(REMOTE_ADDR="192.0.2.2"), kiosk, **{"1": "5"})
    assert other.status_code == 302


def test_a_stale_kiosk_page_asks_to_send_again_keeping_the_answers(kiosk):
    response = Client().post(
        reverse("survey_public:open", args=[kiosk.open_link_key]), {"nonce": "forged", **fields(kiosk, **{"1": "3"})}
    )
    assert response.status_code == 400 and 'value="3" checked' in response.text
    assert not SurveyResponse.objects.exists()


def test_a_turned_off_open_link_gets_a_friendly_page(kiosk, users):
    key = kiosk.open_link_key
    services.survey_open_link(actor=users["quality"], survey=kiosk, enabled=False)
    assert Client().get(reverse("survey_public:open", args=[key])).status_code == 404


def test_no_email_leaves_for_anonymous_answers(kiosk):
    kiosk_post(Client(), kiosk, **{"1": "1"})
    assert not mail.outbox
