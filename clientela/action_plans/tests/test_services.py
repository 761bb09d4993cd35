"""Action plans through their services: numbering, origins, the structured analysis, actions and
the effectiveness verification that alone closes a plan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.action_plans import services, states
from clientela.action_plans.models import Action, ActionPlan, EffectivenessCheck
from clientela.core import events
from clientela.core.errors import ConflictError, DomainError, IllegalTransition
from clientela.core.models import AuditEntry, Notification
from clientela.customers.tests.factories import CustomerFactory
from clientela.feedback.tests.factories import FeedbackFactory

from .factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db
P = ActionPlan.Status
TODAY = timezone.localdate


def ready_plan(users, **kwargs) -> ActionPlan:
    """A corrective plan with its root cause, one action done and a criterion: ready to verify."""
    plan = PlanFactory(owner=users["operations"], root_cause="El transportista no escanea.", **kwargs)
    action = ActionFactory(plan=plan, owner=users["operations"])
    plan = services.plan_transition(actor=users["operations"], plan=plan, to=P.IN_PROGRESS)
    services.action_transition(actor=users["operations"], action=action, to="done", evidence="Procedimiento v2")
    plan = services.plan_update(
        actor=users["operations"], plan=plan, data={"effectiveness_criterion": "0 retrasos en 3 meses"}
    )
    return services.plan_transition(actor=users["operations"], plan=plan, to=P.PENDING_VERIFICATION)


def test_plans_are_numbered_by_year_and_notify_their_owner(users):
    plan = PlanFactory(owner=users["operations"], actor=users["quality"])
    assert plan.number == f"PA-{TODAY().year}-0001" and plan.status == P.OPEN
    assert PlanFactory().number == f"PA-{TODAY().year}-0002"
    assert Notification.objects.filter(recipient=users["operations"], kind="action_plan_assigned").exists()


def test_a_plan_remembers_its_source_and_its_customer(users):
    complaint = FeedbackFactory(customer=CustomerFactory())
    plan = PlanFactory(origin="feedback", source=complaint)
    assert plan.source == complaint and plan.customer == complaint.customer
    assert plan.source_label == str(complaint)
    assert services.plan_for_source(complaint) == plan
    assert list(services.plans_for_source(complaint)) == [plan]


def test_finding_or_opening_the_plan_of_a_source_is_idempotent(users):
    source = CustomerFactory()  # any record can be an origin, e.g. an indicator result per period
    data = {"kind": "improvement", "origin": "indicator", "title": "SC por debajo de la meta", "problem": "SC 80 %"}
    first, created = services.plan_open_for_source(actor=None, source=source, data=data)
    again, created_again = services.plan_open_for_source(actor=None, source=source, data=data)
    assert created and not created_again and first == again and ActionPlan.objects.count() == 1
    services.plan_transition(actor=users["quality"], plan=first, to=P.CANCELLED, note="Duplicado")
    third, created_third = services.plan_open_for_source(actor=None, source=source, data=data)
    assert created_third and third != first


def test_due_dates_before_the_plan_are_refused(users):
    with pytest.raises(ValidationError) as caught:
        PlanFactory(due_date=TODAY() - dt.timedelta(days=1))
    assert "due_date" in caught.value.message_dict
    plan = PlanFactory()
    with pytest.raises(ValidationError):
        ActionFactory(plan=plan, owner=users["quality"], due_date=TODAY() - dt.timedelta(days=3))


def test_the_5_whys_and_the_ishikawa_are_stored_structured(users):
    plan = PlanFactory()
    plan = services.plan_update(
        actor=users["quality"],
        plan=plan,
        data={
            "root_cause_method": "both",
            "five_whys": [
                {"why": "¿Por qué llegó tarde?", "answer": "Salió tarde del almacén"},
                {"why": "", "answer": ""},
                {"why": "¿Por qué salió tarde?", "answer": "Faltaba el albarán"},
            ],
            "ishikawa": {"method": ["Sin lista de comprobación", " "], "manpower": "Turno nuevo\nSin formación"},
        },
    )
    assert [p["why"] for p in plan.five_whys] == ["¿Por qué llegó tarde?", "¿Por qué salió tarde?"]
    assert plan.ishikawa == {"manpower": ["Turno nuevo", "Sin formación"], "method": ["Sin lista de comprobación"]}
    assert [row[1] for row in plan.ishikawa_rows] == [
        "Mano de obra",
        "Método",
        "Máquina",
        "Material",
        "Medición",
        "Medio ambiente",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("five_whys", "un texto"), ("five_whys", [1, 2]), ("ishikawa", {"money": ["x"]}), ("ishikawa", ["x"])],
)
def test_a_malformed_analysis_is_refused(users, field, value):
    plan = PlanFactory()
    with pytest.raises(ValidationError) as caught:
        services.plan_update(actor=users["quality"], plan=plan, data={field: value})
    assert field in caught.value.message_dict


def test_starting_needs_the_root_cause_and_an_action(users):
    plan = PlanFactory()
    with pytest.raises(ValidationError) as caught:
        services.plan_transition(actor=users["quality"], plan=plan, to=P.IN_PROGRESS)
    assert set(caught.value.message_dict) == {"root_cause", "actions"}
    improvement = PlanFactory(kind="improvement")
    ActionFactory(plan=improvement, owner=users["quality"])
    assert services.plan_transition(actor=users["quality"], plan=improvement, to=P.IN_PROGRESS).status == P.IN_PROGRESS


def test_verification_needs_every_action_finished_and_a_criterion(users):
    plan = PlanFactory(root_cause="x")
    action = ActionFactory(plan=plan, owner=users["quality"])
    plan = services.plan_transition(actor=users["quality"], plan=plan, to=P.IN_PROGRESS)
    with pytest.raises(ValidationError) as caught:
        services.plan_transition(actor=users["quality"], plan=plan, to=P.PENDING_VERIFICATION)
    assert set(caught.value.message_dict) == {"actions", "effectiveness_criterion"}
    with pytest.raises(ValidationError) as caught:
        services.action_transition(actor=users["quality"], action=action, to="done")
    assert "evidence" in caught.value.message_dict
    services.action_transition(actor=users["quality"], action=action, to="cancelled", note="Ya no aplica")
    plan = services.plan_update(actor=users["quality"], plan=plan, data={"effectiveness_criterion": "x"})
    with pytest.raises(ValidationError, match="Al menos una acción"):
        services.plan_transition(actor=users["quality"], plan=plan, to=P.PENDING_VERIFICATION)


def test_a_plan_closes_only_by_an_effective_verification_from_quality(users):
    closed = []
    events.action_plan_closed.connect(receiver := lambda sender, **kw: closed.append(kw))
    try:
        customer = CustomerFactory()
        plan = ready_plan(users, customer=customer)
        assert plan.verification_due == TODAY() + dt.timedelta(days=30)
        with pytest.raises(DomainError):
            services.plan_transition(actor=users["quality"], plan=plan, to=P.CLOSED)
        with pytest.raises(PermissionDenied):
            services.plan_verify(
                actor=users["sales_manager"], plan=plan, data={"method": "m", "evidence": "e", "result": "effective"}
            )
        with pytest.raises(ValidationError) as caught:
            services.plan_verify(actor=users["quality"], plan=plan, data={"result": "effective"})
        assert {"method", "evidence"} <= set(caught.value.message_dict)
        plan = services.plan_verify(
            actor=users["quality"],
            plan=plan,
            data={"method": "Revisión de entregas", "evidence": "0 retrasos", "result": "effective"},
        )
    finally:
        events.action_plan_closed.disconnect(receiver)
    assert plan.status == P.CLOSED and plan.effectiveness_result == "effective"
    assert plan.verified_by == users["quality"] and plan.closed_at == plan.verified_at
    assert closed == [
        {"signal": events.action_plan_closed, "plan": plan, "customer": customer, "actor": users["quality"]}
    ]
    with pytest.raises(DomainError):
        services.plan_update(actor=users["quality"], plan=plan, data={"title": "Otro"})


def test_not_effective_reopens_the_plan_and_keeps_the_verification(users):
    plan = ready_plan(users)
    plan = services.plan_verify(
        actor=users["quality"],
        plan=plan,
        data={"method": "Auditoría", "evidence": "2 retrasos", "result": "not_effective"},
    )
    assert plan.status == P.IN_PROGRESS and plan.effectiveness_result == "not_effective"
    assert EffectivenessCheck.objects.filter(plan=plan).count() == 1
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action="transition").first().changes["status"] == [
        P.PENDING_VERIFICATION,
        P.IN_PROGRESS,
    ]


def test_not_effective_can_open_a_follow_up_plan_instead(users):
    complaint = FeedbackFactory()
    plan = ready_plan(users, origin="feedback", source=complaint)
    plan = services.plan_verify(
        actor=users["quality"],
        plan=plan,
        data={"method": "m", "evidence": "Siguen los retrasos", "result": "not_effective", "follow_up": True},
    )
    follow_up = plan._follow_up
    assert plan.status == P.CLOSED and plan.effectiveness_result == "not_effective"
    assert follow_up.follow_up_of == plan and follow_up.source == complaint and follow_up.status == P.OPEN
    assert "Siguen los retrasos" in follow_up.problem


def _all_illegal():
    for current in P.values:
        for target in P.values:
            if not states.PLAN.can(current, target):
                yield current, target


@pytest.mark.parametrize(("current", "target"), list(_all_illegal()))
def test_every_illegal_plan_move_is_refused(users, current, target):
    plan = PlanFactory()
    ActionPlan.objects.filter(pk=plan.pk).update(status=current)
    plan.refresh_from_db()
    with pytest.raises((IllegalTransition, DomainError)):
        services.plan_transition(actor=users["quality"], plan=plan, to=target, note="x")


@pytest.mark.parametrize(("current", "target"), [("done", "cancelled"), ("cancelled", "done"), ("pending", "pending")])
def test_every_illegal_action_move_is_refused(users, current, target):
    action = ActionFactory(plan=PlanFactory(), owner=users["quality"])
    Action.objects.filter(pk=action.pk).update(status=current)
    action.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.action_transition(actor=users["quality"], action=action, to=target, note="x", evidence="e")


def test_actions_freeze_while_the_plan_waits_for_verification(users):
    plan = ready_plan(users)
    action = plan.actions.get()
    with pytest.raises(DomainError):
        services.action_transition(actor=users["operations"], action=action, to="pending")
    with pytest.raises(DomainError):
        ActionFactory(plan=plan, owner=users["operations"])


def test_cancelling_a_plan_cancels_its_pending_actions(users):
    plan = PlanFactory()
    pending = ActionFactory(plan=plan, owner=users["operations"])
    services.plan_transition(actor=users["quality"], plan=plan, to=P.CANCELLED, note="Duplicado")
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    assert AuditEntry.objects.filter(
        object_id=str(pending.pk), action="transition", note="Se canceló el plan."
    ).exists()


def test_a_stale_plan_version_is_refused(users):
    plan = PlanFactory()
    services.plan_update(actor=users["quality"], plan=plan, data={"title": "Primero"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.plan_update(actor=users["sales_manager"], plan=plan, data={"title": "Segundo"}, expected_version=1)


def test_overdue_actions_are_notified_to_their_owner_once(users):
    plan = PlanFactory()
    action = ActionFactory(plan=plan, owner=users["operations"])
    Action.objects.filter(pk=action.pk).update(due_date=TODAY() - dt.timedelta(days=2))
    Notification.objects.all().delete()
    assert services.notify_overdue_actions() == 1
    assert services.notify_overdue_actions() == 0
    notice = Notification.objects.get()
    assert notice.recipient == users["operations"] and plan.number in notice.title


def test_plans_due_for_verification_are_notified_to_quality(users):
    plan = ready_plan(users)
    ActionPlan.objects.filter(pk=plan.pk).update(verification_due=TODAY())
    Notification.objects.all().delete()
    assert services.notify_verifications_due() == 1
    assert services.notify_verifications_due() == 0
    assert Notification.objects.get().recipient == users["quality"]
