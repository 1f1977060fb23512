"""Trend detection on the CrisisLex event streams: does each event's main hashtag alert within
the first hour of its rise, and how many alerts per day would a person read? Plus speed.

    python benchmarks/trends.py [--sensitivity normal] [--events A,B] [--show-alerts]

Each event is replayed on its own, as if it were an organisation's stream. The *main hashtag*
of an event is its most frequent hashtag among on-topic posts. Its *first rise* is measured
independently of the detector: the start of the first hour whose count is at least 5 and at
least 3 times the mean hourly count over all earlier hours of the stream (or simply >= 5 when
there were none). *Delay* is the alert time minus that first rise (negative: the detector saw
it before the hour was complete).
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samen.understanding.trends import TrendDetector
from samen.understanding.trends_eval import _parse_time, terms_of


def shared_dir() -> Path | None:
    env = os.environ.get("SAMEN_SHARED_DIR")
    here = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"
    return here if (here / "data").is_dir() else None


def first_rise(times: list[datetime], start: datetime) -> datetime | None:
    hours = collections.Counter(int((t - start).total_seconds() // 3600) for t in times)
    if not hours:
        return None
    total = 0
    for h in range(max(hours) + 1):
        n = hours.get(h, 0)
        mean = total / h if h else 0.0
        if n >= 5 and n >= 3 * mean:
            return start + timedelta(hours=h)
        total += n
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensitivity", default="normal")
    ap.add_argument("--events", default="")
    ap.add_argument("--show-alerts", action="store_true")
    ap.add_argument("--top", type=int, default=3, help="also report the next hashtags")
    args = ap.parse_args()
    shared = shared_dir()
    if shared is None:
        print("needs ../shared/data/events (or SAMEN_SHARED_DIR); nothing to measure")
        return
    path = shared / "data" / "events" / "crisislex-t6.tsv"
    events: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            events[row["event"]].append(row)
    wanted = [e for e in args.events.split(",") if e]
    print("event\tmain_hashtag\tfirst_rise\talert_time\tdelay_min\talerts\tdays\talerts_per_day")
    total_posts, total_seconds = 0, 0.0
    for event, rows in events.items():
        if wanted and not any(w.lower() in event.lower() for w in wanted):
            continue
        posts = sorted(
            ((_parse_time(r["created_at"]), r["text"], r["id"], r["label"]) for r in rows),
            key=lambda p: p[0],
        )
        tags = collections.Counter(
            t for _, text, _, label in posts if label == "on-topic"
            for t in terms_of(text) if t.startswith("#")
        )  # fmt: skip
        start = posts[0][0]
        detector = TrendDetector(args.sensitivity)
        alerts = []
        t0 = time.process_time()
        for when, text, pid, _ in posts:
            alerts.extend(detector.observe(when, terms_of(text), pid))
        total_seconds += time.process_time() - t0
        total_posts += len(posts)
        days = (posts[-1][0] - start).total_seconds() / 86400
        for rank, (tag, _) in enumerate(tags.most_common(args.top)):
            rise = first_rise([p[0] for p in posts if tag in terms_of(p[1])], start)
            hit = next((a for a in alerts if a.term == tag), None)
            rise_s = f"{rise:%Y-%m-%d %H:%M}" if rise else "-"
            hit_s = f"{hit.time:%Y-%m-%d %H:%M:%S}" if hit else "none"
            delay = f"{(hit.time - rise).total_seconds() / 60:.0f}" if hit and rise else "-"
            name = event if rank == 0 else "  (next hashtag)"
            print(f"{name}\t{tag}\t{rise_s}\t{hit_s}\t{delay}", end="")
            if rank == 0:
                print(f"\t{len(alerts)}\t{days:.1f}\t{len(alerts) / max(days, 1 / 24):.1f}")
            else:
                print()
        if args.show_alerts:
            for a in alerts:
                print(
                    f"    {a.time:%m-%d %H:%M} {a.term:<22} n={a.count:<4} exp={a.expected:<7}"
                    f" x{a.ratio:<6} score={a.score}"
                )
    if total_seconds:
        print(f"observe rate: {total_posts / total_seconds:,.0f} posts/s (terms extracted)")


if __name__ == "__main__":
    main()
