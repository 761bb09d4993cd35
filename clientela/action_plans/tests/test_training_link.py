"""Training can be part of an action plan: a planned session or a person's training need."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.training.models import TrainingNeed, TrainingSession
from clientela.training.tests.factories import CompetenceFactory, SessionFactory

from .factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(users):
    return PlanFactory(
        actor=users["quality"], owner=users["quality"], due_date=timezone.localdate() + dt.timedelta(days=30)
    )


def test_quality_links_a_planned_session_and_it_shows_on_the_plan(client_as, plan):
    session = SessionFactory(status=TrainingSession.Status.PLANNED, starts_at=timezone.now() + dt.timedelta(days=7))
    client = client_as("quality")
    response = client.post(reverse("action_plans:plan_link_session", args=[plan.pk]), {"session": session.pk})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.origin_id == plan.pk
    assert session.course.title in client.get(plan.get_absolute_url()).text


def test_quality_records_a_training_need_for_the_plan(client_as, plan, users):
    competence = CompetenceFactory()
    client_as("quality").post(
        reverse("action_plans:plan_training_need", args=[plan.pk]),
        {"person": users["customer_service"].pk, "competence": competence.pk, "reason": "Respuestas lentas a quejas"},
    )
    need = TrainingNeed.objects.get()
    assert need.origin_id == plan.pk and need.source == TrainingNeed.Source.ACTION_PLAN


def test_only_quality_manages_training(client_as, plan):
    assert (
        client_as("sales_manager").post(reverse("action_plans:plan_link_session", args=[plan.pk]), {}).status_code
        == 403
    )
