"""Scenarios of the customers module: the list, a search, the 360° page, the create form, the API,
and its concurrent writes (customer creation and interaction logging through the forms)."""

import datetime as dt
import itertools
from typing import Any

from stdnum.es import cif

from bench.generators.customers import SEARCH_FRAGMENT
from bench.scenarios import Request, State, WriteCheck, concurrent_write, scenario

PAGE = 25  # the list's first page size


def _customer_fields(state: State, name: str, tax_id: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "organization",
        "code": "",
        "tax_id": tax_id,
        "country": "ES",
        "status": "prospect",
        "email": "compras@ejemplo-bench.es",
        "phone": "+34 912 34 56 78",
        "segment": "Industria",
        "account_manager": str(state.data["bench_user_id"]),
        "address": "Calle Mayor 1, 28013 Madrid",
        "notes": "",
    }


def _fresh_tax_id(state: State) -> str:
    """A valid CIF no customer has yet (blank if the candidate is taken: tax IDs are unique)."""
    body = f"B{(state.data['tax_base'] + next(state.data['tax_sequence'])) % 10**7:07d}"
    candidate = body + cif.calc_check_digits(body)[0]
    return "" if candidate in state.data["taken_tax_ids"] else candidate


def prepare(state: State) -> None:
    """Ids and data every customers scenario needs, read once from the bench database."""
    from django.db.models import Count

    from bench.common import BENCH_USER
    from clientela.accounts.models import User
    from clientela.customers.filters import CustomerFilter
    from clientela.customers.models import Customer, Interaction

    if "bench_user_id" in state.data:
        return
    state.data["bench_user_id"] = User.objects.get(username=BENCH_USER).pk
    # The customers with the longest timelines (the 360° page's worst case), visited in turn.
    busiest = (
        Interaction.objects.filter(customer__archived_at__isnull=True)
        .values("customer")
        .annotate(n=Count("id"))
        .order_by("-n", "customer")[:10]
    )
    state.data["customer_360_ids"] = [row["customer"] for row in busiest]
    state.data["active_ids"] = list(
        Customer.objects.filter(status="active", archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    state.data["taken_tax_ids"] = set(Customer.objects.filter(country="ES").values_list("tax_id", flat=True))
    state.data["tax_base"] = 7_300_000 + Customer.objects.count()
    state.data["tax_sequence"] = itertools.count()  # shared by every request of the run
    found = CustomerFilter({"q": SEARCH_FRAGMENT}, queryset=Customer.objects.filter(archived_at__isnull=True))
    state.data["search_hits"] = found.qs.count()
    state.data["run"] = dt.datetime.now().strftime("%Y%m%d%H%M%S")


# --- the hand-written SQL the list pages need -----------------------------------------------------

LIST_COLUMNS = (
    "c.id, c.code, c.name, c.kind, c.tax_id, c.country, c.segment, c.status, c.created_at, c.archived_at, "
    "u.first_name, u.last_name, u.username"
)


def list_sql(state: State) -> list[tuple[str, list[Any]]]:
    # The row count comes from the exact counter the page reads too (core.rowcount).
    return [
        ("SELECT live FROM customers_customer_rowcount WHERE id = 1", []),
        (
            f"SELECT {LIST_COLUMNS} FROM customers_customer c "
            "LEFT JOIN accounts_user u ON u.id = c.account_manager_id "
            f"WHERE c.archived_at IS NULL ORDER BY c.name, c.id LIMIT {PAGE}",
            [],
        ),
    ]


def search_sql(state: State) -> list[tuple[str, list[Any]]]:
    from clientela.core.importing import normalise

    term = normalise(SEARCH_FRAGMENT)
    if state.vendor == "sqlite":  # the FTS5 trigram index
        match = (
            "c.id IN (SELECT rowid FROM customers_customer_search_text_fts "
            "WHERE customers_customer_search_text_fts MATCH %s)"
        )
        params: list[Any] = [f'"{term}"']
    else:  # the pg_trgm GIN index answers LIKE '%…%'
        match = "c.search_text LIKE %s"
        params = [f"%{term}%"]
    return [
        (f"SELECT COUNT(*) FROM customers_customer c WHERE {match} AND c.archived_at IS NULL", params),
        (
            f"SELECT {LIST_COLUMNS} FROM customers_customer c "
            "LEFT JOIN accounts_user u ON u.id = c.account_manager_id "
            f"WHERE {match} AND c.archived_at IS NULL ORDER BY c.name, c.id LIMIT {PAGE}",
            params,
        ),
    ]


# --- scenarios ------------------------------------------------------------------------------------


@scenario("customer_list", url_name="customers:list", prepare=prepare, raw_sql=list_sql)
def customer_list(state: State, i: int) -> Request:
    return Request("GET", state.url("customers:list"))


@scenario("customer_search", url_name="customers:list", prepare=prepare, raw_sql=search_sql)
def customer_search(state: State, i: int) -> Request:
    from urllib.parse import urlencode

    return Request("GET", state.url("customers:list") + "?" + urlencode({"q": SEARCH_FRAGMENT}))


@scenario("customer_360", url_name="customers:detail", prepare=prepare)
def customer_360(state: State, i: int) -> Request:
    ids = state.data["customer_360_ids"]
    return Request("GET", state.url("customers:detail", ids[i % len(ids)]))


@scenario("customer_create", url_name="customers:create", expect=302, prepare=prepare)
def customer_create(state: State, i: int) -> Request:
    name = f"Banco de Pruebas {state.data['run']}-{i:05d} S.L."
    return Request("POST", state.url("customers:create"), _customer_fields(state, name, _fresh_tax_id(state)))


@scenario("api_customers", url_name="customer-list", prepare=prepare)
def api_customers(state: State, i: int) -> Request:
    return Request("GET", state.url("customer-list") + "?page_size=100", headers={"Accept": "application/json"})


@scenario("customer_list_rps", url_name="customers:list", prepare=prepare, concurrent=True)
def customer_list_rps(state: State, i: int) -> Request:
    return Request("GET", state.url("customers:list"))


# --- concurrent writes for the scale-out phase ----------------------------------------------------


@concurrent_write("customer_create_form", url_name="customers:create")
def customer_creation(state: State) -> WriteCheck:
    from clientela.customers.models import Customer

    prepare(state)
    prefix = "Alta concurrente"

    def request(i: int, tag: str) -> Request:
        name = f"{prefix} {tag}-{i:06d} S.L."
        return Request("POST", state.url("customers:create"), _customer_fields(state, name, _fresh_tax_id(state)))

    def rows(tag: str):
        return Customer.objects.filter(name__startswith=f"{prefix} {tag}-")

    return WriteCheck(
        "customers created",
        request,
        count=lambda tag: rows(tag).count(),
        distinct=lambda tag: rows(tag).values("name").distinct().count(),
    )


@concurrent_write("interaction_log_form", url_name="customers:interaction_create")
def interaction_logging(state: State) -> WriteCheck:
    from django.utils import timezone

    from clientela.customers.models import Interaction

    prepare(state)
    prefix = "Registro concurrente"
    ids = state.data["active_ids"]

    def request(i: int, tag: str) -> Request:
        when = timezone.localtime() - dt.timedelta(minutes=5)
        return Request(
            "POST",
            state.url("customers:interaction_create", ids[i % len(ids)]),
            {
                "channel": "phone",
                "direction": "inbound",
                "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
                "contact": "",
                "subject": f"{prefix} {tag}-{i:06d}",
                "notes": "Llamada registrada durante la prueba de carga.",
            },
        )

    def rows(tag: str):
        return Interaction.objects.filter(subject__startswith=f"{prefix} {tag}-")

    return WriteCheck(
        "interactions logged",
        request,
        count=lambda tag: rows(tag).count(),
        distinct=lambda tag: rows(tag).values("subject").distinct().count(),
    )
