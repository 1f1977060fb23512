"""A busy stream on its first day: how many alerts does the detector give when nothing rises?

    python benchmarks/trends_busy_start.py [--per-hour 10000,1000,300] [--hours 6]

The posts and 10,000 listening rules of ``benchmarks/rules.py`` (real tweets of
../shared/data/events when present, generated nl/fr/de posts otherwise), in a random order, at
a steady rate from a fresh detector, as on the day an organisation connects its sources. The
order is random, so every term and rule keeps its share of posts: each alert is a false one.
Printed per rate: the alerts per hour of stream by kind, then the detector's CPU time.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pipeline

from samen.understanding.trends import TrendDetector

START = datetime(2026, 12, 1, 9, 0)  # a Tuesday morning


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-hour", default="10000,1000,300", help="posts an hour, comma-separated")
    ap.add_argument("--hours", type=int, default=6)
    ap.add_argument("--sensitivity", default="normal")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rates = [int(r) for r in args.per_hour.split(",")]
    rules_bench = pipeline._load("rules")
    rng = random.Random(args.seed)
    drawn = rules_bench.load_posts(max(rates) * args.hours, rng)
    posts = pipeline.detector_inputs(drawn, rules_bench.make_rules(10_000, drawn, rng))
    print(f"steady streams of {args.hours} hours, 10,000 rules, sensitivity {args.sensitivity}; "
          "every alert is a false one")
    for per_hour in rates:
        detector = TrendDetector(args.sensitivity)
        per = collections.Counter[tuple[int, str]]()
        step = 3600.0 / per_hour
        cpu = time.process_time()
        for i, (terms, rules) in enumerate(posts[:per_hour * args.hours]):
            for alert in detector.observe(START + timedelta(seconds=i * step), terms, str(i),
                                          rules=rules):
                per[(int(i * step // 3600), alert.kind)] += 1
        cpu = time.process_time() - cpu
        hours = "  ".join(
            f"h{h + 1}: " + (", ".join(f"{n} {kind}" for (hh, kind), n in sorted(per.items())
                                       if hh == h) or "0")
            for h in range(args.hours))
        print(f"{per_hour:>6,} posts/h  alerts {sum(per.values()):>4}  |  {hours}  "
              f"({cpu:.1f} s CPU)")


if __name__ == "__main__":
    main()
