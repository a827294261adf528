"""A small bounded pool of worker processes for the CPU-heavy reads of a server.

Why: a server process answers many requests with one interpreter, and Python
runs one thread of it at a time (the GIL). A promise of the largest
configuration the limits allow spends up to a second or more of pure CPU in
formulas, configuring and the promise search; done in the serving process, every
other request of that process (``/api/health`` included) waits behind it. So the
API and the pages hand that work to a worker process, wait for it without
holding the GIL, and keep answering everyone else meanwhile.

* **Bounded.** At most ``PEGBOARD_PROMISE_WORKERS`` workers per server process
  (default 2; 0 computes in the serving process, as the CLI always does). A
  request that finds them all busy waits for one up to the time limit, then is
  refused (``RateLimitedError``, 429 with ``Retry-After``): the queue never grows
  without bound.
* **Timed.** A job that takes longer than ``PEGBOARD_PROMISE_TIME_LIMIT`` seconds
  (default 10) is stopped: its worker is killed (the only way to stop CPU-bound
  Python) and replaced on the next request, and the caller gets a
  :class:`TooMuchWorkError` (422) saying what to run instead.
* **Lazy.** No process starts before the first job. A worker is started with
  ``spawn`` (a fresh interpreter: forking a server with open database
  connections and threads is unsafe), imports what jobs need, says it is ready,
  and only then does a job's clock start. :func:`shutdown` stops them (the app's
  lifespan calls it); they are daemons, so they also end with the server.
* **Stateless jobs.** A job is a module-level function and picklable arguments;
  it opens its own database connection from a URL (the caller's session's) and
  closes it when done, so a worker holds nothing between jobs. Errors of
  pegboard's tree come back as themselves (same class, message and params), so
  adapters map them exactly as if the work had run in-process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

from pegboard.config import get_settings
from pegboard.errors import ConflictError, PegboardError, RateLimitedError, ValidationError

log = logging.getLogger("pegboard.workers")

T = TypeVar("T")

STARTUP_SECONDS = 120.0
"""How long a new worker may take to import pegboard (not counted in the time limit:
slow on a loaded machine, and not the request's fault)."""
PRELOAD = ("pegboard.services.promise",)
"""Modules a worker imports before it says it is ready."""


class TooMuchWorkError(ValidationError):
    """A job ran past the interactive time limit and was stopped."""

    code = "too_much_work"


# --------------------------------------------------------------------------- worker side

WORKER_NICENESS = 10
"""How much lower than the server a worker's CPU priority is (``nice``)."""


def _serve(conn: Connection) -> None:
    """A worker's loop: run each job sent, answer ``("ok", value)`` or the error.

    The worker runs at a lower CPU priority (nice +10): on a small machine a long
    promise then takes the time the serving processes leave, rather than half of it."""
    import importlib
    import os

    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(WORKER_NICENESS)

    for name in PRELOAD:
        importlib.import_module(name)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            conn.send(("ok", fn(*args, **kwargs)))
        except PegboardError as e:
            conn.send(("pegboard", (type(e), e.message, dict(e.params))))
        except Exception:  # reported to the caller, who logs it
            conn.send(("crash", traceback.format_exc()))


def _rebuilt(kind: type[PegboardError], message: str, params: dict[str, Any]) -> PegboardError:
    """The worker's error as the same class (constructors differ: FormulaError takes a
    formula and a reason, so the instance is made without calling its ``__init__``)."""
    error = kind.__new__(kind)
    PegboardError.__init__(error, message, **params)
    return error


# --------------------------------------------------------------------------- pool side


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), name="pegboard-worker", daemon=True
        )
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP_SECONDS) or self.conn.recv()[0] != "ready":
            self.kill()
            raise ConflictError("a worker process did not start; try again", field="server")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Up to ``size`` worker processes, each running one job at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()

    def run(
        self,
        fn: Callable[..., T],
        *args: object,
        limit: float,
        too_long: str,
        **kwargs: object,
    ) -> T:
        """``fn(*args, **kwargs)`` in a worker; stopped after ``limit`` seconds with a
        TooMuchWorkError saying ``too_long``."""
        if not self._slots.acquire(timeout=limit):
            raise RateLimitedError(
                f"every worker is busy with other requests for {limit:g} s; try again shortly",
                retry_after=max(1, round(limit)),
            )
        try:
            worker = self._take()
            answer = self._ask(worker, (fn, args, kwargs), limit, too_long)
        finally:
            self._slots.release()
        return cast(T, answer)

    def _take(self) -> _Worker:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.process.is_alive():
            worker = _Worker()
        with self._lock:
            self._busy.add(worker)
        return worker

    def _ask(self, worker: _Worker, job: object, limit: float, too_long: str) -> object:
        started = time.monotonic()
        try:
            worker.conn.send(job)
            done = worker.conn.poll(limit)
            kind, value = worker.conn.recv() if done else ("late", None)
        except (EOFError, OSError):
            kind, value = "died", None
        with self._lock:
            self._busy.discard(worker)
            if kind in ("ok", "pegboard"):
                self._idle.append(worker)
        if kind == "ok":
            return value
        if kind == "pegboard":
            error_kind, message, params = cast(
                tuple[type[PegboardError], str, dict[str, Any]], value
            )
            raise _rebuilt(error_kind, message, params)
        worker.kill()
        if kind == "late":
            log.warning("a job ran past %.1f s and its worker was replaced", limit)
            raise TooMuchWorkError(too_long, limit_seconds=limit)
        if kind == "crash":
            log.error("a worker job failed:\n%s", value)
            raise RuntimeError("a worker job failed (see the server log)")
        took = time.monotonic() - started
        raise ConflictError(
            f"the worker process stopped after {took:.1f} s (out of memory?); try again",
            field="server",
        )

    def shutdown(self) -> None:
        """Stop every worker: idle ones at once, busy ones are killed."""
        with self._lock:
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            self._busy.clear()
        for worker in idle:
            worker.stop()
        for worker in busy:
            worker.kill()


_pool: list[WorkerPool] = []
_pool_lock = threading.Lock()


def pool() -> WorkerPool | None:
    """This process's pool, started on first use; None when workers are off (size 0)."""
    size = get_settings().promise_workers
    with _pool_lock:
        if _pool and _pool[0].size != size:  # the setting changed (a test): start afresh
            _pool.pop().shutdown()
        if size == 0:
            return None
        if not _pool:
            _pool.append(WorkerPool(size))
        return _pool[0]


def shutdown() -> None:
    """Stop this process's workers (the server's lifespan calls it on the way out)."""
    with _pool_lock:
        while _pool:
            _pool.pop().shutdown()


def time_limit() -> float:
    """Seconds a job may take (``PEGBOARD_PROMISE_TIME_LIMIT``)."""
    return get_settings().promise_time_limit


__all__ = ["TooMuchWorkError", "WorkerPool", "pool", "shutdown", "time_limit"]
