"""Closing a period: the figures recorded once, the plan a result below target requires requested
once (and drafted by the action-plans module when it is connected), the analysis that clears it."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.core import audit
from clientela.core.errors import DomainError
from clientela.core.models import Notification
from clientela.core.periods import Period
from clientela.indicators import plans, selectors, services, tasks
from clientela.indicators.models import IndicatorResult
from clientela.indicators.tests.factories import IndicatorResultFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
Q3 = Period.parse("2026-Q3")


def test_closing_records_each_provided_indicator_once(users, fake_cct, fake_sc):
    results = services.period_close(period=Q3, today=TODAY)
    by_key = {r.indicator: r for r in results}
    assert set(by_key) == {"cct", "sc", "late_interactions"}
    cct = by_key["cct"]
    assert (float(cct.value), cct.numerator, cct.denominator, float(cct.target), cct.status) == (
        90.0,
        45,
        50,
        95.0,
        "below_target",
    )
    assert by_key["sc"].ci95 is not None and by_key["sc"].status == "on_target"
    assert audit.history_for(cct).filter(action="created").exists()
    again = services.period_close(period=Q3, today=TODAY)
    assert {r.pk for r in again} == {r.pk for r in results}
    assert IndicatorResult.objects.count() == 3


def test_an_indicator_nobody_measures_is_not_closed_until_someone_does(users, fake_sc):
    services.period_close(period=Q3, today=TODAY)
    assert not IndicatorResult.objects.filter(indicator="cct").exists()


def test_an_open_period_cannot_be_closed(users):
    with pytest.raises(DomainError):
        services.period_close(period=Period.parse("2026-Q4"), today=TODAY)


def test_a_result_below_target_requests_its_plan_once_and_tells_quality(users, fake_cct):
    services.period_close(period=Q3, today=TODAY)
    cct = IndicatorResult.objects.get(indicator="cct")
    assert cct.plan_requested_at is not None and cct.plan_reference == ""
    notices = Notification.objects.filter(recipient=users["quality"], kind="indicator_below_target")
    assert notices.count() == 1 and "CCT" in notices.get().title and "2026-Q3" in notices.get().title
    services.period_close(period=Q3, today=TODAY)
    services.result_request_plan(result=cct)
    assert notices.count() == 1
    assert list(selectors.results_needing_plan()) == []
    assert list(selectors.results_awaiting_analysis()) == [cct]


def test_a_connected_action_plans_module_drafts_the_plan_once(users, fake_cct):
    drafted = []

    def draft(*, result, data):
        drafted.append((result.pk, data))
        return plans.PlanRef(id=41, reference="PA-2026-0041", url="/action-plans/41/")

    plans.connect(draft)
    services.period_close(period=Q3, today=TODAY)
    services.period_close(period=Q3, today=TODAY)
    tasks.close_last_quarter.call()
    cct = IndicatorResult.objects.get(indicator="cct")
    assert len(drafted) == 1 and drafted[0][0] == cct.pk
    data = drafted[0][1]
    assert (data["kind"], data["origin"], data["owner"]) == ("corrective", "indicator", users["quality"])
    assert "CCT" in data["title"] and "2026-Q3" in data["title"] and "90,00" in data["problem"]
    assert (cct.plan_id, cct.plan_reference, cct.plan_url) == (41, "PA-2026-0041", "/action-plans/41/")


def test_a_non_process_indicator_gets_an_improvement_plan(users):
    result = IndicatorResultFactory(indicator="late_interactions", status="below_target")
    assert plans.plan_data(result, owner=None)["kind"] == "improvement"


def test_results_on_target_need_no_plan(users, fake_sc):
    services.period_close(period=Q3, today=TODAY)
    sc = IndicatorResult.objects.get(indicator="sc")
    assert sc.plan_requested_at is None and not Notification.objects.exists()
    with pytest.raises(DomainError):
        services.result_record_analysis(actor=users["quality"], result=sc, analysis="Nada que analizar")


def test_recomputing_updates_the_record_and_keeps_its_plan(users, fake_cct):
    services.period_close(period=Q3, today=TODAY)
    fake_cct.figures["2026-Q3"] = (49, 50)
    services.period_close(period=Q3, today=TODAY, recompute=True)
    cct = IndicatorResult.objects.get(indicator="cct")
    assert (float(cct.value), cct.status, cct.plan_requested_at is not None) == (98.0, "on_target", True)
    changes = [e.changes for e in audit.history_for(cct).filter(action="changed")]
    assert any(c.get("value") == ["90.00", "98.00"] for c in changes)


def test_the_daily_job_closes_the_last_quarter_and_is_idempotent(users, fake_cct):
    with time_machine.travel(dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.UTC)):
        assert tasks.close_last_quarter.call() == 2  # CCT and interactions logged late (SC is not provided)
        assert tasks.close_last_quarter.call() == 2
    assert set(IndicatorResult.objects.values_list("period", flat=True)) == {"2026-Q3"}
    assert IndicatorResult.objects.count() == 2


def test_recording_the_analysis_clears_the_dashboard(users, client_as, fake_cct):
    services.period_close(period=Q3, today=TODAY)
    cct = IndicatorResult.objects.get(indicator="cct")
    client = client_as("quality")
    dashboard = client.get(reverse("indicators:dashboard"))
    assert "awaiting-h" in dashboard.text and "CCT 2026-Q3" in dashboard.text
    response = client.post(
        reverse("indicators:result_analysis", args=[cct.pk]),
        {f"r{cct.pk}-analysis": "", f"r{cct.pk}-lock_version": cct.lock_version},
    )
    assert response.status_code == 302
    cct.refresh_from_db()
    assert cct.analysed_at is None
    client.post(
        reverse("indicators:result_analysis", args=[cct.pk]),
        {
            f"r{cct.pk}-analysis": "Entregas retrasadas por falta de personal en agosto.",
            f"r{cct.pk}-plan_reference": "pa-2026-0007",
            f"r{cct.pk}-lock_version": cct.lock_version,
        },
    )
    cct.refresh_from_db()
    assert cct.analysed_by == users["quality"] and cct.plan_reference == "PA-2026-0007"
    assert "awaiting-h" not in client.get(reverse("indicators:dashboard")).text


@pytest.mark.parametrize("role", ["management", "sales_manager", "account_manager"])
def test_only_quality_records_the_analysis(client_as, role):
    result = IndicatorResultFactory()
    response = client_as(role).post(
        reverse("indicators:result_analysis", args=[result.pk]), {f"r{result.pk}-analysis": "x"}
    )
    assert response.status_code == 403


def test_the_close_command_accepts_periods_and_refuses_open_ones(users, fake_cct):
    from django.core.management import CommandError, call_command

    call_command("close_indicator_periods", "--period", "2026-Q3", "--period", "2026-Q2")
    assert set(IndicatorResult.objects.values_list("period", flat=True)) == {"2026-Q3", "2026-Q2"}
    with pytest.raises(CommandError):
        call_command("close_indicator_periods", "--period", "2026-Q5")
    with pytest.raises(CommandError):
        call_command("close_indicator_periods", "--period", "2999-Q1")


def test_a_concurrent_close_of_the_same_quarter_keeps_one_record(users, fake_cct):
    services.period_close(period=Q3, today=TODAY)
    duplicate = IndicatorResult(
        indicator="cct",
        period="2026-Q3",
        period_start=Q3.start,
        period_end=Q3.end,
        target=95,
        status="no_data",
        closed_at=IndicatorResult.objects.first().closed_at,
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_a_plan_the_action_plans_module_refuses_does_not_undo_the_closing(users, fake_cct):
    attempts = []

    def refuse(*, result, data):
        attempts.append(result.pk)
        if len(attempts) == 1:
            raise ValidationError({"owner": "No hay representante de calidad activo."})
        return plans.PlanRef(id=7, reference="PA-2026-0007")

    plans.connect(refuse)
    services.period_close(period=Q3, today=TODAY)
    cct = IndicatorResult.objects.get(indicator="cct")
    assert cct.plan_requested_at is None and list(selectors.results_needing_plan()) == [cct]
    with time_machine.travel(dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)):
        tasks.close_last_quarter.call()
    cct.refresh_from_db()
    assert cct.plan_reference == "PA-2026-0007" and len(attempts) == 2
