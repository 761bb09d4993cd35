"""Complaint handling through the services: numbers, the ISO 10002 steps, the SLA clock computed by
hand, pauses, breaches, escalation, public intake and refusals."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from clientela.core import events
from clientela.core.errors import ConflictError, DomainError, IllegalTransition
from clientela.core.models import AuditEntry, Notification
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.feedback import services, sla, states
from clientela.feedback.models import Feedback, SlaTarget

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
S = Feedback.Status


def at(d, h=0, mi=0, month=11, year=2026) -> dt.datetime:
    return dt.datetime(year, month, d, h, mi, tzinfo=MADRID)


def move(feedback, to, actor, **data):
    note = data.pop("note", "")
    return services.feedback_transition(actor=actor, feedback=feedback, to=to, note=note, data=data)


RESOLUTION = {
    "root_cause": "El transportista no escaneó dos bultos.",
    "resolution": "Se enviaron las cajas que faltaban al día siguiente.",
    "response_to_customer": "Le pedimos disculpas: las cajas llegaron el viernes.",
}


def test_numbers_follow_the_kind_and_the_year_of_receipt(users):
    with time_machine.travel(at(23, 10), tick=False):
        assert FeedbackFactory().number == "QJ-2026-0001"
        assert FeedbackFactory().number == "QJ-2026-0002"
        assert FeedbackFactory(kind="suggestion").number == "SG-2026-0001"
        assert FeedbackFactory(kind="compliment").number == "FL-2026-0001"
        assert FeedbackFactory(received_at=at(30, 17, month=12, year=2025)).number == "QJ-2025-0001"


def test_a_complaint_gets_its_deadlines_in_business_hours(users):
    with time_machine.travel(at(23, 10), tick=False):  # Monday 10:00
        complaint = FeedbackFactory(severity="medium")
    assert (complaint.acknowledge_target_hours, complaint.resolve_target_hours) == (Decimal(8), Decimal(45))
    assert complaint.acknowledge_due_at == at(23, 18)
    assert complaint.acknowledge_warn_at == at(23, 16, 24)  # 80 % of 8 h
    assert complaint.resolve_due_at == at(30, 10)  # five working days of nine hours
    assert complaint.resolve_warn_at == at(27, 10)  # 36 h
    assert sla.state(complaint, at(23, 12)) == sla.SlaState.ON_TIME
    assert sla.state(complaint, at(23, 16, 30)) == sla.SlaState.AT_RISK
    assert sla.state(complaint, at(23, 18, 1)) == sla.SlaState.BREACHED


def test_suggestions_and_compliments_have_no_sla_clock(users):
    for kind in ("suggestion", "compliment"):
        record = FeedbackFactory(kind=kind)
        assert record.resolve_due_at is None and record.acknowledge_due_at is None
        assert sla.state(record) is None


def test_configured_targets_apply_and_are_copied_onto_the_complaint(users):
    SlaTarget.objects.filter(severity="critical").update(acknowledge_hours=1, resolve_hours=4)
    with time_machine.travel(at(26, 16, 30), tick=False):  # Thursday 16:30
        complaint = FeedbackFactory(severity="critical")
    assert complaint.acknowledge_due_at == at(26, 17, 30)
    assert complaint.resolve_due_at == at(27, 11, 30)
    SlaTarget.objects.filter(severity="critical").update(acknowledge_hours=2)
    complaint.refresh_from_db()
    assert complaint.acknowledge_target_hours == 1


def test_the_whole_process_with_a_pause_matches_the_hand_calculation(users):
    agent = users["customer_service"]
    contact = ContactFactory()
    closed = []

    def receiver(sender, **kwargs):
        closed.append(kwargs)

    events.feedback_closed.connect(receiver)
    try:
        with time_machine.travel(at(23, 10), tick=False):
            complaint = FeedbackFactory(contact=contact, assigned_to=agent)
        assert complaint.customer == contact.customer
        with time_machine.travel(at(23, 11), tick=False):
            complaint = move(complaint, S.ACKNOWLEDGED, agent)
        assert complaint.acknowledged_at == at(23, 11)
        with time_machine.travel(at(23, 12), tick=False):
            complaint = move(
                complaint,
                S.IN_ANALYSIS,
                agent,
                severity="high",
                impact="Un cliente; retrasa su obra dos días.",
                immediate_action_needed=True,
                immediate_action="Envío urgente de las cajas.",
            )
        # High: resolve in 27 h from Monday 10:00 → Thursday 10:00; acknowledgement already met.
        assert complaint.resolve_due_at == at(26, 10) and complaint.acknowledge_due_at == at(23, 18)
        assert complaint.assessed_by == agent and complaint.severity == "high"
        with time_machine.travel(at(24, 17), tick=False):
            complaint = move(complaint, S.WAITING_CUSTOMER, agent, note="Pedimos fotos del albarán.")
        assert sla.state(complaint, at(30, 12)) == sla.SlaState.PAUSED
        with time_machine.travel(at(26, 10), tick=False):
            complaint = move(complaint, S.IN_ANALYSIS, agent)
        # Paused Tuesday 17:00 → Thursday 10:00: 1 + 9 + 1 = 11 business hours.
        assert complaint.sla_paused_seconds == 11 * 3600
        assert complaint.resolve_due_at == at(27, 12)
        with time_machine.travel(at(27, 11), tick=False):
            with pytest.raises(ValidationError) as caught:
                move(complaint, S.RESOLVED, agent, resolution="Algo")
            assert set(caught.value.message_dict) == {"root_cause", "response_to_customer"}
            complaint = move(complaint, S.RESOLVED, agent, **RESOLUTION)
        # Monday 10:00 → Friday 11:00 is 37 business hours, 11 of them paused.
        assert complaint.resolution_seconds == 26 * 3600
        assert sla.state(complaint, at(30, 12)) == sla.SlaState.MET
        with pytest.raises(DomainError):
            move(complaint, S.CLOSED, agent)
        complaint = services.feedback_record_answer(actor=agent, feedback=complaint, accepted=True, note="Conforme.")
        with time_machine.travel(at(30, 9), tick=False):
            complaint = move(complaint, S.CLOSED, agent)
    finally:
        events.feedback_closed.disconnect(receiver)
    assert complaint.status == S.CLOSED and complaint.closed_at == at(30, 9)
    assert closed == [
        {
            "signal": events.feedback_closed,
            "feedback": complaint,
            "customer": contact.customer,
            "contact": contact,
            "actor": agent,
        }
    ]
    steps = AuditEntry.objects.filter(object_id=str(complaint.pk), action="transition").order_by("seq")
    assert [e.changes["status"][1] for e in steps] == [
        "acknowledged",
        "in_analysis",
        "waiting_customer",
        "in_analysis",
        "resolved",
        "closed",
    ]
    assert steps[2].note == "Pedimos fotos del albarán."


ALL = [s.value for s in S]


def _illegal_pairs():
    for kind in ("complaint", "suggestion", "compliment"):
        for current in ALL:
            record = Feedback(kind=kind, status=current)
            for target in ALL:
                if target not in states.allowed(record):
                    yield kind, current, target


@pytest.mark.parametrize(("kind", "current", "target"), list(_illegal_pairs()))
def test_every_illegal_move_is_refused_and_changes_nothing(users, kind, current, target):
    record = FeedbackFactory(kind=kind)
    Feedback.objects.filter(pk=record.pk).update(status=current)
    record.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.feedback_transition(actor=users["quality"], feedback=record, to=target, data=RESOLUTION)
    record.refresh_from_db()
    assert record.status == current and record.lock_version == 1


def test_a_nonsense_status_is_refused(users):
    with pytest.raises(IllegalTransition, match="no es un estado válido"):
        move(FeedbackFactory(), "archived", users["quality"])


def test_a_compliment_is_acknowledged_and_closed_without_analysis(users):
    compliment = FeedbackFactory(kind="compliment")
    compliment = move(compliment, S.ACKNOWLEDGED, users["customer_service"])
    assert states.allowed(compliment) == [S.CLOSED]
    compliment = move(compliment, S.CLOSED, users["customer_service"], response_to_customer="¡Gracias!")
    assert compliment.status == S.CLOSED and compliment.responded_at


def test_the_assessment_needs_the_impact_and_the_immediate_action_when_needed(users):
    complaint = move(FeedbackFactory(), S.ACKNOWLEDGED, users["quality"])
    with pytest.raises(ValidationError) as caught:
        move(complaint, S.IN_ANALYSIS, users["quality"], immediate_action_needed=True)
    assert set(caught.value.message_dict) == {"impact", "immediate_action"}
    complaint.refresh_from_db()
    assert complaint.status == S.ACKNOWLEDGED and complaint.assessed_at is None


def test_acknowledging_late_records_the_breach_for_good(users):
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory(severity="critical", assigned_to=users["customer_service"])  # 2 h → 12:00
    with time_machine.travel(at(23, 12, 30), tick=False):
        complaint = move(complaint, S.ACKNOWLEDGED, users["customer_service"])
    assert complaint.acknowledge_breached_at == at(23, 12)
    assert sla.state(complaint, at(23, 13)) == sla.SlaState.BREACHED
    recipients = set(
        Notification.objects.filter(kind="feedback_sla_breached").values_list("recipient__username", flat=True)
    )
    assert recipients == {"quique", "sara", "carlos"}


def test_a_complaint_recorded_after_its_deadline_is_breached_at_once(users):
    with time_machine.travel(at(26, 10), tick=False):
        complaint = FeedbackFactory(received_at=at(23, 10), severity="medium")
    assert complaint.acknowledge_breached_at == at(23, 18) and complaint.resolve_breached_at is None
    assert sla.state(complaint) == sla.SlaState.BREACHED


def test_the_date_of_receipt_cannot_be_in_the_future_and_nothing_is_created(users):
    with pytest.raises(ValidationError) as caught:
        FeedbackFactory(received_at=dt.datetime.now(tz=MADRID) + dt.timedelta(hours=2))
    assert "received_at" in caught.value.message_dict
    assert not Feedback.objects.exists()


def test_the_contact_must_belong_to_the_customer(users):
    with pytest.raises(ValidationError) as caught:
        FeedbackFactory(customer=CustomerFactory(), contact=ContactFactory())
    assert "contact" in caught.value.message_dict


def test_rejecting_needs_a_reason_and_stops_both_clocks(users):
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory()
    with pytest.raises(ValidationError):
        move(complaint, S.REJECTED, users["quality"])
    with time_machine.travel(at(23, 11), tick=False):
        complaint = move(complaint, S.REJECTED, users["quality"], note="Duplicada de QJ-2026-0100.")
    assert complaint.rejection_reason == "Duplicada de QJ-2026-0100."
    assert complaint.acknowledged_at == complaint.resolved_at == at(23, 11)
    assert sla.state(complaint, at(30, 12)) == sla.SlaState.MET


def test_reopening_keeps_a_breach_and_moves_the_deadline_by_the_time_it_was_answered(users):
    agent = users["quality"]
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory(severity="critical")  # ack 12:00, resolve Tuesday 10:00
    with time_machine.travel(at(23, 13), tick=False):
        complaint = move(complaint, S.ACKNOWLEDGED, agent)  # late: breached
        complaint = move(complaint, S.IN_ANALYSIS, agent, impact="Leve")
    with time_machine.travel(at(23, 15), tick=False):
        complaint = move(complaint, S.RESOLVED, agent, **RESOLUTION)
    with time_machine.travel(at(25, 15), tick=False):  # two business days later the customer objects
        with pytest.raises(ValidationError):
            move(complaint, S.IN_ANALYSIS, agent)
        complaint = move(complaint, S.IN_ANALYSIS, agent, note="El cliente dice que faltan más cajas.")
    assert complaint.reopen_count == 1 and complaint.resolved_at is None
    assert complaint.acknowledge_breached_at == at(23, 12)
    assert complaint.sla_paused_seconds == 18 * 3600
    assert complaint.resolve_due_at == at(26, 10)  # Tuesday 10:00 + 18 business hours
    assert sla.state(complaint, at(25, 16)) == sla.SlaState.BREACHED  # the acknowledgement breach stays


def test_two_agents_moving_the_same_complaint_one_wins_the_other_is_told(users):
    complaint = FeedbackFactory()
    version = complaint.lock_version
    services.feedback_transition(
        actor=users["quality"], feedback=complaint, to=S.ACKNOWLEDGED, expected_version=version
    )
    with pytest.raises(ConflictError, match="Enrique Calidad"):
        services.feedback_transition(
            actor=users["sales_manager"], feedback=complaint, to=S.REJECTED, note="x", expected_version=version
        )
    with pytest.raises(IllegalTransition):
        services.feedback_transition(actor=users["sales_manager"], feedback=complaint, to=S.ACKNOWLEDGED)


def test_the_escalation_job_warns_once_then_records_the_breach_once(users):
    agent = users["customer_service"]
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory(assigned_to=agent)
    Notification.objects.all().delete()
    with time_machine.travel(at(23, 16), tick=False):
        assert services.feedback_check_sla(feedback=complaint) == ""
    with time_machine.travel(at(23, 16, 30), tick=False):
        assert services.feedback_check_sla(feedback=complaint) == "warned"
        assert services.feedback_check_sla(feedback=complaint) == ""
    warning = Notification.objects.get()
    assert warning.recipient == agent and "18:00" in warning.title
    with time_machine.travel(at(23, 18, 5), tick=False):
        assert services.feedback_check_sla(feedback=complaint) == "breached"
        assert services.feedback_check_sla(feedback=complaint) == ""
    complaint.refresh_from_db()
    assert complaint.acknowledge_breached_at == at(23, 18)
    breaches = Notification.objects.filter(kind="feedback_sla_breached")
    assert sorted(breaches.values_list("recipient__username", flat=True)) == ["carlos", "quique", "sara"]
    assert AuditEntry.objects.filter(object_id=str(complaint.pk), note="Objetivo de SLA incumplido").exists()


def test_an_unassigned_complaint_at_risk_warns_the_customer_service_team(users, make_user):
    second = make_user("marta", "customer_service")
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory()
    with time_machine.travel(at(23, 17), tick=False):
        services.feedback_check_sla(feedback=complaint)
    assert set(Notification.objects.filter(kind="feedback_sla_at_risk").values_list("recipient", flat=True)) == {
        users["customer_service"].pk,
        second.pk,
    }


def test_a_paused_complaint_is_neither_warned_nor_breached(users):
    agent = users["quality"]
    with time_machine.travel(at(23, 10), tick=False):
        complaint = move(FeedbackFactory(severity="critical"), S.ACKNOWLEDGED, agent)
        complaint = move(complaint, S.IN_ANALYSIS, agent, impact="x")
        complaint = move(complaint, S.WAITING_CUSTOMER, agent, note="Esperamos el albarán.")
    with time_machine.travel(at(30, 10), tick=False):
        assert complaint not in services.sla_candidates(at(30, 10))
        assert services.feedback_check_sla(feedback=complaint) == ""
    complaint.refresh_from_db()
    assert complaint.resolve_breached_at is None


def test_a_public_submission_is_linked_to_the_known_contact_and_confirmed_by_e_mail(
    users, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="ana@bodegas.es")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.feedback_submit_public(
            data={
                "kind": "complaint",
                "subject": "Botellas rotas",
                "description": "<script>alert(1)</script> Llegaron rotas.",
                "submitter_name": "Ana",
                "submitter_email": "ANA@bodegas.es",
            },
            language="es",
        )
    assert complaint.contact == contact and complaint.customer == contact.customer
    assert complaint.channel == "web" and complaint.description.startswith("<script>")
    assert Notification.objects.filter(kind="feedback_received", recipient=users["customer_service"]).exists()
    receipts = [m for m in mail.outbox if m.to == ["ana@bodegas.es"]]
    assert len(receipts) == 1 and complaint.number in receipts[0].subject and complaint.number in receipts[0].body


def test_assigning_needs_someone_who_works_complaints(users):
    with pytest.raises(ValidationError) as caught:
        FeedbackFactory(assigned_to=users["operations"])
    assert "assigned_to" in caught.value.message_dict and not Feedback.objects.exists()
    complaint = FeedbackFactory()
    with pytest.raises(ValidationError):
        services.feedback_assign(actor=users["quality"], feedback=complaint, assignee=users["operations"])
    complaint = services.feedback_assign(actor=users["quality"], feedback=complaint, assignee=users["customer_service"])
    assert complaint.assigned_to == users["customer_service"]
    assert Notification.objects.filter(recipient=users["customer_service"], kind="feedback_assigned").exists()


def test_acknowledging_an_unassigned_complaint_assigns_it_to_the_agent(users):
    complaint = move(FeedbackFactory(), S.ACKNOWLEDGED, users["customer_service"])
    assert complaint.assigned_to == users["customer_service"]


def test_suggestions_are_evaluated(users):
    accepted = move(
        move(FeedbackFactory(kind="suggestion"), S.ACKNOWLEDGED, users["quality"]), S.IN_ANALYSIS, users["quality"]
    )
    accepted = move(accepted, S.RESOLVED, users["quality"], resolution="Lo haremos", response_to_customer="Gracias")
    assert accepted.evaluation == "accepted"
    declined = move(FeedbackFactory(kind="suggestion"), S.REJECTED, users["quality"], note="No es viable")
    assert declined.evaluation == "declined"
    assert states.permission_for(declined, S.RESOLVED) == "feedback.evaluate"


def test_editing_corrects_facts_and_recomputes_the_clock(users):
    with time_machine.travel(at(23, 10), tick=False):
        complaint = FeedbackFactory(severity="medium")
        complaint = services.feedback_update(
            actor=users["quality"], feedback=complaint, data={"severity": "critical", "subject": "Nuevo asunto"}
        )
    assert complaint.acknowledge_due_at == at(23, 12) and complaint.resolve_due_at == at(24, 10)
    complaint = move(complaint, S.ACKNOWLEDGED, users["quality"])
    with pytest.raises(ValidationError):
        services.feedback_update(actor=users["quality"], feedback=complaint, data={"received_at": at(20, 10)})


def test_a_closed_complaint_cannot_be_edited(users):
    compliment = move(
        move(FeedbackFactory(kind="compliment"), S.ACKNOWLEDGED, users["quality"]), S.CLOSED, users["quality"]
    )
    with pytest.raises(DomainError):
        services.feedback_update(actor=users["quality"], feedback=compliment, data={"subject": "otro"})


def test_the_escalation_job_is_registered_and_reports_what_it_did(users):
    from clientela.core import jobs
    from clientela.feedback import tasks

    job = jobs.PERIODIC["feedback.sla_escalation"]
    assert job.every == dt.timedelta(minutes=5) and job.task == tasks.check_sla_clocks
    with time_machine.travel(at(23, 10), tick=False):
        FeedbackFactory(severity="critical", assigned_to=users["customer_service"])  # acknowledge by 12:00
        FeedbackFactory(severity="low")
    with time_machine.travel(at(23, 11, 45), tick=False):
        assert tasks.check_sla_clocks.call() == {"warned": 1, "breached": 0}
    # Tuesday 15:00: the critical one missed both deadlines (Monday 12:00, Tuesday 10:00); the low
    # one is at risk (16 h → Tuesday 17:00, warned from 14:48).
    with time_machine.travel(at(24, 15), tick=False):
        assert tasks.check_sla_clocks.call() == {"warned": 1, "breached": 1}
    with time_machine.travel(at(25, 10), tick=False):
        assert tasks.check_sla_clocks.call() == {"warned": 0, "breached": 1}
    assert Feedback.objects.filter(resolve_breached_at__isnull=False).count() == 1
