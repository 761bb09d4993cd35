"""Interactions logged late: the indicator, its records and the live signal of "Falta de herramientas
adecuadas"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.core.periods import Period
from clientela.customers.models import Interaction
from clientela.customers.tests.factories import CustomerFactory, InteractionFactory
from clientela.indicators import builtin, risk_signals, selectors, services

pytestmark = pytest.mark.django_db

Q3 = Period.parse("2026-Q3")


def logged(customer, occurred: dt.datetime, delay: dt.timedelta, **extra) -> Interaction:
    interaction = InteractionFactory(customer=customer, occurred_at=occurred, **extra)
    Interaction.objects.filter(pk=interaction.pk).update(created_at=occurred + delay)
    return interaction


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=timezone.get_current_timezone())


def late_value(period=Q3, today=dt.date(2026, 11, 29), **filters):
    return next(
        v for v in selectors.indicator_values(period=period, today=today, **filters) if v.key == "late_interactions"
    )


def test_an_interaction_recorded_more_than_the_configured_days_later_is_late(users):
    customer = CustomerFactory()
    logged(customer, at("2026-08-03"), dt.timedelta(days=2))  # exactly two days: not late
    logged(customer, at("2026-08-04"), dt.timedelta(days=2, minutes=1))  # late
    logged(customer, at("2026-08-05"), dt.timedelta(hours=3))
    logged(customer, at("2026-06-30", 23), dt.timedelta(days=9))  # another quarter
    value = late_value()
    assert (value.numerator, value.denominator, value.value, value.status) == (1, 3, 33.33, "below_target")
    assert value.ci95 is not None and value.records_url.startswith(reverse("indicators:late_interactions"))
    services.signal_settings_update(actor=users["quality"], thresholds={}, late_interaction_days=0)
    assert late_value().numerator == 3


def test_segment_manager_archive_and_an_open_period_are_respected(users):
    mine = CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    other = CustomerFactory(segment="Industria", account_manager=users["bob"])
    logged(mine, at("2026-07-10"), dt.timedelta(days=5))
    logged(other, at("2026-07-10"), dt.timedelta(hours=1))
    archived = logged(other, at("2026-07-11"), dt.timedelta(days=5))
    Interaction.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    assert late_value(segment="Salud").value == 100.0
    assert late_value(account_manager=users["bob"].pk).value == 0.0
    assert late_value().denominator == 2
    # An open quarter counts only what has happened by today.
    logged(mine, at("2026-11-20"), dt.timedelta(days=4))
    assert late_value(period=Period.parse("2026-Q4"), today=dt.date(2026, 11, 19)).denominator == 0
    assert late_value(period=Period.parse("2026-Q4"), today=dt.date(2026, 11, 29)).denominator == 1


def test_the_signal_reads_the_last_ninety_days_against_the_threshold(users):
    today = timezone.localdate()
    customer = CustomerFactory()
    for n in range(4):
        logged(customer, timezone.now() - dt.timedelta(days=10 + n), dt.timedelta(days=6 if n == 0 else 0))
    logged(customer, timezone.now() - dt.timedelta(days=120), dt.timedelta(days=30))  # outside the window
    provider = risk_signals.get_provider(builtin.LATE_INTERACTIONS)
    reading = risk_signals.read(provider, today=today)
    assert (reading.value, reading.threshold, reading.status) == (25.0, 15.0, "alert")
    assert "1" in reading.detail and "4" in reading.detail
    services.signal_settings_update(actor=users["quality"], thresholds={builtin.LATE_INTERACTIONS: 30})
    assert risk_signals.read(provider, today=today).status == "ok"


def test_no_interactions_means_no_signal_data():
    provider = risk_signals.get_provider(builtin.LATE_INTERACTIONS)
    assert risk_signals.read(provider, today=timezone.localdate()).status == "no_data"


def test_signal_settings_refuse_bad_values(users):
    from django.core.exceptions import ValidationError

    for thresholds, days in (({"nope": 3}, None), ({builtin.LATE_INTERACTIONS: -1}, None), ({}, 99)):
        with pytest.raises(ValidationError):
            services.signal_settings_update(actor=users["quality"], thresholds=thresholds, late_interaction_days=days)
    assert risk_signals.configuration() == {}


def test_the_records_behind_the_figure_list_only_late_interactions(client_as, django_assert_max_num_queries, users):
    customer = CustomerFactory(name="Talleres Ebro")
    logged(customer, at("2026-08-03"), dt.timedelta(days=6), subject="Visita anotada tarde")
    logged(customer, at("2026-08-04"), dt.timedelta(hours=1), subject="Llamada al día")
    client = client_as("quality")
    url = reverse("indicators:late_interactions")
    page = client.get(url, {"period": "2026-Q3"})
    assert "Visita anotada tarde" in page.text and "Llamada al día" not in page.text
    assert "Visita anotada tarde" not in client.get(url, {"period": "2026-Q2"}).text
    assert client.get(url, {"period": "2026-Q5"}).status_code == 200
    export = client.get(url, {"period": "2026-Q3", "export": "csv"})
    assert b"Visita anotada tarde" in b"".join(export.streaming_content)
    with django_assert_max_num_queries(20) as few:
        client.get(url, {"period": "2026-Q3"})
    for n in range(20):
        logged(CustomerFactory(), at("2026-08-10"), dt.timedelta(days=5), subject=f"Otra {n}", user=users["bob"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"period": "2026-Q3"})
