from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from peerhaven.accounts.availability import (
    SLOTS_PER_WEEK,
    hours_per_week,
    to_utc_slots,
    weekly_ranges,
)

week_slots = st.lists(st.integers(0, SLOTS_PER_WEEK - 1), max_size=60)


def test_ranges_merge_consecutive_slots_within_a_day():
    thursday_noon = 3 * 48 + 24
    slots = [thursday_noon, thursday_noon + 1, thursday_noon + 2, 0]
    assert weekly_ranges(slots) == ["Mon 00:00–00:30", "Thu 12:00–13:30"]


def test_a_range_does_not_run_past_midnight():
    assert weekly_ranges([47, 48]) == ["Mon 23:30–24:00", "Tue 00:00–00:30"]


def test_hours_count_each_slot_once():
    assert hours_per_week([1, 1, 2]) == 1.0


def test_utc_conversion_follows_daylight_saving_time():
    thursday_noon = 3 * 48 + 24
    winter = to_utc_slots([thursday_noon], "America/Chicago", dt.date(2026, 1, 15))
    summer = to_utc_slots([thursday_noon], "America/Chicago", dt.date(2026, 7, 15))
    assert weekly_ranges(winter) == ["Thu 18:00–18:30"]  # UTC−6
    assert weekly_ranges(summer) == ["Thu 17:00–17:30"]  # UTC−5


def test_utc_conversion_wraps_around_the_week():
    sunday_late = 6 * 48 + 47
    assert to_utc_slots([sunday_late], "Asia/Tokyo", dt.date(2026, 1, 15)) == [6 * 48 + 29]
    assert to_utc_slots([0], "America/Los_Angeles", dt.date(2026, 1, 15)) == [16]


@given(week_slots, st.sampled_from(["UTC", "Asia/Kolkata", "America/Chicago", "Pacific/Auckland"]))
def test_utc_conversion_keeps_the_number_of_hours(slots, zone):
    converted = to_utc_slots(slots, zone, dt.date(2026, 3, 1))
    assert len(converted) == len(set(slots))
    assert all(0 <= slot < SLOTS_PER_WEEK for slot in converted)
