"""Ingest speed of the sources app: normalizing and storing a realistic stream, next to a floor
measured in the same run.

    python benchmarks/ingest.py [--posts 20000] [--postgres postgres://postgres@127.0.0.1:5432/]

What is measured is the sources app's own job (issue 3: "normalizing and storing"): orjson ->
the sources' mapping -> NormalizedPost -> ``sources.ingest.store_batch`` (batches of 1,000,
idempotent, cursor saved in the same transaction). Understanding's enricher and the receivers
of ``posts_stored`` (understanding, insights, and through them the inbox) are **detached**, so
the enrichment columns stay empty and nothing runs after the commit: that work is measured by
``benchmarks/pipeline.py``, which runs the whole path. The stream is half Jetstream-like
(Bluesky commit events as JSON) and half Mastodon-like (statuses with HTML content), in Dutch,
French, English and German, with hashtags, mentions, links, replies and media
(``shared_ingest.py``). "Floor" is the least any ingest could do: the same lines parsed with
orjson and the same columns inserted with executemany. Each database runs in its own child
process (Django is configured once per process). Prints posts/s and the ratio Samen/floor.
Goal: >= 10,000 posts/s on one core into SQLite, ratio >= 0.3.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import shared_ingest  # noqa: E402 - found next to this script

ROUNDS = 3


def detach_the_rest() -> None:
    """Leave the sources app alone: no enricher, nothing listening to ``posts_stored``."""
    from samen.sources.ingest import register_enricher
    from samen.sources.signals import posts_stored

    register_enricher(None)
    for uid in ("understanding.understand_stored_posts", "insights.rollups"):
        posts_stored.disconnect(dispatch_uid=uid)
    if posts_stored.has_listeners():
        raise SystemExit("an unknown receiver of posts_stored would be measured too")


def child(vendor: str, posts: int) -> None:
    shared_ingest.setup_django()
    from django.db import connection

    detach_the_rest()
    lines = shared_ingest.make_stream(posts)
    connection.ensure_connection()
    # Best of three rounds, alternating: other work on the machine only ever slows a round
    # down, so the fastest round of each path is the fairest comparison.
    floor = samen = (float("inf"), float("inf"))
    for _ in range(ROUNDS):
        floor = min(floor, shared_ingest.floor_path(lines, connection.vendor))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sources_post")
        samen = min(samen, shared_ingest.store_stream(lines))
    print(json.dumps({"vendor": vendor, "posts": posts, "samen": posts / samen[0],
                      "floor": posts / floor[0], "samen_cpu": posts / samen[1],
                      "floor_cpu": posts / floor[1]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/",
                        help="server URL; a database samen_bench is (re)created there; "
                             "empty: SQLite only")
    parser.add_argument("--child", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.posts)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        if args.postgres:
            try:
                import psycopg

                with psycopg.connect(args.postgres.rstrip("/") + "/postgres",
                                     autocommit=True) as conn:
                    conn.execute("DROP DATABASE IF EXISTS samen_bench")
                    conn.execute("CREATE DATABASE samen_bench")
                runs.append(("postgresql", args.postgres.rstrip("/") + "/samen_bench"))
            except Exception as exc:
                print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        for vendor, url in runs:
            env = {**os.environ, "SAMEN_DATABASE_URL": url, "SAMEN_DATA_DIR": tmp,
                   "PYTHONPATH": str(REPO)}
            out = subprocess.run([sys.executable, __file__, "--child", vendor,
                                  "--posts", str(args.posts)], env=env, capture_output=True,
                                 text=True, check=False)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                continue
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"sources ingest of {args.posts} posts (half Jetstream-like, half Mastodon-like; "
          "nl/fr/en/de): mapping + store_batch,")
    print("with understanding's enricher and the posts_stored receivers detached "
          "(the whole path: benchmarks/pipeline.py)")
    print(f"{'database':<12}{'clock':<7}{'Samen posts/s':>15}{'floor posts/s':>15}{'ratio':>8}")
    for r in results:
        print(f"{r['vendor']:<12}{'wall':<7}{r['samen']:>15,.0f}{r['floor']:>15,.0f}"
              f"{r['samen'] / r['floor']:>8.2f}")
        if r["vendor"] == "sqlite":  # all the work is in this process: CPU time = one core
            print(f"{'':<12}{'cpu':<7}{r['samen_cpu']:>15,.0f}{r['floor_cpu']:>15,.0f}"
                  f"{r['samen_cpu'] / r['floor_cpu']:>8.2f}")
    print(f"wall: elapsed time, best of {ROUNDS}; cpu: this process's CPU seconds (SQLite runs "
          "in it),")
    print("which is what one core delivers even when other programs share the machine.")
    print("goal: >= 10,000 posts/s on one core into SQLite, ratio >= 0.3")


if __name__ == "__main__":
    main()
