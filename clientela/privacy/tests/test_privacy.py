import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clientela.accounts.models import ApiToken
from clientela.core import audit
from clientela.core.errors import DomainError, IllegalTransition
from clientela.customers import services as customers
from clientela.customers.models import Contact, Customer, Interaction
from clientela.privacy import services, tasks
from clientela.privacy.models import DataSubjectRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(users):
    customer = customers.customer_create(
        actor=users["sales_manager"], data={"name": "Talleres Ebro S.L.", "account_manager": users["account_manager"]}
    )
    contact = customers.contact_create(
        actor=users["sales_manager"],
        customer=customer,
        data={
            "first_name": "Inés",
            "last_name": "Zubiri",
            "email": "ines@ebro.es",
            "phone": "976 123 456",
            "survey_consent": True,
        },
    )
    customers.interaction_log(
        actor=users["account_manager"],
        customer=customer,
        data={
            "channel": "phone",
            "subject": "Llamada",
            "contact": contact,
            "notes": "Inés pide llamar a su móvil personal",
        },
    )
    return contact


@pytest.fixture
def verified(users, contact):
    request = services.request_create(actor=users["quality"], data={"kind": "erasure", "contact": contact})
    return services.request_verify_identity(actor=users["quality"], request=request, method="DNI en persona")


@pytest.mark.parametrize(
    ("country", "kind", "received", "due"),
    [
        ("ES", "access", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        ("ES", "erasure", dt.date(2026, 3, 15), dt.date(2026, 4, 15)),
        ("MX", "access", dt.date(2026, 3, 2), dt.date(2026, 3, 31)),  # 20 working days, 16 March is a holiday
        ("AR", "access", dt.date(2026, 5, 4), dt.date(2026, 5, 14)),  # 10 calendar days
        ("AR", "erasure", dt.date(2026, 5, 22), dt.date(2026, 6, 1)),  # 5 working days, 25 May is a holiday
    ],
)
def test_legal_deadlines_follow_the_country_profile(country, kind, received, due):
    assert services.due_date_for(country=country, kind=kind, received=received) == due


def test_a_request_is_numbered_dated_and_needs_a_subject(users, contact):
    request = services.request_create(actor=users["quality"], data={"kind": "access", "contact": contact})
    assert request.number.startswith(f"DSR-{timezone.localdate():%Y}-") and request.customer == contact.customer
    assert request.due_date > timezone.localdate()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.request_create(actor=users["quality"], data={"kind": "access"})


def test_closing_needs_identity_and_a_resolution_and_follows_the_state_machine(users, contact):
    request = services.request_create(actor=users["quality"], data={"kind": "access", "contact": contact})
    with pytest.raises(IllegalTransition):
        services.request_transition(actor=users["quality"], request=request, to="completed", resolution="x")
    services.request_transition(actor=users["quality"], request=request, to="in_progress")
    with pytest.raises(DomainError):
        services.request_transition(actor=users["quality"], request=request, to="completed", resolution="Enviado")
    services.request_verify_identity(actor=users["quality"], request=request, method="DNI")
    done = services.request_transition(
        actor=users["quality"], request=request, to="completed", resolution="Enviado por correo"
    )
    assert done.status == "completed" and done.completed_at


def test_the_export_holds_everything_about_the_person(users, verified, contact):
    data = services.export_subject(actor=users["quality"], request=verified)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {"data.json", "contact.csv", "interaction.csv"} <= set(archive.namelist())
    payload = json.loads(archive.read("data.json"))
    rows = payload["data"]["customers"]
    assert any(r["record"] == "contact" and r["email"] == "ines@ebro.es" for r in rows)
    assert any(r["record"] == "interaction" and "móvil" in r["notes"] for r in rows)
    assert "Inés" in archive.read("contact.csv").decode("utf-8-sig")
    assert audit.history_for(contact).filter(action="exported").exists()


def test_nothing_is_exported_or_erased_before_the_identity_is_checked(users, contact):
    request = services.request_create(actor=users["quality"], data={"kind": "erasure", "contact": contact})
    with pytest.raises(DomainError):
        services.export_subject(actor=users["quality"], request=request)
    with pytest.raises(DomainError):
        services.anonymise_subject(actor=users["quality"], request=request)


def test_anonymising_keeps_statistics_and_the_audit_chain(users, verified, contact):
    interactions = Interaction.objects.count()
    services.anonymise_subject(actor=users["quality"], request=verified)
    contact.refresh_from_db()
    assert contact.email == "" and contact.phone == "" and contact.last_name == "" and contact.anonymised_at
    assert Interaction.objects.count() == interactions
    assert Interaction.objects.get().notes == ""
    assert not any("Zubiri" in str(e.changes) for e in audit.history_for(contact))
    assert audit.verify_chain().ok
    assert services.anonymise_subject(actor=users["quality"], request=verified) == 0  # idempotent


def test_a_legal_hold_stops_erasure(users, verified, contact):
    services.hold_place(actor=users["quality"], customer=contact.customer, reason="Reclamación judicial en curso")
    with pytest.raises(DomainError, match="Reclamación judicial"):
        services.anonymise_subject(actor=users["quality"], request=verified)


def test_blocked_data_is_hidden_from_normal_roles(users, verified, contact, client_as):
    services.block_subject(
        actor=users["quality"], request=verified, until=timezone.localdate() + dt.timedelta(days=365 * 3)
    )
    manager = client_as("account_manager")
    assert "Inés" not in manager.get(reverse("customers:contacts")).text
    assert manager.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == 404
    api = APIClient()
    _, raw = ApiToken.issue(user=users["sales_manager"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/contacts/").json()["count"] == 0
    assert "Inés" in client_as("quality").get(reverse("customers:contacts")).text


def test_retention_disposes_of_stale_former_customers_but_not_held_ones(users):
    old = timezone.now() - dt.timedelta(days=365 * 7)
    stale = Customer.objects.create(code="CLI-1", name="Antiguo", kind="person", status="former", email="a@x.es")
    held = Customer.objects.create(code="CLI-2", name="Retenido", kind="person", status="former", email="b@x.es")
    Customer.objects.filter(pk__in=[stale.pk, held.pk]).update(updated_at=old)
    Contact.objects.create(customer=stale, first_name="Ana", email="ana@x.es")
    services.hold_place(actor=users["quality"], customer=held, reason="Inspección de Hacienda")
    tasks.apply_retention.call()
    stale.refresh_from_db()
    held.refresh_from_db()
    assert stale.anonymised_at and stale.email == "" and not Contact.objects.filter(email="ana@x.es").exists()
    assert held.anonymised_at is None and held.email == "b@x.es"
    tasks.apply_retention.call()


def test_overdue_requests_are_notified_once_a_day(users, contact):
    request = services.request_create(actor=users["quality"], data={"kind": "access", "contact": contact})
    DataSubjectRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert tasks.warn_due_requests.call() >= 1
    assert tasks.warn_due_requests.call() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("quality", 200), ("admin", 200), ("management", 403), ("sales_manager", 403), ("customer_service", 403)],
)
def test_only_data_protection_handlers_open_the_register(client_as, role, status):
    assert client_as(role).get(reverse("privacy:list")).status_code == status


def test_the_pages_walk_a_request_to_the_end(client_as, contact):
    client = client_as("quality")
    response = client.post(
        reverse("privacy:create"),
        {
            "kind": "access",
            "country": "ES",
            "contact_email": "ines@ebro.es",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302
    client.post(reverse("privacy:verify", args=[request.pk]), {"identity_method": "DNI"})
    export = client.post(reverse("privacy:export", args=[request.pk]))
    assert export["Content-Type"] == "application/zip"
    client.post(reverse("privacy:transition", args=[request.pk]), {"to": "in_progress"})
    client.post(reverse("privacy:transition", args=[request.pk]), {"to": "completed", "resolution": "Datos enviados"})
    request.refresh_from_db()
    assert request.status == "completed"
    assert "DSR-" in client.get(reverse("privacy:detail", args=[request.pk])).text


def test_erasure_reaches_complaints_and_survey_answers(users, verified, contact):
    from clientela.feedback.models import Feedback
    from clientela.feedback.services import feedback_create
    from clientela.surveys.models import SurveyResponse
    from clientela.surveys.tests.factories import COMMENT, RATING, answer, make_survey

    complaint = feedback_create(
        actor=None,
        data={
            "kind": "complaint",
            "customer": contact.customer,
            "contact": contact,
            "channel": "web",
            "subject": "Retraso",
            "description": "El pedido llegó tarde",
            "submitter_name": "Inés Zubiri",
            "submitter_email": "ines@ebro.es",
        },
    )
    survey = make_survey(users["quality"], questions=[RATING, COMMENT])
    response = answer(
        survey, score=2, customer=contact.customer, contact=contact, extra={2: "Llámenme al 600 111 222, Inés"}
    )
    exported = services.export_subject(actor=users["quality"], request=verified)
    payload = json.loads(zipfile.ZipFile(io.BytesIO(exported)).read("data.json"))
    assert payload["data"]["feedback"][0]["number"] == complaint.number
    assert any("600 111 222" in str(r.get("answer")) for r in payload["data"]["surveys"])

    services.anonymise_subject(actor=users["quality"], request=verified)
    complaint = Feedback.objects.get(pk=complaint.pk)
    assert (
        complaint.submitter_name == ""
        and complaint.submitter_email == ""
        and complaint.description == "El pedido llegó tarde"
    )
    response = SurveyResponse.objects.get(pk=response.pk)
    assert response.contact is None and response.customer == contact.customer and response.headline_value == 2
    assert not any("600 111 222" in str(a.value) for a in response.answers.all())
    assert audit.verify_chain().ok
