"""What storing listening-rule matches costs in SQLite, as stored now and in the other shapes
that "keep matches per post, roll counts up per rule" could take (ADR 0147).

    python benchmarks/match_storage.py [--posts 20000] [--history 100000] [--rules 10000]
                                       [--busy-day]

The matches are real: the posts and 10,000 rules of ``benchmarks/rules.py`` (real tweets from
../shared/data/events when present, generated posts otherwise), matched by the compiled rules.
Each shape gets a fresh database with Samen's pragmas, ``--history`` posts' matches already
stored (so the B-trees are as deep as after some weeks), then the measured posts are stored in
batches of 1,000, one transaction each, as ``understanding.actions`` does. Printed: CPU time
per post (this process; SQLite runs in it) and wall time, and the database's size. By default
the history's matches fall on earlier days and the measured ones at one moment; with
``--busy-day`` all of them fall on one day at 10,000 posts an hour, history first (ADR 0149).

Shapes:
- ``rule first (before ADR 0147)``: ``understanding_rulematch`` as migration 0002 left it: a
  row per (post, rule) with foreign keys, the unique (post, rule) constraint and the
  (rule, matched_at) index.
- ``no rule index``: the same without (rule, matched_at): what that index costs.
- ``day first (ADR 0147)``: as migration 0003 made it: a ``day`` column leads the
  index, (day, rule, matched_at), so that a batch writes into today's part of it only.
- ``day and hour first (ADR 0149)``: as migration 0004 makes it, (day, hour, rule,
  matched_at): a batch writes into the current hour's part only.
- ``the same, no foreign keys, row id (now, ADR 0150)``: as migration 0005 makes it: no
  foreign-key checks of post and rule for every match, no ``sqlite_sequence`` write.
- ``the same keyed by (post, rule), without row id``: the pair as the table's key in an SQLite
  ``WITHOUT ROWID`` table, so a match goes into two B-trees instead of three (not adopted; see
  docs/understanding.md, session 13).
- ``per post``: one row per post that matched, the rule ids as text; no way to find a rule's
  posts but reading every row.
- ``per post + counts per rule and day``: also a count per (rule, day): the rules list's
  "today" and "this week".
- ``per post + counts per rule, day, source, language``: the counts the insights dashboard
  needs, whose filters are channels and languages.
- ``per post + the same counts, day first``: those counts keyed by day first.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pipeline

PRAGMAS = ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
           "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000; "
           "PRAGMA journal_size_limit=67108864;")  # as samen/settings.py sets them
PARENTS = """
CREATE TABLE sources_post (id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    source varchar(20) NOT NULL, language varchar(8) NOT NULL);
CREATE TABLE understanding_listeningrule (id integer NOT NULL PRIMARY KEY AUTOINCREMENT);
"""
NOW = """
CREATE TABLE "understanding_rulematch" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "matched_at" datetime NOT NULL,
    "post_id" bigint NOT NULL REFERENCES "sources_post" ("id") DEFERRABLE INITIALLY DEFERRED,
    "rule_id" bigint NOT NULL REFERENCES "understanding_listeningrule" ("id")
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "one_match_per_post_and_rule" UNIQUE ("post_id", "rule_id"));
"""
DAY_COLUMN = NOW.replace('"matched_at" datetime NOT NULL,',
                         '"matched_at" datetime NOT NULL, "day" date NOT NULL,')
DAY_RULE_INDEX = ('CREATE INDEX "rulematch_day_rule_time" ON "understanding_rulematch" '
                  '("day", "rule_id", "matched_at");')
HOUR_COLUMN = DAY_COLUMN.replace('"day" date NOT NULL,',
                                 '"day" date NOT NULL, "hour" smallint unsigned NOT NULL,')
HOUR_RULE_INDEX = ('CREATE INDEX "rulematch_day_hour_rule" ON "understanding_rulematch" '
                   '("day", "hour", "rule_id", "matched_at");')
# As migration 0005 makes it (ADR 0150): the id is SQLite's row id without AUTOINCREMENT, and
# the table has no foreign-key constraints.
HOUR_LIGHT = (HOUR_COLUMN.replace(" AUTOINCREMENT", "")
              .replace(' REFERENCES "sources_post" ("id") DEFERRABLE INITIALLY DEFERRED', "")
              .replace(' REFERENCES "understanding_listeningrule" ("id")\n        DEFERRABLE '
                       "INITIALLY DEFERRED", ""))
assert "REFERENCES" not in HOUR_LIGHT and "AUTOINCREMENT" not in HOUR_LIGHT
# The same rows keyed by (post, rule) without a row id: the unique pair is the table itself,
# so a match is written into two B-trees instead of three.
HOUR_NO_ROWID = """
CREATE TABLE "understanding_rulematch" ("post_id" bigint NOT NULL, "rule_id" bigint NOT NULL,
    "matched_at" datetime NOT NULL, "day" date NOT NULL, "hour" smallint unsigned NOT NULL,
    PRIMARY KEY ("post_id", "rule_id")) WITHOUT ROWID;
"""
RULE_INDEX = ('CREATE INDEX "rulematch_rule_time" ON "understanding_rulematch" '
              '("rule_id", "matched_at");')
PER_POST = """
CREATE TABLE post_rules (post_id integer NOT NULL PRIMARY KEY
    REFERENCES sources_post (id) DEFERRABLE INITIALLY DEFERRED,
    rule_ids text NOT NULL, matched_at datetime NOT NULL);
"""
COUNTS_DAY = """
CREATE TABLE rule_day (rule_id bigint NOT NULL, day date NOT NULL, n integer NOT NULL,
    PRIMARY KEY (rule_id, day)) WITHOUT ROWID;
"""
COUNTS_FILTERS = """
CREATE TABLE rule_day_filters (rule_id bigint NOT NULL, day date NOT NULL,
    source varchar(20) NOT NULL, language varchar(8) NOT NULL, n integer NOT NULL,
    PRIMARY KEY (rule_id, day, source, language)) WITHOUT ROWID;
"""
COUNTS_FILTERS_DAY_FIRST = COUNTS_FILTERS.replace("(rule_id, day, source, language)) WITHOUT",
                                                  "(day, rule_id, source, language)) WITHOUT")

Batch = list[tuple[int, list[int]]]  # (post id, rule ids)
Meta = dict[int, tuple[str, str]]  # post id -> (source, language)


def insert_rows(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    """As ``understanding.actions._insert_matches``: sorted pairs, ON CONFLICT DO NOTHING."""
    con.executemany(
        'INSERT INTO "understanding_rulematch" (post_id, rule_id, matched_at) VALUES (?, ?, ?) '
        "ON CONFLICT DO NOTHING",
        sorted((p, r, at) for p, rules in batch for r in rules))


def insert_rows_day(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    day = at[:10]
    con.executemany(
        'INSERT INTO "understanding_rulematch" (post_id, rule_id, matched_at, day) '
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        sorted((p, r, at, day) for p, rules in batch for r in rules))


def insert_rows_hour(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    day, hour = at[:10], int(at[11:13])
    con.executemany(
        'INSERT INTO "understanding_rulematch" (post_id, rule_id, matched_at, day, hour) '
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        sorted((p, r, at, day, hour) for p, rules in batch for r in rules))


def insert_per_post(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    con.executemany(
        "INSERT INTO post_rules (post_id, rule_ids, matched_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        [(p, ",".join(map(str, rules)), at) for p, rules in batch if rules])


def insert_day(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    insert_per_post(con, batch, at, meta)
    counts = collections.Counter(r for _p, rules in batch for r in rules)
    con.executemany(
        "INSERT INTO rule_day (rule_id, day, n) VALUES (?, ?, ?) "
        "ON CONFLICT (rule_id, day) DO UPDATE SET n = n + excluded.n",
        [(r, at[:10], n) for r, n in sorted(counts.items())])


def insert_filters(con: sqlite3.Connection, batch: Batch, at: str, meta: Meta) -> None:
    insert_per_post(con, batch, at, meta)
    counts = collections.Counter((r, *meta[p]) for p, rules in batch for r in rules)
    con.executemany(
        "INSERT INTO rule_day_filters (rule_id, day, source, language, n) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id, day, source, language) "
        "DO UPDATE SET n = n + excluded.n",
        [(r, at[:10], s, lang, n) for (r, s, lang), n in sorted(counts.items())])


SHAPES: list[tuple[str, str, Callable[[sqlite3.Connection, Batch, str, Meta], None]]] = [
    ("rule first (before ADR 0147)", NOW + RULE_INDEX, insert_rows),
    ("no rule index", NOW, insert_rows),
    ("day first (ADR 0147)", DAY_COLUMN + DAY_RULE_INDEX, insert_rows_day),
    ("day and hour first (ADR 0149)", HOUR_COLUMN + HOUR_RULE_INDEX, insert_rows_hour),
    ("the same, no foreign keys, row id (now, ADR 0150)", HOUR_LIGHT + HOUR_RULE_INDEX,
     insert_rows_hour),
    ("the same keyed by (post, rule), without row id", HOUR_NO_ROWID + HOUR_RULE_INDEX,
     insert_rows_hour),
    ("per post", PER_POST, insert_per_post),
    ("per post + counts per rule and day", PER_POST + COUNTS_DAY, insert_day),
    ("per post + counts per rule, day, source, language",
     PER_POST + COUNTS_FILTERS, insert_filters),
    ("per post + the same counts, day first", PER_POST + COUNTS_FILTERS_DAY_FIRST, insert_filters),
]


def real_matches(n: int, rules: int, seed: int) -> tuple[list[list[int]], list[str]]:
    """Rule ids (1-based, as stored) each of ``n`` posts matched, and the posts' languages."""
    from samen.understanding.rules import RuleSet

    rules_bench = pipeline._load("rules")
    rng = random.Random(seed)
    posts = rules_bench.load_posts(n, rng)
    texts = rules_bench.make_rules(rules, posts, rng)
    ruleset: RuleSet[int] = RuleSet([(i + 1, q) for i, q in enumerate(texts)], skip_invalid=True)
    found = [sorted(ruleset.match(view)) for view in pipeline.rule_views(posts)]
    return found, [lang for _t, lang in posts]


def measure(name: str, schema: str,
            insert: Callable[[sqlite3.Connection, Batch, str, Meta], None],
            history: Batch, measured: Batch, meta: Meta, rules: int, folder: str,
            busy_day: bool = False) -> tuple[float, float, int]:
    path = os.path.join(folder, name.replace(" ", "_").replace(",", "") + ".sqlite3")
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(PRAGMAS + PARENTS + schema)
    con.execute("BEGIN")
    con.executemany("INSERT INTO sources_post (id, source, language) VALUES (?, ?, ?)",
                    [(p, *meta[p]) for p, _r in history + measured])
    con.executemany("INSERT INTO understanding_listeningrule (id) VALUES (?)",
                    [(r,) for r in range(1, rules + 1)])
    con.execute("COMMIT")
    for start in range(0, len(history), 1000):  # some weeks of matches, a day per batch
        con.execute("BEGIN")
        at = (_busy_time(start) if busy_day
              else f"2026-11-{1 + start // 5000 % 28:02d} 10:00:00.000000")
        insert(con, history[start:start + 1000], at, meta)
        con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for start in range(0, len(measured), 1000):
        con.execute("BEGIN")
        at = (_busy_time(len(history) + start) if busy_day
              else "2026-12-07 10:00:00.000000")
        insert(con, measured[start:start + 1000], at, meta)
        con.execute("COMMIT")
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    n = len(measured)
    return cpu / n * 1e6, wall / n * 1e6, os.path.getsize(path)


def _busy_time(post: int) -> str:
    """When post number ``post`` comes in on the busy day: 10,000 posts an hour from 00:00."""
    seconds = post * 3600 // 10_000
    return f"2026-12-07 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000000"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=20_000, help="posts stored and timed")
    ap.add_argument("--history", type=int, default=100_000, help="posts stored before timing")
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--busy-day", action="store_true",
                    help="history and measured posts on one day at 10,000 posts an hour")
    args = ap.parse_args()
    if args.busy_day and args.history + args.posts > 240_000:
        ap.error("--busy-day holds at most 240,000 posts (one day at 10,000 an hour)")
    found, langs = real_matches(args.posts, args.rules, args.seed)
    rng = random.Random(args.seed)
    total = args.history + args.posts
    # The history repeats the real posts' matches under earlier post ids.
    batch: Batch = [(p + 1, found[p % len(found)]) for p in range(total)]
    meta: Meta = {p: (rng.choice(("mastodon", "bluesky")), langs[(p - 1) % len(langs)])
                  for p, _r in batch}
    history, measured = batch[:args.history], batch[args.history:]
    per_post = sum(len(r) for _p, r in measured) / len(measured)
    print(f"{len(measured):,} posts timed after {len(history):,} stored, {args.rules:,} rules, "
          f"{per_post:.2f} matches a post, batches of 1,000, SQLite {sqlite3.sqlite_version}"
          + (", all on one day at 10,000 posts an hour" if args.busy_day else ""))
    print(f"{'shape':<52}{'CPU µs/post':>12}{'wall µs/post':>13}{'size MiB':>10}")
    with tempfile.TemporaryDirectory() as folder:
        for name, schema, insert in SHAPES:
            cpu, wall, size = measure(name, schema, insert, history, measured, meta,
                                      args.rules, folder, args.busy_day)
            print(f"{name:<52}{cpu:>12.1f}{wall:>13.1f}{size / 2**20:>10.1f}")


if __name__ == "__main__":
    main()
