"""Engine slot labels ("Thu-18:00", in UTC) shown in a viewer's own time zone."""

from __future__ import annotations

import datetime as dt

from peerhaven.accounts.availability import DAYS


def local_slot(label: str, zone) -> str:
    """E.g. "Thu-18:00" (UTC) -> "Thursday 12:00" in America/Chicago. The offset is taken
    from this week, so it follows daylight-saving time as it is now."""
    if "-" not in label:
        return ""
    day_name, time_text = label.split("-", 1)
    if day_name not in DAYS:
        return label
    hour, minute = (int(part) for part in time_text.split(":"))
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    moment = dt.datetime.combine(
        monday + dt.timedelta(days=DAYS.index(day_name)), dt.time(hour, minute), tzinfo=dt.UTC
    )
    return moment.astimezone(zone).strftime("%A %H:%M")
