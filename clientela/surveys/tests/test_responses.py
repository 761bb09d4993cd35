"""Responses and closing the loop: the event other modules react to, follow-ups at the threshold,
their workflow, what a complaint opened from them starts with, and the audit trail."""

import pytest
from django.core.exceptions import ValidationError

from clientela.core import events
from clientela.core.audit import history_for
from clientela.core.errors import IllegalTransition
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys import services
from clientela.surveys.models import FollowUp
from clientela.surveys.tests.factories import NPS, RATING, answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(users):
    return make_survey(users["quality"])


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    events.survey_response_submitted.connect(receiver, dispatch_uid="test-receiver")
    yield calls
    events.survey_response_submitted.disconnect(dispatch_uid="test-receiver")


def test_a_complete_response_announces_itself(survey, users, received):
    contact = ContactFactory()
    response = answer(survey, score=5, customer=contact.customer, contact=contact, actor=users["customer_service"])
    assert received == [
        {
            "signal": events.survey_response_submitted,
            "response": response,
            "customer": contact.customer,
            "contact": contact,
            "actor": users["customer_service"],
        }
    ]


def test_an_incomplete_response_is_not_announced(survey, received):
    answer(survey, score=None, customer=CustomerFactory(), complete=False, extra={2: 9})
    assert received == []


def test_scores_at_or_below_the_threshold_open_a_follow_up(users):
    survey = make_survey(users["quality"], followup_threshold=3)
    manager = users["account_manager"]
    for score in (5, 4, 3, 1):
        answer(survey, score=score, customer=CustomerFactory(account_manager=manager))
    assert sorted(FollowUp.objects.values_list("response__headline_value", flat=True)) == [1, 3]
    assert manager.notifications.count() == 2


def test_the_default_threshold_is_below_satisfied(survey):
    answer(survey, score=4, customer=CustomerFactory())
    answer(survey, score=3, customer=CustomerFactory())
    assert list(FollowUp.objects.values_list("response__headline_value", flat=True)) == [3]


def test_anonymous_and_incomplete_answers_open_no_follow_up(survey, users):
    answer(survey, score=1, customer=None)
    strict = make_survey(users["quality"], title="Con NPS obligatorio", questions=[RATING, {**NPS, "required": True}])
    incomplete = answer(strict, score=1, customer=CustomerFactory(), complete=False)
    assert not incomplete.complete
    assert not FollowUp.objects.exists()


def test_without_an_account_manager_the_quality_team_is_told(survey, users):
    answer(survey, score=1, customer=CustomerFactory(account_manager=None))
    followup = FollowUp.objects.get()
    assert followup.assigned_to is None
    assert users["quality"].notifications.filter(kind="surveys.followup").count() == 1


def test_follow_up_workflow(survey, users):
    answer(survey, score=1, customer=CustomerFactory(account_manager=users["account_manager"]))
    followup = FollowUp.objects.get()
    actor = users["account_manager"]
    with pytest.raises(ValidationError):
        services.followup_transition(actor=actor, followup=followup, to="closed")
    followup = services.followup_transition(actor=actor, followup=followup, to="in_progress")
    followup = services.followup_transition(actor=actor, followup=followup, to="closed", resolution="Llamada hecha")
    assert followup.closed_at and followup.closed_by == actor
    with pytest.raises(IllegalTransition):
        services.followup_transition(actor=actor, followup=followup, to="open")
    followup = services.followup_transition(actor=actor, followup=followup, to="in_progress", note="Vuelve a quejarse")
    assert followup.closed_at is None
    actions = list(history_for(followup).values_list("action", flat=True))
    assert actions.count("transition") == 3


def test_a_follow_up_can_be_reassigned(survey, users):
    answer(survey, score=1, customer=CustomerFactory(account_manager=users["account_manager"]))
    followup = services.followup_update(
        actor=users["sales_manager"], followup=FollowUp.objects.get(), data={"assigned_to": users["bob"]}
    )
    assert followup.assigned_to == users["bob"]


def test_a_follow_up_carries_what_a_complaint_needs(survey, users):
    contact = ContactFactory()
    answer(survey, score=1, customer=contact.customer, contact=contact, extra={3: "Pedido incompleto"})
    data = services.complaint_data(FollowUp.objects.get())
    assert data["kind"] == "complaint" and data["customer"] == contact.customer and data["contact"] == contact
    assert data["channel"] == "phone"
    assert "Pedido incompleto" in data["description"] and survey.title in data["subject"]


def test_the_audit_trail_keeps_the_answers(survey, users):
    response = answer(survey, score=4, customer=CustomerFactory(), extra={3: "Bien"}, actor=users["quality"])
    entry = history_for(response).get()
    assert entry.changes["answers"][1] == {"1": 4, "3": "Bien"}
    assert entry.actor == users["quality"]
