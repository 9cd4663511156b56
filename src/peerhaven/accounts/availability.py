"""Weekly availability as half-hour slots in the member's own time zone.

Slot 0 is Monday 00:00–00:30 and slot 335 is Sunday 23:30–24:00, local time. Matching
compares people across time zones with ``to_utc_slots``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SLOTS_PER_WEEK = SLOTS_PER_DAY * len(DAYS)


def slot_time(row: int) -> str:
    minutes = row * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_index(day: int, row: int) -> int:
    return day * SLOTS_PER_DAY + row


def is_valid_slot(value: object) -> bool:
    return isinstance(value, int) and 0 <= value < SLOTS_PER_WEEK


def weekly_ranges(slots: list[int]) -> list[str]:
    """Merge slots into readable ranges per day, e.g. ``["Tue 12:00–13:30"]``."""
    ranges = []
    for start, end in _runs(sorted(set(slots))):
        day, first_row = divmod(start, SLOTS_PER_DAY)
        last_row = first_row + (end - start) + 1
        ranges.append(f"{DAYS[day]} {slot_time(first_row)}–{slot_time(last_row)}")
    return ranges


def _runs(slots: list[int]):
    """Consecutive runs of slots that stay within one day."""
    start = previous = None
    for slot in slots:
        continues = previous is not None and slot == previous + 1 and slot % SLOTS_PER_DAY != 0
        if not continues:
            if start is not None:
                yield start, previous
            start = slot
        previous = slot
    if start is not None:
        yield start, previous


def hours_per_week(slots: list[int]) -> float:
    return len(set(slots)) * SLOT_MINUTES / 60


def to_utc_slots(slots: list[int], time_zone: str, on: dt.date | None = None) -> list[int]:
    """The same weekly slots expressed in UTC, using the zone's offset in the week of ``on``
    (daylight-saving time moves a local slot by an hour across the year)."""
    on = on or dt.date.today()
    local_midnight = dt.datetime.combine(on, dt.time(), tzinfo=ZoneInfo(time_zone))
    offset = local_midnight.utcoffset() or dt.timedelta()
    shift = int(offset.total_seconds() // (SLOT_MINUTES * 60))
    return sorted((slot - shift) % SLOTS_PER_WEEK for slot in set(slots))
