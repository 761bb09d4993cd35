"""The public submit stays cheap: a fixed, small number of queries per answered invitation."""

import pytest
from django.test import Client
from django.urls import reverse

from clientela.customers.tests.factories import ContactFactory
from clientela.surveys import services
from clientela.surveys.tests.factories import make_survey

pytestmark = pytest.mark.django_db


def test_it_submits_in_a_fixed_number_of_queries(users, django_assert_max_num_queries):
    survey = make_survey(users["quality"])
    questions = list(survey.current_version.questions.order_by("position"))
    data = {f"q_{questions[0].pk}": "5", f"q_{questions[1].pk}": "9", f"q_{questions[2].pk}": "Bien"}
    invitation = services.invitation_create(actor=None, survey=survey, contact=ContactFactory())
    # Invitation, questions, the locked invitation, response, answers, the loyalty receiver, the
    # invitation's status, both audit entries at once (head lock, insert, head update), savepoints,
    # the content type on first use.
    with django_assert_max_num_queries(18):
        page = Client().post(reverse("survey_public:answer", args=[invitation.token]), data)
    assert page.status_code == 302
