"""Where a post's time goes on the whole path: the stream of ``benchmarks/pipeline.py``, with
each step timed on its own (exclusive time: a step's time leaves out the steps it calls).

    python benchmarks/pipeline_steps.py [--posts 10000] [--rules 10000] [--seed 1]
                                        [--history 100000 [--history-days 0.42]]

The steps are the functions of the real path, wrapped with a timer for this run only: mapping,
enrichment at ingest, building and inserting the post rows, the batch's bookkeeping, reading
rows back, rule views, rule matching, storing matches, trend terms and the detector, the
insights rollups, the inbox's intake, the full-text index, commits. What no wrapper covers is
"glue" (the code between steps, signals, transactions). One batch of other posts runs first,
untimed, so that imports and first-call set-up are not charged to a step (a worker pays them
once); the timers add ~1 µs per wrapped call, which lands in the step that makes the call.
Wall-clock time (perf_counter): run it on a quiet machine, or twice. ``--history`` stores
other posts first, as ``benchmarks/pipeline.py --history`` does (a database in use).
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


class Steps:
    """Exclusive time per step name, with a stack so that nested steps are subtracted."""

    def __init__(self) -> None:
        self.total: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        self._stack: list[list[Any]] = []  # [name, start, time of children]
        self.on = False

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        stack, total, calls, clock = self._stack, self.total, self.calls, time.perf_counter

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return fn(*args, **kwargs)
            frame = [name, clock(), 0.0]
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                spent = clock() - frame[1]
                total[name] += spent - frame[2]
                calls[name] += 1
                if stack:
                    stack[-1][2] += spent

        return timed

    def patch(self, owner: Any, attribute: str, name: str) -> None:
        setattr(owner, attribute, self.wrap(name, getattr(owner, attribute)))


def patch_receiver(steps: Steps, signal: Any, uid: str, name: str) -> None:
    """Swap a connected signal receiver (found by its dispatch_uid) for a timed one."""
    for entry in list(signal.receivers):
        key, receiver = entry[0], entry[1]
        if key[0] == uid:
            weak = callable(receiver) and not hasattr(receiver, "__code__")  # a weakref
            fn = receiver() if weak else receiver
            signal.disconnect(dispatch_uid=uid)
            signal.connect(steps.wrap(name, fn), weak=False, dispatch_uid=uid)
            return
    raise SystemExit(f"no receiver {uid!r} on {signal!r}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--history", type=int, default=0)
    ap.add_argument("--history-days", type=float, default=7.0)
    args = ap.parse_args()
    os.environ.setdefault("SAMEN_DATABASE_URL",
                          f"sqlite:///{tempfile.mkdtemp(prefix='samen-steps-')}/bench.sqlite3")

    import pipeline
    import shared_ingest

    shared_ingest.setup_django()
    from django.db.backends.base.base import BaseDatabaseWrapper

    from samen.insights import apps as insights_apps  # noqa: F401 - connects the receiver
    from samen.sources import ingest
    from samen.sources.bluesky import mapping as bluesky_mapping
    from samen.sources.mastodon import mapping as mastodon_mapping
    from samen.sources.signals import posts_stored
    from samen.understanding import actions, selectors
    from samen.understanding.rules import RuleSet
    from samen.understanding.signals import posts_understood
    from samen.understanding.trends import TrendDetector

    rules_bench = pipeline._load("rules")
    rng = random.Random(args.seed)
    drawn = rules_bench.load_posts(args.history + args.posts + 1000, rng)
    earlier, warm, posts = (drawn[:args.history], drawn[args.history:args.history + 1000],
                            drawn[args.history + 1000:])
    rule_texts = rules_bench.make_rules(args.rules, posts if not earlier else drawn, rng)
    pipeline.store_rules(rule_texts)
    pipeline.full_text_index()
    selectors.compiled_rules()
    # The timed hour ends now. With a history, the history ends where it starts and warms
    # everything up. Without, a batch of other posts from before the trend detector's horizon
    # does: the detector then meets the timed hour fresh, as in benchmarks/pipeline.py.
    timed_end = datetime.now(UTC)
    if earlier:
        pipeline.store_history(earlier, args.history_days, args.seed,
                               end=timed_end - timedelta(hours=1))

    steps = Steps()
    steps.patch(bluesky_mapping, "map_jetstream_event", "mapping (Bluesky)")
    steps.patch(mastodon_mapping, "map_status", "mapping (Mastodon)")
    steps.patch(ingest, "_enrichments", "enrichment at ingest")
    steps.patch(ingest, "_row", "post row")
    steps.patch(ingest, "_insert", "post insert")
    steps.patch(ingest, "_select_in", "ingest lookups by id")
    steps.patch(ingest, "_advance", "stream cursor")
    steps.patch(ingest, "read_back", "read back")
    steps.patch(actions, "_fill_enrichment", "enrichment check in understanding")
    steps.patch(actions, "view_of", "rule view")
    steps.patch(RuleSet, "match", "rule matching")
    steps.patch(actions, "_insert_matches", "storing rule matches")
    steps.patch(actions, "_count_trends", "trends (state, alerts)")
    steps.patch(actions, "terms_of", "trend terms")
    steps.patch(TrendDetector, "observe", "trend detector")
    steps.patch(BaseDatabaseWrapper, "_commit", "commit")
    patch_receiver(steps, posts_stored, "insights.rollups", "insights rollups")
    patch_receiver(steps, posts_understood, "inbox.receive_posts", "inbox intake")
    patch_receiver(steps, posts_understood, "bench.fts", "full-text index")

    # imports and first-call set-up, on other posts, untimed
    if not earlier:
        shared_ingest.store_stream(pipeline.make_stream(
            warm, seed=args.seed + 1, first=len(posts),
            end=timed_end - actions.TREND_HORIZON - timedelta(hours=1)))
    lines = pipeline.make_stream(posts, seed=args.seed, end=timed_end)
    steps.on = True
    wall, _cpu = shared_ingest.store_stream(lines)
    steps.on = False

    n = len(lines)
    covered = sum(steps.total.values())
    rows = sorted(steps.total.items(), key=lambda kv: -kv[1])
    print(f"whole path, {n:,} posts, {args.rules:,} rules: {n / wall:,.0f} posts/s wall "
          f"({wall / n * 1e6:.0f} µs a post, timers included)")
    print(f"{'step':<36}{'µs/post':>9}{'share':>8}{'calls':>9}")
    for name, spent in rows:
        print(f"{name:<36}{spent / n * 1e6:>9.1f}{spent / wall:>8.0%}"
              f"{steps.calls[name]:>9,}")
    glue = wall - covered
    print(f"{'glue (between the steps)':<36}{glue / n * 1e6:>9.1f}{glue / wall:>8.0%}")


if __name__ == "__main__":
    main()
