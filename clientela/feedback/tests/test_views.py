"""The complaint pages: inbox, board, intake, the complaint page and its steps, the public form and
the settings; permissions per role and query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clientela.action_plans.models import ActionPlan
from clientela.core.models import AuditEntry, BusinessCalendar, CalendarDay
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.feedback import services
from clientela.feedback.models import Feedback, SlaTarget

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db
S = Feedback.Status


def test_the_inbox_lists_with_sla_badges_and_live_countdowns(client_as, users):
    complaint = FeedbackFactory(subject="Cajas rotas", assigned_to=users["customer_service"])
    FeedbackFactory(kind="suggestion", subject="Portal en inglés")
    page = client_as("customer_service").get(reverse("feedback:list"))
    assert page.status_code == 200
    assert "Cajas rotas" in page.text and "Portal en inglés" in page.text
    assert complaint.number in page.text and "En plazo" in page.text
    assert f'data-countdown datetime="{timezone.localtime(complaint.acknowledge_due_at).isoformat()}"' in page.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mine": "true"}, {"Mía"}),
        ({"kind": "suggestion"}, {"Sugerencia"}),
        ({"sla": "breached"}, {"Atrasada"}),
        ({"sla": "at_risk"}, {"En riesgo"}),
        ({"sla": "on_time"}, {"Mía", "Otra"}),
        ({"severity": "critical"}, {"En riesgo"}),
        ({"q": "atrasada"}, {"Atrasada"}),
        ({"assigned": "none"}, {"Sugerencia", "Atrasada", "En riesgo", "Otra"}),
        ({"open": "true", "status": "received"}, {"Mía", "Sugerencia", "Atrasada", "En riesgo", "Otra"}),
    ],
)
def test_the_inbox_filters(client_as, users, params, expected):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=20)):
        FeedbackFactory(subject="Atrasada")
    FeedbackFactory(subject="Mía", assigned_to=users["customer_service"])
    FeedbackFactory(subject="Otra")
    FeedbackFactory(subject="Sugerencia", kind="suggestion")
    risky = FeedbackFactory(subject="En riesgo", severity="critical")
    Feedback.objects.filter(pk=risky.pk).update(acknowledge_warn_at=now - dt.timedelta(minutes=1))
    page = client_as("customer_service").get(reverse("feedback:list"), params)
    shown = {s for s in ("Mía", "Otra", "Sugerencia", "Atrasada", "En riesgo") if f">{s}</a>" in page.text}
    assert shown == expected


def test_the_inbox_lists_the_records_behind_an_indicator(client_as):
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        FeedbackFactory(subject="Vencida")
    FeedbackFactory(subject="Reciente")
    period = timezone.localdate().strftime("%Y")
    page = client_as("quality").get(reverse("feedback:list"), {"figure": "acknowledged_within_sla", "period": period})
    assert ">Vencida</a>" in page.text and ">Reciente</a>" not in page.text
    assert "Mostrando los registros" in page.text
    assert (
        client_as("quality").get(reverse("feedback:list"), {"figure": "sla_breaches", "period": "2026-Q9"}).status_code
        == 404
    )


def test_the_inbox_needs_a_fixed_number_of_queries(client_as, users, django_assert_max_num_queries):
    client = client_as("quality")
    for _ in range(3):
        FeedbackFactory(customer=CustomerFactory(), assigned_to=users["customer_service"])
    client.get(reverse("feedback:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("feedback:list"))
    for _ in range(20):
        FeedbackFactory(customer=CustomerFactory(), assigned_to=users["quality"], kind="suggestion")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("feedback:list"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_inbox_exports_what_is_filtered(client_as, fmt):
    FeedbackFactory(subject="Exportada")
    FeedbackFactory(subject="Filtrada fuera", kind="suggestion")
    response = client_as("quality").get(reverse("feedback:list"), {"kind": "complaint", "export": fmt})
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert b"Exportada" in body and b"Filtrada fuera" not in body
    else:
        assert body[:2] == b"PK"


def test_the_board_groups_open_records_by_step(client_as, users):
    FeedbackFactory(subject="Nueva")
    analysed = FeedbackFactory(subject="Analizándose")
    services.feedback_transition(actor=users["quality"], feedback=analysed, to=S.ACKNOWLEDGED)
    page = client_as("quality").get(reverse("feedback:board"))
    assert page.status_code == 200
    columns = re.findall(r'<h2 id="col-(\w+)">', page.text)
    assert columns == ["received", "acknowledged", "in_analysis", "waiting_customer", "resolved"]
    assert page.text.index("Nueva") < page.text.index("Analizándose")


def test_staff_record_a_complaint_received_earlier(client_as, users):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    when = (timezone.localtime() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    response = client_as("customer_service").post(
        reverse("feedback:create"),
        {
            "kind": "complaint",
            "received_at": when.strftime("%Y-%m-%dT%H:%M"),
            "channel": "phone",
            "customer": customer.pk,
            "contact": contact.pk,
            "subject": "Llamada: el técnico no vino",
            "description": "Esperaron toda la mañana.",
            "severity": "high",
        },
    )
    complaint = Feedback.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert complaint.received_at == when and complaint.contact == contact
    assert complaint.assigned_to is None  # customer service cannot assign on intake


def test_intake_offers_the_customers_found_not_the_whole_customer_base(client_as):
    wanted = [CustomerFactory(name="Talleres Montoya S.L."), CustomerFactory(name="Frutas Montoya S.A.")]
    CustomerFactory(name="Conservas Zubiaurre S.L.")
    client = client_as("customer_service")
    url = reverse("feedback:create")

    def offered(response) -> set[int]:
        return {c for c, _label in response.context["form"].fields["customer"].widget.choices if c}

    assert offered(client.get(url)) == set()
    assert offered(client.get(url, {"customer_search": "montoya"})) == {c.pk for c in wanted}
    # Without JavaScript the Search button sends the form: it comes back as typed, nothing saved.
    response = client.post(
        url, {"customer_search": "Montoya", "find_customer": "1", "kind": "complaint", "subject": "Pedido incompleto"}
    )
    assert response.status_code == 200 and not response.context["form"].errors
    assert offered(response) == {c.pk for c in wanted}
    assert 'value="Pedido incompleto"' in response.content.decode()
    assert not Feedback.objects.exists()
    # The customer chosen stays offered (and valid) whatever the search says now.
    assert offered(client.get(url, {"customer": wanted[0].pk})) == {wanted[0].pk}


def test_intake_refuses_bad_input_and_records_nothing(client_as):
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_as("customer_service").post(
        reverse("feedback:create"), {"kind": "complaint", "channel": "phone", "subject": "", "received_at": later}
    )
    assert response.status_code == 200
    assert {"subject", "description"} <= set(response.context["form"].errors)
    assert not Feedback.objects.exists()


def test_the_complaint_page_shows_the_steps_allowed_to_this_user(client_as, users):
    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    page = client_as("customer_service").get(complaint.get_absolute_url())
    assert ">Acusar recibo</button>" in page.text and ">Rechazar</summary>" in page.text
    other = client_as("management").get(complaint.get_absolute_url())
    assert other.status_code == 200 and ">Acusar recibo</button>" not in other.text


def test_steps_are_performed_from_the_page_and_refusals_are_explained(client_as, users):
    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    client = client_as("customer_service")
    step = lambda to, data=None: client.post(reverse("feedback:step", args=[complaint.pk, to]), data or {})  # noqa: E731
    assert step("acknowledged").status_code == 302
    response = step("in_analysis", {"assess-severity": "high"})
    assert response.status_code == 409 and "Describa el impacto" in response.text
    assert step("in_analysis", {"assess-severity": "high", "assess-impact": "Obra parada"}).status_code == 302
    response = step("closed")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.IN_ANALYSIS and complaint.severity == "high"
    messages = [str(m) for m in client.get(complaint.get_absolute_url()).context["messages"]]
    assert any("no puede pasar" in m for m in messages)


def test_a_stale_page_cannot_overwrite_a_colleagues_step(client_as, users):
    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    services.feedback_transition(actor=users["quality"], feedback=complaint, to=S.ACKNOWLEDGED)
    client = client_as("customer_service")
    response = client.post(
        reverse("feedback:step", args=[complaint.pk, "rejected"]), {"reject-rejection_reason": "x", "lock_version": "1"}
    )
    assert response.status_code == 409 and "Enrique Calidad" in response.text
    complaint.refresh_from_db()
    assert complaint.status == S.ACKNOWLEDGED


def test_recording_the_customers_answer_then_closing(client_as, users):
    complaint = FeedbackFactory(assigned_to=users["quality"])
    for to, data in [
        (S.ACKNOWLEDGED, {}),
        (S.IN_ANALYSIS, {"impact": "x"}),
        (S.RESOLVED, {"root_cause": "a", "resolution": "b", "response_to_customer": "c"}),
    ]:
        complaint = services.feedback_transition(actor=users["quality"], feedback=complaint, to=to, data=data)
    client = client_as("quality")
    response = client.post(reverse("feedback:answer", args=[complaint.pk]), {"customer_accepted": "no"})
    assert response.status_code == 400 and "Anote qué objeta el cliente" in response.text
    assert client.post(reverse("feedback:answer", args=[complaint.pk]), {"customer_accepted": "yes"}).status_code == 302
    assert client.post(reverse("feedback:step", args=[complaint.pk, "closed"])).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.customer_accepted is True


def test_script_in_a_complaint_is_shown_as_text(client_as):
    complaint = FeedbackFactory(subject="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    page = client_as("quality").get(complaint.get_absolute_url())
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text


def test_the_complaint_page_needs_a_fixed_number_of_queries(client_as, users, django_assert_max_num_queries):
    complaint = FeedbackFactory(customer=CustomerFactory(), assigned_to=users["quality"])
    client = client_as("quality")
    client.get(complaint.get_absolute_url())
    with django_assert_max_num_queries(40) as few:
        client.get(complaint.get_absolute_url())
    for to, data in [(S.ACKNOWLEDGED, {}), (S.IN_ANALYSIS, {"impact": "x"}), (S.WAITING_CUSTOMER, {})]:
        complaint = services.feedback_transition(actor=users["quality"], feedback=complaint, to=to, data=data, note="n")
    services.feedback_open_plan(actor=users["quality"], feedback=complaint)
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        client.get(complaint.get_absolute_url())


def test_taking_and_assigning(client_as, users):
    complaint = FeedbackFactory()
    agent = client_as("customer_service")
    assert (
        agent.post(reverse("feedback:assign", args=[complaint.pk]), {"assigned_to": users["quality"].pk}).status_code
        == 403
    )
    assert agent.post(reverse("feedback:assign", args=[complaint.pk]), {"take": "1"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.assigned_to == users["customer_service"]
    assert agent.post(reverse("feedback:assign", args=[complaint.pk]), {"take": "1"}).status_code == 403
    manager = client_as("sales_manager")
    assert (
        manager.post(reverse("feedback:assign", args=[complaint.pk]), {"assigned_to": users["quality"].pk}).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert complaint.assigned_to == users["quality"]


def test_customer_service_works_only_what_is_assigned_to_them(client_as, users):
    complaint = FeedbackFactory(assigned_to=users["quality"])
    response = client_as("customer_service").post(reverse("feedback:step", args=[complaint.pk, "acknowledged"]))
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_open_corrective_plan_in_one_step(client_as, users):
    complaint = FeedbackFactory(customer=CustomerFactory())
    client = client_as("quality")
    response = client.post(reverse("feedback:open_plan", args=[complaint.pk]))
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.kind == "corrective" and plan.origin == "feedback" and plan.source == complaint
    assert plan.customer == complaint.customer and plan.owner == users["quality"]
    again = client.post(reverse("feedback:open_plan", args=[complaint.pk]))
    assert again.url == plan.get_absolute_url() and ActionPlan.objects.count() == 1
    assert client_as("customer_service").post(reverse("feedback:open_plan", args=[complaint.pk])).status_code == 403


def test_a_suggestion_opens_an_improvement_plan_only_once_accepted(client_as, users):
    suggestion = FeedbackFactory(kind="suggestion")
    client = client_as("quality")
    client.post(reverse("feedback:open_plan", args=[suggestion.pk]))
    assert not ActionPlan.objects.exists()
    for to, data in [
        (S.ACKNOWLEDGED, {}),
        (S.IN_ANALYSIS, {}),
        (S.RESOLVED, {"resolution": "Sí", "response_to_customer": "Gracias"}),
    ]:
        suggestion = services.feedback_transition(actor=users["quality"], feedback=suggestion, to=to, data=data)
    client.post(reverse("feedback:open_plan", args=[suggestion.pk]))
    assert ActionPlan.objects.get().kind == "improvement"


def test_looking_at_the_complainants_details_is_recorded(client_as):
    complaint = FeedbackFactory(submitter_name="Ana Ruiz", submitter_email="ana@correo.es")
    page = client_as("quality").get(complaint.get_absolute_url())
    assert "ana@correo.es" not in page.text
    details = client_as("quality").get(reverse("feedback:person", args=[complaint.pk]), HTTP_HX_REQUEST="true")
    assert "ana@correo.es" in details.text
    assert AuditEntry.objects.filter(object_id=str(complaint.pk), action="viewed").count() == 1


# --- public form ----------------------------------------------------------------------------------

PUBLIC = {
    "kind": "complaint",
    "submitter_name": "Ana Ruiz",
    "submitter_email": "ana@correo.es",
    "subject": "El pedido llegó tarde",
    "description": "Llegó una semana tarde.",
    "privacy": "on",
}


def test_the_public_form_needs_no_login_and_gives_the_reference(client, mailoutbox, django_capture_on_commit_callbacks):
    assert client.get(reverse("feedback:public")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("feedback:public"), PUBLIC, follow=True)
    complaint = Feedback.objects.get()
    assert complaint.number in response.text and complaint.channel == "web"
    assert [m.to for m in mailoutbox] == [["ana@correo.es"]]


def test_the_public_form_speaks_english_too(client):
    page = client.get(reverse("feedback:public"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Tell us what happened" in page.text


def test_the_honeypot_catches_bots_quietly(client):
    response = client.post(reverse("feedback:public"), {**PUBLIC, "website": "http://spam.example"})
    assert response.status_code == 302 and not Feedback.objects.exists()


def test_the_public_form_is_rate_limited_per_address(client):
    for _ in range(5):
        assert client.post(reverse("feedback:public"), PUBLIC).status_code == 302
    response = client.post(reverse("feedback:public"), PUBLIC)
    assert response.status_code == 429 and Feedback.objects.count() == 5
    other = client.post(reverse("feedback:public"), PUBLIC, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_public_form_explains_missing_fields(client):
    response = client.post(reverse("feedback:public"), {"kind": "complaint"})
    assert response.status_code == 400 and 'role="alert"' in response.text and not Feedback.objects.exists()


def test_the_status_look_up_needs_the_reference_and_the_e_mail(client):
    complaint = FeedbackFactory(submitter_email="ana@correo.es")
    wrong = client.post(reverse("feedback:public_status"), {"number": complaint.number, "email": "otra@correo.es"})
    assert wrong.status_code == 404 and complaint.subject not in wrong.text
    right = client.post(
        reverse("feedback:public_status"), {"number": complaint.number.lower(), "email": "ANA@correo.es"}
    )
    assert right.status_code == 200 and complaint.subject in right.text


def test_a_forged_thanks_link_is_a_404(client):
    assert client.get(reverse("feedback:public_thanks", args=["forged"])).status_code == 404


# --- settings -------------------------------------------------------------------------------------


def test_only_administrators_edit_the_calendar_and_targets(client_as):
    assert client_as("quality").get(reverse("feedback:settings")).status_code == 403
    page = client_as("admin").get(reverse("feedback:settings"))
    assert page.status_code == 200 and "Calendario general" in page.text


def test_administrators_change_hours_days_targets_and_categories(client_as):
    client = client_as("admin")
    record = BusinessCalendar.objects.get(is_default=True)
    data = {
        "section": "calendar",
        "cal-name": "Oficina de Madrid",
        "cal-time_zone": "Europe/Madrid",
        "cal-country": "ES",
        "cal-subdivision": "MD",
        "cal-lock_version": record.lock_version,
        **{f"cal-day_{d}": "08:00-15:00" for d in range(5)},
    }
    assert client.post(reverse("feedback:settings"), data).status_code == 302
    record.refresh_from_db()
    assert record.hours["0"] == [["08:00", "15:00"]] and record.subdivision == "MD"
    bad = client.post(
        reverse("feedback:settings"), {**data, "cal-day_0": "15:00-08:00", "cal-lock_version": record.lock_version}
    )
    assert bad.status_code == 400
    day = {"section": "day", "day-date": "2026-12-24", "day-name": "Nochebuena", "day-kind": "closed"}
    assert client.post(reverse("feedback:settings"), day).status_code == 302
    assert CalendarDay.objects.get().name == "Nochebuena"
    targets = list(SlaTarget.objects.order_by("acknowledge_hours"))
    form = {"section": "targets", "sla-TOTAL_FORMS": "4", "sla-INITIAL_FORMS": "4"}
    for i, t in enumerate(targets):
        form |= {
            f"sla-{i}-id": t.pk,
            f"sla-{i}-acknowledge_hours": "1" if i == 0 else t.acknowledge_hours,
            f"sla-{i}-resolve_hours": t.resolve_hours,
        }
    assert client.post(reverse("feedback:settings"), form).status_code == 302
    assert SlaTarget.objects.get(severity="critical").acknowledge_hours == 1
    cats = {
        "section": "categories",
        "cat-TOTAL_FORMS": "1",
        "cat-INITIAL_FORMS": "0",
        "cat-0-name": "Embalaje",
        "cat-0-position": "5",
        "cat-0-is_active": "on",
    }
    assert client.post(reverse("feedback:settings"), cats).status_code == 302
    assert AuditEntry.objects.filter(object_repr="Embalaje", action="created").exists()


# --- permissions per role -------------------------------------------------------------------------

ROLES = [
    "admin",
    "management",
    "quality",
    "sales_manager",
    "account_manager",
    "customer_service",
    "operations",
    "nobody",
]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("feedback:list", {"admin", "management", "quality", "sales_manager", "account_manager", "customer_service"}),
        ("feedback:board", {"admin", "management", "quality", "sales_manager", "account_manager", "customer_service"}),
        ("feedback:create", {"admin", "quality", "sales_manager", "account_manager", "customer_service"}),
        ("feedback:settings", {"admin"}),
    ],
)
def test_pages_per_role(client, users, name, allowed):
    for role in ROLES:
        client.force_login(users[role])
        status = client.get(reverse(name)).status_code
        assert (status == 200) is (role in allowed), (role, status)


@pytest.mark.parametrize("role", ROLES)
def test_the_complaint_page_and_its_steps_per_role(client, users, role):
    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    client.force_login(users[role])
    viewers = {"admin", "management", "quality", "sales_manager", "account_manager", "customer_service"}
    workers = {"admin", "quality", "sales_manager", "customer_service"}
    assert (client.get(complaint.get_absolute_url()).status_code == 200) is (role in viewers)
    step = client.post(reverse("feedback:step", args=[complaint.pk, "acknowledged"]))
    assert (step.status_code == 302) is (role in workers), step.status_code
    edit = client.get(reverse("feedback:edit", args=[complaint.pk]))
    assert (edit.status_code == 200) is (role in workers)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    complaint = FeedbackFactory()
    response = client.get(complaint.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_files_of_the_wrong_type_are_refused_on_a_complaint(client_as, users):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    ct = ContentType.objects.get_for_model(Feedback).pk
    url = reverse("core:attachment_upload", args=[ct, complaint.pk])
    client = client_as("customer_service")
    bad = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    response = client.post(url, {"file": bad, "purpose": "evidence"}, HTTP_HX_REQUEST="true")
    assert "no se admite este tipo de archivo" in response.text
    good = SimpleUploadedFile("albaran.txt", "Albarán 2407: 48 cajas".encode())
    assert (
        client.post(url, {"file": good, "purpose": "evidence", "next": complaint.get_absolute_url()}).status_code == 302
    )
    page = client.get(complaint.get_absolute_url())
    assert "albaran.txt" in page.text
    assert client_as("account_manager").post(url, {"file": good, "purpose": "evidence"}).status_code == 403
