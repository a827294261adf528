"""``pegboard calendar``: the plant's working days and holidays (planning rule 1)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import as_date, console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import author

if TYPE_CHECKING:
    from pegboard.services import calendar as plant_calendar
else:
    plant_calendar = deferred("pegboard.services.calendar")

app = typer.Typer(
    help="The plant calendar: the weekdays it works and its holidays.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
holiday_app = typer.Typer(help="Add or remove a holiday.", no_args_is_help=True)
app.add_typer(holiday_app, name="holiday")


@app.command("show")
@handles_errors
def show() -> None:
    """The working weekdays and every holiday, with the year."""
    with session() as s:
        view = plant_calendar.show_calendar(s)
    console.print(esc(f"Working days: {view.work_days_text}"), highlight=False)
    rows = [(day.isoformat(), f"{day:%a}", text) for day, text in view.holidays]
    emit("Holidays", ("date", "day", "description"), rows)


@app.command("work-days")
@handles_errors
def work_days(
    days: Annotated[str, typer.Argument(help='the weekdays the plant works, e.g. "mon,tue,wed"')],
) -> None:
    """Set the weekdays the plant works; the next plan counts make lead times in them."""
    with session() as s:
        chosen = plant_calendar.set_work_days(s, days, author=author())
    console.print(esc(f"Working days: {plant_calendar.format_work_days(chosen)}"), highlight=False)


@holiday_app.command("add")
@handles_errors
def add(
    day: Annotated[date, typer.Argument(parser=as_date, help="YYYY-MM-DD")],
    description: Annotated[str, typer.Option(help="what the day is")] = "",
) -> None:
    """Make a day a holiday: nothing is released or made on it."""
    with session() as s:
        plant_calendar.add_holiday(s, day, description, author=author())
    console.print(esc(f"{day.isoformat()} ({day:%A}) is a holiday"), highlight=False)


@holiday_app.command("remove")
@handles_errors
def remove(day: Annotated[date, typer.Argument(parser=as_date, help="YYYY-MM-DD")]) -> None:
    """Make a holiday a working day again (when its weekday is one)."""
    with session() as s:
        plant_calendar.remove_holiday(s, day, author=author())
    console.print(esc(f"{day.isoformat()} is no longer a holiday"), highlight=False)
