"""Enrolment by segment and the periodic jobs: idempotent, safe to run again."""

import datetime as dt

import pytest
from django.urls import reverse

from clientela.core import jobs
from clientela.core.models import ScheduledJob
from clientela.customers.tests.factories import CustomerFactory
from clientela.loyalty import ledger, services, tasks
from clientela.loyalty.models import Membership, PointsEntry
from clientela.loyalty.tests.factories import MembershipFactory, programme_with_tiers

pytestmark = pytest.mark.django_db


def test_active_customers_of_the_chosen_segments_are_enrolled_once():
    programme = programme_with_tiers(enrol_segments=["Salud", "Alimentación"])
    health = CustomerFactory(segment="Salud")
    food = CustomerFactory(segment="Alimentación")
    CustomerFactory(segment="Salud", status="prospect")
    CustomerFactory(segment="Salud", status="former")
    CustomerFactory(segment="Industria")
    archived = CustomerFactory(segment="Salud")
    archived.archived_at = archived.created_at
    archived.save()
    assert services.programme_auto_enrol(programme=programme) == 2
    assert services.programme_auto_enrol(programme=programme) == 0
    members = Membership.objects.filter(programme=programme)
    assert {m.customer_id for m in members} == {health.pk, food.pk}
    assert {m.source for m in members} == {"segment"}


def test_draft_programmes_enrol_nobody():
    programme = programme_with_tiers(enrol_segments=["Salud"], status="draft")
    CustomerFactory(segment="Salud")
    assert services.programme_auto_enrol(programme=programme) == 0


def test_the_enrol_now_button(client_as):
    programme = programme_with_tiers(enrol_segments=["Salud"])
    CustomerFactory(segment="Salud")
    response = client_as("sales_manager").post(
        reverse("loyalty:programme_auto_enrol", args=[programme.pk]), follow=True
    )
    assert "1 clientes dados de alta" in response.text
    assert (
        client_as("account_manager").post(reverse("loyalty:programme_auto_enrol", args=[programme.pk])).status_code
        == 403
    )


def test_the_jobs_are_registered_daily():
    assert jobs.PERIODIC["loyalty.expire_points"].every == dt.timedelta(days=1)
    assert jobs.PERIODIC["loyalty.enrol_and_reward"].every == dt.timedelta(days=1)
    assert jobs.PERIODIC["training.competence_expiry"].every == dt.timedelta(days=1)


def test_the_scheduler_runs_the_loyalty_jobs_and_a_second_run_changes_nothing(monkeypatch):
    programme = programme_with_tiers(enrol_segments=["Salud"], points_validity_months=12)
    CustomerFactory(segment="Salud")
    member = MembershipFactory(programme=programme)
    services.points_adjust(
        actor=None, membership=member, points=90, reason="Lote antiguo", at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    wanted = {k: v for k, v in jobs.PERIODIC.items() if k.startswith("loyalty.")}
    monkeypatch.setattr(jobs, "PERIODIC", wanted)
    ScheduledJob.objects.create(name="loyalty.expire_points", next_run_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    ScheduledJob.objects.create(name="loyalty.enrol_and_reward", next_run_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert sorted(jobs.run_due_jobs(inline=True)) == ["loyalty.enrol_and_reward", "loyalty.expire_points"]
    assert ledger.balance_of(member) == 0
    assert Membership.objects.filter(source="segment").count() == 1
    assert tasks.expire_points.call() == 0
    assert tasks.enrol_and_reward.call() == 0
    assert PointsEntry.objects.filter(kind="expire").count() == 1


def test_the_api_schema_describes_the_loyalty_and_training_resources(api_as):
    response = api_as("quality").get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in (
        "loyalty-programmes",
        "memberships",
        "points",
        "redemptions",
        "courses",
        "training-sessions",
        "attendances",
        "competence-evaluations",
        "training-needs",
    ):
        assert f"/api/v1/{resource}/" in paths, resource
