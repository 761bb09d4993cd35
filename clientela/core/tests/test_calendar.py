"""Business-time arithmetic: the SPEC example, weekends, holidays, pauses, daylight saving, and
properties that hold for every start and duration."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.core import calendar as cal
from clientela.core.calendar import CalendarError, WorkingCalendar, parse_intervals
from clientela.core.models import AuditEntry, BusinessCalendar, CalendarDay

MADRID = ZoneInfo("Europe/Madrid")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def at(y, mo, d, h=0, mi=0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=MADRID)


def weekdays(start: str, end: str, days=range(5)) -> dict[int, tuple]:
    return dict.fromkeys(days, parse_intervals(f"{start}-{end}"))


NINE_TO_FIVE = WorkingCalendar(week=weekdays("09:00", "17:00"))
NINE_TO_SIX = WorkingCalendar(week=weekdays("09:00", "18:00"))
ALWAYS = WorkingCalendar(week=weekdays("00:00", "24:00", range(7)), country="ES")
SPLIT = WorkingCalendar(week=dict.fromkeys(range(5), parse_intervals("09:00-14:00, 15:00-18:00")))


# --- adding business time -------------------------------------------------------------------------


def test_the_spec_example_ends_at_half_past_nine_the_next_working_day():
    # Thursday 26 November 2026, 16:30, a one-hour target, working hours 09:00–17:00.
    assert NINE_TO_FIVE.add(at(2026, 11, 26, 16, 30), H) == at(2026, 11, 27, 9, 30)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Friday afternoon: the weekend does not count.
        (at(2026, 11, 27, 16, 30), H, at(2026, 11, 30, 9, 30)),
        # A deadline that uses up the day exactly ends at closing time, not the next morning.
        (at(2026, 11, 26, 16, 0), H, at(2026, 11, 26, 17, 0)),
        # Received before opening: the clock starts at 09:00.
        (at(2026, 11, 26, 7, 15), 2 * H, at(2026, 11, 26, 11, 0)),
        # Received in the evening: the clock starts the next morning.
        (at(2026, 11, 26, 20, 0), 2 * H, at(2026, 11, 27, 11, 0)),
        # Received on Saturday or Sunday: Monday morning.
        (at(2026, 11, 28, 11, 0), 2 * H, at(2026, 11, 30, 11, 0)),
        (at(2026, 11, 29, 23, 59), 8 * H, at(2026, 11, 30, 17, 0)),
        # Several working days.
        (at(2026, 11, 23, 9, 0), 40 * H, at(2026, 11, 27, 17, 0)),
        (at(2026, 11, 23, 10, 0), 40 * H, at(2026, 11, 30, 10, 0)),
        # Nothing to add: the start itself.
        (at(2026, 11, 28, 11, 0), dt.timedelta(0), at(2026, 11, 28, 11, 0)),
        # Seconds are kept.
        (at(2026, 11, 26, 16, 59), dt.timedelta(seconds=90), at(2026, 11, 27, 9, 0) + dt.timedelta(seconds=30)),
    ],
)
def test_adding_business_time_on_a_nine_to_five_calendar(start, duration, due):
    assert NINE_TO_FIVE.add(start, duration) == due


def test_the_spec_default_targets_on_the_default_calendar():
    # Monday–Friday 09:00–18:00: resolve critical 9 h is one working day, high 27 h three days.
    start = at(2026, 11, 23, 10, 0)  # a Monday
    assert NINE_TO_SIX.add(start, 9 * H) == at(2026, 11, 24, 10, 0)
    assert NINE_TO_SIX.add(start, 27 * H) == at(2026, 11, 26, 10, 0)
    assert NINE_TO_SIX.add(start, 90 * H) == at(2026, 12, 7, 10, 0)  # ten working days later


def test_split_working_hours_skip_the_lunch_break():
    assert SPLIT.add(at(2026, 11, 26, 13, 30), H) == at(2026, 11, 26, 15, 30)
    assert SPLIT.between(at(2026, 11, 26, 13, 0), at(2026, 11, 26, 16, 0)) == 2 * H
    assert SPLIT.add(at(2026, 11, 26, 14, 20), 10 * M) == at(2026, 11, 26, 15, 10)


def test_the_result_is_in_the_calendar_time_zone():
    result = NINE_TO_FIVE.add(dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC), H)  # 16:30 in Madrid
    assert result == at(2026, 11, 27, 9, 30) and result.tzinfo == MADRID


def test_another_time_zone_counts_its_own_office_hours():
    mexico = WorkingCalendar(week=weekdays("09:00", "18:00"), time_zone="America/Mexico_City", country="MX")
    start = dt.datetime(2026, 11, 26, 17, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    assert mexico.add(start, 2 * H) == dt.datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    # The same instant seen from Madrid (00:00 on Friday) gives the same answer.
    assert mexico.add(start.astimezone(MADRID), 2 * H) == mexico.add(start, 2 * H)


# --- holidays ------------------------------------------------------------------------------------


def test_national_holidays_are_not_working_days():
    # Tuesday 8 December 2026 (Inmaculada Concepción) is a national holiday in Spain.
    assert not NINE_TO_SIX.is_working_day(dt.date(2026, 12, 8))
    assert NINE_TO_SIX.holiday_name(dt.date(2026, 12, 8)) == "Inmaculada Concepción"
    assert NINE_TO_SIX.add(at(2026, 12, 7, 17, 30), H) == at(2026, 12, 9, 9, 30)
    # Christmas on a Friday: a Thursday-afternoon complaint waits until Monday.
    assert NINE_TO_SIX.add(at(2026, 12, 24, 17, 0), 2 * H) == at(2026, 12, 28, 10, 0)


def test_regional_holidays_count_only_in_their_region():
    catalonia = WorkingCalendar(week=weekdays("09:00", "18:00"), country="ES", subdivision="CT")
    eve = at(2026, 6, 23, 17, 0)  # Sant Joan, 24 June 2026, is a Wednesday
    assert catalonia.add(eve, 2 * H) == at(2026, 6, 25, 10, 0)
    assert NINE_TO_SIX.add(eve, 2 * H) == at(2026, 6, 24, 10, 0)


def test_company_days_close_or_open_a_day():
    closed = WorkingCalendar(week=weekdays("09:00", "18:00"), closed_days=[dt.date(2026, 12, 31)])
    assert closed.add(at(2026, 12, 30, 17, 0), 2 * H) == at(2027, 1, 4, 10, 0)  # 31 closed, 1 Jan holiday
    assert closed.holiday_name(dt.date(2026, 12, 31)) == "Festivo de la empresa"
    opened = WorkingCalendar(week=weekdays("09:00", "18:00"), open_days=[dt.date(2026, 12, 8)])
    assert opened.is_working_day(dt.date(2026, 12, 8)) and opened.holiday_name(dt.date(2026, 12, 8)) is None
    assert opened.add(at(2026, 12, 7, 17, 30), H) == at(2026, 12, 8, 9, 30)


def test_the_holiday_calendar_extends_to_any_year():
    assert not NINE_TO_SIX.is_working_day(dt.date(2031, 1, 1))
    assert NINE_TO_SIX.add(at(2030, 12, 31, 17, 0), 2 * H) == at(2031, 1, 2, 10, 0)


# --- business time between instants and pauses ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2026, 11, 26, 10, 0), at(2026, 11, 26, 12, 30), 2.5 * H),
        (at(2026, 11, 26, 17, 30), at(2026, 11, 27, 9, 30), H),  # over a night
        (at(2026, 11, 27, 17, 0), at(2026, 11, 30, 10, 0), 2 * H),  # over a weekend
        (at(2026, 11, 28, 10, 0), at(2026, 11, 29, 20, 0), 0 * H),  # within a weekend
        (at(2026, 12, 4, 17, 0), at(2026, 12, 9, 10, 0), 1 * H + 9 * H + 1 * H),  # Monday 7, holiday 8
        (at(2026, 11, 26, 12, 0), at(2026, 11, 26, 10, 0), -2 * H),  # backwards
        (at(2026, 11, 26, 12, 0), at(2026, 11, 26, 12, 0), 0 * H),
    ],
)
def test_business_time_between_two_instants(start, end, expected):
    assert NINE_TO_SIX.between(start, end) == expected


def test_a_pause_over_a_night_and_a_weekend_moves_the_deadline_by_the_paused_business_time():
    received = at(2026, 11, 26, 11, 0)  # Thursday
    due = NINE_TO_SIX.add(received, 9 * H)  # Friday 11:00
    assert due == at(2026, 11, 27, 11, 0)
    paused, resumed = at(2026, 11, 26, 16, 0), at(2026, 11, 30, 10, 0)  # Thursday 16:00 → Monday 10:00
    paused_time = NINE_TO_SIX.between(paused, resumed)
    assert paused_time == 2 * H + 9 * H + 1 * H
    new_due = NINE_TO_SIX.add(due, paused_time)
    assert new_due == at(2026, 11, 30, 14, 0)
    # What was left when the clock stopped is exactly what is left when it starts again.
    assert NINE_TO_SIX.between(resumed, new_due) == NINE_TO_SIX.between(paused, due)


def test_a_pause_outside_working_hours_moves_nothing():
    due = at(2026, 11, 30, 12, 0)
    paused_time = NINE_TO_SIX.between(at(2026, 11, 27, 19, 0), at(2026, 11, 30, 8, 0))
    assert paused_time == dt.timedelta(0) and NINE_TO_SIX.add(due, paused_time) == due


# --- daylight saving (last Sunday of March and of October in Europe/Madrid) ------------------------


def test_a_deadline_across_the_spring_change_keeps_local_office_hours():
    # 29 March 2026: clocks go from 02:00 to 03:00. Friday 17:00 + 2 h → Monday 10:00 CEST.
    due = NINE_TO_SIX.add(at(2026, 3, 27, 17, 0), 2 * H)
    assert due == at(2026, 3, 30, 10, 0) and due.utcoffset() == 2 * H
    assert due.astimezone(dt.UTC).hour == 8
    assert NINE_TO_SIX.between(at(2026, 3, 27, 17, 0), due) == 2 * H


def test_a_deadline_across_the_autumn_change_keeps_local_office_hours():
    # 25 October 2026: clocks go from 03:00 back to 02:00. Friday 17:00 + 2 h → Monday 10:00 CET.
    due = NINE_TO_SIX.add(at(2026, 10, 23, 17, 0), 2 * H)
    assert due == at(2026, 10, 26, 10, 0) and due.utcoffset() == H
    assert NINE_TO_SIX.between(at(2026, 10, 23, 17, 0), due) == 2 * H


def test_round_the_clock_calendars_count_the_real_length_of_the_change_days():
    assert ALWAYS.between(at(2026, 3, 28, 12, 0), at(2026, 3, 29, 12, 0)) == 23 * H
    assert ALWAYS.between(at(2026, 10, 24, 12, 0), at(2026, 10, 25, 12, 0)) == 25 * H
    assert ALWAYS.add(at(2026, 3, 28, 12, 0), 24 * H) == at(2026, 3, 29, 13, 0)
    assert ALWAYS.add(at(2026, 10, 24, 12, 0), 24 * H) == at(2026, 10, 25, 11, 0)


def test_an_interval_in_the_spring_gap_has_only_its_real_length():
    night = WorkingCalendar(week={6: parse_intervals("01:00-04:00")})
    assert night.between(at(2026, 3, 29, 0, 0), at(2026, 3, 29, 23, 0)) == 2 * H
    assert night.between(at(2026, 10, 25, 0, 0), at(2026, 10, 25, 23, 0)) == 4 * H
    assert night.between(at(2026, 11, 1, 0, 0), at(2026, 11, 1, 23, 0)) == 3 * H


# --- refusals and settings ----------------------------------------------------------------------


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="aware"):
        NINE_TO_SIX.add(dt.datetime(2026, 11, 26, 10, 0), H)
    with pytest.raises(ValueError, match="negative"):
        NINE_TO_SIX.add(at(2026, 11, 26, 10, 0), -H)


def test_a_calendar_without_working_hours_is_refused():
    with pytest.raises(CalendarError):
        WorkingCalendar(week={})


def test_a_calendar_that_never_works_again_fails_instead_of_looping():
    mondays = [dt.date(2026, 1, 5) + dt.timedelta(weeks=w) for w in range(600)]
    only_one_day = WorkingCalendar(week={0: parse_intervals("09:00-10:00")})
    never = WorkingCalendar(week={0: parse_intervals("09:00-10:00")}, closed_days=mondays)
    assert only_one_day.add(at(2026, 11, 23, 9, 0), H) == at(2026, 11, 23, 10, 0)
    with pytest.raises(CalendarError):
        never.add(at(2026, 1, 1, 9, 0), H)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", ((540, 1080),)),
        ("9:00 - 14:00, 15:00-18:30", ((540, 840), (900, 1110))),
        ("15:00-18:00; 08:00-14:00", ((480, 840), (900, 1080))),
        ("00:00-24:00", ((0, 1440),)),
        ("09.00-13.00", ((540, 780),)),
        ("", ()),
    ],
)
def test_working_hours_are_read_as_people_write_them(text, expected):
    assert parse_intervals(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "9-18",
        "18:00-09:00",
        "09:00-09:00",
        "09:00-14:00, 13:00-18:00",
        "25:00-26:00",
        "24:00-24:00",
        "09:70-10:00",
        "mañana",
    ],
)
def test_malformed_working_hours_are_refused(text):
    with pytest.raises(ValidationError):
        parse_intervals(text)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"country": "QQ"}, "country"),
        ({"subdivision": "XX"}, "subdivision"),
        ({"hours": {}}, "hours"),
        ({"hours": {"0": [["18:00", "09:00"]]}}, "hours"),
        ({"hours": {"0": "09:00-18:00"}}, "hours"),
        ({"hours": []}, "hours"),
    ],
)
def test_calendar_settings_are_validated(values, field):
    base = {"time_zone": "Europe/Madrid", "country": "ES", "subdivision": "", "hours": {"0": [["09:00", "18:00"]]}}
    with pytest.raises(ValidationError) as caught:
        cal.validate_settings(**(base | values))
    assert field in caught.value.message_dict


# --- the stored calendars -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_default_calendar_is_monday_to_friday_nine_to_six_in_madrid():
    record = BusinessCalendar.objects.get(is_default=True)
    calendar = cal.default_calendar()
    assert record.time_zone == "Europe/Madrid" and record.country == "ES"
    assert calendar.hours_per_week() == 45 and str(calendar.tz) == "Europe/Madrid"
    assert calendar.add(at(2026, 11, 27, 17, 0), 2 * H) == at(2026, 11, 30, 10, 0)


@pytest.mark.django_db
def test_without_a_stored_calendar_the_standard_one_applies():
    BusinessCalendar.objects.all().delete()
    assert cal.default_calendar().add(at(2026, 11, 27, 17, 0), 2 * H) == at(2026, 11, 30, 10, 0)
    record = cal.ensure_default_record()
    assert record.is_default and cal.ensure_default_record() == record


@pytest.mark.django_db
def test_editing_the_calendar_is_validated_versioned_and_audited(users):
    record = cal.ensure_default_record()
    with pytest.raises(ValidationError):
        cal.calendar_update(actor=users["admin"], calendar=record, data={"time_zone": "Mars/Olympus"})
    record.refresh_from_db()
    assert record.time_zone == "Europe/Madrid"
    record = cal.calendar_update(
        actor=users["admin"],
        calendar=record,
        data={"hours": {str(d): [["08:00", "15:00"]] for d in range(5)}, "subdivision": "md"},
        expected_version=record.lock_version,
    )
    assert record.subdivision == "MD"
    assert cal.default_calendar().add(at(2026, 11, 27, 14, 0), 2 * H) == at(2026, 11, 30, 9, 0)
    assert AuditEntry.objects.filter(object_id=str(record.pk), action="changed").exists()


@pytest.mark.django_db
def test_company_days_are_added_once_and_recorded_in_the_calendar_history(users):
    record = cal.ensure_default_record()
    version = record.lock_version
    cal.calendar_day_add(
        actor=users["admin"], calendar=record, data={"date": dt.date(2026, 12, 24), "name": "Nochebuena"}
    )
    assert not cal.default_calendar().is_working_day(dt.date(2026, 12, 24))
    with pytest.raises(ValidationError) as caught:
        cal.calendar_day_add(
            actor=users["admin"], calendar=record, data={"date": dt.date(2026, 12, 24), "name": "Otra"}
        )
    assert "date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        cal.calendar_day_add(
            actor=users["admin"],
            calendar=record,
            data={"date": dt.date(2026, 12, 26), "name": "Sábado", "kind": "open"},
        )
    assert "kind" in caught.value.message_dict
    record.refresh_from_db()
    assert record.lock_version == version + 1
    cal.calendar_day_remove(actor=users["admin"], day=CalendarDay.objects.get())
    assert cal.default_calendar().is_working_day(dt.date(2026, 12, 24))
    changes = [e.changes["days"] for e in AuditEntry.objects.filter(object_id=str(record.pk)).order_by("seq")]
    assert changes[0][1].startswith("2026-12-24") and changes[1][0].startswith("2026-12-24")


# --- properties ---------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(MADRID)
).map(lambda d: d.replace(second=0, microsecond=0))
durations = st.integers(min_value=0, max_value=200 * 60).map(lambda m: dt.timedelta(minutes=m))
calendars = st.sampled_from([NINE_TO_FIVE, NINE_TO_SIX, SPLIT, ALWAYS])


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, start=instants, duration=durations)
def test_adding_then_measuring_returns_the_duration(calendar, start, duration):
    due = calendar.add(start, duration)
    assert due.astimezone(dt.UTC) >= start.astimezone(dt.UTC)  # compared as instants, not wall-clock times
    assert calendar.between(start, due) == duration


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, start=instants, a=durations, b=durations)
def test_more_business_time_never_gives_an_earlier_deadline(calendar, start, a, b):
    small, large = sorted((a, b))
    assert calendar.add(start, small).astimezone(dt.UTC) <= calendar.add(start, large).astimezone(dt.UTC)
    assert calendar.add(calendar.add(start, small), large - small) == calendar.add(start, large)


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_business_time_adds_up_over_consecutive_spans(calendar, points):
    a, b, c = sorted(points, key=lambda p: p.astimezone(dt.UTC))
    assert calendar.between(a, c) == calendar.between(a, b) + calendar.between(b, c)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, received=instants, target=durations, pause_start=durations, pause_length=durations)
def test_pausing_never_shortens_a_deadline(calendar, received, target, pause_start, pause_length):
    due = calendar.add(received, target)
    paused = (received.astimezone(dt.UTC) + pause_start).astimezone(MADRID)
    resumed = (paused.astimezone(dt.UTC) + pause_length).astimezone(MADRID)
    new_due = calendar.add(due, calendar.between(paused, resumed))
    assert new_due.astimezone(dt.UTC) >= due.astimezone(dt.UTC)
    if paused.astimezone(dt.UTC) <= due.astimezone(dt.UTC):
        assert calendar.between(resumed, new_due) == calendar.between(paused, due)
