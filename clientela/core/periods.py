"""Reporting periods (2026-Q3, 2026-09, 2026) in the organisation's time zone, and proportions with
their Wilson 95 % score interval — the vocabulary every indicator and report uses."""

import datetime as dt
import math
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    kind: str  # "quarter" | "month" | "year"
    label: str

    @classmethod
    def parse(cls, text: str) -> "Period":
        text = (text or "").strip().upper()
        if m := _QUARTER.match(text):
            return cls.quarter(int(m.group(1)), int(m.group(2)))
        if m := _MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            start = dt.date(year, month, 1)
            end = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
            return cls(start, end, "month", f"{year}-{month:02d}")
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", str(year))
        raise PeriodError(
            _("“%(value)s” is not a period: use a quarter (2026-Q3), a month (2026-09) or a year (2026).")
            % {"value": text}
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
        return cls(start, end, "quarter", f"{year}-Q{quarter}")

    @classmethod
    def current_quarter(cls, today: dt.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls.quarter(today.year, (today.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return self.label

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start_at(self) -> dt.datetime:
        """First instant of the period, aware, in the organisation's time zone."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> dt.datetime:
        """First instant after the period (exclusive upper bound)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    def is_provisional(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) <= self.end

    def cap(self, today: dt.date | None = None) -> dt.date:
        """The last day that counts: the period's end, or today for an open period."""
        return min(self.end, today or timezone.localdate())

    def previous(self) -> "Period":
        if self.kind == "quarter":
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            return Period.quarter(year - (quarter == 1), 4 if quarter == 1 else quarter - 1)
        if self.kind == "month":
            prev_end = self.start - dt.timedelta(days=1)
            return Period.parse(f"{prev_end.year}-{prev_end.month:02d}")
        return Period.parse(str(self.start.year - 1))

    def last(self, n: int) -> list["Period"]:
        """This period and the n-1 before it, oldest first."""
        periods = [self]
        while len(periods) < n:
            periods.append(periods[-1].previous())
        return list(reversed(periods))


def wilson_interval(successes: int, total: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """Wilson score interval for a proportion, in percent, rounded to 2 decimals (None if total is 0)."""
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (round(max(0.0, centre - half) * 100, 2), round(min(1.0, centre + half) * 100, 2))


@dataclass(frozen=True)
class Ratio:
    """numerator/denominator as a percentage, never dividing by zero."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        if not self.denominator:
            return None
        return round(self.numerator / self.denominator * 100, 2)

    @property
    def ci95(self) -> tuple[float, float] | None:
        return wilson_interval(self.numerator, self.denominator)
