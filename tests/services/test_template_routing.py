"""Routing lines of configurable templates (#15 item 2), hand-computed on both databases.

The lighting sample's LR-7040 and BODY-7040 templates carry routing lines whose hours
are formulas of the parameters. SO-1009 orders four 14.56 m black runs with DALI and
an emergency pack. By hand:

BODY-7040 (length 14.56, black):
* 10 SAW: setup 0.25, run 0.1 + 0.04 × 14.56 = 0.6824 h a unit
* 20 CNC-DRILL: setup 0.5, run 0.05 + 0.03 × (ceil(14.56 / 1.2) + 1) = 0.05 + 0.03 × 14 = 0.47
* 30 POWDER: setup 3 (black), run 0.1 + 0.15 × 14.56 = 2.284, one queue day

LR-7040 (ceil(14.56 / 2.24) = 7 LED modules, ceil(14.56 / 2.4) = 7 cartons):
* 10 LED-ASM: setup 0.5, run 0.3 + 0.25 × 7 = 2.05
* 20 WIRE-TEST: setup 0.25, run 0.2 + 0.05 × 7 = 0.55
* 25 WIRE-TEST: 0.5 a unit (only with an emergency pack)
* 30 PACK: setup 0.25, run 0.05 + 0.05 × 7 = 0.40

MO-1009-1 makes 4 runs: LED-ASM asks 0.5 + 4 × 2.05 = 8.7 h of the load.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import Routing, SalesOrderStatus
from pegboard.services import audit, capacity, load, order_bom, order_changes, sales, templates
from pegboard.services.capacity import OperationIn
from pegboard.services.company_data import replace_company
from pegboard.services.configurator import ConfigurationError

TODAY = date(2026, 11, 23)
DUE = date(2027, 1, 4)
RUN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
NUMBER, TOP, BODY = "SO-1009", "BOM-SO-1009-1", "BOM-SO-1009-1.1"
TOP_ITEM, BODY_ITEM = "LR-7040-SO-1009-1", "BODY-7040-SO-1009-1.1"


@pytest.fixture
def configured(session: Session) -> Session:
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    number = sales.create_order(session, customer="Hartwell Construction", author="sales")
    sales.add_line(session, number, item="LR-7040", qty=4, due=DUE, author="sales")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    assert number == NUMBER
    order_bom.configure_line(session, NUMBER, 1, RUN, author="planner", today=TODAY)
    return session


def operations(session: Session, item: str, bom: str) -> list[tuple[int, str, float, float]]:
    with session.begin():
        view = capacity.routing_of(session, item, order_bom=bom)
    assert view.order_bom == bom
    return [
        (op.sequence, op.work_center, op.setup_hours, pytest.approx(op.run_hours))  # type: ignore[misc]
        for op in view.operations
    ]


LR_OPS = [
    (10, "LED-ASM", 0.5, 2.05),
    (20, "WIRE-TEST", 0.25, 0.55),
    (25, "WIRE-TEST", 0.0, 0.5),
    (30, "PACK", 0.25, 0.40),
]
BODY_OPS = [(10, "SAW", 0.25, 0.6824), (20, "CNC-DRILL", 0.5, 0.47), (30, "POWDER", 3.0, 2.284)]


def test_configuring_writes_the_order_routing_of_each_node(configured: Session) -> None:
    assert operations(configured, TOP_ITEM, TOP) == LR_OPS
    assert operations(configured, BODY_ITEM, BODY) == BODY_OPS
    with configured.begin():
        numbers = configured.scalars(select(Routing.number).where(Routing.bom_id.is_not(None)))
        assert {"RT-BOM-SO-1009-1", "RT-BOM-SO-1009-1.1"} <= set(numbers)
        report = load.capacity_load(configured, work_center="LED-ASM")
        # the order's page reads only the routings it can follow: the same operations
        alone = load.capacity_load(configured, work_center="LED-ASM", orders={"MO-1009-1"})
    mine = [op for op in report.operations if op.order == "MO-1009-1"]
    assert [(op.sequence, op.hours) for op in mine] == [(10, pytest.approx(8.7))]
    assert alone.operations == mine


def test_reconfiguring_replaces_the_routing_and_a_quantity_change_keeps_it(
    configured: Session,
) -> None:
    order_bom.configure_line(
        configured,
        NUMBER,
        1,
        {**RUN, "emergency": "no", "finish": "white"},
        author="p",
        today=TODAY,
    )
    assert [op[0] for op in operations(configured, TOP_ITEM, TOP)] == [10, 20, 30]
    assert operations(configured, BODY_ITEM, BODY)[2] == (30, "POWDER", 2.0, pytest.approx(2.284))
    before = operations(configured, TOP_ITEM, TOP), operations(configured, BODY_ITEM, BODY)
    order_changes.change_line(configured, NUMBER, 1, qty=6, author="sales", today=TODAY)
    after = operations(configured, TOP_ITEM, TOP), operations(configured, BODY_ITEM, BODY)
    assert after == before


def test_a_hand_edited_order_routing_is_dropped_only_when_told(configured: Session) -> None:
    capacity.set_routing(
        configured,
        TOP_ITEM,
        [OperationIn(10, "LED-ASM", 0.5, 3.0), OperationIn(30, "PACK", 0.25, 0.4)],
        order_bom=TOP,
        author="planner",
    )
    with pytest.raises(ConflictError, match="hand edits") as refused:
        order_bom.configure_line(configured, NUMBER, 1, RUN, author="p", today=TODAY)
    message = refused.value.message
    assert "RT-BOM-SO-1009-1: operation 10 LED-ASM 0.5 + 2.05/unit h → LED-ASM 0.5 + 3/unit h" in (
        message
    )
    assert "RT-BOM-SO-1009-1: operation 20 removed" in message
    assert "RT-BOM-SO-1009-1: operation 25 removed" in message
    assert operations(configured, TOP_ITEM, TOP)[0] == (10, "LED-ASM", 0.5, 3.0)

    order_bom.configure_line(
        configured, NUMBER, 1, RUN, author="p", today=TODAY, discard_edits=True
    )
    assert operations(configured, TOP_ITEM, TOP) == LR_OPS
    with configured.begin():
        (entry, *_) = audit.history(configured, ref=f"{NUMBER}/1", action="configure")
    assert entry.after is not None
    assert len(entry.after["dropped_routing_edits"]) == 3  # type: ignore[arg-type]


LIGHTING_WCS = ("SAW", "CNC-DRILL", "POWDER", "LED-ASM", "WIRE-TEST", "PACK")


def _definition(session: Session, **operation: object) -> dict[str, object]:
    with session.begin():
        definition = templates.template_definition(session, "BODY-7040")
    definition["operations"] = [{"sequence": 10, "work_center": "SAW", "run": "1"}, operation]
    return definition


@pytest.mark.parametrize(
    ("operation", "error", "message"),
    [
        (
            {"sequence": 20, "work_center": "LASER", "run": "1"},
            ValidationError,
            "template BODY-7040 routing line 20: unknown work center 'LASER' "
            "\\(known: CNC-DRILL, LED-ASM, PACK, POWDER, SAW, WIRE-TEST\\)",
        ),
        (
            {"sequence": 20, "work_center": "SAW", "run": "lenght_m * 2"},
            ConfigurationError,
            "BODY-7040 routing line 20: run hours 'lenght_m \\* 2': "
            "unknown parameter\\(s\\): lenght_m",
        ),
        (
            {"sequence": 20, "work_center": "SAW", "setup": "1 - length_m"},
            ConfigurationError,
            "BODY-7040 routing line 20: setup hours fails with the default values '1 - length_m'",
        ),
        (
            {"sequence": 20, "work_center": "SAW", "run": "10 ** length_m ** 2"},
            ConfigurationError,
            "BODY-7040 routing line 20: run hours '10 \\*\\* length_m \\*\\* 2'",
        ),
        (
            {"sequence": 10, "work_center": "SAW", "run": "1"},
            ConfigurationError,
            "BODY-7040 routing line 10: the sequence is used twice",
        ),
        (
            {"sequence": 20, "work_center": "SAW", "run": "1", "condition": "finish == 3 +"},
            ConfigurationError,
            "BODY-7040 routing line 20: condition 'finish == 3 \\+'",
        ),
        (
            {"sequence": 20, "work_center": "SAW", "runs": "1"},
            ValidationError,
            "routing line 2: unknown key\\(s\\) runs",
        ),
        (
            {"sequence": 2.5, "work_center": "SAW"},
            ValidationError,
            "routing line 2: sequence must be a whole number, not 2.5",
        ),
    ],
)
def test_bad_routing_lines_are_refused_naming_them(
    session: Session, operation: dict[str, object], error: type[Exception], message: str
) -> None:
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    definition = _definition(session, **operation)
    before = json.dumps(_definition(session), sort_keys=True)
    with pytest.raises(error, match=message):
        templates.define_template(session, definition, author="eng")
    assert json.dumps(_definition(session), sort_keys=True) == before  # nothing written


def test_routing_lines_travel_with_the_template_definition(session: Session) -> None:
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    with session.begin():
        body = templates.template_definition(session, "BODY-7040")
    assert body["operations"][2] == {
        "sequence": 30,
        "work_center": "POWDER",
        "description": "powder coat (a colour change is the setup)",
        "setup": "3 if finish == 'black' else 2",
        "run": "0.1 + 0.15 * length_m",
        "queue_days": 1,
    }
    assert body["operations"][0]["setup"] == 0.25  # a plain number goes out as a number
    body["operations"] = body["operations"][:1]
    templates.define_template(session, body, author="eng")
    with session.begin():
        again = templates.template_definition(session, "BODY-7040")
    assert again == body
