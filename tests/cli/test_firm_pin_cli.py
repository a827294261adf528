"""``pegboard mo firm-pin``: a planned make order's operation moved from the command line
firms the order and pins the operation (services.firm_pin), on the company of
tests/_board_company.py planned but not firmed, both databases; ``mo firm-move`` moves
the whole order and names the sales-order lines it makes late ("1 day", "3 days")."""

from __future__ import annotations

from _cli_invoke import cli_invoker
from sqlalchemy import Engine, select

from _board_company import add_routings
from _board_company import dataset as board_dataset
from pegboard import db
from pegboard.model import Item, PlannedOrder
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan


def test_a_check_then_a_save_firms_and_pins(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, board_dataset(), author="import")
        add_routings(s, schedule=False)
        run_plan(s, author="planner")
        with s.begin():
            fa = s.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(Item.code == "FA")
            ).one()
    run = cli_invoker(engine)
    out = run("mo", "firm-pin", fa, "10", "2026-12-19")
    assert f"Planned order {fa} can be firmed as production order MO-000001" in out
    assert "(--save to do it)" in out
    assert "MO-000001" not in run("mo", "list", "--csv")
    refused = run("mo", "firm-pin", fa, "10", "2026-12-16", "--save", code=1)
    assert "only 0 h free" in refused
    out = run("mo", "firm-pin", fa, "10", "2026-12-19", "--save")
    assert f"Planned order {fa} became production order MO-000001, operation 10 at ASM" in out
    pins = run("mo", "pins", "--csv")
    assert pins.splitlines()[1].startswith("MO-000001,10,ASM,2026-12-19,2026-12-20,")


def test_a_whole_planned_order_is_firmed_to_finish_later(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, board_dataset(), author="import")
        add_routings(s, schedule=False)
        run_plan(s, author="planner")
        with s.begin():
            fa = s.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(Item.code == "FA")
            ).one()
    run = cli_invoker(engine)
    one = run("mo", "firm-move", fa, "2026-12-24")  # SO-A/1 wants FA on 12-23
    assert "  makes SO-A/1 1 day late" in one and "day(s)" not in one
    out = run("mo", "firm-move", fa, "2026-12-26")
    assert "  makes SO-A/1 3 days late" in out
    assert f"Planned order {fa} can be firmed as production order MO-000001" in out
    assert "(--save to do it)" in out
    out = run("mo", "firm-move", fa, "2026-12-26", "--save")
    assert f"Planned order {fa} became production order MO-000001, firm from" in out
    assert "to 2026-12-26." in out
