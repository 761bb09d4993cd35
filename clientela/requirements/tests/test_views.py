"""Requirement pages: the register, capture with clarity aids, confirmation, validation and approval,
change control, versions and their comparison, the customer's document, the 360° integration."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from clientela.core.models import Attachment
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.requirements import services
from clientela.requirements.models import Requirement
from clientela.requirements.tests.factories import RequirementFactory, advance, confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(users):
    return CustomerFactory(name="Bodegas Álava S.A.", account_manager=users["account_manager"])


@pytest.fixture
def requirement(customer):
    return RequirementFactory(customer=customer, title="Certificado 3.1 con cada lote")


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- the register -----------------------------------------------------------------------------


def test_the_register_filters_sorts_groups_and_paginates(client_as, users):
    RequirementFactory(title="Factura electrónica Facturae", priority="must", search_text="rq facturae")
    RequirementFactory(title="Embalaje reciclable", priority="could", search_text="rq embalaje reciclable")
    for n in range(30):
        RequirementFactory(title=f"Relleno {n:02d}", priority="should")
    client = client_as("quality")
    page = client.get(reverse("requirements:list"), {"q": "FACTURAE"})
    assert "Factura electrónica Facturae" in page.text and "Embalaje" not in page.text
    page = client.get(reverse("requirements:list"), {"priority": "could"})
    assert "Embalaje reciclable" in page.text and "Relleno" not in page.text
    page = client.get(reverse("requirements:list"), {"sort": "priority", "per_page": 50})
    text = page.text
    assert text.index("Factura electrónica") < text.index("Relleno 00") < text.index("Embalaje reciclable")
    assert 'scope="rowgroup"' in text
    page = client.get(reverse("requirements:list"), {"sort": "-priority", "per_page": 50})
    assert page.text.index("Embalaje reciclable") < page.text.index("Factura electrónica")
    assert client.get(reverse("requirements:list"), {"page": 2}).status_code == 200
    assert client.get(reverse("requirements:list"), {"page": 99}).status_code == 200


def test_the_register_counts_by_priority_and_status(client_as, users):
    RequirementFactory(priority="must")
    RequirementFactory(priority="must")
    RequirementFactory(priority="wont")
    matrix = client_as("quality").get(reverse("requirements:list")).context["matrix"]
    must = next(r for r in matrix["rows"] if r["priority"] == "must")
    assert must["total"] == 2 and next(c for c in must["cells"] if c["status"] == "draft")["count"] == 2
    assert matrix["total"] == 3


def test_only_stuck_requirements_when_asked(client_as, users, customer):
    stuck = advance(RequirementFactory(customer=customer, title="Atascado"), users, "clarifying")
    Requirement.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=60))
    advance(RequirementFactory(customer=customer, title="Reciente"), users, "clarifying")
    client = client_as("sales_manager")
    redirect = client.get(reverse("requirements:stuck"))
    page = client.get(redirect.url)
    assert "Atascado" in page.text and "Reciente" not in page.text
    assert "stuck-flag" in page.text


def test_htmx_filtering_returns_only_the_results(client_as):
    RequirementFactory(title="Solo resultados")
    response = client_as("quality").get(reverse("requirements:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "Solo resultados" in response.text and "<html" not in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_exports_what_is_filtered(client_as, fmt):
    RequirementFactory(title="Exportable", priority="must")
    RequirementFactory(title="Oculto", priority="could")
    response = client_as("management").get(reverse("requirements:list"), {"priority": "must", "export": fmt})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        assert b"Exportable" in body and b"Oculto" not in body
    else:
        rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
        assert [r[3] for r in rows[1:]] == ["Exportable"]


def test_operations_may_read_but_not_export(client_as):
    assert client_as("operations").get(reverse("requirements:list")).status_code == 200
    assert client_as("operations").get(reverse("requirements:list"), {"export": "csv"}).status_code == 403


def test_the_register_needs_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, users):
    client = client_as("sales_manager")
    for _ in range(3):
        RequirementFactory(customer=CustomerFactory(account_manager=users["account_manager"]))
    client.get(reverse("requirements:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("requirements:list"))
    for _ in range(20):
        confirmed(RequirementFactory(customer=CustomerFactory(account_manager=users["bob"])), users["sales_manager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("requirements:list"))


# --- capture and clarity ------------------------------------------------------------------------


def test_capturing_a_requirement_warns_about_vague_words(client_as, users, customer):
    client = client_as("account_manager")
    response = client.post(
        reverse("requirements:create"),
        {
            "customer": customer.pk,
            "title": "Entrega rápida de repuestos",
            "kind": "explicit",
            "priority": "must",
            "source": "meeting",
            "description": "Lo antes posible, etc.",
        },
        follow=True,
    )
    requirement = Requirement.objects.get()
    assert response.redirect_chain[-1][0] == requirement.get_absolute_url()
    text = messages_of(response)
    assert requirement.number in text and "“rápida”" in text and "“lo antes posible”" in text.lower()
    assert requirement.created_by == users["account_manager"]
    assert response.text.count('class="vague"') >= 2


def test_the_clarity_panel_follows_what_is_typed(client_as):
    client = client_as("account_manager")
    response = client.post(
        reverse("requirements:clarity"),
        {
            "title": "Portal fácil de usar",
            "description": "",
            "acceptance_criteria": "Respuesta en 2 s",
            "source_reference": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "fácil" in response.text
    assert response.context["clarity"].score == 2  # criteria with a figure
    long = client.post(reverse("requirements:clarity"), {"description": "x" * 10_050})
    assert "10050" in long.text.replace(".", "").replace("\xa0", "")


def test_only_who_captures_requirements_uses_the_clarity_check(client_as):
    assert client_as("operations").post(reverse("requirements:clarity"), {"title": "x"}).status_code == 403
    assert client_as("account_manager").get(reverse("requirements:clarity")).status_code == 405


def test_an_account_manager_captures_only_for_their_customers(client_as, users, customer):
    other = CustomerFactory(account_manager=users["bob"])
    client = client_as("account_manager")
    form = client.get(reverse("requirements:create")).context["form"]
    assert list(form.fields["customer"].queryset) == [customer]
    response = client.post(
        reverse("requirements:create"),
        {"customer": other.pk, "title": "Ajeno", "kind": "explicit", "priority": "must", "source": "meeting"},
    )
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    assert not Requirement.objects.exists()


def test_the_customer_can_be_chosen_from_its_page(client_as, customer):
    form = client_as("account_manager").get(reverse("requirements:create"), {"customer": customer.pk}).context["form"]
    assert form.initial["customer"] == customer.pk


def test_a_huge_pasted_text_is_refused_with_a_clear_message(client_as, customer):
    response = client_as("account_manager").post(
        reverse("requirements:create"),
        {
            "customer": customer.pk,
            "title": "Pegado",
            "kind": "explicit",
            "priority": "must",
            "source": "email",
            "description": "Texto largo. " * 5000,
        },
    )
    assert response.status_code == 200
    assert "limit" in " ".join(response.context["form"].errors["description"]).lower() or "límite" in response.text
    assert not Requirement.objects.exists()


def test_script_in_text_is_escaped_everywhere(client_as, users, customer):
    requirement = services.requirement_create(
        actor=users["account_manager"],
        customer=customer,
        data={
            "title": "<script>alert(1)</script>",
            "description": "<img src=x onerror=alert(2)> rápido",
            "acceptance_criteria": "<b>48</b> horas",
        },
    )
    client = client_as("sales_manager")
    for url in (
        requirement.get_absolute_url(),
        reverse("requirements:list"),
        reverse("requirements:version", args=[requirement.pk, 1]),
        reverse("customers:detail", args=[customer.pk]) + "?tab=requirements",
        reverse("core:search") + "?q=script",
    ):
        text = client.get(url).text
        assert "<script>alert(1)</script>" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;" in text, url
    detail = client.get(requirement.get_absolute_url()).text
    assert '<mark class="vague"' in detail and "&lt;b&gt;48&lt;/b&gt;" in detail


# --- editing, confirmation, moves -----------------------------------------------------------------


def test_editing_a_requirement_being_clarified(client_as, requirement):
    client = client_as("account_manager")
    form = client.get(reverse("requirements:edit", args=[requirement.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(title="Certificado 3.1 en PDF con cada lote", lock_version=requirement.lock_version)
    response = client.post(reverse("requirements:edit", args=[requirement.pk]), data)
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.title == "Certificado 3.1 en PDF con cada lote"


def test_a_concurrent_edit_is_refused_and_keeps_what_was_typed(client_as, users, requirement):
    client = client_as("account_manager")
    form = client.get(reverse("requirements:edit", args=[requirement.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["lock_version"] = requirement.lock_version
    services.requirement_update(actor=users["admin"], requirement=requirement, data={"title": "Cambiado por Ada"})
    data["title"] = "Mi cambio"
    response = client.post(reverse("requirements:edit", args=[requirement.pk]), data)
    assert response.status_code == 200
    assert "Ada Admin" in response.text and 'value="Mi cambio"' in response.text
    requirement.refresh_from_db()
    assert requirement.title == "Cambiado por Ada"
    retry = dict(data, lock_version=response.context["form"].data["lock_version"])
    assert client.post(reverse("requirements:edit", args=[requirement.pk]), retry).status_code == 302
    requirement.refresh_from_db()
    assert requirement.title == "Mi cambio"


def test_the_edit_of_a_settled_requirement_points_to_a_new_version(client_as, users, requirement):
    requirement = advance(requirement, users, "approved")
    client = client_as("account_manager")
    page = client.get(reverse("requirements:edit", args=[requirement.pk]))
    assert page.context["form"].fields["title"].disabled
    assert reverse("requirements:new_version", args=[requirement.pk]) in page.text
    data = {
        "title": "Intento",
        "kind": "explicit",
        "priority": "could",
        "source": "meeting",
        "source_reference": "Acta del 12/03",
        "lock_version": requirement.lock_version,
    }
    assert client.post(reverse("requirements:edit", args=[requirement.pk]), data).status_code == 302
    requirement.refresh_from_db()
    assert requirement.title == "Certificado 3.1 con cada lote" and requirement.priority == "must"
    assert requirement.source_reference == "Acta del 12/03"


def test_recording_the_confirmation_with_evidence(client_as, requirement):
    contact = ContactFactory(customer=requirement.customer, first_name="Rocío")
    client = client_as("account_manager")
    page = client.get(reverse("requirements:confirm", args=[requirement.pk]))
    assert list(page.context["form"].fields["confirmed_by"].queryset) == [contact]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("requirements:confirm", args=[requirement.pk]),
        {
            "confirmed_by": contact.pk,
            "confirmed_on": timezone.localdate().isoformat(),
            "confirmation_method": "email",
            "confirmation_note": "Respondió al correo",
            "lock_version": requirement.lock_version,
            "evidence": SimpleUploadedFile("respuesta.txt", b"Conforme con el plazo.", "text/plain"),
        },
        follow=True,
    )
    requirement.refresh_from_db()
    assert requirement.confirmed_by == contact and requirement.confirmation_method == "email"
    assert Attachment.objects.get().original_name == "respuesta.txt"
    assert "respuesta.txt" in response.text and "Rocío" in response.text


def test_a_confirmation_in_the_future_is_refused(client_as, requirement):
    contact = ContactFactory(customer=requirement.customer)
    response = client_as("account_manager").post(
        reverse("requirements:confirm", args=[requirement.pk]),
        {
            "confirmed_by": contact.pk,
            "confirmed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "confirmation_method": "call",
        },
    )
    assert response.status_code == 200 and "confirmed_on" in response.context["form"].errors
    requirement.refresh_from_db()
    assert not requirement.is_confirmed


def test_validating_without_confirmation_is_refused_with_a_message(client_as, users, requirement):
    requirement = advance(requirement, users, "clarifying")
    response = client_as("account_manager").post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "validated", "lock_version": requirement.lock_version},
        follow=True,
    )
    assert "confirmation" in messages_of(response) or "confirmación" in messages_of(response)
    requirement.refresh_from_db()
    assert requirement.status == "clarifying"


def test_the_full_path_to_approval(client_as, users, requirement):
    requirement = confirmed(advance(requirement, users, "clarifying"), users["account_manager"])
    client = client_as("account_manager")
    client.post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "validated", "lock_version": requirement.lock_version},
    )
    requirement.refresh_from_db()
    assert requirement.status == "validated"
    refused = client.post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "approved", "lock_version": requirement.lock_version},
    )
    assert refused.status_code == 403
    page = client.get(requirement.get_absolute_url())
    assert 'value="approved"' not in page.text
    sara = client_as("sales_manager")
    assert 'value="approved"' in sara.get(requirement.get_absolute_url()).text
    sara.post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "approved", "lock_version": requirement.lock_version},
    )
    requirement.refresh_from_db()
    assert requirement.status == "approved" and requirement.approved_by == users["sales_manager"]


def test_a_stale_move_is_refused(client_as, users, requirement):
    stale = requirement.lock_version
    services.requirement_update(actor=users["admin"], requirement=requirement, data={"title": "Otro"})
    response = client_as("account_manager").post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "clarifying", "lock_version": stale},
        follow=True,
    )
    assert "Ada Admin" in messages_of(response)
    requirement.refresh_from_db()
    assert requirement.status == "draft"


def test_a_new_version_from_the_page_shows_the_comparison(client_as, users, requirement):
    requirement = advance(requirement, users, "approved")
    client = client_as("account_manager")
    form = client.get(reverse("requirements:new_version", args=[requirement.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="Certificado 3.1 en PDF con cada lote",
        change_reason="El cliente quiere el certificado también en PDF",
        lock_version=requirement.lock_version,
    )
    response = client.post(reverse("requirements:new_version", args=[requirement.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("requirements:compare", args=[requirement.pk, 1, 2])
    assert "<ins>" in response.text and "PDF" in response.text
    assert "El cliente quiere el certificado también en PDF" in response.text
    requirement.refresh_from_db()
    assert (requirement.version, requirement.status) == (2, "clarifying")


def test_the_new_version_page_needs_a_reason(client_as, users, requirement):
    requirement = advance(requirement, users, "validated")
    client = client_as("account_manager")
    form = client.get(reverse("requirements:new_version", args=[requirement.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(title="Otro", lock_version=requirement.lock_version)
    response = client.post(reverse("requirements:new_version", args=[requirement.pk]), data)
    assert response.status_code == 200 and "change_reason" in response.context["form"].errors


def test_archiving_a_draft_and_refusing_a_commitment(client_as, users, requirement, customer):
    client = client_as("account_manager")
    client.post(reverse("requirements:archive", args=[requirement.pk]))
    requirement.refresh_from_db()
    assert requirement.archived_at is not None
    approved = advance(RequirementFactory(customer=customer), users, "approved")
    response = client.post(reverse("requirements:archive", args=[approved.pk]), follow=True)
    assert "withdraw" in messages_of(response) or "retírelo" in messages_of(response)


# --- versions ---------------------------------------------------------------------------------------


def test_every_version_stays_readable_and_comparable(client_as, users, requirement):
    requirement = advance(requirement, users, "approved")
    requirement = services.requirement_new_version(
        actor=users["sales_manager"],
        requirement=requirement,
        data={"acceptance_criteria": "El 98 % en 24 horas."},
        reason="Plazo más corto",
    )
    client = client_as("operations")
    first = client.get(reverse("requirements:version", args=[requirement.pk, 1]))
    assert "48 horas" in first.text and "24 horas" not in first.text
    compare = client.get(reverse("requirements:compare", args=[requirement.pk, 1, 2]))
    old = next(d for d in compare.context["diffs"] if d.name == "acceptance_criteria")
    assert old.changed and any(s.kind == "removed" and "48" in s.text for s in old.old)
    assert "<del>" in compare.text and "<ins>" in compare.text and "visually-hidden" in compare.text
    assert client.get(reverse("requirements:compare", args=[requirement.pk, 1, 9])).status_code == 404
    picked = client.get(reverse("requirements:compare_pick", args=[requirement.pk]), {"a": 2, "b": 1})
    assert picked.url == reverse("requirements:compare", args=[requirement.pk, 2, 1])


def test_the_detail_page_needs_a_fixed_number_of_queries(client_as, users, requirement, django_assert_max_num_queries):
    requirement = advance(requirement, users, "approved")
    client = client_as("sales_manager")
    client.get(requirement.get_absolute_url())
    with django_assert_max_num_queries(35) as few:
        client.get(requirement.get_absolute_url())
    for n in range(3):
        requirement = services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"title": f"v{n}"}, reason="cambio"
        )
        requirement = advance(requirement, users, "approved")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(requirement.get_absolute_url())


# --- the customer's document ------------------------------------------------------------------------


def test_the_prioritised_document_as_pdf_shows_versions_and_approval(client_as, users, customer):
    approved = advance(RequirementFactory(customer=customer, title="Factura electrónica Facturae"), users, "approved")
    could = RequirementFactory(customer=customer, title="Embalaje reciclable", priority="could")
    advance(RequirementFactory(customer=customer, title="Entregas en domingo"), users, "withdrawn")
    response = client_as("quality").get(reverse("requirements:document", args=[customer.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Requisitos documentados y priorizados" in text
    assert "Bodegas Álava S.A." in text and approved.number in text
    assert text.index(approved.number) < text.index(could.number)  # must have before could have
    assert "Sara Comercial" in text  # who approved it
    assert "Retirado" in text and "Entregas en domingo" in text


def test_the_prioritised_document_as_a_workbook(client_as, users, customer):
    advance(RequirementFactory(customer=customer, title="Primero"), users, "approved")
    response = client_as("account_manager").get(reverse("requirements:document", args=[customer.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1][3] == "Primero" and "Sara Comercial" in rows[1]


def test_the_document_of_an_unknown_customer_or_format_is_a_404(client_as, customer):
    client = client_as("quality")
    assert client.get(reverse("requirements:document", args=[customer.pk, "docx"])).status_code == 404
    assert client.get(reverse("requirements:document", args=[999999, "pdf"])).status_code == 404


# --- customer 360° --------------------------------------------------------------------------------


def test_the_360_page_has_a_requirements_tab_and_figure(client_as, users, customer):
    stuck = advance(RequirementFactory(customer=customer, title="Atascado en aclaración"), users, "clarifying")
    Requirement.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=50))
    RequirementFactory(customer=customer, title="Otro", priority="could")
    client = client_as("operations")
    page = client.get(reverse("customers:figures", args=[customer.pk]))
    figure = next(f for f in page.context["figures"] if str(f.label) in ("Open requirements", "Requisitos abiertos"))
    assert figure.value == "2" and figure.tone == "warning"
    tab = client.get(reverse("customers:detail", args=[customer.pk]), {"tab": "requirements"})
    assert "Atascado en aclaración" in tab.text and "stuck-flag" in tab.text
    assert tab.text.index("Atascado") < tab.text.index("Otro")  # must before could


def test_the_timeline_shows_capture_validation_approval_and_new_versions(client_as, users, customer):
    requirement = advance(RequirementFactory(customer=customer, title="Plazo"), users, "approved")
    services.requirement_new_version(
        actor=users["sales_manager"], requirement=requirement, data={"title": "Plazo corto"}, reason="cambio"
    )
    page = client_as("quality").get(reverse("customers:detail", args=[customer.pk]))
    badges = [str(e.badge) for e in page.context["entries"] if e.kind == "requirement"]
    assert len(badges) == 4
    first = page.context["entries"][0]
    assert "2" in first.badge and "Plazo corto" in first.title


def test_the_timeline_source_pages_backwards(users, customer):
    from clientela.requirements.selectors import requirements_timeline

    now = timezone.now()
    for n in range(5):
        requirement = RequirementFactory(customer=customer, title=f"R{n}")
        requirement.versions.update(created_at=now - dt.timedelta(days=n + 1))
    entries = requirements_timeline(customer=customer, user=users["quality"], before=None, limit=3)
    assert [e.title.split(" · ")[1] for e in entries] == ["R0", "R1", "R2"]
    older = requirements_timeline(
        customer=customer, user=users["quality"], before=now - dt.timedelta(days=2, hours=1), limit=3
    )
    assert [e.title.split(" · ")[1] for e in older] == ["R2", "R3", "R4"]


def test_global_search_finds_requirements(client_as):
    RequirementFactory(title="Trazabilidad por número de lote", search_text="rq trazabilidad por numero de lote")
    page = client_as("customer_service").get(reverse("core:search"), {"q": "numero lote"})
    assert "Trazabilidad por número de lote" in page.text


def test_the_home_widget_lists_what_needs_the_account_manager(client_as, users, customer):
    waiting = advance(RequirementFactory(customer=customer, title="Sin confirmar"), users, "clarifying")
    stuck = advance(RequirementFactory(customer=customer, title="Atascado"), users, "clarifying")
    Requirement.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=50))
    RequirementFactory(customer=CustomerFactory(account_manager=users["bob"]), title="De Roberto")
    page = client_as("account_manager").get(reverse("core:home"))
    assert "Sin confirmar" in page.text and "Atascado" in page.text and "De Roberto" not in page.text
    assert waiting.number in page.text
    validated = advance(RequirementFactory(customer=customer, title="Para aprobar"), users, "validated")
    assert validated.title in client_as("sales_manager").get(reverse("core:home")).text


# --- who may do what ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "read", "change"),
    [
        ("admin", 200, 200),
        ("management", 200, 403),
        ("quality", 200, 403),
        ("sales_manager", 200, 200),
        ("account_manager", 200, 200),
        ("bob", 200, 403),
        ("customer_service", 200, 403),
        ("operations", 200, 403),
        ("nobody", 403, 403),
    ],
)
def test_who_may_open_and_change_a_requirement(client_as, users, role, read, change, customer):
    requirement = advance(RequirementFactory(customer=customer), users, "approved")
    client = client_as(role)
    for url in (
        reverse("requirements:list"),
        requirement.get_absolute_url(),
        reverse("requirements:version", args=[requirement.pk, 1]),
        reverse("requirements:document", args=[customer.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == read, url
    assert client.get(reverse("requirements:new_version", args=[requirement.pk])).status_code == change
    assert client.get(reverse("requirements:edit", args=[requirement.pk])).status_code == change


@pytest.mark.parametrize(("role", "expected"), [("sales_manager", 302), ("account_manager", 403), ("quality", 403)])
def test_only_the_sales_manager_approves(client_as, users, requirement, role, expected):
    requirement = advance(requirement, users, "validated")
    response = client_as(role).post(
        reverse("requirements:transition", args=[requirement.pk]),
        {"to": "approved", "lock_version": requirement.lock_version},
    )
    assert response.status_code == expected


def test_anonymous_users_are_sent_to_sign_in(client, requirement):
    response = client.get(requirement.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_requirement_is_a_404(client_as):
    assert client_as("quality").get(reverse("requirements:detail", args=[424242])).status_code == 404


def test_blocked_customers_requirements_are_hidden(client_as, users, customer):
    requirement = RequirementFactory(customer=customer)
    customer.blocked_until = timezone.localdate() + dt.timedelta(days=300)
    customer.save()
    assert client_as("sales_manager").get(requirement.get_absolute_url()).status_code == 404
    assert client_as("quality").get(requirement.get_absolute_url()).status_code == 200
