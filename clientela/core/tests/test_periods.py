import datetime as dt

import pytest

from clientela.core.periods import Period, PeriodError, Ratio, wilson_interval


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-09", dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods_parse(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-Q5", "26-Q1", "2026-13", "2026-00", "", "Q3-2026", "2026-Q0"])
def test_malformed_periods_are_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_periods_know_their_neighbours_and_whether_they_are_open():
    q1 = Period.parse("2026-Q1")
    assert q1.previous().label == "2025-Q4"
    assert [p.label for p in q1.last(3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert Period.parse("2026-01").previous().label == "2025-12"
    assert q1.is_provisional(dt.date(2026, 3, 31)) and not q1.is_provisional(dt.date(2026, 4, 1))
    assert q1.cap(dt.date(2026, 2, 10)) == dt.date(2026, 2, 10)
    assert q1.end_at.isoformat() == "2026-04-01T00:00:00+02:00"


def test_wilson_matches_the_spec_checks():
    assert wilson_interval(10, 100) == (5.52, 17.44)
    assert wilson_interval(0, 1) == (0.0, 79.35)
    assert wilson_interval(0, 0) is None


def test_ratios_never_divide_by_zero():
    assert Ratio(0, 0).value is None and Ratio(0, 0).ci95 is None
    assert Ratio(2, 3).value == 66.67
