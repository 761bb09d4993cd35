"""The indicator engine: targets, status and alert band, rounding, Wilson intervals, no data, periods."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientela.core.periods import Period, wilson_interval
from clientela.indicators import registry, selectors
from clientela.indicators.registry import Figure, IndicatorDefinition, Unit
from clientela.indicators.tests.factories import IndicatorResultFactory, IndicatorTargetFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


def values_by_key(**kwargs):
    return {v.key: v for v in selectors.indicator_values(today=TODAY, **kwargs)}


@pytest.mark.parametrize(
    ("value", "target", "band", "higher", "status", "tone"),
    [
        (95.0, 95.0, 2.0, True, "on_target", "good"),  # ≥ target is on target
        (96.4, 95.0, 2.0, True, "on_target", "good"),
        (94.99, 95.0, 2.0, True, "below_target", "warning"),
        (93.0, 95.0, 2.0, True, "below_target", "warning"),  # exactly the band: still a warning
        (92.99, 95.0, 2.0, True, "below_target", "bad"),
        (27.0, 27.0, 3.0, False, "on_target", "good"),  # lower is better: ≤ target
        (29.5, 27.0, 3.0, False, "below_target", "warning"),
        (31.0, 27.0, 3.0, False, "below_target", "bad"),
        (None, 95.0, 2.0, True, "no_data", "neutral"),
        (None, 27.0, 2.0, False, "no_data", "neutral"),
    ],
)
def test_status_and_alert_band(value, target, band, higher, status, tone):
    assert registry.status_for(value, target, higher) == status
    assert registry.tone_for(value, target, band, higher) == tone


@given(
    value=st.floats(min_value=-100, max_value=100, allow_nan=False),
    target=st.floats(min_value=-100, max_value=100, allow_nan=False),
    band=st.floats(min_value=0, max_value=50, allow_nan=False),
)
def test_lower_is_better_mirrors_higher_is_better(value, target, band):
    assert registry.status_for(value, target, True) == registry.status_for(-value, -target, False)
    assert registry.tone_for(value, target, band, True) == registry.tone_for(-value, -target, band, False)


@pytest.mark.parametrize(("successes", "total", "interval"), [(10, 100, (5.52, 17.44)), (0, 1, (0.0, 79.35))])
def test_wilson_interval_matches_the_spec(successes, total, interval):
    assert wilson_interval(successes, total) == interval


def test_cct_and_sc_are_always_reported_and_have_no_data_until_a_module_provides_them():
    values = values_by_key(period=Period.parse("2026-Q3"))
    assert list(values)[:2] == ["cct", "sc"]
    for key, target in (("cct", 95.0), ("sc", 85.0)):
        v = values[key]
        assert (v.value, v.status, v.ci95, v.target) == (None, "no_data", None, target)
        assert v.definition.process and not v.definition.available


def test_a_provided_indicator_reports_value_numerator_denominator_interval_and_status(fake_cct, fake_sc):
    values = values_by_key(period=Period.parse("2026-Q3"))
    cct, sc = values["cct"], values["sc"]
    assert (cct.value, cct.numerator, cct.denominator, cct.status, cct.tone) == (90.0, 45, 50, "below_target", "bad")
    assert (sc.value, sc.numerator, sc.denominator, sc.status) == (85.0, 34, 40, "on_target")
    assert sc.ci95 == wilson_interval(34, 40)
    assert cct.records_url == "/customers/?period=2026-Q3"


def test_an_empty_period_has_no_value_and_never_divides_by_zero(fake_cct):
    cct = values_by_key(period=Period.parse("2025-Q1"))["cct"]
    assert (cct.value, cct.numerator, cct.denominator, cct.status, cct.ci95) == (None, 0, 0, "no_data", None)


def test_values_are_rounded_to_two_decimals(fake_hours):
    hours = values_by_key(period=Period.parse("2026-Q3"))["median_hours"]
    assert hours.value == 30.46
    assert hours.status == "below_target"  # lower is better and 30.46 > 27
    assert hours.ci95 is None  # not a proportion


def test_targets_set_for_the_year_replace_the_defaults(fake_cct):
    IndicatorTargetFactory(indicator="cct", year=2026, target=88, warning_band=3)
    IndicatorTargetFactory(indicator="cct", year=2025, target=99)
    assert values_by_key(period=Period.parse("2026-Q3"))["cct"].status == "on_target"  # 90 ≥ 88
    assert values_by_key(period=Period.parse("2026-09"))["cct"].target == 88.0
    assert values_by_key(period=Period.parse("2025-Q3"))["cct"].target == 99.0
    assert values_by_key(period=Period.parse("2024-Q3"))["cct"].target == 95.0


@pytest.mark.parametrize(
    ("label", "provisional"), [("2026-Q3", False), ("2026-Q4", True), ("2026", True), ("2026-10", False)]
)
def test_an_open_period_is_provisional(label, provisional):
    assert values_by_key(period=Period.parse(label))["cct"].provisional is provisional


def test_filters_reach_the_module_computation(fake_cct, users):
    selectors.indicator_values(
        period=Period.parse("2026-Q3"), today=TODAY, segment="Salud", account_manager=users["bob"].pk
    )
    assert fake_cct.calls[-1] == {"period": "2026-Q3", "segment": "Salud", "account_manager": users["bob"].pk}


def test_the_adapter_passes_today_only_to_selectors_that_take_it_and_accepts_bare_numbers():
    seen = {}

    def median(*, period, segment=None, account_manager=None):
        seen["called"] = True
        return 12.345

    def with_today(*, period, segment=None, account_manager=None, today):
        seen["today"] = today
        return None

    assert registry.from_selector(median)(Period.parse("2026-Q3"), today=TODAY, segment=None, account_manager=None) == (
        Figure(value=12.345)
    )
    registry.from_selector(with_today)(Period.parse("2026-Q3"), today=TODAY, segment=None, account_manager=None)
    assert seen == {"called": True, "today": TODAY}


def test_a_result_shaped_like_complaints_per_100_customers_names_its_parts():
    class PerHundred:
        complaints, active_customers, value = 6, 150, 4.0

    compute = registry.from_selector(lambda **kw: PerHundred(), numerator="complaints", denominator="active_customers")
    figure = compute(Period.parse("2026-Q3"), today=TODAY, segment=None, account_manager=None)
    assert (figure.value, figure.numerator, figure.denominator) == (4.0, 6, 150)


def test_the_engine_needs_a_constant_number_of_queries_per_definition(
    fake_cct, fake_sc, django_assert_num_queries, users
):
    from clientela.customers.tests.factories import CustomerFactory, InteractionFactory

    period = Period.parse("2026-Q3")
    selectors.indicator_values(period=period, today=TODAY)
    # targets; the data version (the quarter has ended: its figures may be kept); cct; sc;
    # interactions logged late: its setting and one aggregate
    with django_assert_num_queries(1 + 1 + 1 + 1 + 2) as few:
        selectors.indicator_values(period=period, today=TODAY)
    for _ in range(30):
        InteractionFactory(customer=CustomerFactory(account_manager=users["bob"]))
    with django_assert_num_queries(len(few.captured_queries)):
        selectors.indicator_values(period=period, today=TODAY)


def test_trends_use_the_closed_figure_of_a_quarter_and_compute_the_others(fake_cct):
    IndicatorResultFactory(indicator="cct", period="2026-Q2", value=80, target=95)
    points = selectors.trends(
        definitions=[registry.get_definition("cct")], period=Period.parse("2026-Q3"), today=TODAY
    )["cct"]
    assert [p.period for p in points] == [q.label for q in Period.parse("2026-Q3").last(8)]
    by_period = {p.period: p for p in points}
    assert (by_period["2026-Q2"].value, by_period["2026-Q2"].closed, by_period["2026-Q2"].tone) == (80.0, True, "bad")
    assert (by_period["2026-Q3"].value, by_period["2026-Q3"].closed) == (90.0, False)
    filtered = selectors.trends(
        definitions=[registry.get_definition("cct")], period=Period.parse("2026-Q3"), today=TODAY, segment="Salud"
    )["cct"]
    assert {p.period: p.value for p in filtered}["2026-Q2"] == 95.0  # a filter recomputes from the records


def test_a_definition_without_data_at_all_still_reports(monkeypatch):
    registry.register_indicator(
        IndicatorDefinition(key="nps", label="NPS", unit=Unit.POINTS, default_target=30, bounds=(-100, 100))
    )
    assert values_by_key(period=Period.parse("2026-Q3"))["nps"].status == "no_data"
