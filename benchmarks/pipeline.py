"""The whole path on one core into SQLite, next to the ingest floor measured in the same run.

    python benchmarks/pipeline.py [--posts 20000] [--rules 10000] [--rounds 2]
                                  [--history 160000 --history-days 4 --span-hours 6]

Posts: the texts of ``benchmarks/rules.py`` (real English tweets from ../shared/data/events when
present, generated Dutch, French and German posts otherwise), wrapped half as Jetstream-like
Bluesky events and half as Mastodon-like statuses with HTML (the shapes of
``benchmarks/ingest.py``), timed over the last hour so the trend detector counts them. Rules:
10,000 listening rules drawn as in ``benchmarks/rules.py``, stored as ``ListeningRule`` rows.

"Samen" is the real path, one batch of 1,000 at a time: orjson -> the sources' mapping ->
NormalizedPost -> ``sources.ingest.store_batch`` (enrichment: language, sentiment, intent and
urgency filled by understanding's enricher) -> commit -> ``posts_stored`` ->
``understanding.actions.do_understand_posts`` (10,000 rules matched, matches stored, trend
detector fed and saved) -> ``posts_understood`` -> the posts' text added to an SQLite FTS5
full-text index. "Floor" is the one ``benchmarks/ingest.py`` uses (``shared_ingest.py``):
the same lines parsed with orjson and the same columns inserted with executemany. Also
printed: the rule-matching rate alone (the compiled rules against prepared post views, CPU
time).

``--history N`` first stores N other posts through the same path, spread over
``--history-days`` before the timed posts, with their rule matches dated when their posts came
in: the database of an organisation that has run Samen for a while. Each round then removes
only what it stored and starts from the trend detector the history left. Without it every
round starts from an empty database, which flatters every index that grows with the data, and
the timed hour is the trend detector's warm-up, in which it only counts. For a steady stream
give the history and the timed posts the same rate: ``--posts 10000 --span-hours 6 --history
160000 --history-days 4`` is 1,667 posts an hour throughout.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import shared_ingest  # noqa: E402 - found next to this script


def _load(name: str) -> ModuleType:
    path = Path(__file__).resolve().parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    if spec is None or spec.loader is None or not path.exists():
        raise SystemExit(f"benchmarks/{name}.py is needed (it comes with its branch)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_stream(
    posts: list[tuple[str, str]],
    seed: int = 7,
    *,
    first: int = 0,
    end: datetime | None = None,
    span: float = 3600.0,
) -> list[bytes]:
    """Jetstream-like and Mastodon-like JSON lines carrying the given texts, timed evenly over
    the ``span`` seconds before ``end`` (default: the hour before now, so they are live for
    the trend detector). ``first``: the number of the first post, which the lines' ids are
    made from; streams stored in one database need ranges that do not overlap."""
    import orjson

    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    step = span / max(len(posts), 1)
    lines = []
    for i, (text, lang) in enumerate(posts, start=first):
        when = (end - timedelta(seconds=(len(posts) - (i - first)) * step)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ")
        if i % 2 == 0:
            event = shared_ingest.jetstream_event(rng, i)
            record = event["commit"]["record"]
            record.update(text=text, langs=[lang], createdAt=when, facets=[])
        else:
            event = shared_ingest.mastodon_status(rng, i)
            event.update(content=f"<p>{html.escape(text)}</p>", language=lang, created_at=when,
                         tags=[])
        lines.append(orjson.dumps(event))
    return lines


def store_rules(rule_texts: list[str]) -> None:
    """The listening rules, stored as a comms lead's rules are (named ``rule N``)."""
    from django.utils import timezone

    from samen.understanding.models import ListeningRule

    now = timezone.now()
    ListeningRule.objects.bulk_create(
        [ListeningRule(name=f"rule {i}", query=q, created_at=now, updated_at=now)
         for i, q in enumerate(rule_texts)], batch_size=500)


def full_text_index() -> None:
    """An FTS5 index over post text, fed after each understood batch (Samen's schema has no
    full-text index yet; this measures what keeping one costs)."""
    from django.db import connection

    from samen.understanding.signals import posts_understood

    with connection.cursor() as cursor:
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS post_fts USING fts5("
                       "text, content='sources_post', content_rowid='id', "
                       "tokenize='unicode61 remove_diacritics 2')")

    def index(sender: object, post_ids: list[int], **kwargs: object) -> None:
        marks = ", ".join("?" * len(post_ids))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO post_fts(rowid, text) SELECT id, text FROM "
                           f"sources_post WHERE id IN ({marks})", post_ids)

    posts_understood.connect(index, weak=False, dispatch_uid="bench.fts")


@dataclass
class History:
    """What was stored before the timed rounds; each round removes only what came after."""

    last_post: int = 0
    last_alert: int = 0
    trend_state: list[tuple[Any, ...]] = field(default_factory=list)


def store_history(posts: list[tuple[str, str]], days: float, seed: int,
                  end: datetime) -> History:
    """Store other posts (drawn like the timed ones, rules made from both) through the real
    path, created evenly over the ``days`` before the timed stream's hour, their matches dated
    when their posts came in: the database of an organisation that has been running for a
    while (the B-trees deep, the trend detector with its history). The history ends at
    ``end``, where the timed stream begins. Untimed."""
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import ExtractHour, TruncDate

    from samen.sources.models import Post
    from samen.understanding import actions
    from samen.understanding.models import RuleMatch, TrendAlert, TrendState

    n = len(posts)
    for start in range(0, n, 20_000):  # in parts: the lines of 100,000 posts are large
        part = posts[start:start + 20_000]
        done = start + len(part)
        shared_ingest.store_stream(make_stream(
            part, seed=seed + 100 + start, first=10_000_000 + start,
            end=end - timedelta(seconds=days * 86400 * (n - done) / n),
            span=days * 86400 * len(part) / n))
        print(f"history: {done:,} of {n:,} posts stored", file=sys.stderr, flush=True)
    # The worker keeps its detector in memory and writes it at most every 30 seconds: write
    # what it holds now, so that every round starts from the detector the history left.
    memory = actions._trend_memory
    if memory is not None:
        TrendState.objects.filter(key="main").update(
            data=memory.detector.to_dict(), last_post_id=memory.last_post_id)
    came_in = Subquery(Post.objects.filter(pk=OuterRef("post_id")).values("created_at")[:1])
    RuleMatch.objects.update(matched_at=came_in, day=TruncDate(came_in, tzinfo=UTC),
                             hour=ExtractHour(came_in, tzinfo=UTC))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return History(
        last_post=Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        last_alert=TrendAlert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        trend_state=list(TrendState.objects.values_list("key", "data", "last_post_id",
                                                        "updated_at")),
    )


def reset(history: History) -> None:
    """Remove what a round stored, keeping the history (and the trend state it left).

    The worker that stored the history would still hold its detector in memory: so does
    this process, rebuilt here, untimed. Otherwise each round's first batch would read and
    parse the stored state (~140 ms after 100,000 posts at 10,000 an hour), which a running
    worker does only after a restart."""
    from django.db import connection

    from samen.understanding import actions
    from samen.understanding.actions import forget_trend_memory
    from samen.understanding.models import TrendState
    from samen.understanding.trends import TrendDetector

    after = history.last_post
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM understanding_rulematch WHERE post_id > %s", [after])
        cursor.execute("DELETE FROM understanding_trendalert WHERE id > %s",
                       [history.last_alert])
        cursor.execute("INSERT INTO post_fts(post_fts, rowid, text) SELECT 'delete', id, text "
                       "FROM sources_post WHERE id > %s", [after])
        cursor.execute("DELETE FROM sources_post WHERE id > %s", [after])
    TrendState.objects.all().delete()
    TrendState.objects.bulk_create([
        TrendState(key=key, data=data, last_post_id=last, updated_at=at)
        for key, data, last, at in history.trend_state])
    forget_trend_memory()
    for key, data, last, at in history.trend_state:
        if key == "main" and data:
            actions._trend_memory = actions._TrendMemory(
                saved_at=at, last_post_id=last, detector=TrendDetector.from_dict(data))


def rule_views(posts: list[tuple[str, str]]) -> list[Any]:
    """The rule views of (text, language) posts as the benchmarks match them: Mastodon posts,
    neutral, no particular intent."""
    from samen.understanding.rules import view_from_text

    return [view_from_text(t, lang=lang, source="mastodon", sentiment="neutral",
                           intent="other") for t, lang in posts]


def detector_inputs(posts: list[tuple[str, str]],
                    rule_texts: list[str]) -> list[tuple[list[str], list[str]]]:
    """What the trend detector gets for each (text, language) post on the whole path: its
    terms and the keys of the rules it matches (``rule:<index>``), the rules compiled here."""
    from samen.understanding.rules import RuleSet
    from samen.understanding.trends import terms_of

    ruleset: RuleSet[int] = RuleSet(list(enumerate(rule_texts)), skip_invalid=True)
    return [(terms_of(text), [f"rule:{r}" for r in ruleset.match(view)])
            for (text, _), view in zip(posts, rule_views(posts), strict=True)]


def matching_alone(
    rule_texts: list[str], posts: list[tuple[str, str]]
) -> tuple[float, float, bool]:
    """Posts/s of the compiled rules against prepared views (CPU time, warm cache; views built
    afresh, untimed, for each pass, as a stream's are new)."""
    from samen.understanding.rules import RuleSet

    ruleset: RuleSet[int] = RuleSet(list(enumerate(rule_texts)), skip_invalid=True)
    views = rule_views(posts)
    for v in views[:5000]:
        ruleset.match_indexes(v)
    best, total = 0.0, 0
    for _ in range(3):
        views = rule_views(posts)
        t0 = time.process_time()
        total = sum(len(ruleset.match_indexes(v)) for v in views)
        best = max(best, len(views) / (time.process_time() - t0))
    return best, total / len(views), ruleset.compiled


def child(args: argparse.Namespace) -> None:
    shared_ingest.setup_django()
    from django.db import connection

    from samen.understanding import selectors
    from samen.understanding.models import RuleMatch, TrendAlert

    rules_bench = _load("rules")
    rng = random.Random(args.seed)
    drawn = rules_bench.load_posts(args.history + args.posts, rng)
    earlier, posts = drawn[:args.history], drawn[args.history:]
    rule_texts = rules_bench.make_rules(args.rules, drawn, rng)
    store_rules(rule_texts)
    full_text_index()
    timed_end = datetime.now(UTC)
    span = args.span_hours * 3600
    lines = make_stream(posts, seed=args.seed, end=timed_end, span=span)
    connection.ensure_connection()
    # A worker compiles the rules once and keeps them (rebuilt only when a rule changes).
    t0 = time.process_time()
    selectors.compiled_rules()
    compile_s = time.process_time() - t0
    history = (store_history(earlier, args.history_days, args.seed,
                             end=timed_end - timedelta(seconds=span)) if earlier else History())
    # Best of rounds, in wall time and in CPU time of this one process: on a shared machine
    # other work only slows a round down, and CPU time leaves it out altogether.
    floor = samen = floor_cpu = samen_cpu = float("inf")
    matches = alerts = 0
    for _ in range(args.rounds):
        wall, cpu = shared_ingest.floor_path(lines, connection.vendor)
        floor, floor_cpu = min(floor, wall), min(floor_cpu, cpu)
        reset(history)
        wall, cpu = shared_ingest.store_stream(lines)
        samen, samen_cpu = min(samen, wall), min(samen_cpu, cpu)
        matches = RuleMatch.objects.filter(post_id__gt=history.last_post).count()
        alerts = TrendAlert.objects.filter(pk__gt=history.last_alert).count()
    alone, per_post, compiled = matching_alone(rule_texts, posts)
    print(json.dumps({"posts": len(lines), "rules": len(rule_texts), "samen": len(lines) / samen,
                      "floor": len(lines) / floor, "samen_cpu": len(lines) / samen_cpu,
                      "floor_cpu": len(lines) / floor_cpu, "matching_alone": alone,
                      "matches_per_post": per_post, "compiled": compiled, "stored_matches": matches,
                      "compile_s": compile_s, "history": args.history,
                      "history_days": args.history_days, "alerts": alerts}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--history", type=int, default=0,
                        help="posts stored before the timed rounds (a database in use)")
    parser.add_argument("--history-days", type=float, default=7.0,
                        help="the days those posts are spread over")
    parser.add_argument("--span-hours", type=float, default=1.0,
                        help="the hours the timed posts are spread over (at most 6, the trend "
                             "detector's horizon); with --history, choose both so that the "
                             "rates match, or the timed stream is a spike")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SAMEN_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "SAMEN_DATA_DIR": tmp, "PYTHONPATH": str(REPO)}
        out = subprocess.run([sys.executable, __file__, "--child", "--posts", str(args.posts),
                              "--rules", str(args.rules), "--rounds", str(args.rounds),
                              "--seed", str(args.seed), "--history", str(args.history),
                              "--history-days", str(args.history_days),
                              "--span-hours", str(args.span_hours)],
                             env=env, stdout=subprocess.PIPE, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.returncode)  # its error went to stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"whole path, {r['posts']:,} posts (half Jetstream-like, half Mastodon-like; "
          f"nl/fr/de generated, en real when ../shared is there), {r['rules']:,} rules, "
          "SQLite, one core, best of rounds")
    if r["history"]:
        print(f"  timed after {r['history']:,} other posts stored over {r['history_days']:g} days "
              "(the floor's table starts empty)")
    print(f"{'':<62}{'CPU time':>12}{'wall clock':>12}")
    print(f"  {'Samen (normalize, enrich, store, match, trends, full-text)':<60}"
          f"{r['samen_cpu']:>12,.0f}{r['samen']:>12,.0f} posts/s")
    print(f"  {'floor (orjson + executemany of the same rows)':<60}"
          f"{r['floor_cpu']:>12,.0f}{r['floor']:>12,.0f} posts/s")
    print(f"  ratio Samen/floor (CPU time): {r['samen_cpu'] / r['floor_cpu']:.3f}")
    print(f"  rule matching alone, {r['rules']:,} rules:                       "
          f"{r['matching_alone']:>10,.0f} posts/s   ({r['matches_per_post']:.2f} matches/post; "
          f"{'compiled' if r['compiled'] else 'Python'} loop, ADR 0107)")
    print(f"  stored matches {r['stored_matches']:,}; trend alerts {r['alerts']}; "
          f"rules compiled once per process in {r['compile_s']:.1f} s (not in the rate)")
    print("goals: whole path >= 10,000 posts/s; rule matching >= 100,000 posts/s")


if __name__ == "__main__":
    main()
