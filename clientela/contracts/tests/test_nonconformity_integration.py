"""A nonconforming delivery becomes a complaint or a corrective plan in one step, once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.action_plans.models import ActionPlan
from clientela.contracts import nonconformity
from clientela.contracts.models import Delivery
from clientela.core.errors import DomainError
from clientela.feedback.models import Feedback

from .factories import ContractFactory, DeliverableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_delivery(users):
    contract = ContractFactory(owner=users["sales_manager"], status="active")
    deliverable = DeliverableFactory(contract=contract, due_date=timezone.localdate() - dt.timedelta(days=3))
    return Delivery.objects.create(
        deliverable=deliverable,
        delivered_on=timezone.localdate() - dt.timedelta(days=4),
        conforming=False,
        nonconformity="Faltan los certificados de calibración",
        severity="high",
        recorded_by=users["operations"],
    )


def test_the_complaint_keeps_the_facts_and_is_opened_once(users, bad_delivery):
    complaint, created = nonconformity.open_complaint(actor=users["quality"], delivery=bad_delivery)
    again, created_again = nonconformity.open_complaint(actor=users["quality"], delivery=bad_delivery)
    assert created and not created_again and again == complaint
    assert complaint.kind == "complaint" and complaint.severity == "high"
    assert complaint.customer == bad_delivery.deliverable.contract.customer
    assert "calibración" in complaint.description and complaint.number.startswith("QJ-")
    assert Feedback.objects.count() == 1


def test_the_plan_is_corrective_from_a_contract_nonconformity(users, bad_delivery):
    plan, created = nonconformity.open_plan(actor=users["quality"], delivery=bad_delivery)
    assert created and plan.kind == "corrective" and plan.origin == "contract"
    assert plan.owner == users["sales_manager"]
    assert nonconformity.open_plan(actor=users["quality"], delivery=bad_delivery) == (plan, False)


def test_a_conforming_delivery_has_nothing_to_correct(users, bad_delivery):
    Delivery.objects.filter(pk=bad_delivery.pk).update(conforming=True)
    bad_delivery.refresh_from_db()
    with pytest.raises(DomainError):
        nonconformity.open_plan(actor=users["quality"], delivery=bad_delivery)


def test_the_delivery_page_offers_both_steps_to_who_may_take_them(client_as, bad_delivery):
    url = reverse("contracts:delivery_detail", args=[bad_delivery.pk])
    page = client_as("quality").get(url)
    assert reverse("contracts:delivery_open_complaint", args=[bad_delivery.pk]) in page.text
    assert reverse("contracts:delivery_open_plan", args=[bad_delivery.pk]) in page.text
    response = client_as("quality").post(reverse("contracts:delivery_open_plan", args=[bad_delivery.pk]))
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.number in client_as("quality").get(url).text
    assert (
        client_as("operations").post(reverse("contracts:delivery_open_complaint", args=[bad_delivery.pk])).status_code
        == 403
    )
