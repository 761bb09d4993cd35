"""Fixtures of the indicators tests: indicator definitions registered for a test only, with known
figures (the modules that compute CCT and SC are not part of this tree)."""

import datetime as dt

import pytest

from clientela.core.periods import Ratio
from clientela.customers.models import Customer
from clientela.indicators import plans, registry, review_pack, risk_signals
from clientela.indicators.registry import Figure, IndicatorDefinition, Unit


@pytest.fixture(autouse=True)
def _isolated_registries(monkeypatch):
    """Each test may register definitions, sections and signals; none leaks into the next."""
    from clientela.indicators import sources

    drafter = plans._drafter
    monkeypatch.setattr(registry, "_DEFINITIONS", dict(registry._DEFINITIONS))
    monkeypatch.setattr(review_pack, "_SECTIONS", dict(review_pack._SECTIONS))
    monkeypatch.setattr(risk_signals, "_PROVIDERS", dict(risk_signals._PROVIDERS))
    # These tests exercise the engine with known figures: start from the module's own definitions,
    # without what the other modules provide (test_sources.py tests that wiring).
    for key in sources.INDICATOR_KEYS:
        registry._DEFINITIONS.pop(key, None)
    registry._DEFINITIONS["cct"] = registry.CCT
    registry._DEFINITIONS["sc"] = registry.SC
    for key in sources.SECTION_KEYS:
        review_pack._SECTIONS.pop(key, None)
    for key in sources.SIGNAL_KEYS:
        risk_signals._PROVIDERS.pop(key, None)
    plans.disconnect()
    yield
    plans.connect(drafter) if drafter else plans.disconnect()


class FakeSelector:
    """A module selector with figures fixed per period, that also reads the database once (as a
    real one would), and remembers how it was called."""

    def __init__(self, figures: dict[str, tuple[int, int]], ci95: bool = False) -> None:
        self.figures = figures
        self.calls: list[dict] = []
        self.ci95 = ci95

    def __call__(self, *, period, segment=None, account_manager=None, today=None):
        self.calls.append({"period": period.label, "segment": segment, "account_manager": account_manager})
        list(Customer.objects.values_list("pk", flat=True)[:1])
        numerator, denominator = self.figures.get(period.label, (0, 0))
        return Ratio(numerator, denominator)


@pytest.fixture
def fake_cct():
    """CCT provided by a fake contracts selector: 2026-Q2 19/20 = 95 %, 2026-Q3 45/50 = 90 %."""
    selector = FakeSelector({"2026-Q2": (19, 20), "2026-Q3": (45, 50), "2026": (64, 70)})
    registry.provide("cct", registry.from_selector(selector, records=registry.records_list("customers:list")))
    return selector


@pytest.fixture
def fake_sc():
    """SC provided by a fake surveys selector: 2026-Q3 34/40 = 85 %, 2026-Q2 30/40 = 75 %."""
    selector = FakeSelector({"2026-Q3": (34, 40), "2026-Q2": (30, 40)})
    registry.provide("sc", registry.from_selector(selector))
    return selector


@pytest.fixture
def fake_hours():
    """A lower-is-better, non-proportion indicator (median resolution time, hours)."""

    def compute(period, *, today, segment, account_manager):
        return Figure(value={"2026-Q3": 30.456}.get(period.label), denominator=12)

    definition = IndicatorDefinition(
        key="median_hours",
        label="Median resolution time",
        unit=Unit.HOURS,
        default_target=27.0,
        compute=compute,
        higher_is_better=False,
        bounds=(0, 1000),
    )
    registry.register_indicator(definition)
    return definition


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
