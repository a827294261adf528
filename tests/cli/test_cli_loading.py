"""cli/_loading.py: the collector is off while a command's modules load, and back as it
was after (issue #18, start-up)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from pegboard.cli._loading import load, loading


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()  # what the tests froze goes back to the collector's oldest generation
        if not was:
            gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_loading_pauses_the_collector_then_freezes_what_is_loaded() -> None:
    before = gc.get_freeze_count()
    with loading():
        assert not gc.isenabled()
        kept = [[object()] for _ in range(1000)]  # tracked containers, alive after
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(kept)


@pytest.mark.usefixtures("collector_on")
def test_a_nested_block_leaves_the_outer_pause_in_place() -> None:
    with loading():
        with loading():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_an_error_while_loading_gives_the_collector_back() -> None:
    with pytest.raises(ModuleNotFoundError):
        load("pegboard.no_such_module")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        before = gc.get_freeze_count()
        with loading():
            pass
        assert not gc.isenabled()
        assert gc.get_freeze_count() == before
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_load_imports_once_and_returns_the_module() -> None:
    name = "pegboard.cli._coerce"
    assert load(name) is sys.modules[name]
    before = gc.get_freeze_count()
    assert load(name) is sys.modules[name]
    assert gc.get_freeze_count() == before  # already loaded: nothing paused or frozen
