"""Trend detection on the CrisisLex event streams: does each event's main hashtag alert within
the first hour of its rise, and how many alerts per day would a person read? Plus speed.

    python benchmarks/trends.py [--sensitivity normal] [--events A,B] [--show-alerts] [--lead H]

Each event is replayed on its own, as if it were an organisation's stream. The *main hashtag*
of an event is its most frequent hashtag among on-topic posts. Its *rise* is measured without
the detector, on clock hours of raw post counts (copies included): the start of the first
hour with at least 5 posts and at least 3 times the mean hourly count of all earlier hours,
where the next hour clears the same bar too (a rise, not a one-hour blip). ``rise_3x`` is the
same without the next-hour condition. *Delay* is the alert time minus the rise (negative: the
detector saw it before the hour was complete). ``terms`` counts the distinct terms alerted.
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

from samen.understanding.trends import Alert, TrendDetector
from samen.understanding.trends_eval import _parse_time, terms_of


def shared_dir() -> Path | None:
    env = os.environ.get("SAMEN_SHARED_DIR")
    here = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"
    return here if (here / "data").is_dir() else None


def hourly(times: list[datetime], start: datetime) -> collections.Counter[int]:
    """Posts per clock hour, hour 0 being the hour of the stream's first post."""
    return collections.Counter(int((t - start).total_seconds() // 3600) for t in times)


def first_rise(times: list[datetime], start: datetime, *, sustained: bool) -> datetime | None:
    """Start of the first clock hour with at least 5 posts and at least 3 times the mean
    hourly count of all earlier hours. ``sustained``: the next hour must clear the same bar
    (at least 5, at least 3 times the mean before the rise): one busy hour is a blip, not a rise.
    """
    hours = hourly(times, start)
    if not hours:
        return None
    total = 0
    for h in range(max(hours) + 1):
        n = hours.get(h, 0)
        bar = 3 * total / h if h else 0.0
        if n >= 5 and n >= bar:
            after = hours.get(h + 1, 0)
            if not sustained or (after >= 5 and after >= bar):
                return start + timedelta(hours=h)
        total += n
    return None


def load_events(path: Path) -> dict[str, list[tuple[datetime, str, str, str]]]:
    """Event name -> its posts (time, text, id, label) in time order."""
    events: dict[str, list[tuple[datetime, str, str, str]]] = collections.defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            when = _parse_time(row["created_at"])
            events[row["event"]].append((when, row["text"], row["id"], row["label"]))
    for posts in events.values():
        posts.sort(key=lambda p: p[0])
    return dict(events)


def measure(
    posts: list[tuple[datetime, str, str, str]],
    sensitivity: str,
    top: int,
    lead: float | None = None,
) -> tuple[dict[str, object], list[dict[str, object]], list[Alert], float]:
    """Replay one event; return its summary, a row per top hashtag, the alerts, CPU seconds.
    Rises are measured on the whole event; with ``lead`` the replay starts that many hours
    before the main hashtag's rise (a stream that was switched on shortly before the event)."""
    terms = [terms_of(text) for _, text, _, _ in posts]
    tags = collections.Counter(
        t for (_, _, _, label), ts in zip(posts, terms, strict=True) if label == "on-topic"
        for t in ts if t.startswith("#")
    )  # fmt: skip
    start = posts[0][0].replace(minute=0, second=0, microsecond=0)
    rises: dict[str, tuple[datetime | None, datetime | None]] = {}
    for tag, _ in tags.most_common(top):
        times = [p[0] for p, ts in zip(posts, terms, strict=True) if tag in ts]
        rises[tag] = (
            first_rise(times, start, sustained=True),
            first_rise(times, start, sustained=False),
        )
    main_rise = next(iter(rises.values()), (None, None))[0]
    if lead is not None and main_rise is not None:
        begin = main_rise - timedelta(hours=lead)
        kept = [i for i, p in enumerate(posts) if p[0] >= begin]
        posts, terms = [posts[i] for i in kept], [terms[i] for i in kept]
    detector = TrendDetector(sensitivity)
    alerts: list[Alert] = []
    t0 = time.process_time()
    for (when, _, pid, _), ts in zip(posts, terms, strict=True):
        alerts.extend(detector.observe(when, ts, pid))
    seconds = time.process_time() - t0
    days = (posts[-1][0] - posts[0][0]).total_seconds() / 86400
    first_alert: dict[str, datetime] = {}
    for a in alerts:
        first_alert.setdefault(a.term, a.time)
    # Beyond the main hashtag: every hashtag with at least 30 posts whose rise (the same
    # definition) falls in the replay, and how many of those alerted within an hour of it.
    rising = 0
    within_hour = 0
    for tag, n in tags.items():
        if n < 30:
            continue
        times = [p[0] for p, ts in zip(posts, terms, strict=True) if tag in ts]
        rise = first_rise(times, start, sustained=True)
        if rise is None or rise < posts[0][0]:
            continue
        rising += 1
        hit = first_alert.get(tag)
        within_hour += hit is not None and (hit - rise).total_seconds() <= 3600
    summary: dict[str, object] = {
        "alerts": len(alerts),
        "days": days,
        "per_day": len(alerts) / max(days, 1 / 24),
        "terms": len(first_alert),
        "rising": f"{within_hour}/{rising}",
    }
    rows: list[dict[str, object]] = []
    for tag, both in rises.items():
        hit = next((a for a in alerts if a.term == tag), None)
        row: dict[str, object] = {"tag": tag, "alert": hit.time if hit else None}
        for name, rise in zip(("rise", "rise3x"), both, strict=True):
            row[name] = rise
            row[f"{name}_delay"] = (
                (hit.time - rise).total_seconds() / 60 if hit and rise else None
            )
        rows.append(row)
    return summary, rows, alerts, seconds


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value:%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensitivity", default="normal")
    ap.add_argument("--events", default="")
    ap.add_argument("--show-alerts", action="store_true")
    ap.add_argument("--top", type=int, default=3, help="also report the next hashtags")
    ap.add_argument(
        "--lead", type=float, default=None,
        help="start each replay this many hours before the main hashtag's rise",
    )  # fmt: skip
    args = ap.parse_args()
    shared = shared_dir()
    if shared is None:
        print("needs ../shared/data/events (or SAMEN_SHARED_DIR); nothing to measure")
        return
    events = load_events(shared / "data" / "events" / "crisislex-t6.tsv")
    wanted = [e for e in args.events.split(",") if e]
    print(
        "event\thashtag\trise\talert\tdelay_min\trise_3x\tdelay_3x_min"
        "\talerts\tdays\talerts_per_day\tterms\trising_tags_alerted_within_1h"
    )
    total_posts, total_seconds = 0, 0.0
    for event, posts in events.items():
        if wanted and not any(w.lower() in event.lower() for w in wanted):
            continue
        summary, rows, alerts, seconds = measure(posts, args.sensitivity, args.top, args.lead)
        total_seconds += seconds
        total_posts += len(posts)
        for rank, row in enumerate(rows):
            name = event if rank == 0 else "  (next hashtag)"
            cells = [name] + [
                _fmt(row[k])
                for k in ("tag", "rise", "alert", "rise_delay", "rise3x", "rise3x_delay")
            ]
            if rank == 0:
                cells += [
                    str(summary["alerts"]),
                    f"{summary['days']:.1f}",
                    f"{summary['per_day']:.1f}",
                    str(summary["terms"]),
                    str(summary["rising"]),
                ]
            print("\t".join(cells))
        if args.show_alerts:
            for a in alerts:
                print(
                    f"    {a.time:%m-%d %H:%M} {a.term:<22} n={a.count:<4} exp={a.expected:<7}"
                    f" x{a.ratio:<6} score={a.score}"
                )
    if total_seconds:
        print(f"observe rate: {total_posts / total_seconds:,.0f} posts/s (CPU time, terms apart)")


if __name__ == "__main__":
    main()
