"""The app's garbage collector thresholds."""

from __future__ import annotations

import gc

from balie.gc_tuning import YOUNG_THRESHOLD, tune_gc


def test_tune_gc_raises_the_young_threshold() -> None:
    """The youngest generation is collected after YOUNG_THRESHOLD new objects."""
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    finally:
        gc.set_threshold(*before)
