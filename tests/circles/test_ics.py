"""iCalendar files: what calendar programs need to import them, checked on the bytes and by
parsing them back with the icalendar library."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from peerhaven.circles.ics import PRODID, CalendarEvent, calendar_bytes

UTC = dt.UTC
CHICAGO = ZoneInfo("America/Chicago")
STAMP = dt.datetime(2025, 3, 1, 9, 15, tzinfo=UTC)

MEETING = CalendarEvent(
    uid="meeting-42@peerhaven",
    start=dt.datetime(2025, 3, 13, 12, tzinfo=CHICAGO),
    end=dt.datetime(2025, 3, 13, 13, 30, tzinfo=CHICAGO),
    summary="Thursday circle",
    description="Check-in, then two asks.",
    location="Room 4, Block B; second floor",
    url="https://meet.jit.si/Peerhaven-abc234",
    sequence=2,
    last_modified=dt.datetime(2025, 2, 28, 17, tzinfo=UTC),
)


def ics(*events: CalendarEvent, name: str = "Peerhaven circles") -> bytes:
    return calendar_bytes(events, name=name, stamp=STAMP)


def parsed_events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def content_lines(data: bytes) -> list[str]:
    """The logical lines, unfolded, as a calendar program reads them."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_calendar_header_has_what_importers_need() -> None:
    lines = content_lines(ics(MEETING))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]
    for line in [
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Peerhaven circles",
        "NAME:Peerhaven circles",
    ]:
        assert line in lines
    assert PRODID == "-//Peerhaven//Circles//EN"


def test_event_round_trips_through_a_parser() -> None:
    [event] = parsed_events(ics(MEETING))
    assert str(event["UID"]) == "meeting-42@peerhaven"
    assert event.decoded("DTSTART") == MEETING.start
    assert event.decoded("DTEND") == MEETING.end
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("LAST-MODIFIED") == MEETING.last_modified
    assert str(event["SUMMARY"]) == "Thursday circle"
    assert str(event["DESCRIPTION"]) == "Check-in, then two asks."
    assert str(event["LOCATION"]) == "Room 4, Block B; second floor"
    assert str(event["URL"]) == "https://meet.jit.si/Peerhaven-abc234"
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CONFIRMED"


def test_times_are_written_in_utc_so_no_vtimezone_is_needed() -> None:
    data = ics(MEETING)
    lines = content_lines(data)
    # 12:00 in Chicago on 13 March 2025 (after the clocks went forward) is 17:00 UTC.
    assert "DTSTART:20250313T170000Z" in lines
    assert "DTEND:20250313T183000Z" in lines
    assert "DTSTAMP:20250301T091500Z" in lines
    assert "LAST-MODIFIED:20250228T170000Z" in lines
    assert b"TZID" not in data
    assert b"VTIMEZONE" not in data


def test_a_cancelled_meeting_is_still_sent_with_status_cancelled_and_a_new_sequence() -> None:
    cancelled = dataclasses.replace(MEETING, cancelled=True, sequence=3)
    [event] = parsed_events(ics(cancelled))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert str(event["UID"]) == MEETING.uid


def test_a_moved_meeting_keeps_its_uid_and_bumps_its_sequence() -> None:
    moved = dataclasses.replace(
        MEETING,
        start=MEETING.start + dt.timedelta(days=1),
        end=MEETING.end + dt.timedelta(days=1),
        sequence=MEETING.sequence + 1,
    )
    lines = content_lines(ics(moved))
    assert "UID:meeting-42@peerhaven" in lines
    assert "SEQUENCE:3" in lines
    assert "DTSTART:20250314T170000Z" in lines


def test_optional_properties_are_left_out_when_empty() -> None:
    bare = CalendarEvent(
        uid="meeting-7@peerhaven",
        start=dt.datetime(2025, 1, 9, 18, tzinfo=UTC),
        end=dt.datetime(2025, 1, 9, 19, tzinfo=UTC),
        summary="Circle",
    )
    [event] = parsed_events(ics(bare))
    for name in ("DESCRIPTION", "LOCATION", "URL", "LAST-MODIFIED"):
        assert name not in event
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"


def test_text_is_escaped() -> None:
    tricky = dataclasses.replace(
        MEETING,
        summary="Asks, advice; and a back\\slash",
        description="First line\nSecond line, with a comma",
    )
    lines = content_lines(ics(tricky, name="Alice, Bob; and friends"))
    assert "SUMMARY:Asks\\, advice\\; and a back\\\\slash" in lines
    assert "DESCRIPTION:First line\\nSecond line\\, with a comma" in lines
    assert "LOCATION:Room 4\\, Block B\\; second floor" in lines
    assert "X-WR-CALNAME:Alice\\, Bob\\; and friends" in lines
    [event] = parsed_events(ics(tricky))
    assert str(event["SUMMARY"]) == "Asks, advice; and a back\\slash"
    assert str(event["DESCRIPTION"]) == "First line\nSecond line, with a comma"


def rfc5545_unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: {"n": "\n", "N": "\n"}.get(m[1], m[1]), text)


def test_calendar_name_reads_back_as_text() -> None:
    # icalendar hands X- properties back undecoded, so decode the line as RFC 5545 TEXT.
    name = "Alice, Bob; and friends\nof the circle \\o/ " * 3
    [line] = [
        line for line in content_lines(ics(MEETING, name=name)) if line.startswith("X-WR-CALNAME:")
    ]
    assert rfc5545_unescape(line.removeprefix("X-WR-CALNAME:")) == name


def test_line_breaks_are_normalised_and_control_characters_dropped() -> None:
    messy = dataclasses.replace(MEETING, description="one\r\ntwo\rthree\x07\x00\tfour")
    [event] = parsed_events(ics(messy))
    assert str(event["DESCRIPTION"]) == "one\ntwo\nthree\tfour"


def test_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters() -> None:
    long_text = "Café Zoë — Thursday, " * 12
    data = ics(dataclasses.replace(MEETING, summary=long_text, description=long_text))
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert sum(line.startswith(b" ") for line in physical) >= 8
    for line in physical:
        line.decode("utf-8")  # a multi-byte character cut in two would fail here
    [event] = parsed_events(data)
    assert str(event["SUMMARY"]) == long_text
    assert str(event["DESCRIPTION"]) == long_text


def test_output_is_deterministic_given_the_stamp() -> None:
    assert ics(MEETING) == ics(MEETING)


def test_stamp_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(UTC).replace(microsecond=0)
    [event] = parsed_events(calendar_bytes([MEETING], name="Feed"))
    after = dt.datetime.now(UTC)
    assert before <= event.decoded("DTSTAMP") <= after


def test_events_keep_their_order_and_each_has_its_own_uid() -> None:
    second = dataclasses.replace(
        MEETING,
        uid="meeting-43@peerhaven",
        start=MEETING.start + dt.timedelta(weeks=2),
        end=MEETING.end + dt.timedelta(weeks=2),
    )
    events = parsed_events(ics(MEETING, second))
    assert [str(event["UID"]) for event in events] == [
        "meeting-42@peerhaven",
        "meeting-43@peerhaven",
    ]
    assert all(event.decoded("DTSTAMP") == STAMP for event in events)


def test_a_feed_with_no_meetings_is_still_a_calendar() -> None:
    data = calendar_bytes(iter([]), name="Nothing yet", stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]) == PRODID


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": dt.datetime(2025, 3, 13, 12)}, "timezone-aware"),
        ({"end": dt.datetime(2025, 3, 13, 13)}, "timezone-aware"),
        ({"last_modified": dt.datetime(2025, 3, 1)}, "timezone-aware"),
        ({"end": MEETING.start}, "end after it starts"),
        ({"end": MEETING.start - dt.timedelta(minutes=1)}, "end after it starts"),
        ({"uid": ""}, "UID"),
        ({"uid": "meeting-1@peerhaven\r\nX-EVIL:1"}, "UID"),
        ({"url": "https://example.org/a\r\nX-EVIL:1"}, "URL"),
        ({"url": "https://example.org/a b"}, "URL"),
        ({"sequence": -1}, "SEQUENCE"),
    ],
)
def test_bad_events_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(MEETING, **changes)


def test_a_naive_stamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_bytes([MEETING], name="Feed", stamp=dt.datetime(2025, 3, 1))


_LINE_BREAKS = re.compile(r"\r\n|\r")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@settings(max_examples=75, deadline=None)
@given(summary=st.text(max_size=200), name=st.text(max_size=80))
def test_any_text_survives_the_round_trip_within_75_octet_lines(summary: str, name: str) -> None:
    data = calendar_bytes([dataclasses.replace(MEETING, summary=summary)], name=name, stamp=STAMP)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    [event] = parsed_events(data)
    assert str(event["SUMMARY"]) == _CONTROLS.sub("", _LINE_BREAKS.sub("\n", summary))
