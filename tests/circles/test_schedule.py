"""Cadences, wall-clock meeting times across daylight-saving changes, and Jitsi rooms.

Daylight-saving dates used below (2025):
- America/Chicago: clocks forward 9 March 02:00 -> 03:00, back 2 November 02:00 -> 01:00.
- Europe/London: forward 30 March 01:00 -> 02:00, back 26 October 02:00 -> 01:00.
- Australia/Sydney: back 6 April 03:00 -> 02:00, forward 5 October 02:00 -> 03:00.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from peerhaven.circles.schedule import (
    DEFAULT_CADENCE,
    CadenceError,
    NonexistentLocalTime,
    describe_cadence,
    jitsi_room_url,
    local_datetime,
    occurrences,
    validate_cadence,
)

UTC = dt.UTC
NOON = dt.time(12, 0)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def local_times(starts: list[dt.datetime], time_zone: str) -> list[dt.datetime]:
    return [start.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None) for start in starts]


# --- validate_cadence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "normalised"),
    [
        (DEFAULT_CADENCE, DEFAULT_CADENCE),
        ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("FREQ=WEEKLY;INTERVAL=1;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("rrule:freq=weekly;byday=th;interval=2", DEFAULT_CADENCE),
        ("  RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;  ", DEFAULT_CADENCE),
        ("FREQ = WEEKLY ; INTERVAL = 2 ; BYDAY = TH", DEFAULT_CADENCE),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TH,MO", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TH", DEFAULT_CADENCE),
        ("FREQ=WEEKLY", "FREQ=WEEKLY"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;WKST=MO", DEFAULT_CADENCE),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO;WKST=SU",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
        ),
        ("FREQ=MONTHLY;BYDAY=+1WE", "FREQ=MONTHLY;BYDAY=1WE"),
        ("FREQ=MONTHLY;BYDAY=-1FR,3MO,1MO", "FREQ=MONTHLY;BYDAY=1MO,3MO,-1FR"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1,15,1", "FREQ=MONTHLY;BYMONTHDAY=1,15,-1"),
        ("FREQ=MONTHLY;INTERVAL=12;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=12;BYDAY=-1FR"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31"),
    ],
)
def test_valid_cadences_are_normalised(rule: str, normalised: str) -> None:
    assert validate_cadence(rule) == normalised
    assert validate_cadence(normalised) == normalised


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter a cadence"),
        ("   ", "Enter a cadence"),
        ("every other thursday please", "“every other thursday please” is not a part"),
        ("FREQ", "is not a part of a recurrence rule"),
        ("FREQ=WEEKLY;BYDAY=", "is not a part of a recurrence rule"),
        ("FREQ=WEEKLY;BYDAY=XX", "“XX” is not a day"),
        ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "BYDAY appears more than once"),
        ("FREQ=HOURLY", "at most once a week"),
        ("FREQ=DAILY;INTERVAL=7", "at most once a week"),
        ("FREQ=YEARLY", "FREQ=WEEKLY or FREQ=MONTHLY"),
        ("FREQ=FORTNIGHTLY", "FREQ=WEEKLY or FREQ=MONTHLY"),
        ("INTERVAL=0", "FREQ=WEEKLY or FREQ=MONTHLY"),
        ("BYDAY=TH", "FREQ=WEEKLY or FREQ=MONTHLY"),
        ("FREQ=WEEKLY;INTERVAL=0;BYDAY=TH", "INTERVAL must be a whole number of weeks"),
        ("FREQ=WEEKLY;INTERVAL=-2;BYDAY=TH", "INTERVAL must be a whole number"),
        ("FREQ=WEEKLY;INTERVAL=two;BYDAY=TH", "INTERVAL must be a whole number"),
        ("FREQ=WEEKLY;INTERVAL=53;BYDAY=TH", "from 1 to 52"),
        ("FREQ=MONTHLY;INTERVAL=13;BYMONTHDAY=1", "whole number of months from 1 to 12"),
        ("FREQ=WEEKLY;COUNT=3", "Remove COUNT"),
        ("FREQ=WEEKLY;BYDAY=TH;UNTIL=20251231T000000Z", "Remove UNTIL"),
        ("DTSTART:20250101T120000Z\nRRULE:FREQ=WEEKLY;BYDAY=TH", "Leave the start date out"),
        ("FREQ=WEEKLY;DTSTART=20250101", "Leave the start date out"),
        ("FREQ=WEEKLY;BYDAY=TH;BYHOUR=18", "BYHOUR is not supported"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1", "is not a recurrence rule part"),
        ("FREQ=WEEKLY;COLOUR=BLUE", "COLOUR is not a recurrence rule part"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "more often than once a week"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR", "more often than once a week"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,8,15,22,29", "more often than once a week"),
        ("FREQ=WEEKLY;BYDAY=2TU", "A weekly cadence takes plain days"),
        ("FREQ=WEEKLY;BYDAY=0TU", "A weekly cadence takes plain days"),
        ("FREQ=MONTHLY;BYDAY=TU", "Say which Tuesday of the month"),
        ("FREQ=MONTHLY;BYDAY=6TU", "Say which Tuesday of the month"),
        ("FREQ=MONTHLY;BYDAY=0TU", "Say which Tuesday of the month"),
        ("FREQ=MONTHLY", "Say which day of the month"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "days of the month from 1 to 31"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "days of the month from 1 to 31"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,x", "days of the month from 1 to 31"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY only goes with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1", "Use BYDAY or BYMONTHDAY, not both"),
        ("FREQ=WEEKLY;BYDAY=TH;WKST=XX", "WKST must be a day"),
        # These yield no meeting for years at a stretch from some starting months.
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29", "more than a year without a meeting"),
        ("FREQ=MONTHLY;INTERVAL=12;BYDAY=5MO", "more than a year without a meeting"),
        ("FREQ=MONTHLY;INTERVAL=6;BYDAY=5FR", "more than a year without a meeting"),
    ],
)
def test_bad_cadences_get_a_plain_message(rule: str, message: str) -> None:
    with pytest.raises(CadenceError, match=re.escape(message)) as raised:
        validate_cadence(rule)
    assert str(raised.value).endswith(".")
    assert isinstance(raised.value, ValueError)


_PARTS = st.sampled_from(
    [
        "FREQ=WEEKLY",
        "FREQ=MONTHLY",
        "FREQ=DAILY",
        "INTERVAL=1",
        "INTERVAL=2",
        "INTERVAL=5",
        "INTERVAL=0",
        "BYDAY=TH",
        "BYDAY=MO,TH",
        "BYDAY=1WE",
        "BYDAY=-1FR,2TU",
        "BYDAY=5SA",
        "BYMONTHDAY=15",
        "BYMONTHDAY=31,-1",
        "WKST=SU",
        "COUNT=2",
    ]
)


@given(st.lists(_PARTS, min_size=1, max_size=4).map(";".join))
def test_every_rule_either_validates_idempotently_or_raises_cadence_error(rule: str) -> None:
    try:
        normalised = validate_cadence(rule)
    except CadenceError:
        return
    assert validate_cadence(normalised) == normalised
    assert describe_cadence(normalised) == describe_cadence(rule)


@given(st.text(max_size=60))
def test_any_text_is_a_cadence_or_a_cadence_error(rule: str) -> None:
    # Nothing but CadenceError escapes, so the form can always show a message.
    with contextlib.suppress(CadenceError):
        validate_cadence(rule)


# --- describe_cadence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "description"),
    [
        (DEFAULT_CADENCE, "Every other Thursday"),
        ("FREQ=WEEKLY;BYDAY=TU", "Every Tuesday"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH", "Every 3 weeks on Monday and Thursday"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR,TU,WE", "Every 3 weeks on Tuesday, Wednesday and Friday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "Every other week on Monday and Thursday"),
        ("FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", "Every 4 weeks on Wednesday"),
        ("FREQ=WEEKLY", "Every week"),
        ("FREQ=WEEKLY;INTERVAL=2", "Every other week"),
        ("FREQ=MONTHLY;BYDAY=1WE", "Monthly on the first Wednesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=-2TH", "Monthly on the second-to-last Thursday"),
        ("FREQ=MONTHLY;BYDAY=3MO,1MO", "Monthly on the first and third Monday"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", "Every other month on the second Tuesday"),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO,1TH",
            "Every 3 months on the first Monday and the first Thursday",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15"),
        ("FREQ=MONTHLY;BYMONTHDAY=15,1", "Monthly on days 1 and 15"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "Monthly on the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,-1", "Monthly on day 1 and the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1,15,1", "Monthly on days 1, 15 and the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=-12", "Monthly on the 12th-to-last day"),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=21", "Every 12 months on day 21"),
    ],
)
def test_describe_cadence(rule: str, description: str) -> None:
    assert describe_cadence(rule) == description


def test_describe_cadence_rejects_what_validate_rejects() -> None:
    with pytest.raises(CadenceError, match="more often than once a week"):
        describe_cadence("FREQ=WEEKLY;BYDAY=MO,TH")


# --- local_datetime ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "time_zone", "expected"),
    [
        (dt.date(2025, 1, 16), NOON, "America/Chicago", utc(2025, 1, 16, 18)),
        (dt.date(2025, 7, 17), NOON, "America/Chicago", utc(2025, 7, 17, 17)),
        (dt.date(2025, 1, 16), NOON, "Europe/London", utc(2025, 1, 16, 12)),
        (dt.date(2025, 7, 17), NOON, "Europe/London", utc(2025, 7, 17, 11)),
        (dt.date(2025, 1, 16), NOON, "Australia/Sydney", utc(2025, 1, 16, 1)),
        (dt.date(2025, 7, 17), NOON, "Australia/Sydney", utc(2025, 7, 17, 2)),
        # The minute before and after each gap exists.
        (dt.date(2025, 3, 9), dt.time(1, 59), "America/Chicago", utc(2025, 3, 9, 7, 59)),
        (dt.date(2025, 3, 9), dt.time(3, 0), "America/Chicago", utc(2025, 3, 9, 8, 0)),
    ],
)
def test_local_datetime_is_utc_for_the_wall_clock_time(
    day: dt.date, at: dt.time, time_zone: str, expected: dt.datetime
) -> None:
    moment = local_datetime(day, at, time_zone)
    assert moment == expected
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("day", "at", "time_zone"),
    [
        (dt.date(2025, 3, 9), dt.time(2, 30), "America/Chicago"),
        (dt.date(2025, 3, 9), dt.time(2, 0), "America/Chicago"),
        (dt.date(2025, 3, 30), dt.time(1, 15), "Europe/London"),
        (dt.date(2025, 10, 5), dt.time(2, 45), "Australia/Sydney"),
    ],
)
def test_local_datetime_refuses_a_time_the_clocks_skip(
    day: dt.date, at: dt.time, time_zone: str
) -> None:
    with pytest.raises(NonexistentLocalTime) as raised:
        local_datetime(day, at, time_zone)
    error = raised.value
    assert (error.day, error.at, error.time_zone) == (day, at, time_zone)
    assert isinstance(error, ValueError)


def test_nonexistent_local_time_message_names_the_time_and_daylight_saving() -> None:
    with pytest.raises(NonexistentLocalTime) as raised:
        local_datetime(dt.date(2025, 3, 9), dt.time(2, 30), "America/Chicago")
    assert str(raised.value) == (
        "02:30 on 9 March 2025 does not exist in America/Chicago: the clocks go forward "
        "for daylight saving time and skip it. Choose another time."
    )


@pytest.mark.parametrize(
    ("day", "at", "time_zone", "first"),
    [
        # 01:30 happens twice; the first is still on daylight time.
        (dt.date(2025, 11, 2), dt.time(1, 30), "America/Chicago", utc(2025, 11, 2, 6, 30)),
        (dt.date(2025, 10, 26), dt.time(1, 30), "Europe/London", utc(2025, 10, 26, 0, 30)),
        (dt.date(2025, 4, 6), dt.time(2, 30), "Australia/Sydney", utc(2025, 4, 5, 15, 30)),
    ],
)
def test_local_datetime_takes_the_first_of_a_repeated_time(
    day: dt.date, at: dt.time, time_zone: str, first: dt.datetime
) -> None:
    assert local_datetime(day, at, time_zone) == first
    # Even when the caller's time says "the second one".
    assert local_datetime(day, at.replace(fold=1), time_zone) == first


def test_local_datetime_rejects_an_unknown_zone_and_an_aware_time() -> None:
    with pytest.raises(ValueError, match="not a time zone"):
        local_datetime(dt.date(2025, 1, 1), NOON, "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="not a time zone"):
        local_datetime(dt.date(2025, 1, 1), NOON, "")
    with pytest.raises(ValueError, match="wall-clock time"):
        local_datetime(dt.date(2025, 1, 1), dt.time(12, tzinfo=UTC), "Europe/London")


# --- occurrences ------------------------------------------------------------------------------


def test_every_other_thursday_keeps_noon_in_chicago_when_the_clocks_go_forward() -> None:
    starts = occurrences(
        DEFAULT_CADENCE,
        "America/Chicago",
        NOON,
        dt.date(2025, 2, 27),
        after=utc(2025, 2, 1),
        until=utc(2025, 4, 30),
    )
    assert starts == [
        utc(2025, 2, 27, 18),
        utc(2025, 3, 13, 17),
        utc(2025, 3, 27, 17),
        utc(2025, 4, 10, 17),
        utc(2025, 4, 24, 17),
    ]
    assert all(start.tzinfo is UTC for start in starts)
    assert {local.time() for local in local_times(starts, "America/Chicago")} == {NOON}


def test_every_other_thursday_keeps_noon_in_chicago_when_the_clocks_go_back() -> None:
    starts = occurrences(
        DEFAULT_CADENCE,
        "America/Chicago",
        NOON,
        dt.date(2025, 10, 23),
        after=utc(2025, 10, 1),
        until=utc(2025, 11, 30),
    )
    assert starts == [utc(2025, 10, 23, 17), utc(2025, 11, 6, 18), utc(2025, 11, 20, 18)]


@pytest.mark.parametrize(
    ("time_zone", "starting", "expected"),
    [
        (
            "Europe/London",
            dt.date(2025, 3, 23),
            [utc(2025, 3, 23, 12), utc(2025, 3, 30, 11), utc(2025, 4, 6, 11)],
        ),
        (
            "Europe/London",
            dt.date(2025, 10, 19),
            [utc(2025, 10, 19, 11), utc(2025, 10, 26, 12), utc(2025, 11, 2, 12)],
        ),
        (
            "Australia/Sydney",
            dt.date(2025, 3, 30),
            [utc(2025, 3, 30, 1), utc(2025, 4, 6, 2), utc(2025, 4, 13, 2)],
        ),
        (
            "Australia/Sydney",
            dt.date(2025, 9, 28),
            [utc(2025, 9, 28, 2), utc(2025, 10, 5, 1), utc(2025, 10, 12, 1)],
        ),
    ],
)
def test_weekly_sunday_noon_across_daylight_saving_changes(
    time_zone: str, starting: dt.date, expected: list[dt.datetime]
) -> None:
    starts = occurrences(
        "FREQ=WEEKLY;BYDAY=SU",
        time_zone,
        NOON,
        starting,
        after=utc(2025, 1, 1),
        until=expected[-1],
    )
    assert starts == expected
    assert {local.time() for local in local_times(starts, time_zone)} == {NOON}


@pytest.mark.parametrize(
    ("time_zone", "at", "gap_day", "moved_to"),
    [
        ("America/Chicago", dt.time(2, 30), dt.date(2025, 3, 9), dt.time(3, 30)),
        ("Europe/London", dt.time(1, 30), dt.date(2025, 3, 30), dt.time(2, 30)),
        ("Australia/Sydney", dt.time(2, 30), dt.date(2025, 10, 5), dt.time(3, 30)),
    ],
)
def test_a_meeting_in_the_gap_moves_forward_by_the_gap_and_is_not_dropped(
    time_zone: str, at: dt.time, gap_day: dt.date, moved_to: dt.time
) -> None:
    week = dt.timedelta(days=7)
    starts = occurrences(
        "FREQ=WEEKLY;BYDAY=SU",
        time_zone,
        at,
        gap_day - week,
        after=utc(2025, 1, 1),
        until=utc(2025, 12, 31),
    )
    locals_ = local_times(starts, time_zone)
    assert [local.date() for local in locals_[:3]] == [gap_day - week, gap_day, gap_day + week]
    assert [local.time() for local in locals_[:3]] == [at, moved_to, at]


def test_a_repeated_time_meets_at_the_first_of_the_two() -> None:
    starts = occurrences(
        "FREQ=WEEKLY;BYDAY=SU",
        "America/Chicago",
        dt.time(1, 30),
        dt.date(2025, 10, 26),
        after=utc(2025, 10, 1),
        until=utc(2025, 11, 10),
    )
    assert starts == [utc(2025, 10, 26, 6, 30), utc(2025, 11, 2, 6, 30), utc(2025, 11, 9, 7, 30)]


def thursdays_at_noon_utc(after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    return occurrences(
        "FREQ=WEEKLY;BYDAY=TH", "UTC", NOON, dt.date(2025, 1, 2), after=after, until=until
    )


def test_after_is_exclusive_and_until_is_inclusive() -> None:
    assert thursdays_at_noon_utc(utc(2025, 1, 9, 12), utc(2025, 1, 23, 12)) == [
        utc(2025, 1, 16, 12),
        utc(2025, 1, 23, 12),
    ]
    assert thursdays_at_noon_utc(utc(2025, 1, 9, 11, 59), utc(2025, 1, 23, 11, 59)) == [
        utc(2025, 1, 9, 12),
        utc(2025, 1, 16, 12),
    ]


def test_bounds_in_another_zone_compare_as_instants() -> None:
    # 12:00 UTC is 13:00 in Paris in January.
    paris = ZoneInfo("Europe/Paris")
    after = dt.datetime(2025, 1, 9, 13, tzinfo=paris)
    until = dt.datetime(2025, 1, 16, 13, tzinfo=paris)
    assert thursdays_at_noon_utc(after, until) == [utc(2025, 1, 16, 12)]


def test_an_empty_or_inverted_window_has_no_meetings() -> None:
    assert thursdays_at_noon_utc(utc(2025, 1, 16, 12), utc(2025, 1, 16, 12)) == []
    assert thursdays_at_noon_utc(utc(2025, 2, 1), utc(2025, 1, 1)) == []
    # A window entirely before the series starts.
    assert thursdays_at_noon_utc(utc(2024, 1, 1), utc(2024, 12, 31)) == []


def test_nothing_before_the_first_meeting_even_if_after_is_earlier() -> None:
    starts = thursdays_at_noon_utc(utc(2020, 1, 1), utc(2025, 1, 10))
    assert starts == [utc(2025, 1, 2, 12), utc(2025, 1, 9, 12)]


def test_the_series_begins_on_the_first_matching_date_and_counts_its_interval_from_there() -> None:
    # 3 January 2025 is a Friday: the first meeting is the next Thursday, then every other.
    starts = occurrences(
        DEFAULT_CADENCE,
        "UTC",
        NOON,
        dt.date(2025, 1, 3),
        after=utc(2025, 1, 1),
        until=utc(2025, 2, 28),
    )
    assert [start.date() for start in starts] == [
        dt.date(2025, 1, 9),
        dt.date(2025, 1, 23),
        dt.date(2025, 2, 6),
        dt.date(2025, 2, 20),
    ]


def test_monthly_interval_counts_from_the_first_meeting() -> None:
    # The first Wednesday on or after 10 January is 5 February; then every other month.
    starts = occurrences(
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE",
        "UTC",
        NOON,
        dt.date(2025, 1, 10),
        after=utc(2025, 1, 1),
        until=utc(2025, 8, 1),
    )
    assert [start.date() for start in starts] == [
        dt.date(2025, 2, 5),
        dt.date(2025, 4, 2),
        dt.date(2025, 6, 4),
    ]


def test_monthly_on_the_31st_skips_months_without_one() -> None:
    starts = occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "Europe/London",
        NOON,
        dt.date(2025, 1, 1),
        after=utc(2025, 1, 1),
        until=utc(2025, 6, 30),
    )
    assert [start.date() for start in starts] == [
        dt.date(2025, 1, 31),
        dt.date(2025, 3, 31),
        dt.date(2025, 5, 31),
    ]


def test_a_window_years_after_the_start_keeps_the_fortnightly_rhythm() -> None:
    first = dt.date(2020, 1, 2)
    starts = occurrences(
        DEFAULT_CADENCE,
        "America/Chicago",
        NOON,
        first,
        after=utc(2030, 1, 1),
        until=utc(2030, 3, 1),
    )
    days = [local.date() for local in local_times(starts, "America/Chicago")]
    assert len(days) == 5
    assert all((day - first).days % 14 == 0 and day.weekday() == 3 for day in days)


def test_occurrences_reject_bad_input() -> None:
    window = {"after": utc(2025, 1, 1), "until": utc(2025, 2, 1)}
    start = dt.date(2025, 1, 1)
    with pytest.raises(CadenceError):
        occurrences("FREQ=HOURLY", "UTC", NOON, start, **window)
    with pytest.raises(ValueError, match="not a time zone"):
        occurrences(DEFAULT_CADENCE, "Nowhere/Special", NOON, start, **window)
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(DEFAULT_CADENCE, "UTC", NOON, start, dt.datetime(2025, 1, 1), utc(2025, 2, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(DEFAULT_CADENCE, "UTC", NOON, start, utc(2025, 1, 1), dt.datetime(2025, 2, 1))


# Zones whose daylight-saving gaps are away from midnight, including Lord Howe's half hour.
ZONES = [
    "America/Chicago",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kolkata",
    "UTC",
]


@settings(max_examples=60, deadline=None)
@example(  # Chicago's gap, every week
    time_zone="America/Chicago",
    at=dt.time(2, 30),
    starting=dt.date(2025, 3, 2),
    weekday="SU",
    interval=1,
)
@example(  # Lord Howe's half-hour gap, every other week
    time_zone="Australia/Lord_Howe",
    at=dt.time(2, 10),
    starting=dt.date(2025, 9, 21),
    weekday="SU",
    interval=2,
)
@given(
    time_zone=st.sampled_from(ZONES),
    # Early-morning times often enough to land in gaps and repeated hours.
    at=st.one_of(st.times(), st.sampled_from([dt.time(1, 30), dt.time(2), dt.time(2, 30)])),
    starting=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)),
    weekday=st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
    interval=st.integers(min_value=1, max_value=4),
)
def test_every_meeting_is_at_the_chosen_local_time_unless_the_clocks_skipped_it(
    time_zone: str, at: dt.time, starting: dt.date, weekday: str, interval: int
) -> None:
    rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={weekday}"
    after = dt.datetime.combine(starting, dt.time(), tzinfo=UTC) - dt.timedelta(days=2)
    starts = occurrences(
        rule, time_zone, at, starting, after=after, until=after + dt.timedelta(days=400)
    )
    days = []
    for local in local_times(starts, time_zone):
        days.append(local.date())
        if local.time() != at:
            # Only a skipped time moves, and only forward, by at most the hour skipped.
            with pytest.raises(NonexistentLocalTime):
                local_datetime(local.date(), at, time_zone)
            moved_by = local - dt.datetime.combine(local.date(), at)
            assert dt.timedelta(0) < moved_by <= dt.timedelta(hours=1)
    # No meeting is lost: every date is one interval after the previous one.
    assert days[0] - starting < dt.timedelta(days=7)
    assert all(
        later - earlier == dt.timedelta(weeks=interval)
        for earlier, later in itertools.pairwise(days)
    )
    assert len(days) >= 400 // (7 * interval) - 1


# --- jitsi_room_url --------------------------------------------------------------------------


def test_jitsi_room_urls_are_unguessable() -> None:
    urls = {jitsi_room_url() for _ in range(200)}
    assert len(urls) == 200
    for url in urls:
        assert url.startswith("https://meet.jit.si/Peerhaven-")
        token = url.removeprefix("https://meet.jit.si/Peerhaven-")
        # Lower-case base32: 5 bits a character, and nothing lost if Jitsi folds case.
        assert re.fullmatch(r"[a-z2-7]+", token)
        assert len(token) * 5 >= 128
