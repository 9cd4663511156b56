"""iCalendar (RFC 5545) files for circle meetings: a member's feed and single-meeting downloads.

Times are written in UTC ("Z" form), so the files need no VTIMEZONE and every calendar
program shows them in its user's own zone. The icalendar library does the escaping, the
CRLF line endings and the folding of long lines at 75 octets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Calendar, Event, vText

PRODID = "-//Peerhaven//Circles//EN"
# Asks subscribed calendars (Outlook, Apple Calendar) to look again hourly, so moved and
# cancelled meetings reach them the same day; programs importing a single file ignore it.
REFRESH_INTERVAL = dt.timedelta(hours=1)

# Control characters other than tab and newline are not allowed in iCalendar text.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WHITESPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable per meeting, e.g. "meeting-42@peerhaven"
    start: dt.datetime
    end: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0  # bumped each time the meeting moves, so calendars take the change
    cancelled: bool = False  # still sent, so calendars remove the meeting
    last_modified: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.uid or _WHITESPACE_OR_CONTROL.search(self.uid):
            raise ValueError("An event needs a UID without spaces or line breaks.")
        if _WHITESPACE_OR_CONTROL.search(self.url):
            raise ValueError("An event URL cannot contain spaces or line breaks.")
        for moment in (self.start, self.end, self.last_modified):
            _require_aware(moment)
        if self.end <= self.start:
            raise ValueError("An event must end after it starts.")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative.")


def calendar_bytes(
    events: Iterable[CalendarEvent], *, name: str, stamp: dt.datetime | None = None
) -> bytes:
    """An iCalendar file with these events, in the order given. `stamp` becomes every event's
    DTSTAMP (now, if not given); with it fixed, the same events give the same bytes."""
    stamp = dt.datetime.now(dt.UTC) if stamp is None else stamp
    _require_aware(stamp)
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    return calendar.to_ical()


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # NAME is the RFC 7986 property; X-WR-CALNAME is the one Google, Outlook and Apple read.
    # Both are given as vText because icalendar does not escape properties it does not know.
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))
    return calendar


def _vevent(event: CalendarEvent, stamp: dt.datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("dtstart", _utc(event.start))
    vevent.add("dtend", _utc(event.end))
    vevent.add("summary", _text(event.summary))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.description:
        vevent.add("description", _text(event.description))
    if event.location:
        vevent.add("location", _text(event.location))
    if event.url:
        vevent.add("url", event.url)
    if event.last_modified is not None:
        vevent.add("last-modified", _utc(event.last_modified))
    return vevent


def _text(value: str) -> vText:
    # Line breaks of any kind become "\n" (which vText escapes); other control characters,
    # which RFC 5545 forbids in text and some importers reject, are dropped.
    lines = value.replace("\r\n", "\n").replace("\r", "\n")
    return vText(_CONTROL_CHARACTERS.sub("", lines))


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _require_aware(moment: dt.datetime | None) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise ValueError("Calendar times must be timezone-aware datetimes.")
