"""The data version the database keeps, and the results cached on it: a kept figure is served only
while no counted table has changed, whoever changed it and however."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from clientela.core import changes
from clientela.core.models import AuditEntry, Notification
from clientela.core.periods import Period
from clientela.customers.models import Customer, Interaction
from clientela.customers.tests.factories import CustomerFactory, InteractionFactory
from clientela.indicators import registry, selectors

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
Q3 = Period.parse("2026-Q3")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=timezone.get_current_timezone())


def late(customer, day: str, delay: dt.timedelta) -> Interaction:
    interaction = InteractionFactory(customer=customer, occurred_at=at(day))
    Interaction.objects.filter(pk=interaction.pk).update(created_at=at(day) + delay)
    return interaction


def test_every_business_table_is_counted_and_the_bookkeeping_tables_are_not():
    tracked = set(changes.tracked_tables())
    assert {"customers_customer", "contracts_delivery", "surveys_answer", "core_sitesetting"} <= tracked
    assert not tracked & changes.UNTRACKED
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'clientela_changed_%'"
            )
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'clientela_changed_%%'"
            )
        with_triggers = {row[0] for row in cursor.fetchall()}
    assert with_triggers == tracked


def test_any_write_to_a_counted_table_moves_the_version_and_a_rolled_back_one_does_not():
    before = changes.version()
    customer = CustomerFactory()
    after_insert = changes.version()
    assert after_insert != before
    Customer.objects.filter(pk=customer.pk).update(notes="Actualizado sin pasar por el servicio")
    after_update = changes.version()
    assert after_update != after_insert
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET notes = 'SQL a mano' WHERE id = %s", [customer.pk])
    after_raw = changes.version()
    assert after_raw != after_update
    with pytest.raises(RuntimeError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).delete()
        raise RuntimeError("rolled back")
    assert changes.version() == after_raw
    Customer.objects.filter(pk=customer.pk).delete()
    assert changes.version() != after_raw


def test_an_update_or_delete_that_touches_no_row_does_not_move_the_version():
    CustomerFactory()
    before = changes.version()
    Customer.objects.filter(pk=-1).update(notes="nadie")
    Customer.objects.filter(pk=-1).delete()
    assert changes.version() == before


def test_signing_in_the_audit_trail_and_notifications_do_not_move_the_version(users, client):
    before = changes.version()
    client.post("/accounts/login/", {"username": "quique", "password": "correct horse battery"})
    assert AuditEntry.objects.filter(action="login").exists()
    notice = Notification.objects.create(recipient=users["quality"], kind="test", title="Aviso")
    Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    assert changes.version() == before
    users["quality"].first_name = "Quique"  # a name a report shows does count
    users["quality"].save()
    assert changes.version() != before


def test_a_kept_result_is_served_until_the_data_change(django_capture_on_commit_callbacks):
    calls = []

    def compute(item):
        calls.append(item)
        return f"{item}:{Customer.objects.count()}"

    def read():
        with django_capture_on_commit_callbacks(execute=True):
            return changes.cached_many("test", [("a", ("a",)), ("b", ("b",))], compute)

    assert read() == ["a:0", "b:0"]
    assert read() == ["a:0", "b:0"]
    assert calls == ["a", "b"]
    CustomerFactory()
    assert read() == ["a:1", "b:1"]
    assert calls == ["a", "b", "a", "b"]


def test_nothing_is_kept_from_a_transaction_that_does_not_commit(django_capture_on_commit_callbacks):
    computed = []

    def compute(item):
        computed.append(item)
        return Customer.objects.count()

    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        CustomerFactory()
        assert changes.cached_many("test", [("n", ())], compute) == [1]
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        assert changes.cached_many("test", [("n", ())], compute) == [0]
    assert computed == ["n", "n"]


def test_an_ended_quarter_is_kept_and_recomputed_when_its_records_change(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    first = late(customer, "2026-08-03", dt.timedelta(days=5))
    late(customer, "2026-08-04", dt.timedelta(hours=1))

    def late_interactions():
        with django_capture_on_commit_callbacks(execute=True):
            values = selectors.indicator_values(period=Q3, today=TODAY, keys=["late_interactions"])
        return values[0].numerator, values[0].denominator

    assert late_interactions() == (1, 2)
    with connection.cursor() as cursor:  # a change no service sees
        cursor.execute("UPDATE customers_interaction SET created_at = occurred_at WHERE id = %s", [first.pk])
    assert late_interactions() == (0, 2)


def test_an_open_period_is_kept_for_the_day_unless_its_figure_reads_the_clock(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    current, ended = Period.current_quarter(today), Period.current_quarter(today).previous()
    calls = []

    def compute(period, *, today, segment, account_manager):
        calls.append(period.label)
        return registry.Figure(value=50.0, numerator=1, denominator=2)

    for key, clock in (("probe", False), ("probe_clock", True)):
        registry.register_indicator(
            registry.IndicatorDefinition(key, key, registry.Unit.PERCENT, 50, compute, clock=clock)
        )
    try:
        for key in ("probe", "probe_clock"):
            for _ in range(2):
                with django_capture_on_commit_callbacks(execute=True):
                    selectors.indicator_values(period=current, today=today, keys=[key])
                    selectors.indicator_values(period=ended, today=today, keys=[key])
            # another day: an open period's figure is computed again
            selectors.indicator_values(period=current, today=today - dt.timedelta(days=1), keys=[key])
    finally:
        registry.unregister_indicator("probe")
        registry.unregister_indicator("probe_clock")
    once, twice = [current.label, ended.label], [current.label, ended.label, current.label]
    assert calls == once + [current.label] + twice + [current.label]


TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def test_the_kept_computations_read_only_counted_tables(users, django_assert_max_num_queries):
    """What makes keeping them exact: every table an indicator reads moves the version."""
    CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    tracked = set(changes.tracked_tables())
    read: set[str] = set()
    for filters in ({}, {"segment": "Salud"}, {"account_manager": users["account_manager"].pk}):
        for definition in registry.definitions():
            if definition.compute is None:
                continue
            with django_assert_max_num_queries(20) as queries:
                definition.compute(Q3, today=TODAY, **{"segment": None, "account_manager": None, **filters})
            for query in queries.captured_queries:
                read |= {t for t in TABLE.findall(query["sql"]) if not t.startswith(("U", "V", "W"))}
    assert read, "the indicators read no table"
    assert read <= tracked, f"read but not counted: {sorted(read - tracked)}"
