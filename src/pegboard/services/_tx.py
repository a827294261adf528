"""Write transactions: the write lock taken up front, retried when the database asks.

A service that moves stock or changes an order runs inside ``writes``. On SQLite
the transaction begins ``IMMEDIATE`` (one writer at a time, the others wait up
to the busy timeout); on PostgreSQL rows are locked ``FOR UPDATE`` by the
service, and a deadlock or serialization failure rolls the whole transaction
back and runs it again from the start, so a caller never sees half of it.

A writer that gives up waiting for a lock (SQLite's busy timeout ran out, or
PostgreSQL's ``lock_timeout`` when one is set) is not retried: it already
waited. The caller gets a ``ConflictError`` saying so, never the driver's
"database is locked".

A full disk (SQLite's SQLITE_FULL, PostgreSQL's ``disk_full``, 53100) rolls the
transaction back like any error; the caller gets a ``ConflictError`` saying that
nothing was written (``refusing_disk_full``, also around the bulk import and the
plan store), never the driver's OperationalError.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransactionOrigin

from pegboard.db import WRITE
from pegboard.errors import ConflictError

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 6
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
LOCK_WAIT_SQLSTATES = frozenset({"55P03"})  # lock_not_available: lock_timeout ran out
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes ("database is locked")
SQLITE_FULL = 13  # "database or disk is full"
DISK_FULL_SQLSTATES = frozenset({"53100"})  # disk_full
DISK_FULL = "the database's disk is full; nothing was written"


def retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRY_SQLSTATES


def lock_wait_expired(error: DBAPIError) -> bool:
    """The database gave up waiting for a lock another transaction holds."""
    if getattr(error.orig, "sqlstate", None) in LOCK_WAIT_SQLSTATES:
        return True
    code = getattr(error.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)


def disk_full(error: BaseException) -> bool:
    """The database could not grow: its disk (or SQLite's ``max_page_count``) is full.
    ``error`` is SQLAlchemy's (the driver's inside) or, from a COPY, psycopg's own."""
    orig = getattr(error, "orig", None) or error
    if getattr(orig, "sqlstate", None) in DISK_FULL_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == SQLITE_FULL


@contextmanager
def refusing_disk_full() -> Iterator[None]:
    """Turn a full disk inside the block into a ``ConflictError`` (put it outside the
    transaction, which has rolled back by then); other errors pass unchanged."""
    try:
        yield
    except Exception as error:
        if disk_full(error):
            raise ConflictError(DISK_FULL, reason="disk_full") from error
        raise


def writes(fn: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Run ``fn(session, ...)`` in one write transaction of its own."""

    @functools.wraps(fn)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        end_read_transaction(session)
        for attempt in range(ATTEMPTS):
            try:
                with session.begin():
                    session.connection(execution_options={WRITE: True})
                    return fn(session, *args, **kwargs)
            except DBAPIError as error:
                if disk_full(error):
                    raise ConflictError(DISK_FULL, reason="disk_full") from error
                if lock_wait_expired(error):
                    raise ConflictError(
                        "the database stayed busy (another writer held the lock too long); "
                        "nothing was written, try again",
                        reason="lock_wait",
                    ) from error
                if not retryable(error):
                    raise
                if attempt == ATTEMPTS - 1:
                    raise ConflictError(
                        "the database stayed busy (lock conflict); nothing was written, try again",
                        attempts=ATTEMPTS,
                    ) from error
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
        raise AssertionError("unreachable")

    return run


_COMPOSED = "pegboard.composed_write"


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """One write transaction for a service body written inline (no retry): it takes the
    write lock up front like ``writes`` does. Inside ``composed_write`` it is part of
    the composing transaction instead."""
    if session.info.get(_COMPOSED):
        yield
        return
    end_read_transaction(session)
    with refusing_disk_full(), session.begin():
        session.connection(execution_options={WRITE: True})
        yield


@contextmanager
def composed_write(session: Session) -> Iterator[None]:
    """One write transaction around several services that each use ``write_transaction``
    (``promise.reserve``: create, add a line, configure, confirm): theirs join this one,
    so all of it is written or none of it."""
    with write_transaction(session):
        session.info[_COMPOSED] = True
        try:
            yield
        finally:
            session.info.pop(_COMPOSED, None)


def end_read_transaction(session: Session) -> None:
    """A read (a report, a lookup) leaves the session in a transaction SQLAlchemy began
    by itself; it holds no changes, so it is ended before the write begins afresh.

    A transaction the caller began (``with session.begin()``, or another write
    service) is not a read: committing it here would write the caller's flushed
    changes halfway through its block, so the call is refused before anything is
    written."""
    transaction = session.get_transaction()
    if transaction is None:
        return
    if transaction.origin is not SessionTransactionOrigin.AUTOBEGIN:
        raise RuntimeError(
            "a write service was called inside an open transaction; "
            "it runs in a transaction of its own"
        )
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a service transaction")
    session.commit()


def for_update(session: Session) -> bool:
    """Whether row locks must be taken (SQLite's IMMEDIATE transaction already serialises)."""
    return session.get_bind().dialect.name == "postgresql"
