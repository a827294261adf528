"""The geometry of the inline SVG charts (issue #19 item 3), hand-computed: the item's
projected stock (``projection_chart``), the production orders' Gantt (``order_gantt``)
and the time axis they share with the work centers' Gantt (``gantt_svg.time_ticks``),
each across a year end so the axis has to say which year a day is."""

from __future__ import annotations

from datetime import date, timedelta

from pegboard.services.gantt import OrderRow
from pegboard.services.projection import Event, Projection, ProjectionRow
from pegboard.web import order_gantt, projection_chart
from pegboard.web.gantt_svg import time_ticks

DAY0 = date(2026, 12, 20)


def _projection() -> Projection:
    """On hand 10; +20 on 28 Dec 2026 (a PO line), -25 on 3 Jan 2027 (a sales line),
    -8 on 10 Jan 2027 (a production order's components): 30, 5, -3."""
    rows = [
        ProjectionRow(date(2026, 12, 28), 20.0, 0.0, 30.0, ["PO-1/1"]),
        ProjectionRow(date(2027, 1, 3), 0.0, 25.0, 5.0, ["SO-1/1"]),
        ProjectionRow(date(2027, 1, 10), 0.0, 8.0, -3.0, ["MO-7"]),
    ]
    events = [
        Event(date(2026, 12, 28), 20.0, "purchase_order", "PO-1/1"),
        Event(date(2027, 1, 3), -25.0, "sales_order", "SO-1/1"),
        Event(date(2027, 1, 10), -8.0, "component", "MO-7"),
    ]
    return Projection("P-1", 1, DAY0, 10.0, 4.0, rows, events)


def test_projection_chart_hand_computed_across_the_year_end() -> None:
    """28 days (20 Dec .. 17 Jan, a week after the last event) at 24 units a day from
    x=56; quantities -10 .. 30 in steps of 10 over 200 units from y=24 (5 a unit)."""
    c = projection_chart.chart(_projection(), date(2026, 12, 24), reorder_point=12.0)
    assert c.path == "M56,124H248V24H392V149H560V189H728"
    assert [(lv.y, lv.label) for lv in c.levels] == [
        (224, "-10"),
        (174, "0"),
        (124, "10"),
        (74, "20"),
        (24, "30"),
    ]
    assert (c.zero_y, c.safety_y, c.reorder_y, c.today_x) == (174, 154, 114, 152)
    assert (c.width, c.height, c.right, c.bottom) == (768, 260, 728, 224)
    assert [(m.x, m.y, m.kind, m.href) for m in c.marks] == [
        (248, 15, "receipt", "/purchasing/PO-1"),  # above the line at 30
        (392, 158, "requirement", "/orders/SO-1"),  # below the line at 5
        (560, 198, "requirement", "/production/MO-7"),
    ]
    assert c.marks[0].tip == "2026-12-28: receipt of 20 from purchase order line PO-1/1"
    assert c.marks[1].tip == "2027-01-03: requirement of 25 for sales order line SO-1/1"
    assert "2027-01-10" in c.marks[2].tip and "MO-7" in c.marks[2].tip
    assert len(c.ticks) == 29 and c.ticks[0].x == 56 and c.ticks[-1].x == 728
    months = [(t.x, t.month) for t in c.ticks if t.month]
    assert months == [(56, "Dec 2026"), (344, "Jan 2027")]  # 1 Jan is 12 days on
    assert "2026-12-20" in c.title and "2027-01-17" in c.title
    assert c.more == 0


def test_projection_marks_stack_and_overdue_events_count_on_the_planning_date() -> None:
    p = _projection()
    late = Event(DAY0 - timedelta(days=5), -1.0, "sales_order", "SO-9/2")
    extra = Event(date(2027, 1, 3), -2.0, "planned_component", "PL-000004", others=3)
    rows = [ProjectionRow(DAY0, 0.0, 1.0, 9.0), *p.rows]
    events = [late, *p.events[:2], extra, p.events[2]]
    c = projection_chart.chart(Projection("P-1", 1, DAY0, 10.0, 0.0, rows, events), DAY0)
    overdue, _, so, planned, _ = c.marks
    assert overdue.x == 56 and overdue.tip.startswith("2026-12-20 (due 2026-12-15, overdue)")
    assert (so.x, planned.x) == (392, 392) and planned.y == so.y + 10  # stacked under it
    assert planned.href == "/pegging/items/P-1"
    assert planned.tip.endswith("planned order PL-000004 and 3 more")
    assert c.safety_y is None and c.reorder_y is None


def test_the_time_axis_marks_mondays_then_months_each_with_its_year() -> None:
    first = date(2026, 11, 20)

    def x(d: date) -> float:
        return (d - first).days * 4.0

    weekly = time_ticks(first, date(2027, 2, 10), x, 4.0)
    assert weekly[0].day == "23" and weekly[0].x == 14  # Monday 23 Nov, mid-day
    assert [t.month for t in weekly if t.month] == ["Nov 2026", "Dec 2026", "Jan 2027", "Feb 2027"]
    assert [t.x for t in weekly[:3]] == [14, 42, 70]  # a week apart: each Monday
    start = date(2026, 12, 15)
    monthly = time_ticks(start, date(2027, 12, 31), lambda d: (d - start).days * 1.0, 1.0)
    assert [t.month for t in monthly] == [
        "Jan 2027",
        "Mar 2027",
        "May 2027",
        "Jul 2027",
        "Sep 2027",
        "Nov 2027",
    ]
    begin = date(2026, 12, 31)
    daily = time_ticks(begin, date(2027, 1, 3), lambda d: (d - begin).days * 30.0, 30.0)
    # "Dec 2026" would run into "Jan 2027" a day on: the new month's label stays
    assert [(t.day, t.month) for t in daily] == [
        ("31", ""),
        ("1", "Jan 2027"),
        ("2", ""),
        ("3", ""),
    ]


def _row(number: str, start: date, due: date, **kw: object) -> OrderRow:
    fields: dict[str, object] = {
        "item": "ITEM",
        "qty": 5.0,
        "completed": 0.0,
        "status": "released",
        "sales_order": "SO-1",
        "parent": "",
        "depth": 0,
        "late": False,
        "group": "SO-1",
    } | kw
    return OrderRow(number, start=start, due=due, **fields)  # type: ignore[arg-type]


def test_order_gantt_hand_computed_across_the_year_end() -> None:
    """21 Dec 2026 .. 8 Jan 2027 (19 days) fit 760 units at 30 a day from x=290; a row
    is 22 high from y=44, its bar 14 high in its middle."""
    today = date(2026, 12, 24)
    rows = [
        _row("MO-1", date(2026, 12, 21), date(2026, 12, 23), late=True),
        _row("MO-1.1", date(2026, 12, 28), date(2027, 1, 2), depth=1, parent="MO-1"),
        _row("MO-9", date(2027, 1, 4), date(2027, 1, 8), status="done", sales_order="", group=""),
    ]
    drawn = order_gantt.order_chart(rows, today)
    c = drawn.chart
    assert c is not None
    assert [(b.x, b.y, b.width) for b in c.bars] == [(290, 48, 89), (500, 70, 179), (710, 92, 149)]
    assert [b.kind for b in c.bars] == ["waiting late", "waiting", "done"]
    assert [b.note for b in c.bars] == ["late", "", "done"]
    assert [b.href for b in c.bars] == [
        "/production/MO-1",
        "/production/MO-1.1",
        "/production/MO-9",
    ]
    assert (
        c.bars[1].label == "SO-1 \u00a0\u00a0└ MO-1.1 ITEM" and c.bars[2].label == "stock MO-9 ITEM"
    )
    assert c.bars[0].tip == (
        "MO-1 ITEM: 5; released; start 2026-12-21, due 2026-12-23 — late; sales order SO-1"
    )
    assert c.today_x == 380 and c.separators == (88.0,)  # stock orders under a line
    assert (c.plot_right, c.plot_bottom, c.day_width) == (860, 110, 30)
    assert [(t.x, t.month) for t in c.ticks if t.month] == [(305, "Dec 2026"), (635, "Jan 2027")]
    assert (drawn.first, drawn.last, drawn.total, drawn.earlier, drawn.later) == (
        1,
        3,
        3,
        None,
        None,
    )


def test_order_gantt_pages_and_zooms() -> None:
    day = date(2027, 3, 1)
    rows = [_row(f"MO-{i:03d}", day, day + timedelta(days=i)) for i in range(130)]
    drawn = order_gantt.order_chart(rows, day, offset=70, zoom="days")
    assert (drawn.first, drawn.last, drawn.earlier, drawn.later) == (61, 120, 0, 120)
    assert drawn.chart is not None and drawn.chart.day_width == 30
    assert drawn.chart.bars[0].label.endswith("MO-060 ITEM")
    last = order_gantt.order_chart(rows, day, offset=999, zoom="bogus")
    assert (last.first, last.last, last.later, last.zoom) == (121, 130, None, "fit")
    assert last.chart is not None and last.chart.plot_right == 290 + 760  # 130 days fit
    assert order_gantt.order_chart([], day).chart is None
