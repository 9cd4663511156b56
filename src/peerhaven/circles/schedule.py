"""When a circle meets: its cadence (an RFC 5545 recurrence rule), the meetings that cadence
produces in the circle's time zone, and the video room it meets in.

Plain Python on purpose: the models, views and the calendar feed all call these functions,
and the daylight-saving rules are easiest to test without a database.

A cadence is kept deliberately small. FREQ is WEEKLY or MONTHLY, INTERVAL, BYDAY, BYMONTHDAY
and WKST are the only parts, and the series has no end of its own: a circle meets until it
changes its cadence or closes, and the first date and the time of day are stored apart.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import itertools
import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

DEFAULT_CADENCE = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
JITSI_ROOM_PREFIX = "https://meet.jit.si/Peerhaven-"

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SUPPORTED_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "WKST")
# Parts RFC 5545 defines that a circle's cadence has no use for: the time of day is set on its
# own, and the other BY* parts describe patterns no circle needs.
UNSUPPORTED_RFC_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "BYMONTH")
ENDING_PARTS = ("COUNT", "UNTIL")
TOO_FREQUENT = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY")
MAX_INTERVAL = {"WEEKLY": 52, "MONTHLY": 12}
# At most one meeting a week on average; four a month is the monthly equivalent.
MAX_MEETINGS_PER_PERIOD = {"WEEKLY": 1, "MONTHLY": 4}
A_YEAR = dt.timedelta(days=366)
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}

_PART = re.compile(r"([A-Z][A-Z-]*)\s*=\s*(.+)")
_BYDAY_ITEM = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_MONTHDAY = re.compile(r"[+-]?\d{1,2}")
_WHOLE_NUMBER = re.compile(r"\d{1,3}")


class CadenceError(ValueError):
    """A cadence a circle cannot use; the message is shown next to the field."""


class NonexistentLocalTime(ValueError):
    """A wall-clock time the clocks skip when daylight-saving time starts."""

    def __init__(self, day: dt.date, at: dt.time, time_zone: str) -> None:
        self.day, self.at, self.time_zone = day, at, time_zone
        super().__init__(
            f"{at:%H:%M} on {day.day} {day:%B %Y} does not exist in {time_zone}: the clocks "
            "go forward for daylight saving time and skip it. Choose another time."
        )


# --- Cadence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cadence:
    freq: str
    interval: int = 1
    # (ordinal, weekday): ordinal 0 means every such weekday, 1 the first, -1 the last;
    # weekday 0 is Monday.
    weekdays: tuple[tuple[int, int], ...] = ()
    monthdays: tuple[int, ...] = ()
    week_start: int = 0

    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            days = ",".join(f"{n or ''}{WEEKDAY_CODES[day]}" for n, day in self.weekdays)
            parts.append(f"BYDAY={days}")
        if self.monthdays:
            parts.append(f"BYMONTHDAY={','.join(map(str, self.monthdays))}")
        if self.week_start:
            parts.append(f"WKST={WEEKDAY_CODES[self.week_start]}")
        return ";".join(parts)

    def dates(self, starting: dt.date, through: dt.date) -> list[dt.date]:
        """The dates up to `through` of the series whose first meeting is the first date the
        rule gives on or after `starting`. INTERVAL counts from that first meeting, so a
        series of every other Thursday started on a Friday meets six days later, not 13."""
        first = next(iter(self._rrule(starting, interval=1, until=starting + A_YEAR)), None)
        if first is None or first.date() > through:
            return []
        return [moment.date() for moment in self._rrule(first.date(), until=through)]

    def _rrule(
        self, dtstart: dt.date, *, until: dt.date, interval: int | None = None
    ) -> rrule.rrule:
        return rrule.rrule(
            rrule.WEEKLY if self.freq == "WEEKLY" else rrule.MONTHLY,
            dtstart=dt.datetime.combine(dtstart, dt.time()),
            until=dt.datetime.combine(until, dt.time()),
            interval=interval or self.interval,
            wkst=self.week_start,
            byweekday=[rrule.weekday(day, n or None) for n, day in self.weekdays] or None,
            bymonthday=self.monthdays or None,
        )

    def skips_months(self) -> bool:
        """Whether some chosen day is missing from some months (the 31st, the fifth Monday)."""
        return any(abs(n) == 5 for n, _ in self.weekdays) or any(
            abs(day) > 28 for day in self.monthdays
        )


def validate_cadence(rule: str) -> str:
    """The cadence as normalised RRULE text, or CadenceError saying what to change."""
    return _parse_cadence(rule).text()


# Cached because every call to occurrences() parses, and the year check below walks years.
@functools.lru_cache(maxsize=256)
def _parse_cadence(rule: str) -> _Cadence:
    parts = _split_parts(rule)
    freq = _parse_freq(parts)
    cadence = _Cadence(
        freq=freq,
        interval=_parse_interval(parts.get("INTERVAL", "1"), freq),
        weekdays=_parse_weekdays(parts.get("BYDAY"), freq),
        monthdays=_parse_monthdays(parts.get("BYMONTHDAY"), freq),
        week_start=_parse_week_start(parts.get("WKST", "MO")),
    )
    _check_days_chosen(cadence)
    _check_at_most_weekly(cadence)
    _check_never_a_year_without_meeting(cadence)
    return cadence


def _split_parts(rule: str) -> dict[str, str]:
    text = (rule or "").strip()
    if not text:
        raise CadenceError(f"Enter a cadence, for example {DEFAULT_CADENCE}.")
    if "DTSTART" in text.upper():
        raise CadenceError("Leave the start date out of the cadence; it is set separately.")
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    # Stray semicolons (a trailing one is common when rules are copied) carry no meaning.
    for segment in filter(None, (piece.strip() for piece in text.split(";"))):
        name, value = _split_part(segment)
        if name in parts:
            raise CadenceError(f"{name} appears more than once in the cadence.")
        parts[name] = value
    return parts


def _split_part(segment: str) -> tuple[str, str]:
    match = _PART.fullmatch(segment.upper())
    if not match:
        raise CadenceError(
            f"“{segment}” is not a part of a recurrence rule; write parts as NAME=VALUE "
            f"separated by semicolons, for example {DEFAULT_CADENCE}."
        )
    name, value = match.group(1), match.group(2).strip()
    if name in ENDING_PARTS:
        raise CadenceError(f"Remove {name}: a circle's cadence runs until the circle changes it.")
    if name in UNSUPPORTED_RFC_PARTS:
        raise CadenceError(
            f"{name} is not supported in a meeting cadence; use {_join(SUPPORTED_PARTS, 'or')}."
        )
    if name not in SUPPORTED_PARTS:
        raise CadenceError(
            f"{name} is not a recurrence rule part Peerhaven knows; "
            f"use {_join(SUPPORTED_PARTS, 'or')}."
        )
    return name, value


def _parse_freq(parts: dict[str, str]) -> str:
    freq = parts.get("FREQ")
    if freq in TOO_FREQUENT:
        raise CadenceError("Circles meet at most once a week: use FREQ=WEEKLY or FREQ=MONTHLY.")
    if freq is None or freq not in MAX_INTERVAL:
        raise CadenceError("Say how often the circle meets with FREQ=WEEKLY or FREQ=MONTHLY.")
    return freq


def _parse_interval(value: str, freq: str) -> int:
    unit = "weeks" if freq == "WEEKLY" else "months"
    limit = MAX_INTERVAL[freq]
    if not _WHOLE_NUMBER.fullmatch(value) or not 1 <= int(value) <= limit:
        raise CadenceError(f"INTERVAL must be a whole number of {unit} from 1 to {limit}.")
    return int(value)


def _parse_weekdays(value: str | None, freq: str) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    weekdays = {_parse_weekday(item.strip(), freq) for item in value.split(",")}
    return tuple(sorted(weekdays, key=lambda item: (item[1], _ordinal_order(item[0]))))


def _parse_weekday(item: str, freq: str) -> tuple[int, int]:
    match = _BYDAY_ITEM.fullmatch(item)
    if not match:
        raise CadenceError(
            f"“{item}” is not a day in BYDAY; use MO, TU, WE, TH, FR, SA or SU "
            "(with a position such as 1MO or -1FR for monthly cadences)."
        )
    position, code = match.groups()
    ordinal, day = int(position or 0), WEEKDAY_CODES.index(code)
    if freq == "WEEKLY" and position is not None:
        raise CadenceError(f"A weekly cadence takes plain days in BYDAY, such as {code}.")
    if freq == "MONTHLY" and not 1 <= abs(ordinal) <= 5:
        raise CadenceError(
            f"Say which {WEEKDAY_NAMES[day]} of the month: for example 1{code} for the "
            f"first or -1{code} for the last (positions run from 1 to 5, or -1 to -5)."
        )
    return ordinal, day


def _parse_monthdays(value: str | None, freq: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if freq != "MONTHLY":
        raise CadenceError("BYMONTHDAY only goes with FREQ=MONTHLY.")
    items = [item.strip() for item in value.split(",")]
    if not all(_MONTHDAY.fullmatch(item) and 1 <= abs(int(item)) <= 31 for item in items):
        raise CadenceError("BYMONTHDAY takes days of the month from 1 to 31 (or -1 for the last).")
    return tuple(sorted({int(item) for item in items}, key=_ordinal_order))


def _parse_week_start(value: str) -> int:
    if value not in WEEKDAY_CODES:
        raise CadenceError("WKST must be a day: MO, TU, WE, TH, FR, SA or SU.")
    return WEEKDAY_CODES.index(value)


def _ordinal_order(ordinal: int) -> tuple[bool, int]:
    # Counting from the start of the month comes first, then from the end: 1, 2, ..., -2, -1.
    return ordinal < 0, ordinal


def _check_days_chosen(cadence: _Cadence) -> None:
    if cadence.weekdays and cadence.monthdays:
        raise CadenceError("Use BYDAY or BYMONTHDAY, not both.")
    if cadence.freq == "MONTHLY" and not (cadence.weekdays or cadence.monthdays):
        raise CadenceError(
            "Say which day of the month: for example BYMONTHDAY=15, or BYDAY=1WE for the "
            "first Wednesday."
        )


def _check_at_most_weekly(cadence: _Cadence) -> None:
    # On average, so "every 3 weeks on Monday and Thursday" is fine but "every week on
    # Monday and Thursday" is not.
    per_period = len(cadence.weekdays) or len(cadence.monthdays) or 1
    if per_period > MAX_MEETINGS_PER_PERIOD[cadence.freq] * cadence.interval:
        raise CadenceError(
            "That is more often than once a week. Choose fewer days, or a longer INTERVAL."
        )


def _check_never_a_year_without_meeting(cadence: _Cadence) -> None:
    # Only days some months lack can leave a year empty: day 29 every 12 months started on
    # 29 February meets again four years later, the fifth Friday every 6 months can miss for
    # years. Leap years and weekdays shift, so try series started in every month of four
    # years, each followed for three.
    if not cadence.skips_months():
        return
    for year, month in itertools.product(range(2025, 2029), range(1, 13)):
        start = dt.date(year, month, 1)
        end = dt.date(year + 3, month, 1)
        moments = [start, *cadence.dates(start, end), end]
        if any(later - earlier > A_YEAR for earlier, later in itertools.pairwise(moments)):
            raise CadenceError(
                "This cadence can go more than a year without a meeting, because some months "
                "lack the chosen day. Choose a day every month has, or a shorter INTERVAL."
            )


# --- Describing a cadence -------------------------------------------------------------------


def first_meeting_day(rule: str, starting: dt.date) -> dt.date:
    """The date of a series' first meeting: the first date the cadence gives on or after
    `starting` (every valid cadence meets within a year)."""
    return _parse_cadence(rule).dates(starting, starting + A_YEAR)[0]


def describe_cadence(rule: str) -> str:
    """The cadence in plain English, such as "Every other Thursday"."""
    cadence = _parse_cadence(rule)
    if cadence.freq == "WEEKLY":
        return _describe_weekly(cadence)
    return f"{_monthly_period(cadence.interval)} on {_describe_days_of_month(cadence)}"


def _describe_weekly(cadence: _Cadence) -> str:
    days = _join([WEEKDAY_NAMES[day] for _, day in cadence.weekdays], "and")
    if cadence.interval == 1:
        return f"Every {days}" if days else "Every week"
    if cadence.interval == 2 and len(cadence.weekdays) == 1:
        return f"Every other {days}"
    period = "Every other week" if cadence.interval == 2 else f"Every {cadence.interval} weeks"
    return f"{period} on {days}" if days else period


def _monthly_period(interval: int) -> str:
    return {1: "Monthly", 2: "Every other month"}.get(interval, f"Every {interval} months")


def _describe_days_of_month(cadence: _Cadence) -> str:
    if cadence.weekdays:
        return _describe_positioned_weekdays(cadence.weekdays)
    # "day 15", "days 1 and 15", "the last day", "days 1, 15 and the last day"
    counted = [day for day in cadence.monthdays if day > 0]
    lead = {0: "", 1: "day "}.get(len(counted), "days ")
    phrases = [str(day) if day > 0 else f"the {_ordinal(day)} day" for day in cadence.monthdays]
    return lead + _join(phrases, "and")


def _describe_positioned_weekdays(weekdays: tuple[tuple[int, int], ...]) -> str:
    # Grouped by day so that 1MO,3MO reads "the first and third Monday".
    by_day: dict[int, list[str]] = {}
    for ordinal, day in weekdays:
        by_day.setdefault(day, []).append(_ordinal(ordinal))
    return _join(
        [f"the {_join(ordinals, 'and')} {WEEKDAY_NAMES[day]}" for day, ordinals in by_day.items()],
        "and",
    )


def _ordinal(n: int) -> str:
    """1 -> "first", 12 -> "12th", -1 -> "last", -2 -> "second-to-last"."""
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ordinal(-n)}-to-last"
    if n in ORDINAL_WORDS:
        return ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str] | tuple[str, ...], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# --- Wall-clock times ------------------------------------------------------------------------


def local_datetime(day: dt.date, at: dt.time, time_zone: str) -> dt.datetime:
    """The UTC moment of a wall-clock time in a zone. A time the clocks skip raises
    NonexistentLocalTime; a time that happens twice means the first (daylight) one."""
    local = _wall_clock(day, at, _zone(time_zone))
    if _skipped_by_clocks(local):
        raise NonexistentLocalTime(day, at, time_zone)
    return local.astimezone(dt.UTC)


def occurrences(
    rule: str,
    time_zone: str,
    at: dt.time,
    starting: dt.date,
    after: dt.datetime,
    until: dt.datetime,
) -> list[dt.datetime]:
    """UTC start times of the meetings of a series beginning on `starting`, strictly after
    `after` and no later than `until`, each at the wall-clock time `at` in `time_zone`.

    A date on which `at` is skipped by the clocks going forward meets as much later as the
    clocks jumped (02:30 becomes 03:30), so a series never silently loses a meeting.
    """
    cadence = _parse_cadence(rule)
    zone = _zone(time_zone)
    _require_aware(after, "after")
    _require_aware(until, "until")
    # A day's margin on both sides: the UTC bounds can fall on a neighbouring local date.
    first = after.astimezone(zone).date() - dt.timedelta(days=1)
    last = until.astimezone(zone).date() + dt.timedelta(days=1)
    if last < starting:
        return []
    starts = (
        _wall_clock(day, at, zone).astimezone(dt.UTC)
        for day in cadence.dates(starting, last)
        if day >= first
    )
    return [start for start in starts if after < start <= until]


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{time_zone!r} is not a time zone Peerhaven knows.") from None


def _wall_clock(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    if at.tzinfo is not None:
        raise ValueError("Pass the meeting time as a wall-clock time, without a time zone.")
    # fold=0 picks the first of two repeated times, and in a gap it applies the offset from
    # before the clocks went forward, which lands as far past the gap as the time was in it.
    return dt.datetime.combine(day, at.replace(fold=0), tzinfo=zone)


def _skipped_by_clocks(local: dt.datetime) -> bool:
    round_trip = local.astimezone(dt.UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) != local.replace(tzinfo=None)


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.utcoffset() is None:
        raise ValueError(f"`{name}` must be a timezone-aware datetime.")


# --- Video room ------------------------------------------------------------------------------


def jitsi_room_url() -> str:
    """A new Jitsi Meet room nobody can guess: 160 random bits."""
    # Jitsi treats room names case-insensitively, so the token keeps to one case (lower-case
    # base32) and loses none of its randomness to case folding.
    token = base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()
    return JITSI_ROOM_PREFIX + token
