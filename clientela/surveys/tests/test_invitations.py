"""Invitations: consent, frequency cap, expiry, one reminder, opt-out honoured everywhere, the
e-mail in the survey's language, and the lifecycle triggers."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from clientela.core import events, jobs
from clientela.core.errors import DomainError
from clientela.customers.models import Customer
from clientela.customers.services import contact_opt_out, customer_update
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys import services, tasks
from clientela.surveys.models import Survey, SurveyInvitation
from clientela.surveys.tests.factories import answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(users):
    return make_survey(users["quality"])


def invite(survey, contact, actor=None):
    return services.invitation_create(actor=actor, survey=survey, contact=contact)


def test_an_invitation_has_an_unguessable_single_use_link(survey, users, django_capture_on_commit_callbacks):
    contact = ContactFactory(first_name="Lucía")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(survey, contact, users["quality"])
    assert len(invitation.token) == 43 and invitation.public_url.endswith(f"/s/{invitation.token}/")
    assert invitation.customer == contact.customer
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=30)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email] and invitation.public_url in message.body
    assert "Estimado/a Lucía" in message.body and "opt-out" in message.extra_headers["List-Unsubscribe"]
    invitation.refresh_from_db()
    assert invitation.status == "sent" and invitation.sent_at


def test_two_invitations_never_share_a_token(survey, users):
    tokens = {invite(survey, ContactFactory()).token for _ in range(20)}
    assert len(tokens) == 20


def test_the_email_is_in_the_survey_language(users, django_capture_on_commit_callbacks):
    survey = make_survey(users["quality"], title="Delivery satisfaction", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invite(survey, ContactFactory(first_name="John"))
    assert mail.outbox[0].body.startswith("Dear John,")
    assert "we would like to hear from you" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("contact_data", "reason"),
    [
        ({"survey_consent": False, "survey_legal_basis": ""}, "no ha aceptado"),
        ({"email": ""}, "no tiene dirección de correo"),
        ({"survey_opt_out_at": timezone.now()}, "pidió no recibir"),
    ],
)
def test_only_contacts_who_may_be_surveyed_are_invited(survey, contact_data, reason):
    contact = ContactFactory(**contact_data)
    with pytest.raises(DomainError, match=reason):
        invite(survey, contact)
    assert not SurveyInvitation.objects.exists()


def test_a_recorded_legal_basis_is_enough(survey):
    contact = ContactFactory(survey_consent=False, survey_legal_basis="contract")
    assert invite(survey, contact).pk


def test_a_contact_is_not_invited_twice_within_the_frequency_cap(survey, time_machine):
    contact = ContactFactory()
    invite(survey, contact)
    other = make_survey(title="Otra encuesta")
    with pytest.raises(DomainError, match="no se invita a un contacto más de una vez cada 30 días"):
        invite(other, contact)
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    assert invite(other, contact).pk


def test_a_cancelled_invitation_does_not_count_for_the_cap(survey, users):
    contact = ContactFactory()
    services.invitation_cancel(actor=users["quality"], invitation=invite(survey, contact))
    assert invite(survey, contact).pk


def test_the_frequency_cap_is_configurable(users):
    survey = make_survey(users["quality"], frequency_cap_days=0)
    contact = ContactFactory()
    invite(survey, contact)
    assert invite(survey, contact).pk


def test_a_draft_or_closed_survey_invites_no_one(users):
    draft = make_survey(users["quality"], publish=False)
    with pytest.raises(DomainError, match="no está publicada"):
        invite(draft, ContactFactory())
    closed = services.survey_close(actor=users["quality"], survey=make_survey(users["quality"]))
    with pytest.raises(DomainError):
        invite(closed, ContactFactory())


def test_exactly_one_reminder_is_sent(survey, time_machine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(survey, ContactFactory())
    time_machine.move_to(timezone.now() + dt.timedelta(days=3))
    assert services.invitations_remind_due() == 0
    time_machine.move_to(timezone.now() + dt.timedelta(days=5))
    assert services.invitations_remind_due() == 1
    assert services.invitations_remind_due() == 0
    time_machine.move_to(timezone.now() + dt.timedelta(days=10))
    assert services.invitations_remind_due() == 0
    assert [m.subject.startswith("Recordatorio") for m in mail.outbox] == [False, True]
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None


def test_an_answered_invitation_gets_no_reminder(survey, time_machine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(survey, ContactFactory())
    services.response_submit(invitation=invitation, raw={survey.current_version.questions.get(position=1).pk: 5})
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    assert services.invitations_remind_due() == 0


def test_an_email_that_did_not_leave_is_retried(survey, time_machine):
    invitation = invite(survey, ContactFactory())  # no commit: the e-mail task never ran
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=15))
    assert services.invitations_remind_due() == 1
    invitation.refresh_from_db()
    assert invitation.status == "sent" and len(mail.outbox) == 1


def test_invitations_expire(survey, time_machine):
    invitation = invite(survey, ContactFactory())
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    assert not SurveyInvitation.objects.get(pk=invitation.pk).is_open
    assert services.invitations_expire() == 1 and services.invitations_expire() == 0
    invitation.refresh_from_db()
    assert invitation.status == "expired"


def test_opting_out_cancels_open_invitations_and_blocks_new_ones(survey, users):
    contact = ContactFactory()
    invitation = invite(survey, contact)
    services.invitation_opt_out(invitation=invitation)
    invitation.refresh_from_db()
    contact.refresh_from_db()
    assert invitation.status == "cancelled" and contact.survey_opt_out_at and not contact.survey_consent
    with pytest.raises(DomainError, match="pidió no recibir"):
        invite(make_survey(title="Otra", frequency_cap_days=0), contact)


def test_an_opt_out_recorded_by_staff_is_honoured_when_sending(survey, users):
    contact = ContactFactory()
    invitation = invite(survey, contact)
    contact_opt_out(actor=users["sales_manager"], contact=contact, note="Lo pidió por teléfono")
    assert services.invitation_send(invitation_id=invitation.pk) is False
    invitation.refresh_from_db()
    assert invitation.status == "cancelled" and not mail.outbox


# --- triggers -----------------------------------------------------------------------------------


@pytest.fixture
def delivery_survey(users):
    return make_survey(users["quality"], title="Encuesta de entrega", trigger=Survey.Trigger.DELIVERY)


def send_delivery(customer, contact=None, pk=7):
    events.delivery_recorded.send(
        sender=object,
        delivery=SimpleNamespace(pk=pk),
        customer=customer,
        contact=contact,
        conforming=True,
        actor=None,
    )


def test_a_recorded_delivery_invites_the_contact_once(delivery_survey):
    contact = ContactFactory()
    send_delivery(contact.customer, contact)
    send_delivery(contact.customer, contact)
    invitation = SurveyInvitation.objects.get()
    assert (invitation.contact, invitation.origin, invitation.trigger_key) == (contact, "delivery", "delivery:7")


def test_without_a_contact_the_delivery_invites_the_main_contact_who_may_be_surveyed(delivery_survey):
    customer = CustomerFactory()
    ContactFactory(customer=customer, is_primary=True, survey_consent=False, survey_legal_basis="")
    second = ContactFactory(customer=customer)
    send_delivery(customer)
    assert SurveyInvitation.objects.get().contact == second


def test_opt_out_then_trigger_sends_nothing(delivery_survey, users):
    contact = ContactFactory()
    contact_opt_out(actor=users["sales_manager"], contact=contact)
    send_delivery(contact.customer, contact)
    assert not SurveyInvitation.objects.exists()


def test_a_trigger_never_breaks_the_senders_transaction(delivery_survey):
    contact = ContactFactory()
    invite(delivery_survey, contact)  # inside the frequency cap now
    send_delivery(contact.customer, contact, pk=8)
    assert SurveyInvitation.objects.count() == 1


def test_surveys_with_another_trigger_ignore_deliveries(users):
    make_survey(users["quality"], trigger=Survey.Trigger.COMPLAINT_CLOSED)
    contact = ContactFactory()
    send_delivery(contact.customer, contact)
    assert not SurveyInvitation.objects.exists()


def test_closing_a_complaint_invites_to_the_resolution_survey(users):
    make_survey(users["quality"], title="Resolución", touchpoint="complaint_closed", trigger="complaint_closed")
    contact = ContactFactory()
    events.feedback_closed.send(
        sender=object,
        feedback=SimpleNamespace(pk=3, kind="complaint"),
        customer=contact.customer,
        contact=contact,
        actor=users["customer_service"],
    )
    events.feedback_closed.send(
        sender=object,
        feedback=SimpleNamespace(pk=4, kind="suggestion"),
        customer=contact.customer,
        contact=contact,
        actor=None,
    )
    events.feedback_closed.send(
        sender=object, feedback=SimpleNamespace(pk=5, kind="complaint"), customer=None, contact=None, actor=None
    )
    assert list(SurveyInvitation.objects.values_list("trigger_key", flat=True)) == ["feedback:3"]


def test_customers_are_invited_n_days_after_becoming_active(users, time_machine):
    start = timezone.now()
    survey = make_survey(
        users["quality"], title="Bienvenida", touchpoint="onboarding", trigger="activation", trigger_days=30
    )
    old = CustomerFactory(status="active")
    Customer.objects.filter(pk=old.pk).update(activated_at=start - dt.timedelta(days=200))
    ContactFactory(customer=old)
    new = CustomerFactory(status="prospect")
    ContactFactory(customer=new)
    customer_update(actor=users["sales_manager"], customer=new, data={"status": "active"})
    time_machine.move_to(start + dt.timedelta(days=29))
    assert services.invite_after_activation() == 0
    time_machine.move_to(start + dt.timedelta(days=31))
    assert services.invite_after_activation() == 1
    assert services.invite_after_activation() == 0
    invitation = SurveyInvitation.objects.get()
    assert (invitation.survey, invitation.customer, invitation.origin) == (survey, new, "activation")


def test_the_quarterly_survey_invites_each_active_customer_once_a_quarter(users, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 10, 10, tzinfo=dt.UTC))
    make_survey(users["quality"], title="Relación", touchpoint="periodic", trigger="quarterly")
    active = [ContactFactory(customer=CustomerFactory(status="active")) for _ in range(3)]
    ContactFactory(customer=CustomerFactory(status="former"))
    assert services.invite_quarterly() == 3
    assert services.invite_quarterly() == 0
    time_machine.move_to(dt.datetime(2026, 4, 10, 10, tzinfo=dt.UTC))
    assert services.invite_quarterly() == 3
    keys = set(SurveyInvitation.objects.values_list("trigger_key", flat=True))
    assert f"quarterly:2026-Q2:{active[0].customer_id}" in keys and len(keys) == 6


def test_the_quarterly_survey_skips_customers_who_already_answered_this_quarter(users, time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC))
    survey = make_survey(users["quality"], title="Relación", touchpoint="periodic", trigger="quarterly")
    by_phone = ContactFactory(customer=CustomerFactory(status="active"))
    answer(survey, score=4, customer=by_phone.customer, contact=by_phone)
    ContactFactory(customer=CustomerFactory(status="active"))
    assert services.invite_quarterly() == 1
    assert not SurveyInvitation.objects.filter(customer=by_phone.customer).exists()


def test_periodic_jobs_are_registered_and_idempotent(users):
    for name in ("surveys.reminders", "surveys.expire", "surveys.after_activation", "surveys.quarterly"):
        assert name in jobs.PERIODIC
    assert tasks.send_reminders.call() == 0
    assert tasks.expire_invitations.call() == 0
    assert tasks.invite_new_customers.call() == 0
    assert tasks.invite_quarterly.call() == 0
