"""The business calendar: working hours, public and company holidays, and business-time arithmetic.

SLA clocks count *business time*: the time inside working intervals, on working days, in the
calendar's time zone. Two operations carry everything else:

- ``calendar.add(start, duration)``: the instant at which `duration` of business time has passed
  since `start` (a deadline). With working hours 09:00–17:00, 16:30 + 1 h is 09:30 of the next
  working day. A deadline that uses up an interval exactly ends at that interval's close (17:00),
  not at the next opening.
- ``calendar.between(start, end)``: the business time between two instants (negative if `end` is
  before `start`).

Both work on real elapsed time: intervals are built in local wall-clock time and converted to UTC,
so a daylight-saving change never adds or loses an hour of working time (09:00–18:00 is nine hours
on the last Sunday of March too). For every start and duration, ``between(start, add(start, d))``
is exactly `d`.

A day is a working day when its weekday has hours and it is neither a public holiday of the
calendar's country and region (the `holidays` package) nor a company closed day; a company "open"
day overrides a public holiday.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from . import services as core
from .models import AuditAction, BusinessCalendar, CalendarDay

Interval = tuple[int, int]  # minutes after local midnight: 0 <= start < end <= 1440

MINUTES_PER_DAY = 24 * 60
# A calendar that never works would make `add` search forever; ten years is far beyond any SLA.
MAX_DAYS = 3660
WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")
UTC = dt.UTC


class CalendarError(ValueError):
    """The calendar cannot answer: it has no working time at all within the search horizon."""


# --- working-hours text -------------------------------------------------------------------------


def _minutes(text: str, *, end: bool) -> int:
    match = _CLOCK.match(text)
    if not match:
        raise ValidationError(_("“%(value)s” is not a time: write it as 09:00.") % {"value": text.strip()})
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes > 59 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not end):
        raise ValidationError(_("“%(value)s” is not a time of day.") % {"value": text.strip()})
    return total


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """“09:00-14:00, 15:00-18:00” → ((540, 840), (900, 1080)); an empty text is a day off."""
    intervals: list[Interval] = []
    for part in re.split(r"[,;]", text or ""):
        if not part.strip():
            continue
        pieces = re.split(r"\s*[-–]\s*", part.strip())
        if len(pieces) != 2:
            raise ValidationError(
                _("“%(value)s” is not an interval: write it as 09:00-18:00.") % {"value": part.strip()}
            )
        start, end = _minutes(pieces[0], end=False), _minutes(pieces[1], end=True)
        if end <= start:
            raise ValidationError(_("In “%(value)s” the end is not after the start.") % {"value": part.strip()})
        intervals.append((start, end))
    intervals.sort()
    for (_s1, e1), (s2, _e2) in zip(intervals, intervals[1:], strict=False):
        if s2 < e1:
            raise ValidationError(_("The intervals overlap: %(value)s.") % {"value": text.strip()})
    return tuple(intervals)


def format_intervals(intervals: Iterable[Interval]) -> str:
    return ", ".join(f"{clock(s)}-{clock(e)}" for s, e in intervals)


def week_from_json(hours: Mapping[str, Any]) -> dict[int, tuple[Interval, ...]]:
    """The stored form {"0": [["09:00", "18:00"]], …} as minutes per weekday (0 is Monday)."""
    if not isinstance(hours, Mapping):
        raise ValidationError(_("The working hours are not in the expected form."))
    week: dict[int, tuple[Interval, ...]] = {}
    for day in range(7):
        raw = hours.get(str(day)) or []
        if not isinstance(raw, list) or not all(isinstance(i, list | tuple) and len(i) == 2 for i in raw):
            raise ValidationError(_("The working hours are not in the expected form."))
        week[day] = parse_intervals(", ".join(f"{s}-{e}" for s, e in raw))
    return week


def week_to_json(week: Mapping[int, Sequence[Interval]]) -> dict[str, list[list[str]]]:
    return {str(day): [[clock(s), clock(e)] for s, e in week.get(day, ())] for day in range(7) if week.get(day)}


def validate_settings(*, time_zone: str, country: str, subdivision: str, hours: Any) -> None:
    """The checks a calendar record must pass; raises ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [_("“%(value)s” is not a known time zone.") % {"value": time_zone}]
    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        if subdivision and country in holidays.list_supported_countries():
            errors["subdivision"] = [
                _("“%(value)s” is not a region of this country. Known regions: %(known)s.")
                % {"value": subdivision, "known": ", ".join(holidays.list_supported_countries()[country])}
            ]
        else:
            errors["country"] = [_("There is no public-holiday calendar for “%(value)s”.") % {"value": country}]
    try:
        week = week_from_json(hours)
    except ValidationError as exc:
        errors["hours"] = exc.messages
    else:
        if not any(week.values()):
            errors["hours"] = [_("At least one day of the week must have working hours.")]
    if errors:
        raise ValidationError(errors)


# --- the calendar ---------------------------------------------------------------------------------


class WorkingCalendar:
    """An immutable, database-free business calendar: build it once, ask it many questions."""

    def __init__(
        self,
        *,
        week: Mapping[int, Sequence[Interval]],
        time_zone: str = "Europe/Madrid",
        country: str = "ES",
        subdivision: str = "",
        closed_days: Iterable[dt.date] = (),
        open_days: Iterable[dt.date] = (),
        name: str = "",
    ) -> None:
        self.week = {day: tuple(sorted(week.get(day, ()))) for day in range(7)}
        if not any(self.week.values()):
            raise CalendarError("A business calendar needs working hours on at least one weekday.")
        self.tz = ZoneInfo(time_zone)
        self.country = country
        self.subdivision = subdivision
        self.closed_days = frozenset(closed_days)
        self.open_days = frozenset(open_days)
        self.name = name

    @classmethod
    def standard(cls, **overrides: Any) -> "WorkingCalendar":
        """Monday to Friday 09:00–18:00 in the organisation's time zone, Spanish public holidays."""
        values: dict[str, Any] = {
            "week": dict.fromkeys(range(5), ((9 * 60, 18 * 60),)),
            "time_zone": settings.TIME_ZONE,
            "country": "ES",
        }
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_record(cls, record: BusinessCalendar) -> "WorkingCalendar":
        days = list(record.days.all())
        return cls(
            week=week_from_json(record.hours),
            time_zone=record.time_zone,
            country=record.country,
            subdivision=record.subdivision,
            closed_days=[d.date for d in days if d.kind == CalendarDay.Kind.CLOSED],
            open_days=[d.date for d in days if d.kind == CalendarDay.Kind.OPEN],
            name=record.name,
        )

    @cached_property
    def public_holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, subdiv=self.subdivision or None, language="es")

    def holiday_name(self, day: dt.date) -> str | None:
        """Why `day` is not worked although its weekday normally is (None: it is not a holiday)."""
        if day in self.open_days:
            return None
        if day in self.closed_days:
            return _("Company holiday")
        return self.public_holidays.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        if not self.week[day.weekday()]:
            return False
        if day in self.open_days:
            return True
        return day not in self.closed_days and day not in self.public_holidays

    def _instant(self, day: dt.date, minutes: int) -> dt.datetime:
        if minutes >= MINUTES_PER_DAY:
            day, minutes = day + dt.timedelta(days=1), minutes - MINUTES_PER_DAY
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def working_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of a local date, as UTC instants (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        intervals = []
        for start, end in self.week[day.weekday()]:
            start_at, end_at = self._instant(day, start), self._instant(day, end)
            if end_at > start_at:  # an interval swallowed by a daylight-saving gap has no time
                intervals.append((start_at, end_at))
        return intervals

    def _days_from(self, moment: dt.datetime) -> Iterator[dt.date]:
        day = moment.astimezone(self.tz).date()
        for _step in range(MAX_DAYS):
            yield day
            day += dt.timedelta(days=1)
        raise CalendarError("No working time found within ten years.")

    @staticmethod
    def _aware(moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Business-time arithmetic needs aware datetimes.")
        return moment.astimezone(UTC)

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when `duration` of business time has passed since `start` (calendar time zone)."""
        start_at = self._aware(start)
        if duration < dt.timedelta(0):
            raise ValueError("A business duration cannot be negative.")
        if not duration:
            return start_at.astimezone(self.tz)
        remaining = duration
        for day in self._days_from(start_at):
            for begin, end in self.working_intervals(day):
                if end <= start_at:
                    continue
                begin = max(begin, start_at)
                available = end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
        raise CalendarError("No working time found within ten years.")  # pragma: no cover (the loop raises)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time from `start` to `end` (negative when `end` comes first)."""
        start_at, end_at = self._aware(start), self._aware(end)
        if end_at < start_at:
            return -self.between(end_at, start_at)
        total = dt.timedelta(0)
        last_day = end_at.astimezone(self.tz).date()
        for day in self._days_from(start_at):
            if day > last_day:
                break
            for begin, finish in self.working_intervals(day):
                overlap = min(finish, end_at) - max(begin, start_at)
                if overlap > dt.timedelta(0):
                    total += overlap
        return total

    def is_working_time(self, moment: dt.datetime) -> bool:
        at = self._aware(moment)
        day = at.astimezone(self.tz).date()
        return any(begin <= at < end for begin, end in self.working_intervals(day))

    def hours_per_week(self) -> float:
        return sum(end - start for intervals in self.week.values() for start, end in intervals) / 60


# --- loading and editing the stored calendars ------------------------------------------------------


def default_record() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(is_default=True, archived_at__isnull=True).first()


def default_calendar() -> WorkingCalendar:
    """The organisation's default calendar (the standard one until an administrator saves one)."""
    record = BusinessCalendar.objects.filter(is_default=True, archived_at__isnull=True).prefetch_related("days").first()
    if record is None:
        return WorkingCalendar.standard()
    return WorkingCalendar.from_record(record)


@transaction.atomic
def ensure_default_record(*, actor: Any = None) -> BusinessCalendar:
    """The default calendar's record, created with the standard settings when there is none."""
    record = BusinessCalendar.objects.select_for_update().filter(is_default=True).first()
    if record is not None:
        return record
    return core.save_new(
        actor=actor,
        instance=BusinessCalendar(name=_("General calendar"), time_zone=settings.TIME_ZONE, is_default=True),
    )


CALENDAR_FIELDS = ("name", "time_zone", "country", "subdivision", "hours")


@transaction.atomic
def calendar_update(
    *, actor: Any, calendar: BusinessCalendar, data: Mapping[str, Any], expected_version: int | None = None
) -> BusinessCalendar:
    changes = {k: v for k, v in data.items() if k in CALENDAR_FIELDS}
    if "country" in changes:
        changes["country"] = (changes["country"] or "").strip().upper()
    if "subdivision" in changes:
        changes["subdivision"] = (changes["subdivision"] or "").strip().upper()
    return core.update_fields(actor=actor, instance=calendar, data=changes, expected_version=expected_version)


@transaction.atomic
def calendar_day_add(*, actor: Any, calendar: BusinessCalendar, data: Mapping[str, Any]) -> CalendarDay:
    """Add a company-specific day; recorded in the calendar's history."""
    day = CalendarDay(calendar=calendar, **{k: v for k, v in data.items() if k in ("date", "name", "kind")})
    day.full_clean(validate_constraints=False)
    if CalendarDay.objects.filter(calendar=calendar, date=day.date).exists():
        raise ValidationError({"date": [_("This date is already in the calendar.")]})
    if day.kind == CalendarDay.Kind.OPEN and not week_from_json(calendar.hours)[day.date.weekday()]:
        raise ValidationError(
            {"kind": [_("That weekday has no working hours: only a day with working hours can be opened.")]}
        )
    day.save()
    _touch(
        actor=actor, calendar=calendar, change=[None, f"{day.date.isoformat()} · {day.name} · {day.get_kind_display()}"]
    )
    return day


@transaction.atomic
def calendar_day_remove(*, actor: Any, day: CalendarDay) -> None:
    calendar = day.calendar
    text = f"{day.date.isoformat()} · {day.name} · {day.get_kind_display()}"
    day.delete()
    _touch(actor=actor, calendar=calendar, change=[text, None])


def _touch(*, actor: Any, calendar: BusinessCalendar, change: list[Any]) -> None:
    current = core.lock(calendar)
    current.lock_version += 1
    current.save(update_fields=["lock_version", "updated_at"])
    audit.record(actor=actor, obj=current, action=AuditAction.CHANGED, changes={"days": change})
