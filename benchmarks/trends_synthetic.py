"""Trend detection on synthetic streams written by us, in Dutch, French and English: does a
hashtag that was already in use and then rises gradually alert within the first hour, and do
the streams without that rise stay quiet? A check held out from the design of ADR 0123.

    python benchmarks/trends_synthetic.py [--seeds 20] [--first-seed 1000]

Each stream runs four days with a daily rhythm (quiet nights, a morning and an evening peak),
ten background hashtags at fixed shares of the posts (0.2 % to 8 %, so their counts follow the
rhythm but their shares do not change) and one hashtag of the same language in use at 1-3
posts an hour by day. In the *rise* variant that hashtag then carries 3, 5 and 8 times its
usual hourly count for three hours, then stays at 8 times for three more (the shape of a
story that was already being talked about and takes off, as Sandy's ``#sandy`` did), starting
on a random hour of day 1 (the detector's first day, when it does not know the rhythm yet) to
day 4. The *quiet* variant is the same stream without the rise. A *new* variant adds a
hashtag never seen before at 8, 20 and 50 posts an hour (a sudden story).

Reported per language: how many rises alerted within an hour of their start (and the median
delay), how many new hashtags did, false hashtag alerts per stream-day (any hashtag alert
other than the rising one, or the rising one before its rise; both variants), and alerts per
day of all kinds. The numbers are seeded, so a run is repeatable; CPU time is printed.

``--switched-on``: the same streams as if Samen had been switched on 0.5 to 3 hours (drawn per
stream) before the rise, replayed for 12 hours from there: a fresh detector (ADR 0124).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samen.understanding.trends import Alert, TrendDetector
from samen.understanding.trends_eval import terms_of

WORDS = {
    "nl": "gemeente trein station fiets regen dijk polder school markt buurt bakker koffie "
    "raad vergadering huur woning tram brug kanaal park storm wind water zorg werk",
    "fr": "commune train gare vélo pluie digue école marché quartier boulangerie café conseil "
    "réunion loyer logement tram pont canal parc tempête vent eau santé travail",
    "en": "council train station bike rain levee school market neighbourhood bakery coffee "
    "meeting rent housing tram bridge canal park storm wind water health work shop",
}
BACKGROUND = {
    "nl": "#rotterdam #antwerpen #fietsen #ns #knmi #eredivisie #cultuur #zorg #onderwijs #wonen",
    "fr": "#bruxelles #namur #velo #sncb #irm #foot #culture #sante #ecole #logement",
    "en": "#manchester #bristol #cycling #rail #metoffice #football #arts #nhs #schools #housing",
}
SHARES = (0.002, 0.004, 0.007, 0.01, 0.015, 0.02, 0.03, 0.045, 0.06, 0.08)
RISING = {"nl": "#hoogwater", "fr": "#crue", "en": "#floodwarning"}
NEW = {"nl": "#dijkdoorbraak", "fr": "#evacuation", "en": "#evacuate"}
START = datetime(2026, 9, 7)  # a Monday
DAYS = 4


def volume(hour: float) -> float:
    """Posts an hour: 6 at night, peaks of about 50 at 08:30 and 70 at 19:30."""
    return (
        6
        + 44 * math.exp(-(((hour - 8.5) / 2.0) ** 2))
        + 64 * math.exp(-(((hour - 19.5) / 2.5) ** 2))
    )


def stream(lang: str, seed: int, variant: str) -> tuple[list[tuple[datetime, str]], datetime]:
    """Posts (time, text) in time order and the start of the rise (``variant``: rise, quiet,
    new; the three are the same stream until the rise starts)."""
    rng = random.Random(f"{lang}:{seed}")
    words = WORDS[lang].split()
    tags = BACKGROUND[lang].split()
    rising, new = RISING[lang], NEW[lang]
    in_use = rng.choice((1.0, 2.0, 3.0))  # posts an hour at the day's mean volume
    mean_volume = sum(volume(h + 0.5) for h in range(24)) / 24
    rise_at = START + timedelta(hours=rng.randrange(10, DAYS * 24 - 7))
    posts: list[tuple[datetime, str]] = []
    for h in range(DAYS * 24):
        t0 = START + timedelta(hours=h)
        lam = volume(t0.hour + 0.5)
        for _ in range(_poisson(rng, lam)):
            text = " ".join(rng.choices(words, k=rng.randint(3, 10)))
            text += "".join(
                " " + tag for tag, p in zip(tags, SHARES, strict=True) if rng.random() < p
            )
            if rng.random() < in_use / mean_volume:
                text += " " + rising
            posts.append((t0 + timedelta(seconds=rng.uniform(0, 3600)), text))
        since = int((t0 - rise_at).total_seconds() // 3600)
        more = (2, 4, 7, 7, 7, 7)[since] if 0 <= since < 6 else 0  # 3, 5, 8 times in all
        extra_rise = _poisson(rng, in_use * lam / mean_volume * more)
        extra_new = _poisson(rng, (8, 20, 50, 50)[since] if 0 <= since < 4 else 0.0)
        if variant == "rise":
            for _ in range(extra_rise):
                text = f"{rising} " + " ".join(rng.choices(words, k=rng.randint(3, 9)))
                posts.append((t0 + timedelta(seconds=rng.uniform(0, 3600)), text))
        if variant == "new":
            for _ in range(extra_new):
                text = f"{new} " + " ".join(rng.choices(words, k=rng.randint(3, 9)))
                posts.append((t0 + timedelta(seconds=rng.uniform(0, 3600)), text))
    posts.sort(key=lambda p: p[0])
    return posts, rise_at


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def replay(posts: list[tuple[datetime, str]]) -> list[Alert]:
    detector = TrendDetector("normal")
    alerts: list[Alert] = []
    for i, (when, text) in enumerate(posts):
        alerts.extend(detector.observe(when, terms_of(text), str(i)))
    return alerts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--switched-on", action="store_true",
                    help="start each replay 0.5-3 hours before the rise, for 12 hours")
    args = ap.parse_args()
    print("lang\trises_within_1h\tmedian_delay_min\tnew_within_1h\tfalse_tag_alerts_per_day"
          "\talerts_per_day")  # fmt: skip
    t0 = time.process_time()
    for lang in ("nl", "fr", "en"):
        delays: list[float | None] = []
        new_within = false_tags = alerts_total = 0
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            lead = random.Random(f"lead:{lang}:{seed}").uniform(0.5, 3.0)
            for variant in ("rise", "quiet", "new"):
                posts, rise_at = stream(lang, seed, variant)
                if args.switched_on:
                    on = rise_at - timedelta(hours=lead)
                    posts = [p for p in posts if on <= p[0] < on + timedelta(hours=12)]
                alerts = replay(posts)
                alerts_total += len(alerts)
                target = {"rise": RISING[lang], "new": NEW[lang]}.get(variant)
                hit = next((a for a in alerts if a.term == target and a.time >= rise_at), None)
                false_tags += sum(
                    a.kind == "hashtag" and (a.term != target or a.time < rise_at) for a in alerts
                )
                if variant == "rise":
                    delays.append((hit.time - rise_at).total_seconds() / 60 if hit else None)
                elif variant == "new":
                    new_within += hit is not None and hit.time - rise_at <= timedelta(hours=1)
        got = [d for d in delays if d is not None]
        within = sum(1 for d in got if d <= 60)
        stream_days = args.seeds * 3 * (0.5 if args.switched_on else DAYS)
        median = f"{statistics.median(got):.0f}" if got else "-"
        print(f"{lang}\t{within}/{len(delays)}\t{median}\t{new_within}/{args.seeds}"
              f"\t{false_tags / stream_days:.2f}\t{alerts_total / stream_days:.1f}")  # fmt: skip
    print(f"cpu: {time.process_time() - t0:.1f} s")


if __name__ == "__main__":
    main()
