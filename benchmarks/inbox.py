"""Inbox benchmark: seed N posts in N/10 conversations with N/50 contacts, then print p50/p95
server time for the inbox list, a conversation, a contact page and a search, on SQLite (a temp
file) and on PostgreSQL (a fresh database that is dropped afterwards).

    python benchmarks/inbox.py                    # 1,000,000 posts, both databases
    python benchmarks/inbox.py --posts 100000     # smaller
    python benchmarks/inbox.py --only sqlite      # one database
    python benchmarks/inbox.py --reuse            # seed once, keep it, measure again later

With ``--keep`` the database is kept under a fixed name (a file in the temp directory for
SQLite, ``samen_bench_inbox_<posts>`` on PostgreSQL); ``--reuse`` measures on that kept
database when it holds exactly the seeded data (it migrates it first, so new indexes apply)
and seeds and keeps it otherwise. The seed is fixed, so a reused database is the same data.

"Server time" is the time Django takes to answer the request in-process (views, queries,
templates), measured with the test client for a logged-in member of the conversation team.
"CPU" is this process's CPU time for the request (Python, templates and, on SQLite, the
queries; on PostgreSQL the server's own work is not in it): on a shared machine it moves far
less with the load than wall-clock time does. The load average is printed before and after.
Goal (issue 5): p95 at most 100 ms for each page.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"

WORDS = {
    "nl": [
        "containerpark", "parkeerkaart", "paspoort", "rijbewijs", "afspraak", "loket",
        "fietspad", "put", "vuilniszakken", "straat", "bibliotheek", "zwembad", "subsidie",
        "bouwvergunning", "omleiding", "werken", "school", "buren", "lawaai", "verlichting",
        "bushalte", "markt", "wijk", "feest",
    ],
    "fr": [
        "stationnement", "carte", "passeport", "permis", "rendez-vous", "guichet", "piste",
        "trou", "poubelles", "rue", "bibliothèque", "piscine", "subside", "permis", "travaux",
        "déviation", "école", "voisins", "bruit", "éclairage", "arrêt", "marché", "quartier",
        "fête",
    ],
    "en": [
        "parking", "permit", "passport", "licence", "appointment", "desk", "cycle", "path",
        "pothole", "bins", "street", "library", "pool", "grant", "planning", "roadworks",
        "diversion", "school", "neighbours", "noise", "lights", "bus", "stop", "market",
        "district", "festival",
    ],
}
FRAMES = {
    "nl": ["Is het {a} open op zaterdag?", "Waar vraag ik een {a} aan?",
           "De {a} in onze {b} is al twee weken kapot.", "Bedankt voor de hulp met de {a}!"],
    "fr": ["Le {a} est-il ouvert samedi ?", "Comment obtenir une {a} ?",
           "La {a} de notre {b} est cassée depuis deux semaines.",
           "Merci pour l'aide avec le {a} !"],
    "en": ["Is the {a} open on Saturday?", "How do I apply for a {a}?",
           "The {a} in our {b} has been broken for two weeks.",
           "Thanks for the help with the {a}!"],
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def seed(n_posts: int, rng: random.Random) -> dict[str, object]:
    """Bulk-insert the data set straight into the tables (the actions' per-post work is
    measured by the test suite; here we need volume fast)."""
    from django.db import connection, transaction

    from samen.core.models import Organisation
    from samen.core.roles import Role
    from samen.inbox.models import (
        Contact,
        ContactHandle,
        Conversation,
        ConversationEvent,
        ConversationPost,
        Reply,
        SearchEntry,
    )
    from samen.sources.models import Account, Post
    from tests.factories import make_person

    n_conv = max(1, n_posts // 10)
    n_contacts = max(1, n_posts // 50)
    Organisation.objects.create(name="Bench")
    agents = [make_person(Role.TEAM, username=f"agent{i}") for i in range(10)]
    accounts = [Account.objects.create(provider="mastodon", name="M", handle="@stad@m.example"),
                Account.objects.create(provider="bluesky", name="B", handle="stad.bsky.social")]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    langs = ["nl", "nl", "nl", "fr", "fr", "en"]
    states = ["new", "open", "open", "waiting_customer", "waiting_colleague", "resolved",
              "resolved", "closed", "closed", "closed"]
    batch = 20_000
    t0 = time.perf_counter()

    def text(lang: str) -> str:
        frame = rng.choice(FRAMES[lang])
        return frame.format(a=rng.choice(WORDS[lang]), b=rng.choice(WORDS[lang])) + \
            f" #{rng.randrange(10_000)}"

    with transaction.atomic():
        contacts, handles, entries = [], [], []
        for i in range(1, n_contacts + 1):
            lang = rng.choice(langs)
            name = f"Burger {i}"
            contacts.append(Contact(id=i, display_name=name, language=lang))
            handles.append(ContactHandle(contact_id=i, network="mastodon",
                                         handle=f"@burger{i}@m.example"))
            if i % 5 == 0:
                handles.append(ContactHandle(contact_id=i, network="bluesky",
                                             handle=f"burger{i}.bsky.social"))
            entries.append(SearchEntry(contact_id=i, language=lang,
                                       body=f"{name} @burger{i}@m.example"))
        Contact.objects.bulk_create(contacts, batch_size=batch)
        ContactHandle.objects.bulk_create(handles, batch_size=batch)
        SearchEntry.objects.bulk_create(entries, batch_size=batch)
    print(f"  contacts: {n_contacts:,} in {time.perf_counter() - t0:.1f}s", flush=True)

    conv_lang = {}
    with transaction.atomic():
        convs, events = [], []
        for c in range(1, n_conv + 1):
            lang = rng.choice(langs)
            conv_lang[c] = lang
            created = start + timedelta(minutes=c * 5)
            state = rng.choice(states)
            channel = "mastodon" if c % 3 else "bluesky"
            convs.append(Conversation(
                id=c, contact_id=rng.randrange(1, n_contacts + 1), account=accounts[c % 3 == 0],
                channel=channel, handle="", root_external_id=f"p-{c}-0", subject=text(lang),
                language=lang, state=state, urgent=rng.random() < 0.05,
                assignee=rng.choice(agents) if state != "new" else None,
                priority="normal", first_response_due=created + timedelta(hours=4),
                resolution_due=created + timedelta(hours=48), created_at=created,
                last_activity_at=created + timedelta(minutes=rng.randrange(600)),
                post_count=10))
            events.append(ConversationEvent(conversation_id=c, kind="created", at=created))
        Conversation.objects.bulk_create(convs, batch_size=batch)
        ConversationEvent.objects.bulk_create(events, batch_size=batch)
    print(f"  conversations: {n_conv:,} in {time.perf_counter() - t0:.1f}s", flush=True)

    per_conv = max(1, n_posts // n_conv)
    pid = 0
    posts, items, entries = [], [], []

    def flush() -> None:
        with transaction.atomic():
            Post.objects.bulk_create(posts, batch_size=batch)
            ConversationPost.objects.bulk_create(items, batch_size=batch)
            SearchEntry.objects.bulk_create(entries, batch_size=batch)
        posts.clear()
        items.clear()
        entries.clear()

    for c in range(1, n_conv + 1):
        lang = conv_lang[c]
        base = start + timedelta(minutes=c * 5)
        for k in range(per_conv):
            pid += 1
            ext = f"p-{c}-{k}"
            body = text(lang)
            created = base + timedelta(minutes=k)
            posts.append(Post(id=pid, account=accounts[c % 3 == 0], source="mastodon",
                              external_id=ext, author_handle=f"@burger{c % n_contacts}@m.example",
                              author_name=f"Burger {c % n_contacts}", text=body,
                              created_at=created, language=lang,
                              reply_to_external_id=f"p-{c}-{k - 1}" if k else ""))
            items.append(ConversationPost(conversation_id=c, post_id=pid, source="mastodon",
                                          external_id=ext, created_at=created))
            entries.append(SearchEntry(conversation_id=c, post_id=pid, language=lang,
                                       body=f"Burger {c % n_contacts} {body}"))
        if len(posts) >= batch:
            flush()
            if pid % 200_000 < batch:
                print(f"  posts: {pid:,} in {time.perf_counter() - t0:.1f}s", flush=True)
    if posts:
        flush()
    print(f"  posts: {pid:,} in {time.perf_counter() - t0:.1f}s", flush=True)

    # Past answers the suggestions learn from (the selector reads the newest 2,000).
    with transaction.atomic():
        replies = [Reply(conversation_id=c, author=agents[0], text=text(conv_lang[c]),
                         language=conv_lang[c], in_reply_to_external_id=f"p-{c}-0",
                         state="sent", external_id=f"out-{c}", sent_at=start,
                         idempotency_key=f"bench-{c}")
                   for c in range(1, min(n_conv, 2000) + 1)]
        Reply.objects.bulk_create(replies, batch_size=batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("INSERT INTO inbox_search_fts(inbox_search_fts) VALUES ('optimize')")
    print(f"  seeded in {time.perf_counter() - t0:.1f}s", flush=True)
    return {"agent": agents[0], "n_conv": n_conv, "n_contacts": n_contacts}


def measure(info: dict[str, object], repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(6)  # its own seed: the same pages whether the data was seeded or reused
    client = Client()
    client.force_login(info["agent"])  # type: ignore[arg-type]
    n_conv = int(info["n_conv"])  # type: ignore[call-overload]
    n_contacts = int(info["n_contacts"])  # type: ignore[call-overload]
    words = [w for ws in WORDS.values() for w in ws]
    pages = {
        "inbox list (all open)": lambda: "/inbox/?view=open",
        "inbox list (mine)": lambda: "/inbox/?view=mine",
        "inbox list (fr, waiting)": lambda: "/inbox/?view=waiting&language=fr",
        "conversation": lambda: f"/inbox/c/{rng.randrange(1, n_conv + 1)}/",
        "contact page": lambda: f"/inbox/contacts/{rng.randrange(1, n_contacts + 1)}/",
        "search": lambda: f"/inbox/?view=all&q={rng.choice(words)}",
        # a post's number: about a hundred matches spread over all the years
        "search (rare word)": lambda: f"/inbox/?view=all&q={rng.randrange(10_000)}",
        "search (no match)": lambda: f"/inbox/?view=all&q=zeldzaam{rng.randrange(1000)}",
    }
    print(f"  load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  {'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}{'cpu p95':>9}{'queries':>9}")
    for name, url in pages.items():
        for _ in range(3):  # warm caches (templates, the suggestion index)
            client.get(url())
        times, cpu = [], []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                response = client.get(url())
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            queries = max(queries, len(ctx.captured_queries))
        print(f"  {name:<26}{percentile(times, 50):>9.1f}{percentile(times, 95):>9.1f}"
              f"{percentile(cpu, 50):>9.1f}{percentile(cpu, 95):>9.1f}{queries:>9}", flush=True)
    print(f"  load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def seeded_info(n_posts: int) -> dict[str, object] | None:
    """What ``measure`` needs, when the database already holds exactly the seeded data."""
    from samen.core.models import Organisation, Person
    from samen.sources.models import Post

    if not Organisation.objects.filter(name="Bench").exists() or \
            Post.objects.count() != n_posts:
        return None
    return {"agent": Person.objects.get(username="agent0"), "n_conv": max(1, n_posts // 10),
            "n_contacts": max(1, n_posts // 50)}


def kept_location(n_posts: int) -> tuple[Path, str]:
    """Where ``--keep`` keeps the data set of ``n_posts`` posts: a folder in the temp directory
    (the SQLite file and the data dir) and a PostgreSQL database name. Other benchmarks
    (``insights.py --inbox-data``) measure on the same data through this."""
    return (Path(tempfile.gettempdir()) / f"samen-bench-inbox-{n_posts}",
            f"samen_bench_inbox_{n_posts}")


def use_database(vendor: str, n_posts: int, *, keep: bool, reuse: bool,
                 server: str = PG_SERVER) -> str:
    """Point Django (through the environment, before ``django.setup()``) at the benchmark
    database: the kept one with ``keep``/``reuse``, a throw-away one otherwise. Returns the
    PostgreSQL database name (to drop afterwards when not kept)."""
    if keep or reuse:
        folder, db_name = kept_location(n_posts)
        os.makedirs(folder, exist_ok=True)
        tmp = str(folder)
    else:
        tmp = tempfile.mkdtemp(prefix="samen-bench-inbox-")
        db_name = f"samen_bench_inbox_{os.getpid()}"
    if vendor == "sqlite":
        db_file = Path(tmp) / "bench.sqlite3"
        if db_file.exists() and not reuse:
            db_file.unlink()
        os.environ["SAMEN_DATABASE_URL"] = f"sqlite:///{db_file}"
        print(f"SQLite file ({'kept' if keep or reuse else 'delete it when done'}): {db_file}",
              flush=True)
    else:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [db_name]).fetchone()
            if exists and not reuse:
                conn.execute(f'DROP DATABASE "{db_name}" WITH (FORCE)')
            if not exists or not reuse:
                conn.execute(f'CREATE DATABASE "{db_name}"')
        os.environ["SAMEN_DATABASE_URL"] = f"{server}/{db_name}"
        if keep or reuse:
            print(f"PostgreSQL database (kept): {db_name}", flush=True)
    os.environ.setdefault("SAMEN_TESTING", "1")
    os.environ["SAMEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    return db_name


def load_or_seed(n_posts: int, *, reuse: bool) -> dict[str, object]:
    """Migrate, then reuse the seeded data (with ``reuse``, when it is exactly the seeded set)
    or seed it with the fixed seed. Needs ``django.setup()`` done."""
    from django.core.management import call_command
    from django.db import connection

    from samen.sources.models import Post

    call_command("migrate", verbosity=0)
    info = seeded_info(n_posts) if reuse else None
    if info is None:
        if Post.objects.exists():
            raise SystemExit("The kept database is not the seeded data set (an interrupted "
                             "seed?): run with --keep instead of --reuse to seed it again.")
        return seed(n_posts, random.Random(5))
    print("  reusing the kept, already seeded database", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return info


def run_one(vendor: str, n_posts: int, repeat: int, *, keep: bool, reuse: bool) -> None:
    keep = keep or reuse
    db_name = use_database(vendor, n_posts, keep=keep, reuse=reuse)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    try:
        print(f"\n== {vendor}: {n_posts:,} posts, {n_posts // 10:,} conversations, "
              f"{n_posts // 50:,} contacts ==", flush=True)
        info = load_or_seed(n_posts, reuse=reuse)
        measure(info, repeat)
    finally:
        from django.db import connections

        connections.close_all()
        if vendor == "postgresql" and not keep:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true",
                        help="keep the seeded database under a fixed name")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the kept database if it is seeded (implies --keep)")
    args = parser.parse_args()
    if args.only:
        run_one(args.only, args.posts, args.repeat, keep=args.keep, reuse=args.reuse)
        return
    flags = [*(["--keep"] if args.keep else []), *(["--reuse"] if args.reuse else [])]
    for vendor in ("sqlite", "postgresql"):  # one process each: Django settings are global
        subprocess.run([sys.executable, __file__, "--posts", str(args.posts),
                        "--repeat", str(args.repeat), "--only", vendor, *flags], check=True)


if __name__ == "__main__":
    main()
