"""The pool of worker processes that keeps heavy requests off a server's interpreter
(``services.worker_pool``): real processes running real functions, no database."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator

import pytest

from pegboard.errors import RateLimitedError
from pegboard.services.formula import FormulaError, evaluate_quantity
from pegboard.services.worker_pool import WORKER_NICENESS, TooMuchWorkError, WorkerPool


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1)
    yield workers
    workers.shutdown()


def test_a_job_runs_in_a_worker_and_the_worker_is_kept(pool: WorkerPool) -> None:
    assert pool.run(math.factorial, 20, limit=60, too_long="") == math.factorial(20)
    first = pool._idle[0].process.pid
    assert pool.run(math.factorial, 5, limit=60, too_long="") == 120
    assert pool._idle[0].process.pid == first  # one worker, started once


def test_a_job_past_the_limit_is_stopped_and_its_worker_replaced(pool: WorkerPool) -> None:
    pool.run(math.factorial, 1, limit=60, too_long="")  # started: its start-up is not timed
    worker = pool._idle[0]
    started = time.monotonic()
    with pytest.raises(TooMuchWorkError, match="run it from the command line") as refused:
        pool.run(time.sleep, 30, limit=0.5, too_long="run it from the command line")
    assert time.monotonic() - started < 10  # not the 30 s the job wanted
    assert refused.value.code == "too_much_work" and refused.value.params["limit_seconds"] == 0.5
    assert not worker.process.is_alive() and not pool._idle
    assert pool.run(math.factorial, 5, limit=60, too_long="") == 120  # a new worker


def test_a_pegboard_error_comes_back_as_itself(pool: WorkerPool) -> None:
    """Adapters map a worker's error exactly as one raised in-process (same class, message,
    params), and the worker stays."""
    with pytest.raises(FormulaError, match="formula '1/0': cannot be evaluated") as refused:
        pool.run(evaluate_quantity, "1/0", {}, limit=60, too_long="")
    assert refused.value.params["formula"] == "1/0"
    assert len(pool._idle) == 1


def test_every_worker_busy_is_refused_after_the_limit_not_queued(pool: WorkerPool) -> None:
    pool.run(math.factorial, 1, limit=60, too_long="")
    busy = threading.Thread(
        target=pool.run, args=(time.sleep, 3), kwargs={"limit": 60, "too_long": ""}
    )
    busy.start()
    time.sleep(0.5)
    try:
        with pytest.raises(RateLimitedError, match="every worker is busy") as refused:
            pool.run(math.factorial, 5, limit=0.2, too_long="")
        assert refused.value.params["retry_after"] == 1
    finally:
        busy.join()
    assert pool.run(math.factorial, 5, limit=60, too_long="") == 120


def test_a_worker_runs_below_the_server_s_cpu_priority(pool: WorkerPool) -> None:
    """On two cores a long promise must not take half the CPU from the serving process:
    its worker is niced (benchmarks/api_load.py --hammer measures the effect)."""
    import os

    ours = os.nice(0)
    theirs = pool.run(os.nice, 0, limit=30, too_long="too long")
    assert theirs == min(ours + WORKER_NICENESS, 19) > ours
