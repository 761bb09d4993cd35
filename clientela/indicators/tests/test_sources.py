"""The indicators fed by the real modules: CCT from contracts and SC from surveys exactly as SPEC §4,
the other figures, plans drafted only where PSC 004 requires them, the review pack's module
sections and the risk register's live signals."""

import datetime as dt
import decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clientela.accounts.models import ApiToken
from clientela.action_plans.models import ActionPlan
from clientela.contracts.models import Contract, Deliverable, Delivery
from clientela.core.periods import Period
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.indicators import plans, registry, review_pack, risk_signals, services, sources
from clientela.indicators.models import IndicatorResult
from clientela.surveys.tests.factories import answer, make_survey

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def real_sources():
    """The engine's own tests start without the modules; here they are wired as in production."""
    sources.register_all()
    yield


def deliverable(contract, due, delivered=None, conforming=True):
    d = Deliverable.objects.create(contract=contract, description=f"Entrega {due}", due_date=due)
    if delivered:
        Delivery.objects.create(deliverable=d, delivered_on=delivered, conforming=conforming)
    return d


@time_machine.travel(NOW, tick=False)
def test_the_api_reports_cct_and_sc_computed_from_the_records(users):
    customer = CustomerFactory()
    ok = Contract.objects.create(
        number="CT-1",
        customer=customer,
        title="A",
        status="active",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        value=decimal.Decimal(1000),
    )
    late = Contract.objects.create(
        number="CT-2",
        customer=customer,
        title="B",
        status="active",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        value=decimal.Decimal(1000),
    )
    deliverable(ok, dt.date(2026, 8, 10), delivered=dt.date(2026, 8, 10))
    deliverable(late, dt.date(2026, 8, 10), delivered=dt.date(2026, 8, 11))
    survey = make_survey(users["quality"])
    for score, who in ((5, CustomerFactory()), (4, CustomerFactory()), (2, CustomerFactory())):
        answer(
            survey,
            score=score,
            customer=who,
            contact=ContactFactory(customer=who),
            at=dt.datetime(2026, 8, 20, 10, tzinfo=dt.UTC),
        )
    api = APIClient()
    _, raw = ApiToken.issue(user=users["management"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = api.get("/api/v1/indicators/", {"period": "2026-Q3"}).json()
    assert body["period"] == "2026-Q3" and body["provisional"] is False
    cct, sc = body["indicators"]["cct"], body["indicators"]["sc"]
    assert (cct["value"], cct["numerator"], cct["denominator"], cct["target"], cct["status"]) == (
        50.0,
        1,
        2,
        95.0,
        "below_target",
    )
    assert (sc["value"], sc["numerator"], sc["denominator"], sc["status"]) == (66.67, 2, 3, "below_target")
    assert sc["ci95"] == [20.77, 93.85]
    assert {"nps", "csat", "deliverables_otif", "complaints_resolved_within_sla", "plan_effectiveness"} <= set(
        body["indicators"]
    )
    assert body["indicators"]["nps"]["numerator"] is None


def test_only_the_process_indicators_draft_a_plan_when_closed_below_target(users):
    assert registry.get_definition("cct").requires_plan and registry.get_definition("sc").requires_plan
    assert not registry.get_definition("csat").requires_plan
    assert plans.is_connected()


@time_machine.travel(NOW, tick=False)
def test_closing_a_quarter_below_target_opens_one_corrective_plan_for_cct(users):
    customer = CustomerFactory()
    contract = Contract.objects.create(
        number="CT-1",
        customer=customer,
        title="A",
        status="active",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        value=decimal.Decimal(1000),
    )
    deliverable(contract, dt.date(2026, 8, 10), delivered=dt.date(2026, 8, 20))
    services.period_close(period=Period.parse("2026-Q3"), today=timezone.localdate())
    services.period_close(period=Period.parse("2026-Q3"), today=timezone.localdate())
    result = IndicatorResult.objects.get(indicator="cct", period="2026-Q3")
    plan = ActionPlan.objects.get(origin="indicator")
    assert result.status == "below_target" and result.plan_reference == plan.number
    assert plan.source_object_id == result.pk and plan.kind == "corrective"


@time_machine.travel(NOW, tick=False)
def test_the_review_pack_has_the_modules_sections_and_the_register_live_signals(users):
    keys = [s.key for s in review_pack.sections()]
    assert {"complaints", "surveys", "contracts", "plans"} <= set(keys)
    context = sources.contracts_context(review=None, period=Period.parse("2026-Q3"), today=timezone.localdate())
    assert context["cct"] == {"value": None, "numerator": 0, "denominator": 0}
    signals = {p.key for p in risk_signals.providers()}
    assert {"complaint_sla_breach_rate", "requirements_in_clarification", "late_interactions"} <= signals
    assert sources.requirements_in_clarification(today=timezone.localdate()).value == 0.0


@time_machine.travel(NOW, tick=False)
def test_complaints_per_100_customers_are_scaled_to_a_quarter():
    figure = sources._complaints_per_quarter(
        Period.parse("2026"), today=dt.date(2026, 12, 31), segment=None, account_manager=None
    )
    assert figure.value is None or figure.denominator


@time_machine.travel(NOW, tick=False)
def test_the_review_pack_keeps_the_module_sections_of_an_ended_quarter_until_their_records_change(
    users, django_capture_on_commit_callbacks
):
    from clientela.feedback.tests.factories import FeedbackFactory

    q3 = Period.parse("2026-Q3")
    review = services.review_create(actor=users["quality"], period=q3)
    FeedbackFactory(customer=CustomerFactory(), received_at=dt.datetime(2026, 8, 3, 10, tzinfo=dt.UTC))

    def compiled():
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            pack = review_pack.compile_pack(review, today=timezone.localdate())
        return {s["key"]: s["data"] for s in pack["sections"]}, len(queries)

    first, computing = compiled()
    again, reading = compiled()
    assert again == first and first["complaints"]["complaints"] == 1
    assert reading < computing  # the complaints, surveys, contracts and plans sections were kept
    FeedbackFactory(customer=CustomerFactory(), received_at=dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC))
    changed, _ = compiled()
    assert changed["complaints"]["complaints"] == 2
