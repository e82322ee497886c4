"""What the batch jobs share: no garbage-collector pauses while they build their objects."""

import contextlib
import gc


@contextlib.contextmanager
def no_gc_pauses():
    """Run the block with Python's cyclic garbage collector paused, then restore it.

    A batch job (the alert sweep, a month's scorecard) builds a few hundred thousand small
    objects — rows, facts, events, entries — none of them in a reference cycle. Such bursts
    of allocation set off full collections that walk every object of the process: at
    province scale ~0.4 s of a month's scorecard and ~0.15 s of a sweep (issue 13,
    docs/scoring.md). Reference counting still frees everything at once; the collector
    resumes at the end of the block (and takes any cycle then)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
