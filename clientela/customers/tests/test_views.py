import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.customers.models import Customer, Interaction
from clientela.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_the_list_filters_sorts_and_paginates(client_as):
    CustomerFactory(name="Bodegas Álava", status="active", search_text="bodegas alava")
    CustomerFactory(name="Zapatos Úbeda", status="former", search_text="zapatos ubeda")
    for n in range(30):
        CustomerFactory(name=f"Relleno {n:02d}")
    client = client_as("sales_manager")
    page = client.get(reverse("customers:list"), {"q": "ALAVA"})
    assert "Bodegas Álava" in page.text and "Zapatos" not in page.text
    page = client.get(reverse("customers:list"), {"status": "former"})
    assert "Zapatos Úbeda" in page.text and "Bodegas" not in page.text
    page = client.get(reverse("customers:list"), {"sort": "-name"})
    assert page.text.index("Zapatos") < page.text.index("Relleno 29")
    page2 = client.get(reverse("customers:list"), {"page": 2})
    assert page2.status_code == 200 and "Relleno" in page2.text
    assert client.get(reverse("customers:list"), {"page": 99}).status_code == 200


def test_htmx_filtering_returns_only_the_results(client_as):
    CustomerFactory(name="Solo Resultados")
    response = client_as("sales_manager").get(
        reverse("customers:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "Solo Resultados" in response.text and "<html" not in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_list_exports_what_is_filtered(client_as, fmt):
    CustomerFactory(name="Exportable", status="active", search_text="exportable")
    CustomerFactory(name="Oculto", status="former", search_text="oculto")
    response = client_as("management").get(reverse("customers:list"), {"status": "active", "export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert b"Exportable" in body and b"Oculto" not in body
    else:
        assert body[:2] == b"PK"


def test_operations_cannot_export(client_as):
    assert client_as("operations").get(reverse("customers:list"), {"export": "csv"}).status_code == 403


def test_the_list_needs_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, users):
    client = client_as("sales_manager")
    for _ in range(3):
        CustomerFactory(account_manager=users["account_manager"])
    client.get(reverse("customers:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("customers:list"))
    for _ in range(40):
        CustomerFactory(account_manager=users["bob"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("customers:list"))


def test_the_360_page_needs_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    InteractionFactory(customer=customer, contact=contact)
    client = client_as("sales_manager")
    client.get(customer.get_absolute_url())
    with django_assert_max_num_queries(30) as few:
        client.get(customer.get_absolute_url())
    for _ in range(30):
        InteractionFactory(customer=customer, contact=ContactFactory(customer=customer))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(customer.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(customer.get_absolute_url() + "?tab=contacts")


def test_creating_a_customer(client_as, users):
    client = client_as("account_manager")
    response = client.post(
        reverse("customers:create"),
        {"name": "Nueva S.L.", "kind": "organization", "country": "ES", "status": "prospect", "tax_id": "B58378431"},
    )
    customer = Customer.objects.get(name="Nueva S.L.")
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert customer.account_manager == users["account_manager"]
    assert customer.code.startswith("CLI-")


def test_bad_input_is_explained_and_nothing_changes(client_as):
    response = client_as("sales_manager").post(
        reverse("customers:create"),
        {"name": "", "kind": "organization", "country": "ES", "status": "active", "tax_id": "B00000001", "email": "no"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"name", "tax_id", "email"}
    assert Customer.objects.count() == 0


def test_script_in_names_is_escaped(client_as):
    customer = CustomerFactory(name="<script>alert(1)</script>")
    page = client_as("sales_manager").get(customer.get_absolute_url())
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


def test_a_concurrent_edit_is_refused_and_keeps_what_was_typed(client_as, users):
    customer = CustomerFactory(name="Original")
    client = client_as("sales_manager")
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    version = form["lock_version"].value()
    from clientela.customers import services

    services.customer_update(actor=users["admin"], customer=customer, data={"name": "Cambiado por otro"})
    data = {
        "name": "Mi cambio",
        "kind": "organization",
        "country": "ES",
        "status": "active",
        "code": customer.code,
        "lock_version": version,
    }
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 200
    assert "Ada Admin" in response.text and 'value="Mi cambio"' in response.text
    customer.refresh_from_db()
    assert customer.name == "Cambiado por otro"
    retry = dict(data, lock_version=response.context["form"].data["lock_version"])
    assert client.post(reverse("customers:edit", args=[customer.pk]), retry).status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Mi cambio"


def test_account_managers_cannot_edit_other_customers(client_as, users):
    other = CustomerFactory(account_manager=users["bob"])
    assert client_as("account_manager").get(reverse("customers:edit", args=[other.pk])).status_code == 403


def test_logging_an_interaction_from_the_360_page_updates_the_timeline(client_as):
    customer = CustomerFactory()
    client = client_as("customer_service")
    when = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        {
            "channel": "phone",
            "direction": "inbound",
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "subject": "Llamada por retraso",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Llamada por retraso" in response.text
    assert Interaction.objects.get().user.username == "carlos"


def test_the_timeline_pages_backwards(client_as):
    customer = CustomerFactory()
    now = timezone.now()
    for n in range(25):
        InteractionFactory(customer=customer, subject=f"Asunto {n:02d}", occurred_at=now - dt.timedelta(days=n + 1))
    client = client_as("sales_manager")
    first = client.get(customer.get_absolute_url())
    assert "Asunto 00" in first.text and "Asunto 24" not in first.text and "timeline-more" in first.text
    older = client.get(
        reverse("customers:timeline", args=[customer.pk]),
        {"before": (now - dt.timedelta(days=20, hours=1)).isoformat()},
    )
    assert "Asunto 20" in older.text and "Asunto 19" not in older.text


def test_archiving_needs_the_sales_manager(client_as):
    customer = CustomerFactory()
    assert client_as("account_manager").post(reverse("customers:archive", args=[customer.pk])).status_code == 403
    assert client_as("sales_manager").post(reverse("customers:archive", args=[customer.pk])).status_code == 302
    customer.refresh_from_db()
    assert customer.archived_at is not None


def test_history_is_visible_to_who_may_see_the_record(client_as, users):
    from django.contrib.contenttypes.models import ContentType

    from clientela.customers import services

    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Con historia"})
    url = reverse("core:history", args=[ContentType.objects.get_for_model(Customer).pk, customer.pk])
    assert "Con historia" in client_as("operations").get(url).text
    assert client_as("nobody").get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("management", 200),
        ("quality", 200),
        ("sales_manager", 200),
        ("account_manager", 200),
        ("customer_service", 200),
        ("operations", 200),
        ("nobody", 403),
    ],
)
def test_who_may_open_the_customer_pages(client_as, role, expected):
    customer = CustomerFactory()
    client = client_as(role)
    for url in (
        reverse("customers:list"),
        customer.get_absolute_url(),
        reverse("customers:contacts"),
        reverse("customers:interactions"),
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("sales_manager", 200),
        ("account_manager", 200),
        ("customer_service", 403),
        ("operations", 403),
        ("management", 403),
    ],
)
def test_who_may_create_customers(client_as, role, expected):
    assert client_as(role).get(reverse("customers:create")).status_code == expected


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_import_page_previews_then_imports(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clientela.core.models import ImportJob

    client = client_as("sales_manager")
    upload = SimpleUploadedFile(
        "clientes.csv", "Código;Nombre\nCLI-1;Uno S.L.\n".encode("cp1252"), content_type="text/csv"
    )
    response = client.post(reverse("core:import_upload", args=["customers"]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "preview" and Customer.objects.count() == 0
    page = client.get(reverse("core:import_detail", args=[job.token]))
    assert "Uno S.L." in page.text
    client.post(reverse("core:import_confirm", args=[job.token]))
    job.refresh_from_db()
    assert job.status == "done" and Customer.objects.get().name == "Uno S.L."
    assert client_as("customer_service").get(reverse("core:import_upload", args=["customers"])).status_code == 403
