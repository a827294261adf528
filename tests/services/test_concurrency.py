"""Many writers at once, on both databases: nothing lost, nothing negative, no raw errors.

Worker threads (each with its own session, started together by a barrier) and,
once, worker processes (each with its own engine) hammer the same few items,
purchase-order lines and number sequences through the public services. Each
worker logs what it asked for, which calls went through and which were refused.
Afterwards the database must agree exactly with the log: the ledger sum of every
item is the opening stock plus the receipts that went through minus the issues
that went through (integers, so the sums are exact and one lost update shows),
the cached balances agree with the ledger and none is negative, and every
refusal is a pegboard error that says why: never a raw database error
("database is locked", a deadlock, a CHECK violation), never a hang.

The transaction machinery itself (``services._tx.writes``) is checked too: a
deadlock is retried, a writer that gives up waiting for a lock gets a pegboard
error, and a write service called inside the caller's transaction writes nothing.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.errors import ConflictError, PegboardError, ValidationError
from pegboard.model import (
    Customer,
    Item,
    ProductionComponent,
    ProductionOrder,
    PurchaseLineStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import inventory, locations, production, purchasing, sales, stock
from pegboard.services._tx import writes
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import (
    BomRow,
    Dataset,
    ItemRow,
    ProductionRow,
    PurchaseRow,
    SalesRow,
    StockRow,
)
from pegboard.services.inventory import Bucket, InsufficientStockError, Refs

TODAY = date(2026, 11, 23)
DUE = date(2027, 1, 15)
JOIN_TIMEOUT = 60.0
"""Seconds all workers of one test may take together; a worker still running then hangs."""


# --------------------------------------------------------------------------- the harness


@dataclass
class Log:
    """What one worker did: the stock deltas of its calls that went through, its refusals."""

    name: str
    done: list[dict[str, int]] = field(default_factory=list)
    results: list[object] = field(default_factory=list)
    """What the calls that went through returned."""
    refused: list[PegboardError] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    """Anything that is not a pegboard error, with its traceback: always a failure."""

    def attempt(self, delta: Mapping[str, int], call: Callable[[], object]) -> bool:
        try:
            result = call()
        except PegboardError as error:
            self.refused.append(error)
            return False
        except Exception:
            self.raw.append(traceback.format_exc())
            return False
        self.done.append(dict(delta))
        self.results.append(result)
        return True

    def net(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for delta in self.done:
            total.update(delta)
        return total


Job = Callable[[Session, Log], None]


def run_together(engine: Engine, jobs: Mapping[str, Job]) -> dict[str, Log]:
    """Run every job in a thread of its own with its own session, all released at once."""
    barrier = threading.Barrier(len(jobs))
    logs = {name: Log(name) for name in jobs}

    def work(name: str, job: Job) -> None:
        log = logs[name]
        try:
            with db.session_factory(engine)() as session:
                barrier.wait(timeout=30)
                job(session, log)
        except Exception:
            log.raw.append(traceback.format_exc())

    threads = [
        threading.Thread(target=work, args=(name, job), name=name, daemon=True)
        for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, f"workers still running after {JOIN_TIMEOUT:g} s (a hang?): {alive}"
    raw = [f"{log.name}:\n{tb}" for log in logs.values() for tb in log.raw]
    assert not raw, "raw errors reached the caller:\n" + "\n".join(raw)
    return logs


def item(code: str, type_: str) -> ItemRow:
    return ItemRow(code, "", type_, "mts", "ea", 1, "lfl", None, None, 0.0, 0.0, 0.0, 0.0, "")


def ledger_sums(session: Session) -> dict[str, float]:
    with session.begin():
        return {
            code: float(q)
            for code, q in session.execute(
                select(Item.code, func.sum(StockMove.qty))
                .join(Item, Item.id == StockMove.item_id)
                .group_by(Item.code)
            )
        }


def balance_sums(session: Session) -> dict[str, float]:
    with session.begin():
        return {
            code: float(q)
            for code, q in session.execute(
                select(Item.code, func.sum(StockBalance.qty))
                .join(Item, Item.id == StockBalance.item_id)
                .group_by(Item.code)
            )
        }


def assert_books_balance(session: Session, expected: Mapping[str, int]) -> None:
    """Ledger and balances hold exactly ``expected`` per item; no bucket below zero."""
    ledger = ledger_sums(session)
    balances = balance_sums(session)
    for code, qty in expected.items():
        assert ledger.get(code, 0.0) == qty, f"ledger of {code}: {ledger.get(code)} != {qty}"
        assert balances.get(code, 0.0) == qty, f"balance of {code}: {balances.get(code)} != {qty}"
    with session.begin():
        assert stock.check_ledger(session) == []
        negative = session.execute(
            select(StockBalance.item_id, StockBalance.location, StockBalance.qty).where(
                StockBalance.qty < 0
            )
        ).all()
    assert negative == []


# --------------------------------------------------------------------------- 1. the stock ledger

OPENING = {"A": 30, "B": 60}


@pytest.fixture
def floor(session: Session) -> Session:
    """K is made from 1 A and 2 B; two released orders of K (nothing reserved: no stock
    at release), two confirmed purchase orders for A and B, then the opening count."""
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("K", "make"), item("A", "buy"), item("B", "buy")],
            bom=[BomRow("K", "A", 1.0, 0.0, ""), BomRow("K", "B", 2.0, 0.0, "")],
            productions=[
                ProductionRow(mo, "K", 10_000.0, DUE, TODAY, "planned", False, "")
                for mo in ("MO-1", "MO-2")
            ],
        ),
        author="import",
    )
    for mo in ("MO-1", "MO-2"):
        production.release_production(session, mo, author="floor")
    locations.add_location(session, "line", author="admin")  # the shuttle's other end
    for _ in range(2):
        number = purchasing.create_purchase(
            session,
            supplier="Acme",
            lines=[purchasing.NewLine("A", 10_000, DUE), purchasing.NewLine("B", 10_000, DUE)],
            author="buyer",
        )
        purchasing.confirm_purchase(session, number, author="buyer")
    for code, qty in OPENING.items():
        stock.adjust_stock(session, item=code, qty=qty, reason="opening count", author="count")
    assert balance_sums(session) == {"A": OPENING["A"], "B": OPENING["B"]}
    return session


def adjuster(code: str, qty: int, rounds: int) -> Job:
    def job(session: Session, log: Log) -> None:
        for n in range(rounds):
            log.attempt(
                {code: qty},
                partial(
                    stock.adjust_stock,
                    session,
                    item=code,
                    qty=qty,
                    reason=f"count {n}",
                    author=log.name,
                ),
            )

    return job


def receiver(numbers: list[str], a: int, b: int, rounds: int) -> Job:
    """Partial receipts of both lines, going round the shared purchase orders."""

    def job(session: Session, log: Log) -> None:
        for n in range(rounds):
            number = numbers[n % len(numbers)]
            log.attempt(
                {"A": a, "B": b, f"{number}/1": a, f"{number}/2": b},
                partial(
                    purchasing.receive_purchase,
                    session,
                    number,
                    quantities={1: a, 2: b},
                    author=log.name,
                ),
            )

    return job


def issuer(mo: str, a: int, b: int, rounds: int) -> Job:
    def job(session: Session, log: Log) -> None:
        for _ in range(rounds):
            log.attempt(
                {"A": -a, "B": -b, f"{mo}/A": a, f"{mo}/B": b},
                lambda: production.issue_components(
                    session, mo, quantities={"A": a, "B": b}, author=log.name
                ),
            )

    return job


def shuttle(code: str, rounds: int) -> Job:
    """Moves one unit to the line side and back: two buckets in one call, the total unchanged."""

    def job(session: Session, log: Log) -> None:
        for n in range(rounds):
            there, back = ("main", "line") if n % 2 == 0 else ("line", "main")
            log.attempt(
                {},
                partial(
                    stock.transfer_stock,
                    session,
                    item=code,
                    qty=1,
                    from_location=there,
                    to_location=back,
                    author=log.name,
                ),
            )

    return job


def test_concurrent_receipts_and_issues_lose_nothing_and_never_go_negative(
    floor: Session,
) -> None:
    # Supply: A 30 + 30 + 40 = 100, B 60 + 60 + 60 = 180. The issues alone want A 120 and
    # B 240, so some must be refused; the counted losses (A 20, B 40) are less than the
    # opening stock, so the first issue, whenever it comes, goes through. Every call moves
    # one or two units, so a single lost update shows in the sums.
    issuers = {
        "issue MO-1 (i)": issuer("MO-1", 1, 2, 40),
        "issue MO-1 (ii)": issuer("MO-1", 1, 2, 40),
        "issue MO-2": issuer("MO-2", 1, 2, 40),
    }
    jobs: dict[str, Job] = {
        "count +A": adjuster("A", 1, 30),
        "count +B": adjuster("B", 2, 30),
        "receive PO-1,2": receiver(["PO-000001", "PO-000002"], 1, 1, 20),
        "receive PO-2,1": receiver(["PO-000002", "PO-000001"], 1, 2, 20),
        "count -A": adjuster("A", -1, 20),
        "count -B": adjuster("B", -2, 20),
        **issuers,
        "shuttle A": shuttle("A", 30),
    }
    logs = run_together(floor.get_bind(), jobs)  # type: ignore[arg-type]

    total: Counter[str] = Counter(OPENING)
    for log in logs.values():
        total.update(log.net())
    assert_books_balance(floor, {"A": total["A"], "B": total["B"]})

    # The documents agree with the ledger: what each line received, each order was issued.
    with floor.begin():
        received = {
            f"{number}/{line}": qty
            for number, line, qty in floor.execute(
                select(
                    PurchaseOrder.number, PurchaseOrderLine.line, PurchaseOrderLine.received_qty
                ).join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            )
        }
        issued = {
            f"{mo}/{code}": qty
            for mo, code, qty in floor.execute(
                select(ProductionOrder.number, Item.code, ProductionComponent.issued_qty)
                .join(
                    ProductionOrder, ProductionOrder.id == ProductionComponent.production_order_id
                )
                .join(Item, Item.id == ProductionComponent.item_id)
            )
        }
    assert received == {key: total[key] for key in received}
    assert issued == {key: total[key] for key in issued}

    # Receipts and additions are never refused; issues and removals are, for want of stock.
    for name in ("count +A", "count +B", "receive PO-1,2", "receive PO-2,1"):
        assert logs[name].refused == [], name
    refusals = [e for log in logs.values() for e in log.refused]
    assert refusals
    for error in refusals:
        assert isinstance(error, InsufficientStockError), repr(error)
        assert "not enough" in str(error), str(error)
        assert " A" in str(error) or " B" in str(error), str(error)
    issue_logs = [logs[name] for name in issuers]
    assert sum(len(log.done) for log in issue_logs) > 0
    assert sum(len(log.refused) for log in issue_logs) > 0


# --------------------------------------------------------------------------- 2. over-receipt

LINE_QTY = 100
PART = 11
"""9 × 11 = 99 is still under the 100 ordered (the line stays open); a tenth would make 110,
over the 5 % tolerance (105): so exactly nine receipts go through, whatever the order."""


def test_concurrent_partial_receipts_of_one_line_stay_within_the_tolerance(
    session: Session,
) -> None:
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat(), "receipt_tolerance_pct": "5"},
            items=[item("A", "buy")],
        ),
        author="import",
    )
    number = purchasing.create_purchase(
        session,
        supplier="Acme",
        lines=[purchasing.NewLine("A", LINE_QTY, DUE)],
        author="buyer",
    )
    purchasing.confirm_purchase(session, number, author="buyer")

    def job(worker: Session, log: Log) -> None:
        # Receive PART at a time until refused (at most 20 tries).
        for _ in range(20):
            if not log.attempt(
                {"A": PART},
                lambda: purchasing.receive_purchase(
                    worker, number, quantities={1: PART}, author=log.name
                ),
            ):
                return

    logs = run_together(session.get_bind(), {f"dock {n}": job for n in range(8)})  # type: ignore[arg-type]

    received = sum(log.net()["A"] for log in logs.values())
    assert received == 9 * PART
    assert received <= LINE_QTY * 1.05
    for log in logs.values():
        assert len(log.refused) == 1, (log.name, log.refused)
        (error,) = log.refused
        assert isinstance(error, ValidationError), repr(error)
        assert error.params["rule"] == "over_receipt"
        assert "tolerance" in str(error)
        assert str(error).startswith(f"{number}/1: receiving {PART}")
    with session.begin():
        line = session.scalars(select(PurchaseOrderLine)).one()
        assert line.received_qty == received
        assert line.status is PurchaseLineStatus.OPEN
        assert session.scalars(select(PurchaseOrder.status)).one() is PurchaseOrderStatus.CONFIRMED
        receipts = session.scalars(
            select(StockMove.qty).where(StockMove.purchase_order_line_id == line.id)
        ).all()
    assert sorted(receipts) == [PART] * 9
    assert_books_balance(session, {"A": received})


# --------------------------------------------------------------------------- 3. numbering


def test_concurrent_purchase_orders_get_distinct_consecutive_numbers(session: Session) -> None:
    # An imported PO-000010 exists and no sequence row yet: the first numbers race to
    # create the sequence, which must start after it.
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("A", "buy")],
            purchases=[PurchaseRow("PO-000010", 1, "A", 5.0, DUE, "open", "", "Acme")],
        ),
        author="import",
    )
    per_worker = 3

    def job(worker: Session, log: Log) -> None:
        for n in range(per_worker):
            log.attempt(
                {},
                partial(
                    purchasing.create_purchase,
                    worker,
                    supplier=f"{log.name} #{n}",
                    lines=[purchasing.NewLine("A", 1 + n, DUE)],
                    author=log.name,
                ),
            )

    logs = run_together(session.get_bind(), {f"buyer {n}": job for n in range(8)})  # type: ignore[arg-type]
    assert [e for log in logs.values() for e in log.refused] == []
    numbers = [str(n) for log in logs.values() for n in log.results]
    assert len(numbers) == 8 * per_worker
    assert sorted(numbers) == [f"PO-{n:06d}" for n in range(11, 11 + 8 * per_worker)]
    with session.begin():
        stored = session.execute(
            select(PurchaseOrder.number, PurchaseOrder.supplier, func.count(PurchaseOrderLine.id))
            .join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
            .group_by(PurchaseOrder.number, PurchaseOrder.supplier)
        ).all()
    assert len(stored) == 8 * per_worker + 1
    assert {number for number, _, lines in stored if lines == 1} == {*numbers, "PO-000010"}


def test_concurrent_sales_orders_and_lines_get_distinct_numbers(session: Session) -> None:
    """Eight clerks enter orders at once, and add lines to one shared order: every
    order gets its own SO number and every line its own line number."""
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("A", "buy")],
            sales=[SalesRow("SO-1000", 1, "ACME", "", "A", 1.0, 0.0, DUE, 100)],
        ),
        author="import",
    )
    per_worker = 4

    def job(worker: Session, log: Log) -> None:
        for _ in range(per_worker):
            log.attempt({}, partial(sales.create_order, worker, customer="ACME", author=log.name))
            log.attempt(
                {},
                partial(
                    sales.add_line, worker, "SO-1000", item="A", qty=1, due=DUE, author=log.name
                ),
            )

    logs = run_together(session.get_bind(), {f"clerk {n}": job for n in range(8)})  # type: ignore[arg-type]
    assert [e for log in logs.values() for e in log.refused] == []
    results = [r for log in logs.values() for r in log.results]
    orders = sorted(str(r) for r in results if isinstance(r, str))
    lines = sorted(int(r) for r in results if isinstance(r, int))
    assert orders == [f"SO-{n}" for n in range(1001, 1001 + 8 * per_worker)]
    assert lines == list(range(2, 2 + 8 * per_worker))


# --------------------------------------------------------------------------- 4. deadlock retry


def test_a_deadlock_between_two_writers_is_retried_not_raised(session: Session) -> None:
    """Two writers lock A and B in opposite orders. On PostgreSQL they deadlock; the
    database aborts one, and ``writes`` runs it again: both calls go through. On SQLite
    the IMMEDIATE transactions never overlap, so each runs once."""
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("A", "buy"), item("B", "buy")],
        ),
        author="import",
    )
    with session.begin():
        ids: dict[str, int] = dict(session.execute(select(Item.code, Item.id)).all())
    on_postgres = session.get_bind().dialect.name == "postgresql"
    both_hold_one = threading.Barrier(2)
    attempts: Counter[str] = Counter()

    @writes
    def cross(worker: Session, first: str, second: str, author: str) -> None:
        attempts[author] += 1
        inventory.lock_items(worker, [ids[first]])
        if on_postgres and attempts[author] == 1:
            both_hold_one.wait(timeout=10)
        inventory.lock_items(worker, [ids[second]])
        for code in (first, second):
            inventory.post(
                worker,
                Bucket(ids[code], "main"),
                1.0,
                StockMoveKind.ADJUSTMENT,
                Refs(text="cross", author=author, reason="deadlock test"),
            )

    def crosser(first: str, second: str) -> Job:
        def job(worker: Session, log: Log) -> None:
            log.attempt({first: 1, second: 1}, lambda: cross(worker, first, second, log.name))

        return job

    logs = run_together(session.get_bind(), {"AB": crosser("A", "B"), "BA": crosser("B", "A")})  # type: ignore[arg-type]
    assert [e for log in logs.values() for e in log.refused] == []
    assert sum(attempts.values()) == (3 if on_postgres else 2), attempts
    assert_books_balance(session, {"A": 2, "B": 2})


# --------------------------------------------------------------------------- 5. processes


def _process_worker(
    url: str, role: str, rounds: int, start: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    """One worker process with an engine of its own (on SQLite: file locks between
    processes, not only between connections of one process)."""
    engine = db.make_engine(url)
    log = Log(role)
    try:
        with db.session_factory(engine)() as session:
            start.wait(timeout=60)
            for n in range(rounds):
                if role == "receive":
                    log.attempt(
                        {"A": 1},
                        lambda: purchasing.receive_purchase(
                            session, "PO-000001", quantities={1: 1}, author=role
                        ),
                    )
                else:
                    qty = 1 if role == "add" else -2
                    log.attempt(
                        {"A": qty},
                        partial(
                            stock.adjust_stock,
                            session,
                            item="A",
                            qty=qty,
                            reason=f"count {n}",
                            author=role,
                        ),
                    )
    except Exception:
        log.raw.append(traceback.format_exc())
    finally:
        engine.dispose()
    refused = [(type(e).__name__, str(e)) for e in log.refused]
    results.put((role, log.done, refused, log.raw))


def test_worker_processes_with_their_own_engines_lose_nothing(session: Session) -> None:
    # Opening 10 + 25 counted + 25 received = 60 A; the two removers want 100.
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("A", "buy")],
            stock=[StockRow("A", 10.0, "main", "")],
        ),
        author="import",
    )
    number = purchasing.create_purchase(
        session, supplier="Acme", lines=[purchasing.NewLine("A", 1000, DUE)], author="buyer"
    )
    purchasing.confirm_purchase(session, number, author="buyer")
    url = session.get_bind().url.render_as_string(hide_password=False)  # type: ignore[union-attr]
    session.close()

    roles = ["add", "receive", "remove", "remove"]
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(len(roles))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_process_worker, args=(url, role, 25, start, results), daemon=True)
        for role in roles
    ]
    for process in processes:
        process.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    reports = []
    try:
        for _ in processes:
            reports.append(results.get(timeout=max(deadline - time.monotonic(), 0.1)))
    except queue.Empty:
        pytest.fail(f"worker processes still running after {JOIN_TIMEOUT:g} s (a hang?)")
    finally:
        for process in processes:
            process.join(max(deadline - time.monotonic(), 1.0))
            if process.is_alive():
                process.kill()
                process.join()

    raw = [f"{role}:\n{tb}" for role, _, _, tbs in reports for tb in tbs]
    assert not raw, "raw errors reached the caller:\n" + "\n".join(raw)
    total = 10 + sum(d["A"] for _, done, _, _ in reports for d in done)
    refusals = [r for _, _, refused, _ in reports for r in refused]
    removed = [len(done) for role, done, _, _ in reports if role == "remove"]
    assert sum(removed) > 0
    assert refusals
    assert all(kind == "InsufficientStockError" for kind, _ in refusals), refusals
    assert all(msg.startswith("not enough A at main") for _, msg in refusals), refusals
    assert_books_balance(session, {"A": total})
    with session.begin():
        assert session.scalars(select(PurchaseOrderLine.received_qty)).one() == 25


# --------------------------------------------------------------------------- 6. lock wait


def impatient_engine(engine: Engine) -> Engine:
    """Another engine on the same database that waits only 0.2 s for a lock (the real
    ones wait 30 s on SQLite and, unless a DBA set ``lock_timeout``, forever on PostgreSQL)."""
    other = db.make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(other, "connect")
    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if other.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout=200")
        else:
            cursor.execute("SET lock_timeout = '200ms'")
            dbapi_connection.commit()
        cursor.close()

    return other


def test_a_writer_that_cannot_get_the_lock_is_refused_with_a_pegboard_error(
    session: Session,
) -> None:
    replace_company(
        session,
        Dataset(
            settings={"planning_date": TODAY.isoformat()},
            items=[item("A", "buy")],
            stock=[StockRow("A", 10.0, "main", "")],
        ),
        author="import",
    )
    engine: Engine = session.get_bind()  # type: ignore[assignment]
    impatient = impatient_engine(engine)
    waiting = db.session_factory(impatient)()
    try:
        # Someone else holds the write lock (SQLite) or A's row lock (PostgreSQL).
        with engine.connect().execution_options(**{db.WRITE: True}) as holder, holder.begin():
            holder.execute(select(Item.id).where(Item.code == "A").with_for_update())
            started = time.monotonic()
            with pytest.raises(ConflictError, match="busy") as refused:
                stock.adjust_stock(waiting, item="A", qty=-1, reason="count", author="x")
            assert time.monotonic() - started < 10
        assert "nothing was written" in str(refused.value)
        assert_books_balance(session, {"A": 10})
        # The lock is free again: the same session writes normally.
        stock.adjust_stock(waiting, item="A", qty=-1, reason="count", author="x")
    finally:
        waiting.close()
        impatient.dispose()
    assert_books_balance(session, {"A": 9})


# --------------------------------------------------------------------------- 7. nesting


def test_a_write_service_inside_an_open_transaction_writes_nothing(session: Session) -> None:
    """A write service runs in a transaction of its own: called inside the caller's, it
    is refused before anything is committed (it used to commit the caller's flushed
    rows halfway through the caller's block)."""
    replace_company(
        session,
        Dataset(settings={"planning_date": TODAY.isoformat()}, items=[item("A", "buy")]),
        author="import",
    )
    with pytest.raises(RuntimeError, match="inside an open transaction"), session.begin():
        session.add(Customer(code="X", name="X"))
        session.flush()
        stock.adjust_stock(session, item="A", qty=5, reason="count", author="x")
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    assert_books_balance(session, {"A": 0})
    stock.adjust_stock(session, item="A", qty=5, reason="count", author="x")
    assert_books_balance(session, {"A": 5})
