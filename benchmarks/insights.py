"""Dashboard p95 and weekly-PDF build time on a large data set, on SQLite and PostgreSQL.

    PYTHONPATH=. python benchmarks/insights.py --posts 1000000            # both databases
    PYTHONPATH=. python benchmarks/insights.py --posts 200000 --db sqlite
    PYTHONPATH=. python benchmarks/insights.py --db postgres \\
        --postgres postgres://postgres@127.0.0.1:5432

Each database is fresh (a temporary SQLite file, or a new PostgreSQL database that is dropped
afterwards) and runs in its own process. Posts are spread over ``--days`` days (default 365)
with channels, languages, sentiments and hashtags, then the rollups are rebuilt, then the
dashboard page is requested ``--runs`` times through Django's test client as a logged-in
manager (full view + templates + charts), over several filters, and the weekly PDF is built.
Prints numbers; asserts nothing.

With ``--inbox-data`` it measures on the inbox benchmark's data set instead (``--posts`` posts in
posts/10 conversations with posts/50 contacts, seeded by ``benchmarks/inbox.py``'s own code):
the database that ``inbox.py --keep`` keeps is reused (migrated first) and seeded and kept when
it is missing, and is never dropped; only the insights rollups, the inbox's day summary (built
once before the timed requests, and timed apart) and a manager to log in are added to it. That
data lies in one year, from 1 January 2025 on (a conversation every five minutes, its ten posts
a minute apart: 347 days at 1,000,000 posts), so the periods end on its last day (``end=``)
rather than today; it has no sentiments, hashtags or teams, one channel value
and three languages, so those filters narrow less than on the own data.

    PYTHONPATH=. python benchmarks/insights.py --inbox-data --posts 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seed(n_posts: int, days: int) -> float:
    from django.db import connection, transaction

    from samen.sources.models import Account, Post

    rng = random.Random(1)
    accounts = [Account.objects.create(provider=p, name=f"bench {p}")
                for p in ("mastodon", "bluesky", "feed")]
    langs = ["nl", "nl", "nl", "fr", "fr", "en", "de"]
    sentiments = ["positive", "neutral", "neutral", "negative", ""]
    tags = [f"tag{i}" for i in range(60)]
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()
    t0 = time.perf_counter()
    batch = []
    for i in range(n_posts):
        a = accounts[0 if i % 10 < 6 else (1 if i % 10 < 9 else 2)]
        batch.append(Post(
            account=a, source=a.provider, external_id=f"b{i}",
            direction="out" if i % 25 == 0 else "in",
            author_handle=f"@p{i % 5000}@bench.example", text="benchmark post",
            created_at=start + timedelta(seconds=rng.random() * span),
            language=rng.choice(langs), sentiment=rng.choice(sentiments),
            hashtags=rng.sample(tags, k=rng.choice([0, 0, 1, 2])),
        ))
        if len(batch) == 5000:
            with transaction.atomic():
                Post.objects.bulk_create(batch)
            batch = []
    if batch:
        Post.objects.bulk_create(batch)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return time.perf_counter() - t0


def p95_of(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def inbox_data_period() -> tuple[date, date, bool]:
    """First and last local day of the inbox data set's posts, and whether teams exist."""
    from django.apps import apps
    from django.db.models import Max, Min
    from django.utils import timezone

    from samen.sources.models import Post

    span = Post.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    has_teams = apps.is_installed("samen.inbox") and \
        apps.get_model("inbox", "Team").objects.exists()
    return (timezone.localdate(span["first"]), timezone.localdate(span["last"]), has_teams)


def run_one(args: argparse.Namespace) -> None:
    import django

    if args.inbox_data:
        from benchmarks import inbox as inbox_bench

        inbox_bench.use_database("sqlite" if args.db == "sqlite" else "postgresql", args.posts,
                                 keep=True, reuse=True, server=args.postgres.rstrip("/"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from samen.core.models import Person
    from samen.core.roles import Role
    from samen.insights import actions, report
    from samen.sources.models import Post
    from tests.factories import OrganisationFactory, make_person

    vendor = connection.vendor
    end: date | None = None
    has_teams = False
    if args.inbox_data:
        t0 = time.perf_counter()
        inbox_bench.load_or_seed(args.posts, reuse=True)
        first, end, has_teams = inbox_data_period()
        print(f"[{vendor}] inbox data set ready in {time.perf_counter() - t0:.1f} s: "
              f"{Post.objects.count():,} posts from {first} to {end} "
              f"({(end - first).days + 1} days), teams: {'yes' if has_teams else 'none'}; "
              f"periods end on {end}, not today")
    else:
        call_command("migrate", verbosity=0)
        OrganisationFactory()
        seconds = seed(args.posts, args.days)
        print(f"[{vendor}] seeded {Post.objects.count():,} posts in {seconds:.1f} s")
    print(f"[{vendor}] load average before: {load()}")
    t0 = time.perf_counter()
    c0 = time.process_time()
    days = actions.do_rebuild_post_rollups()
    print(f"[{vendor}] rebuilt rollups of {days} days in {time.perf_counter() - t0:.1f} s "
          f"({(time.perf_counter() - t0) / max(days, 1) * 1000:.0f} ms per day; "
          f"this process's CPU {time.process_time() - c0:.1f} s)")
    if args.inbox_data:  # a one-off (the first refresh after the upgrade would do it)
        from samen.inbox import actions as inbox_actions

        t0, c0 = time.perf_counter(), time.process_time()
        days = inbox_actions.do_rebuild_conversation_days()
        print(f"[{vendor}] rebuilt the inbox's day summary ({days} days) in "
              f"{time.perf_counter() - t0:.1f} s (this process's CPU "
              f"{time.process_time() - c0:.1f} s)")
    with connection.cursor() as c:  # as autovacuum / SQLite's optimize would soon do
        c.execute("ANALYZE")

    manager = Person.objects.filter(username="bench-manager").first() or \
        make_person(Role.MANAGER, username="bench-manager", password=None)
    client = Client()
    client.force_login(manager)
    url = reverse("insights:dashboard")
    queries: list[dict[str, str]] = [
        {"days": "28"}, {"days": "7"}, {"days": "91"}, {"days": "365"},
        {"days": "28", "channel": "mastodon"}, {"days": "28", "language": "fr"}]
    if has_teams:
        from samen.insights import registry

        queries.append({"days": "28", "team": registry.teams()[0][0]})
    if end is not None:
        queries = [{**q, "end": end.isoformat()} for q in queries]
    client.get(url, queries[0])  # warm up
    timings: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    cpu: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    for i in range(args.runs):
        k = i % len(queries)
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url, queries[k])
        timings[k].append((time.perf_counter() - t) * 1000)
        cpu[k].append((time.process_time() - c) * 1000)
        assert response.status_code == 200
    every = [ms for k in timings for ms in timings[k]]
    every_cpu = [ms for k in cpu for ms in cpu[k]]
    print(f"[{vendor}] dashboard over {args.runs} requests ({len(queries)} filter sets): "
          f"wall p50 {statistics.median(every):.0f} ms, p95 {p95_of(every):.0f} ms, "
          f"max {max(every):.0f} ms; this process's CPU p50 {statistics.median(every_cpu):.0f} "
          f"ms, p95 {p95_of(every_cpu):.0f} ms (load average now {load()} "
          f"on {os.cpu_count()} CPUs)")
    print(f"[{vendor}]   {'filters':<40}{'n':>4}{'wall p50':>10}{'p95':>7}{'CPU p50':>9}"
          f"{'p95':>7}")
    for k, q in enumerate(queries):
        if not timings[k]:
            continue
        label = "&".join(f"{key}={value}" for key, value in q.items())
        print(f"[{vendor}]   {label:<40}{len(timings[k]):>4}"
              f"{statistics.median(timings[k]):>10.0f}{p95_of(timings[k]):>7.0f}"
              f"{statistics.median(cpu[k]):>9.0f}{p95_of(cpu[k]):>7.0f}")

    week = actions.last_full_week(end + timedelta(days=1) if end else None)
    pdf_times, pdf_cpu = [], []
    for language in ("nl", "fr", "en"):
        t, c = time.perf_counter(), time.process_time()
        data = report.weekly_pdf(week_start=week, language=language)
        pdf_times.append((time.perf_counter() - t) * 1000)
        pdf_cpu.append((time.process_time() - c) * 1000)
    print(f"[{vendor}] weekly PDF of the week of {week} ({len(data) // 1024} kB): "
          f"{', '.join(f'{ms:.0f} ms' for ms in pdf_times)} (nl, fr, en); CPU "
          f"{', '.join(f'{ms:.0f} ms' for ms in pdf_cpu)}")
    print(f"[{vendor}] load average after: {load()}")

    if args.inbox_data:  # one more post would make the kept data set no longer the seeded one
        return

    t = time.perf_counter()
    new = Post.objects.create(source="mastodon", external_id="bench-new", author_handle="x",
                              created_at=datetime.now(UTC), language="nl")
    actions.on_posts_stored(post_ids=[new.pk])
    print(f"[{vendor}] refreshing today's rollup after one stored post: "
          f"{(time.perf_counter() - t) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--inbox-data", action="store_true",
                        help="measure on the inbox benchmark's kept data set (seeded by "
                             "benchmarks/inbox.py when missing, never dropped)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args)
        return
    env_base = {**os.environ, "SAMEN_TESTING": "1", "PYTHONPATH": str(ROOT)}
    if args.inbox_data:
        for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
            subprocess.run([sys.executable, "-u", __file__, "--one", "--inbox-data", "--db", db,
                            "--posts", str(args.posts), "--runs", str(args.runs),
                            "--postgres", args.postgres], env=env_base, check=True)
        return
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        cmd = [sys.executable, "-u", __file__, "--one", "--posts", str(args.posts), "--days",
               str(args.days), "--runs", str(args.runs)]
        if db == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                env = {**env_base, "SAMEN_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
                subprocess.run(cmd, env=env, check=True)
        else:
            import psycopg

            name = f"samen_bench_insights_{os.getpid()}"
            admin = f"{args.postgres.rstrip('/')}/postgres"
            with psycopg.connect(admin.replace("postgres://", "postgresql://"),
                                 autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                env = {**env_base, "SAMEN_DATABASE_URL": f"{args.postgres.rstrip('/')}/{name}"}
                subprocess.run(cmd, env=env, check=True)
            finally:
                with psycopg.connect(admin.replace("postgres://", "postgresql://"),
                                     autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
