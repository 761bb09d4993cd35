"""Satisfaction statistics (SPEC §3.5), as plain functions over counts so the indicators module and
the reports use the same formulas: CSAT top-two-box, NPS, CES mean, Wilson 95 % intervals, the
two-proportion test behind "significant change", and p-chart control limits.

Distributions are mappings answer value → number of answers. Percentages are rounded to 2 decimals.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clientela.core.periods import Ratio, wilson_interval

ALPHA = 0.05
# Below this expected count in any cell of the 2×2 table the normal approximation is not trusted
# and Fisher's exact test decides (Cochran's rule).
MIN_EXPECTED = 5
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6

__all__ = [
    "ALPHA",
    "MeanScore",
    "NPSResult",
    "PChart",
    "PChartPoint",
    "Ratio",
    "TestResult",
    "ces",
    "csat",
    "distribution",
    "mean_score",
    "nps",
    "p_chart",
    "two_proportion_test",
    "wilson_interval",
]


def distribution(values: Iterable[int]) -> dict[int, int]:
    """Individual answers → value → count."""
    return dict(Counter(values))


def csat(counts: Mapping[int, int], scale_max: int = 5) -> Ratio:
    """CSAT: the share of answers in the top two boxes (4 and 5 on a 1–5 scale)."""
    total = sum(counts.values())
    top = sum(n for value, n in counts.items() if value >= scale_max - 1)
    return Ratio(top, total)


@dataclass(frozen=True)
class NPSResult:
    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def value(self) -> float | None:
        """% promoters − % detractors, in [−100, 100]; None without answers."""
        if not self.total:
            return None
        return round((self.promoters - self.detractors) / self.total * 100, 2)


def nps(counts: Mapping[int, int]) -> NPSResult:
    """Net Promoter Score from 0–10 answers: promoters 9–10, passives 7–8, detractors 0–6."""
    promoters = sum(n for value, n in counts.items() if value >= NPS_PROMOTER_MIN)
    detractors = sum(n for value, n in counts.items() if value <= NPS_DETRACTOR_MAX)
    total = sum(counts.values())
    return NPSResult(promoters=promoters, passives=total - promoters - detractors, detractors=detractors)


@dataclass(frozen=True)
class MeanScore:
    total: int
    mean: float | None
    scale_min: int
    scale_max: int


def mean_score(counts: Mapping[int, int], scale_min: int, scale_max: int) -> MeanScore:
    total = sum(counts.values())
    if not total:
        return MeanScore(0, None, scale_min, scale_max)
    mean = sum(value * n for value, n in counts.items()) / total
    return MeanScore(total, round(mean, 2), scale_min, scale_max)


def ces(counts: Mapping[int, int]) -> MeanScore:
    """Customer Effort Score: the mean answer on the 1–7 scale (published with its scale)."""
    return mean_score(counts, 1, 7)


@dataclass(frozen=True)
class TestResult:
    """Is proportion 2 different from proportion 1? `difference` is in percentage points."""

    p_value: float
    significant: bool
    method: str  # "z" (two-proportion z-test) or "fisher" (Fisher's exact test)
    difference: float


def two_proportion_test(x1: int, n1: int, x2: int, n2: int, alpha: float = ALPHA) -> TestResult | None:
    """Two-sided test of x1/n1 against x2/n2; None when either sample is empty."""
    if n1 <= 0 or n2 <= 0:
        return None
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("successes must be between 0 and the sample size")
    pooled = (x1 + x2) / (n1 + n2)
    expected = (n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    difference = round((x2 / n2 - x1 / n1) * 100, 2)
    if min(expected) < MIN_EXPECTED:
        from scipy import stats  # only for small samples: importing SciPy costs each worker ~100 MB

        _odds, p_value = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative="two-sided")
        method = "fisher"
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x2 / n2 - x1 / n1) / se
        p_value = math.erfc(abs(z) / math.sqrt(2))  # two-sided normal tail, 2·(1 − Φ(|z|))
        method = "z"
    p_value = float(min(1.0, p_value))
    return TestResult(p_value=p_value, significant=p_value < alpha, method=method, difference=difference)


@dataclass(frozen=True)
class PChartPoint:
    label: str
    numerator: int
    denominator: int
    p: float | None  # percent
    lcl: float | None  # percent
    ucl: float | None  # percent

    @property
    def out_of_control(self) -> bool:
        if self.p is None or self.lcl is None or self.ucl is None:
            return False
        return self.p < self.lcl or self.p > self.ucl


@dataclass(frozen=True)
class PChart:
    centre: float | None  # p̄, percent
    points: list[PChartPoint]


def p_chart(samples: Sequence[tuple[str, int, int]]) -> PChart:
    """Control chart for a proportion: p̄ = Σx/Σn and limits p̄ ± 3√(p̄(1−p̄)/nᵢ) per period, in percent,
    clipped to [0, 100]. `samples` are (label, successes, sample size)."""
    total_x = sum(x for _label, x, _n in samples)
    total_n = sum(n for _label, _x, n in samples)
    if not total_n:
        return PChart(None, [PChartPoint(label, x, n, None, None, None) for label, x, n in samples])
    p_bar = total_x / total_n
    points = []
    for label, x, n in samples:
        if not n:
            points.append(PChartPoint(label, x, n, None, None, None))
            continue
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        points.append(
            PChartPoint(
                label=label,
                numerator=x,
                denominator=n,
                p=round(x / n * 100, 2),
                lcl=round(max(0.0, p_bar - 3 * sigma) * 100, 2),
                ucl=round(min(1.0, p_bar + 3 * sigma) * 100, 2),
            )
        )
    return PChart(round(p_bar * 100, 2), points)
