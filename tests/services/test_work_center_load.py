"""One work center's load (capacity_load(work_center=...), the API's, the CLI's
--work-center and its page's backward Gantt) reads only the orders of items with a
routing through it, and their routings: it must be the whole load's there, day by day,
week by week and operation by operation, with the orders named. Both databases."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import capacity, company_data, planning
from pegboard.services.load import ScheduledOperation, capacity_load


def _key(op: ScheduledOperation) -> tuple[str, int, float, str, str]:
    return (op.order, op.sequence, op.hours, op.start.isoformat(), op.end.isoformat())


def test_a_work_centers_load_is_the_whole_loads_there(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")
    whole = capacity_load(session)
    codes = [w.code for w in capacity.list_work_centers(session)]
    assert len(codes) == 6
    for code in codes:
        mine = capacity_load(session, work_center=code)
        assert mine.days == [p for p in whole.days if p.work_center == code], code
        assert mine.weeks == [p for p in whole.weeks if p.work_center == code], code
        assert mine.days, code  # every work center of the sample is loaded
        there = [op for op in whole.operations if op.work_center == code]
        assert sorted(map(_key, mine.operations)) == sorted(map(_key, there)), code
        # of some orders only (the dispatch list names the open production orders)
        named = {op.order for op in whole.operations if op.order.startswith("MO-")}
        some = capacity_load(session, work_center=code, orders=named)
        of_some = capacity_load(session, orders=named)
        assert some.days == [p for p in of_some.days if p.work_center == code], code
        assert sorted(map(_key, some.operations)) == sorted(
            _key(op) for op in of_some.operations if op.work_center == code
        ), code
