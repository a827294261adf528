"""The planning board of a planned make order (web.board_planned) on the company of
tests/_board_company.py planned but not firmed: its operations drawn as suggestions, a
check naming the production order it would become (nothing firmed), the confirm firming
it and pinning the operation, then the new order's board saying what it became; a
refused move says why and firms nothing. The same service as the API and CLI
(tests/api/test_firm_pin_api.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _board_company import add_routings
from _board_company import dataset as board_dataset
from pegboard import db
from pegboard.model import Item, PlannedOrder, ProductionOrder
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

LogIn = Callable[[str], str]


def _planned_fa(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        replace_company(s, board_dataset(), author="import")
        add_routings(s, schedule=False)
        run_plan(s, author="planner")
        with s.begin():
            return s.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(Item.code == "FA")
            ).one()


def _productions(engine: Engine) -> list[str]:
    with db.session_factory(engine)() as s, s.begin():
        return list(s.scalars(select(ProductionOrder.number)))


def test_a_planned_order_is_moved_by_firming_it_and_pinning_the_operation(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    fa = _planned_fa(engine)
    token = log_in("pam")
    listed = web.get("/plan/planned-orders?type=make")
    assert f'<a href="/board/planned/{fa}" aria-label="Move {fa} on the board">move</a>' in (
        listed.text
    )
    board = web.get(f"/board/planned/{fa}")
    assert board.status_code == 200, board.text
    assert f"Move planned order {fa}" in board.text
    assert 'class="op suggested board-op" id="op-10"' in board.text
    assert '<option value="10" selected>10 at ASM (2026-12-21 – 2026-12-22)</option>' in board.text
    assert "<script>" not in board.text

    ops = f"/board/planned/{fa}/operation"
    checked = web.get(f"{ops}?sequence=10&start=2026-12-19&work_center=ASM")
    assert checked.status_code == 200, checked.text
    assert "The move can be made" in checked.text
    assert f"Planned order {fa} can be firmed as production order MO-000001" in checked.text
    assert f"Firm {fa} and pin operation 10 to ASM on 2026-12-19" in checked.text
    assert _productions(engine) == []

    refused = web.get(f"{ops}?sequence=10&start=2026-12-16&work_center=ASM")
    assert "The move is refused" in refused.text and "only 0 h free" in refused.text
    assert "and pin operation" not in refused.text
    not_saved = web.post(
        ops,
        data={"csrf_token": token, "sequence": "10", "start": "2026-12-16", "work_center": "ASM"},
    )
    assert not_saved.status_code == 409 and "only 0 h free" in not_saved.text
    assert _productions(engine) == []

    saved = web.post(
        ops,
        data={"csrf_token": token, "sequence": "10", "start": "2026-12-19", "work_center": "ASM"},
    )
    assert saved.status_code == 200 and saved.url.path == "/board/move/MO-000001"
    assert f"Planned order {fa} became production order MO-000001" in saved.text
    assert 'id="pin-10"' in saved.text  # the new order's board lists the pin
    assert _productions(engine) == ["MO-000001"]
    gone = web.get(f"/board/planned/{fa}")
    assert gone.status_code == 404 and "was firmed already as MO-000001" in gone.text
    assert f'href="/board/planned/{fa}"' not in web.get("/plan/planned-orders?type=make").text


def test_a_whole_planned_order_is_moved_by_firming_it_with_its_dates(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    fa = _planned_fa(engine)
    token = log_in("pam")
    board = web.get(f"/board/planned/{fa}")
    assert 'id="board-bar" class="op suggested"' in board.text
    assert 'data-due="2026-12-23"' in board.text
    checked = web.get(f"/board/planned/{fa}?finish=2026-12-26")
    assert checked.status_code == 200, checked.text
    assert f"Planned order {fa} can be firmed as production order MO-000001" in checked.text
    assert f"Firm {fa} to finish on 2026-12-26" in checked.text
    refused = web.get(f"/board/planned/{fa}?finish=2026-12-17")
    assert "The move is refused" in refused.text and "C1: needs" in refused.text
    bad = web.get(f"/board/planned/{fa}?finish=soon")
    assert bad.status_code == 422 and "Enter the finish day as a date" in bad.text
    assert _productions(engine) == []
    saved = web.post(f"/board/planned/{fa}", data={"csrf_token": token, "finish": "2026-12-26"})
    assert saved.status_code == 200 and saved.url.path == "/production/MO-000001"
    assert f"Planned order {fa} became production order MO-000001, firm from" in saved.text
    assert _productions(engine) == ["MO-000001"]
