"""The garbage collector's thresholds for the app's processes."""

import gc

# Python collects its youngest objects after 700 new ones. Every websocket event loads the
# visitor's state tree from Redis (a parent and its substates point at each other: a cycle
# only the collector frees), so under load most collections found live, busy trees, promoted
# them and ended in full collections of the whole heap. The load test (tests/load) measured
# about a third less collector time per booking with 10,000, for some 20 MiB more per worker.
YOUNG_THRESHOLD = 10_000
OLDER_THRESHOLDS = (10, 10)


def tune_gc() -> None:
    """Collect the youngest generation after YOUNG_THRESHOLD new objects instead of 700."""
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
