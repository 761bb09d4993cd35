"""What keeps the customer pages fast at 100,000 customers (docs/performance.md): search through the
trigram index, exact row counts kept by the database, filter choices read by index jumps, and
lists whose query count does not grow with the data."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.forms import Select
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clientela.core.listing import QuickSelect, may_be_null
from clientela.core.rowcount import row_count
from clientela.core.textsearch import text_search
from clientela.customers import selectors, services
from clientela.customers.models import Contact, Customer, Interaction
from clientela.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def search(query: str) -> list[str]:
    return names(text_search(Customer.objects.all(), "search_text", query))


# --- search ------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_needs_every_term(users):
    services.customer_create(actor=users["sales_manager"], data={"name": "Construcciones Peñalver S.L."})
    services.customer_create(actor=users["sales_manager"], data={"name": "Peñalver Hermanos S.A."})
    services.customer_create(actor=users["sales_manager"], data={"name": "Bodegas Álava S.A."})
    assert search("peñalver") == search("PENALVER") == ["Construcciones Peñalver S.L.", "Peñalver Hermanos S.A."]
    assert search("penalver construcciones") == ["Construcciones Peñalver S.L."]
    assert search("alava") == ["Bodegas Álava S.A."]
    assert search("") == search("   ") == names(Customer.objects.all())


def test_control_characters_in_a_query_separate_terms_and_never_break_the_search(users):
    services.customer_create(actor=users["sales_manager"], data={"name": "Fundición Ñandú"})
    assert search("fundici\x00xyz") == []  # the NUL splits "fundici" from "xyz": both must match
    assert search("fundici\x00n\x1fandu") == ["Fundición Ñandú"]
    assert search("F\n\u00be\x00u9f\x1f") == []


@pytest.mark.parametrize("query", ["sa", "s a", "pe", "'", '"', "al%", "a_b", "\\"])
def test_short_and_odd_terms_behave_like_a_plain_substring_filter(users, query):
    for name in ("Peñalver S.A.", 'Comillas "Dobles" S.L.', "Al%cance 100 S.L.", "a_b Consultores"):
        services.customer_create(actor=users["sales_manager"], data={"name": name})
    expected = Customer.objects.all()
    from clientela.core.textsearch import terms

    for term in terms(query):
        expected = expected.filter(search_text__contains=term)
    assert search(query) == names(expected)


def test_the_index_follows_every_write_whatever_makes_it(users):
    customer = CustomerFactory(name="Antiguo Nombre", search_text="antiguo nombre")  # a plain save()
    assert search("antiguo") == ["Antiguo Nombre"]
    services.customer_update(actor=users["sales_manager"], customer=customer, data={"name": "Nuevo Rótulo"})
    assert search("antiguo") == [] and search("rotulo") == ["Nuevo Rótulo"]
    Customer.objects.filter(pk=customer.pk).update(search_text="cambiado por sql")  # no signals
    assert search("rotulo") == [] and search("cambiado") == ["Nuevo Rótulo"]
    Customer.objects.bulk_create([Customer(code="CLI-B1", name="En Bloque", search_text="cli b1 en bloque")])
    assert search("bloque") == ["En Bloque"]
    Customer.objects.filter(code="CLI-B1").delete()
    assert search("bloque") == []


def test_a_rolled_back_change_leaves_the_index_as_it_was(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Estable S.L."})
    with pytest.raises(RuntimeError), transaction.atomic():
        services.customer_update(actor=users["sales_manager"], customer=customer, data={"name": "Efímero S.L."})
        raise RuntimeError
    assert search("estable") == ["Estable S.L."] and search("efimero") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 mirror is SQLite's index")
def test_on_sqlite_the_search_reads_the_trigram_mirror_not_the_table(client_as):
    CustomerFactory(name="Peñalver", search_text="penalver")
    with CaptureQueriesContext(connection) as queries:
        client_as("sales_manager").get(reverse("customers:list"), {"q": "Peñalver"})
    searching = [q["sql"] for q in queries.captured_queries if "customers_customer_search_text_fts" in q["sql"]]
    assert searching and not any("search_text\" LIKE '%penalver%'" in sql for sql in searching)


def test_the_api_search_and_the_global_search_use_the_same_index(api_as, client_as, users):
    services.customer_create(actor=users["sales_manager"], data={"name": "Óptica Zubiaurre S.L."})
    body = api_as("sales_manager").get("/api/v1/customers/", {"search": "ZUBIAURRE"}).json()
    assert [c["name"] for c in body["results"]] == ["Óptica Zubiaurre S.L."]
    hits = selectors.search_provider_customers(user=users["sales_manager"], query="zubiaurre", limit=5)
    assert [hit.title for hit in hits] == ["Óptica Zubiaurre S.L."]


def test_contacts_are_found_by_their_own_text_or_their_customers(client_as, users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Metalúrgica Ibáñez S.A."})
    services.contact_create(
        actor=users["sales_manager"], customer=customer, data={"first_name": "Begoña", "last_name": "Urquijo"}
    )
    page = client_as("sales_manager").get(reverse("customers:contacts"), {"q": "begona"})
    assert "Urquijo" in page.text
    page = client_as("sales_manager").get(reverse("customers:contacts"), {"q": "ibanez"})
    assert "Urquijo" in page.text
    page = client_as("sales_manager").get(reverse("customers:contacts"), {"q": "nadie-asi"})
    assert "Urquijo" not in page.text


# --- exact row counts --------------------------------------------------------------------------


def counts_are_exact() -> bool:
    return (
        row_count(Customer, live=True) == Customer.objects.filter(archived_at__isnull=True).count()
        and row_count(Customer, live=False) == Customer.objects.count()
        and row_count(Interaction, live=False) == Interaction.objects.count()
        and row_count(Contact, live=False) == Contact.objects.count()
    )


def test_the_counters_stay_exact_through_every_kind_of_write(users):
    actor = users["sales_manager"]
    assert counts_are_exact()
    first = services.customer_create(actor=actor, data={"name": "Uno"})
    CustomerFactory.create_batch(3)
    Customer.objects.bulk_create([Customer(code=f"CLI-Q{n}", name=f"Bloque {n}") for n in range(4)])
    InteractionFactory.create_batch(2, customer=first)
    ContactFactory(customer=first)
    assert counts_are_exact() and row_count(Customer, live=True) == 8
    services.customer_archive(actor=actor, customer=first)
    assert counts_are_exact() and row_count(Customer, live=True) == 7
    Customer.objects.filter(name__startswith="Bloque").update(archived_at=timezone.now())
    assert counts_are_exact() and row_count(Customer, live=True) == 3
    services.customer_restore(actor=actor, customer=first)
    Customer.objects.filter(code="CLI-Q0").delete()
    Customer.objects.filter(name__startswith="Bloque").update(notes="sin cambio de estado")
    assert counts_are_exact() and row_count(Customer, live=False) == 7


def test_a_rolled_back_write_does_not_move_the_counter(users):
    before = row_count(Customer)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.customer_create(actor=users["sales_manager"], data={"name": "Nunca"})
        assert row_count(Customer) == before + 1  # seen inside the transaction
        raise RuntimeError
    assert row_count(Customer) == before and counts_are_exact()


def test_the_unfiltered_list_reads_the_counter_and_a_filtered_one_counts(client_as):
    CustomerFactory.create_batch(3, status="active")
    CustomerFactory(status="former")
    client = client_as("sales_manager")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("customers:list"))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "customers_customer_rowcount" in sql and 'COUNT(*) AS "__count" FROM "customers_customer"' not in sql
    assert page.context["paginator"].count == 4
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("customers:list"), {"status": "former"})
    assert page.context["paginator"].count == 1
    assert "customers_customer_rowcount" not in " ".join(q["sql"] for q in queries.captured_queries)
    archived = client.get(reverse("customers:list"), {"archived": "1"})
    assert archived.context["paginator"].count == 4


def test_the_contact_and_interaction_lists_count_exactly_without_counting_every_row(client_as):
    kept, gone = CustomerFactory(), CustomerFactory(archived_at=timezone.now())
    ContactFactory.create_batch(3, customer=kept)
    ContactFactory.create_batch(2, customer=gone)
    ContactFactory(customer=kept, archived_at=timezone.now())
    InteractionFactory.create_batch(2, customer=kept)
    InteractionFactory(customer=kept, archived_at=timezone.now())
    client = client_as("sales_manager")
    contacts = client.get(reverse("customers:contacts"))
    assert contacts.context["paginator"].count == len(contacts.context["object_list"]) == 3
    assert selectors.contact_count(user=None) == selectors.contact_list(user=None).count() == 3
    interactions = client.get(reverse("customers:interactions"))
    assert interactions.context["paginator"].count == len(interactions.context["object_list"]) == 2


def test_the_api_count_is_exact_with_and_without_filters(api_as):
    CustomerFactory.create_batch(3, status="active")
    CustomerFactory(status="former")
    api = api_as("sales_manager")
    assert api.get("/api/v1/customers/", {"page_size": 2}).json()["count"] == 4
    assert api.get("/api/v1/customers/", {"status": "former"}).json()["count"] == 1
    assert api.get("/api/v1/interactions/").json()["count"] == 0


# --- filters, sorting, query counts ------------------------------------------------------------


def test_the_filter_offers_the_countries_and_segments_customers_have(client_as):
    CustomerFactory(country="MX", segment="Salud")
    CustomerFactory(country="ES", segment="Industria")
    CustomerFactory(country="ES", segment="")
    assert selectors.country_choices() == ["ES", "MX"]
    assert selectors.segment_choices() == ["Industria", "Salud"]
    form = client_as("sales_manager").get(reverse("customers:list")).context["filter"].form
    assert [code for code, _ in form.fields["country"].choices if code] == ["ES", "MX"]


def test_quick_selects_render_the_same_markup_as_django():
    choices = [("", "Todos"), ("a", "Álava & <Co>"), ("Grupo", [("b", "B"), (3, "Tres")])]
    for value in ("", "a", 3, None):
        attrs = {"id": "f-x", "class": "w-auto", "required": True, "disabled": False}
        django = Select(attrs=attrs, choices=choices).render("x", value)
        quick = QuickSelect(attrs=attrs, choices=choices).render("x", value)
        assert quick == django


def test_sorting_by_a_column_that_cannot_be_empty_needs_no_nulls_clause():
    assert not may_be_null(Customer, "name") and not may_be_null(Customer, "created_at")
    assert may_be_null(Customer, "account_manager__first_name") and may_be_null(Customer, "activated_at")
    assert may_be_null(Customer, "nonsense")


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "empresa"}, {"status": "active"}, {"sort": "-name"}, {"country": "ES", "sort": "manager"}],
)
def test_the_list_needs_as_many_queries_with_more_rows(client_as, django_assert_max_num_queries, users, params):
    client = client_as("sales_manager")
    CustomerFactory.create_batch(3, account_manager=users["account_manager"])
    client.get(reverse("customers:list"), params)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("customers:list"), params)
    CustomerFactory.create_batch(40, account_manager=users["bob"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("customers:list"), params)


def test_a_duplicate_tax_id_is_refused_on_the_form_by_the_service(client_as):
    CustomerFactory(tax_id="B58378431")
    response = client_as("sales_manager").post(
        reverse("customers:create"),
        {"name": "Copia S.L.", "kind": "organization", "country": "ES", "status": "prospect", "tax_id": "B58378431"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Customer.objects.filter(name="Copia S.L.").exists()


def test_creating_a_customer_through_the_form_stays_within_fifteen_queries(client_as, django_assert_max_num_queries):
    client = client_as("sales_manager")
    data = {"name": "Rápida S.L.", "kind": "organization", "country": "ES", "status": "prospect"}
    client.post(reverse("customers:create"), data | {"name": "Primera S.L."})
    with CaptureQueriesContext(connection) as queries:
        assert client.post(reverse("customers:create"), data).status_code == 302
    control = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
    assert len([q for q in queries.captured_queries if not q["sql"].upper().startswith(control)]) <= 15


# --- the 360° page --------------------------------------------------------------------------------


def _records_for(customer, users, n: int) -> None:
    from clientela.feedback.tests.factories import FeedbackFactory

    contacts = ContactFactory.create_batch(n, customer=customer)
    for i in range(n):
        InteractionFactory(customer=customer, contact=contacts[i], user=users["customer_service"])
        FeedbackFactory(customer=customer, actor=users["customer_service"])


def test_the_360_page_needs_at_most_fifteen_queries_however_many_records(
    client_as, django_assert_max_num_queries, users
):
    customer = CustomerFactory(account_manager=users["account_manager"])
    _records_for(customer, users, 2)
    client = client_as("sales_manager")
    client.get(customer.get_absolute_url())
    with django_assert_max_num_queries(15) as few:
        page = client.get(customer.get_absolute_url())
    assert page.status_code == 200
    _records_for(customer, users, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(customer.get_absolute_url())
    assert page.text.count('class="kind-') == 20 and "timeline-more" in page.text


def test_the_360_page_fetches_its_figures_and_quick_form_after_it_is_shown(client_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    ContactFactory(customer=customer, first_name="Lucía", last_name="Quirós")
    InteractionFactory(customer=customer)
    client = client_as("sales_manager")
    page = client.get(customer.get_absolute_url())
    figures_url = reverse("customers:figures", args=[customer.pk])
    assert f'hx-get="{figures_url}"' in page.text and 'id="quick-form-body"' in page.text
    assert "Quirós" not in page.text  # the contact choices come with the form
    figures = client.get(figures_url, HTTP_HX_REQUEST="true")
    labels = [str(f.label) for f in figures.context["figures"]]
    assert "Interacciones, últimos 90 días" in labels and "Quejas abiertas" in labels
    assert 'class="figures"' in figures.text and "<html" not in figures.text
    form = client.get(
        reverse("customers:interaction_create", args=[customer.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="quick-form-body",
    )
    assert "Quirós" in form.text and 'name="subject"' in form.text and "<html" not in form.text


def test_the_figures_are_the_customers_and_no_one_elses(client_as, users):
    other = CustomerFactory(account_manager=users["bob"], blocked_until=timezone.now() + dt.timedelta(days=30))
    assert client_as("sales_manager").get(reverse("customers:figures", args=[other.pk])).status_code == 404
    assert client_as("sales_manager").get(reverse("customers:figures", args=[999999])).status_code == 404


def test_the_list_rows_are_kept_until_a_customer_changes(client_as, users, django_capture_on_commit_callbacks):
    CustomerFactory(name="Cerámicas Úbeda S.L.")
    client = client_as("sales_manager")
    url = reverse("customers:list")

    def page(**params):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        return response, len(queries)

    first, computing = page()
    again, reading = page()
    assert "Cerámicas Úbeda S.L." in again.text and reading < computing
    Customer.objects.filter(name="Cerámicas Úbeda S.L.").update(name="Cerámicas Úbeda y Linares S.L.")
    changed, _ = page()
    assert "Cerámicas Úbeda y Linares S.L." in changed.text
    filtered, _ = page(q="zzz")  # every address has its own copy
    assert "Cerámicas" not in filtered.text
