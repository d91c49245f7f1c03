"""Time for the coach: naive-UTC timestamps in the store, ISO weeks of the reader's local date.

Everything reads the time through `now()` so tests (and a reader whose clock jumped) get one
consistent answer; `PAPERPATH_NOW` (ISO datetime) pins it for demos and tests.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta


class ClockError(ValueError):
    """A date or week given by the user cannot be read."""


def now() -> datetime:
    """The current time as naive UTC (how the store keeps timestamps)."""
    pinned = os.environ.get("PAPERPATH_NOW")
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError as exc:
            raise ClockError(f"PAPERPATH_NOW={pinned!r}: not an ISO date/time") from exc
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime.now(UTC).replace(tzinfo=None)


def local_date(utc: datetime | None = None) -> date:
    """The reader's local calendar date of a naive-UTC time (default: now)."""
    moment = (utc or now()).replace(tzinfo=UTC).astimezone()
    return moment.date()


def week_of(day: date) -> str:
    """ISO week label of a date: '2026-W48'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> str:
    return week_of(local_date())


def week_start(week: str) -> date:
    """Monday of an ISO week label."""
    try:
        year_s, week_s = week.split("-W")
        return date.fromisocalendar(int(year_s), int(week_s), 1)
    except ValueError as exc:
        raise ClockError(f"{week!r}: not an ISO week like 2026-W48") from exc


def weeks_between(first: str, last: str) -> list[str]:
    """Every week label from first to last inclusive (empty when last is before first)."""
    out: list[str] = []
    day, end = week_start(first), week_start(last)
    while day <= end:
        out.append(week_of(day))
        day += timedelta(days=7)
    return out


def shift_week(week: str, weeks: int) -> str:
    return week_of(week_start(week) + timedelta(days=7 * weeks))
