"""The satisfaction formulas against known values and reference implementations."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, fisher_exact

from clientela.surveys import statistics


@pytest.mark.parametrize(
    ("successes", "total", "expected"),
    [(10, 100, (5.52, 17.44)), (0, 1, (0.0, 79.35)), (1, 1, (20.65, 100.0)), (50, 100, (40.38, 59.62))],
)
def test_the_wilson_interval_matches_known_values(successes, total, expected):
    assert statistics.wilson_interval(successes, total) == expected


def test_wilson_has_no_interval_without_data():
    assert statistics.wilson_interval(0, 0) is None


def test_csat_counts_the_top_two_boxes():
    result = statistics.csat({1: 1, 2: 1, 3: 2, 4: 3, 5: 3})
    assert (result.numerator, result.denominator, result.value) == (6, 10, 60.0)
    assert result.ci95 == statistics.wilson_interval(6, 10)
    assert statistics.csat({}).value is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({10: 5}, 100.0),
        ({0: 5}, -100.0),
        ({9: 1, 10: 1, 7: 1, 8: 1, 0: 1, 6: 1}, 0.0),
        ({10: 3, 8: 1, 3: 1}, 40.0),
        ({9: 1, 7: 2}, 33.33),
        ({}, None),
    ],
)
def test_nps_is_promoters_minus_detractors(counts, expected):
    assert statistics.nps(counts).value == expected


@given(st.dictionaries(st.integers(0, 10), st.integers(0, 50), min_size=1))
def test_nps_stays_within_its_bounds(counts):
    result = statistics.nps(counts)
    assert result.total == sum(counts.values())
    if result.total:
        assert -100 <= result.value <= 100
        assert result.promoters + result.passives + result.detractors == result.total


def test_ces_is_the_mean_on_one_to_seven():
    result = statistics.ces({7: 2, 6: 1, 2: 1})
    assert (result.mean, result.total, result.scale_min, result.scale_max) == (5.5, 4, 1, 7)
    assert statistics.ces({}).mean is None


def test_large_samples_use_the_z_test_which_equals_the_chi_square_reference():
    result = statistics.two_proportion_test(80, 100, 65, 100)
    _chi2, reference, _dof, _exp = chi2_contingency([[80, 20], [65, 35]], correction=False)
    assert result.method == "z"
    assert math.isclose(result.p_value, reference, rel_tol=1e-9)
    assert result.significant and result.difference == -15.0


def test_small_samples_use_fishers_exact_test():
    # The lady tasting tea: 3 of 4 against 1 of 4, p = 0.4857.
    result = statistics.two_proportion_test(3, 4, 1, 4)
    assert result.method == "fisher"
    assert round(result.p_value, 4) == 0.4857
    assert not result.significant


def test_a_clear_small_sample_difference_is_significant_with_fisher():
    result = statistics.two_proportion_test(10, 10, 1, 10)
    assert result.method == "fisher" and result.significant
    assert math.isclose(result.p_value, fisher_exact([[10, 0], [1, 9]])[1])


def test_equal_proportions_are_never_significant():
    result = statistics.two_proportion_test(40, 50, 80, 100)
    assert result.p_value == pytest.approx(1.0) and not result.significant


def test_no_test_without_both_samples():
    assert statistics.two_proportion_test(0, 0, 3, 4) is None


@given(
    st.integers(1, 400).flatmap(lambda n1: st.tuples(st.integers(0, n1), st.just(n1))),
    st.integers(1, 400).flatmap(lambda n2: st.tuples(st.integers(0, n2), st.just(n2))),
)
def test_the_test_agrees_with_the_reference_it_chose(first, second):
    (x1, n1), (x2, n2) = first, second
    result = statistics.two_proportion_test(x1, n1, x2, n2)
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    if result.method == "fisher":
        reference = fisher_exact(table)[1]
    elif x1 + x2 in (0, n1 + n2):
        reference = 1.0
    else:
        reference = chi2_contingency(table, correction=False)[1]
    assert 0 <= result.p_value <= 1
    assert math.isclose(result.p_value, min(1.0, reference), rel_tol=1e-6, abs_tol=1e-12)
    assert result.significant == (result.p_value < 0.05)


def test_p_chart_limits_follow_each_sample_size():
    chart = statistics.p_chart([("2025-Q1", 80, 100), ("2025-Q2", 45, 50), ("2025-Q3", 20, 40)])
    p_bar = 145 / 190
    assert chart.centre == round(p_bar * 100, 2)
    for point, n in zip(chart.points, (100, 50, 40), strict=True):
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        assert point.ucl == round(min(1, p_bar + 3 * sigma) * 100, 2)
        assert point.lcl == round(max(0, p_bar - 3 * sigma) * 100, 2)
    assert [p.out_of_control for p in chart.points] == [False, False, True]


def test_p_chart_limits_are_clipped_and_empty_periods_have_none():
    chart = statistics.p_chart([("a", 1, 1), ("b", 0, 0), ("c", 2, 2)])
    assert chart.points[0].ucl == 100.0 and chart.points[1].p is None
    assert statistics.p_chart([("a", 0, 0)]).centre is None
