"""Surveys with the other modules: renewal surveys before contracts end; low scores become complaints."""

import datetime as dt
import decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.contracts.models import Contract
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.feedback.models import Feedback
from clientela.surveys import services
from clientela.surveys.models import FollowUp, Survey, SurveyInvitation

from .factories import answer, make_survey

pytestmark = pytest.mark.django_db


def contract_ending_in(days, customer, contact, **extra):
    today = timezone.localdate()
    return Contract.objects.create(
        number=f"CT-T-{days}-{customer.pk}",
        customer=customer,
        contact=contact,
        title="Soporte anual",
        status=Contract.Status.ACTIVE,
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=days),
        value=decimal.Decimal("1000"),
        currency="EUR",
        **extra,
    )


def test_contracts_ending_within_the_window_get_one_renewal_survey(users, mailoutbox):
    survey = make_survey(users["quality"], touchpoint="renewal", trigger=Survey.Trigger.CONTRACT_END, trigger_days=30)
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, email="ana@x.es")
    soon = contract_ending_in(20, customer, contact)
    contract_ending_in(90, CustomerFactory(), ContactFactory(email="later@x.es"))
    assert services.invite_before_contract_end() == 1
    invitation = SurveyInvitation.objects.get()
    assert invitation.trigger_key == f"contract_end:{soon.pk}" and invitation.contact == contact
    assert services.invite_before_contract_end() == 0  # once per contract
    assert survey.invitations.count() == 1


def test_a_low_score_follow_up_becomes_one_complaint(users, client_as):
    survey = make_survey(users["quality"], followup_threshold=2)
    customer = CustomerFactory(account_manager=users["account_manager"])
    contact = ContactFactory(customer=customer)
    answer(survey, score=1, customer=customer, contact=contact)
    followup = FollowUp.objects.get()
    client = client_as("quality")
    assert (
        reverse("surveys:followup_complaint", args=[followup.pk])
        in client.get(reverse("surveys:followup", args=[followup.pk])).text
    )
    response = client.post(reverse("surveys:followup_complaint", args=[followup.pk]))
    complaint = Feedback.objects.get()
    assert response.url == complaint.get_absolute_url() and complaint.customer == customer
    followup.refresh_from_db()
    assert followup.status == "closed" and complaint.number in followup.resolution
    client.post(reverse("surveys:followup_complaint", args=[followup.pk]))
    assert Feedback.objects.count() == 1
    assert client_as("operations").post(reverse("surveys:followup_complaint", args=[followup.pk])).status_code == 403
