"""The plant calendar: which weekdays it works (``work_days``) and its holidays.

Planning (make lead times in working days, planned dates on working days), promise
and the pages that show dates read one calendar through ``load_calendar``, so the
plan, a promise and the screens agree on what a working day is. Changing it is an
audited action like any other, allowed to the roles with ``EDIT_PERMISSION`` (the
calendar is master data, like items and templates): the web page and the API check
it; the command line is the local administrator's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from pegboard.engine.calendar import ALL_DAYS, WorkCalendar
from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import CompanySetting, Holiday
from pegboard.services import audit
from pegboard.services._tx import writes
from pegboard.services.bounds import check_day
from pegboard.services.permissions import Permission

__all__ = [
    "DAY_NAMES",
    "EDIT_PERMISSION",
    "CalendarView",
    "add_holiday",
    "format_work_days",
    "load_calendar",
    "parse_work_days",
    "remove_holiday",
    "set_work_days",
    "show_calendar",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EDIT_PERMISSION = Permission.MASTER_DATA
"""Who may change the work days and the holidays."""
WORK_DAYS_KEY = "work_days"
MAX_HOLIDAYS = 5_000


def parse_work_days(text: str) -> tuple[int, ...]:
    """``"mon,tue,wed,thu,fri"`` → (0, 1, 2, 3, 4); refuses unknown names and an empty week."""
    names = [part.strip().lower()[:3] for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in DAY_NAMES]
    if unknown:
        raise ValidationError(
            f"work_days: unknown weekday {unknown[0]!r} (use {','.join(DAY_NAMES)})",
            field="work_days",
            value=text,
        )
    if not names:
        raise ValidationError("work_days: name at least one weekday", field="work_days", value=text)
    return tuple(sorted({DAY_NAMES.index(n) for n in names}))


def format_work_days(days: Iterable[int]) -> str:
    return ",".join(DAY_NAMES[d] for d in sorted(set(days)))


def _work_days(conn: Connection) -> tuple[int, ...]:
    value = conn.scalar(select(CompanySetting.value).where(CompanySetting.key == WORK_DAYS_KEY))
    return parse_work_days(value) if value else ALL_DAYS


def load_calendar(conn: Connection) -> WorkCalendar:
    """The plant's calendar for the engine: work days and holidays as day ordinals."""
    holidays = tuple(d.toordinal() for d in conn.scalars(select(Holiday.day)))
    return WorkCalendar(work_days=_work_days(conn), holidays=holidays)


def back_date(calendar: WorkCalendar, day: date, n: int = 0) -> date:
    """back(d, n) on dates: the working day n working days before the last one on or before d."""
    return date.fromordinal(calendar.back(day.toordinal(), n))


def fwd_date(calendar: WorkCalendar, day: date, n: int = 0) -> date:
    """fwd(d, n) on dates: the n-th working day after the first one on or after d."""
    return date.fromordinal(calendar.fwd(day.toordinal(), n))


@dataclass(frozen=True)
class CalendarView:
    work_days: tuple[int, ...]
    holidays: list[tuple[date, str]]

    @property
    def work_days_text(self) -> str:
        return format_work_days(self.work_days)


def show_calendar(session: Session) -> CalendarView:
    conn = session.connection()
    rows = conn.execute(select(Holiday.day, Holiday.description).order_by(Holiday.day)).all()
    return CalendarView(_work_days(conn), [(r[0], r[1]) for r in rows])


@writes
def set_work_days(session: Session, text: str, *, author: str) -> tuple[int, ...]:
    """Set the weekdays the plant works; the next plan uses them."""
    days = parse_work_days(text)
    row = session.get(CompanySetting, WORK_DAYS_KEY)
    before = row.value if row is not None else format_work_days(ALL_DAYS)
    if row is None:
        session.add(CompanySetting(key=WORK_DAYS_KEY, value=format_work_days(days)))
    else:
        row.value = format_work_days(days)
    audit.record(
        session,
        author=author,
        entity="calendar",
        ref=WORK_DAYS_KEY,
        action="change",
        before={"work_days": before},
        after={"work_days": format_work_days(days)},
    )
    return days


@writes
def add_holiday(session: Session, day: date, description: str = "", *, author: str) -> None:
    check_day(day, "date")
    if len(description) > 200:
        raise ValidationError(
            "a holiday's description is at most 200 characters", field="description"
        )
    if session.get(Holiday, day) is not None:
        raise ValidationError(f"{day.isoformat()} is a holiday already", field="date")
    count = len(session.scalars(select(Holiday.day)).all())
    if count >= MAX_HOLIDAYS:
        raise ValidationError(f"at most {MAX_HOLIDAYS} holidays", field="date")
    session.add(Holiday(day=day, description=description))
    audit.record(
        session,
        author=author,
        entity="calendar",
        ref=day.isoformat(),
        action="add holiday",
        after={"date": day, "description": description},
    )


@writes
def remove_holiday(session: Session, day: date, *, author: str) -> None:
    row = session.get(Holiday, day)
    if row is None:
        raise NotFoundError(f"{day.isoformat()} is not a holiday", date=day.isoformat())
    before = {"date": day, "description": row.description}
    session.execute(delete(Holiday).where(Holiday.day == day))
    audit.record(
        session,
        author=author,
        entity="calendar",
        ref=day.isoformat(),
        action="remove holiday",
        before=before,
    )
