"""tracker.common.batch.no_gc_pauses: the collector is paused inside and restored after."""

import gc

import pytest

from tracker.common.batch import no_gc_pauses


def test_the_collector_is_paused_then_restored():
    assert gc.isenabled()
    with no_gc_pauses():
        assert not gc.isenabled()
        with no_gc_pauses():  # nested: the outer block restores it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_gc_pauses():
        raise RuntimeError("a failed job")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused():
    gc.disable()
    try:
        with no_gc_pauses():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
