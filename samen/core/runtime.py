"""Process settings for Samen's long-running stream processes (listener, worker, imports).

Python's cyclic garbage collector runs a young-generation pass every 700 net allocations and,
now and then, a full pass that walks every tracked object. A stream process holds hundreds of
thousands of long-lived objects (thousands of compiled listening rules, the models of
understanding, Django's registries) and allocates millions of short-lived ones per minute, all
but a handful freed at once by reference counting. With the defaults the collector spent 15-23 %
of the whole ingest path's CPU time walking objects that were never garbage
(``benchmarks/pipeline.py``; see docs/adr/0145-gc-tuned-for-stream-processes.md).
"""

from __future__ import annotations

import gc

# Young pass every 50,000 net allocations instead of 700; older passes as rarely relative to
# it as by default (ratios 20 and 100 instead of 10 and 10). Cycles still get collected: a
# stream process builds few, and they wait at most one young pass.
STREAM_GC_THRESHOLD = (50_000, 20, 100)


def tune_for_streaming() -> None:
    """Collect cyclic garbage rarely, and never walk what is alive at start-up again.

    Call once, after Django is set up, in a process that runs the ingest path for a long time.
    ``gc.freeze`` moves every object alive now (settings, apps, models, imported modules) out of
    the collector's reach; they live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*STREAM_GC_THRESHOLD)
