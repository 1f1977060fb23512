"""What ``ingest.py`` and ``pipeline.py`` share: the stream of posts, the floor, and Samen's
store loop.

- ``jetstream_event`` / ``mastodon_status`` / ``make_stream``: JSON lines shaped like
  Bluesky's Jetstream (commit events) and Mastodon's statuses (HTML content), in Dutch,
  French, English and German, with hashtags, mentions, links, replies and media.
- ``floor_path``: the least any ingest could do with those lines: parsed with orjson and the
  same columns inserted with one ``executemany`` per batch, straight from the JSON (no HTML
  cleaning, no facets, no handles, no duplicate check, no cursor), into a copy of the posts
  table with the same unique constraint.
- ``store_stream``: Samen's path for the same lines: orjson -> the sources' mapping ->
  ``NormalizedPost`` -> ``sources.ingest.store_batch`` (batches of ``BATCH``, idempotent,
  cursor saved with each batch). Whatever is connected to it (understanding's enricher, the
  receivers of ``posts_stored``) runs too; ``ingest.py`` detaches them, ``pipeline.py`` keeps
  them.

Both scripts run their measurements in a child process where Django is set up once
(``setup_django``).
"""

from __future__ import annotations

import os
import random
import time

BATCH = 1000


def setup_django() -> None:
    """Configure Django for this process (the database comes from SAMEN_DATABASE_URL), bring
    the schema up to date, and tune the garbage collector as ``samen listen``, ``samen worker``
    and ``samen import`` do (``samen.core.runtime``; the floor runs with it too)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    os.environ["SAMEN_TESTING"] = "1"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from samen.core.runtime import tune_for_streaming

    tune_for_streaming()


# ------------------------------------------------------------------------------- the stream


def _words(text: str) -> list[str]:
    return text.split()


WORDS = {
    "nl": _words("de het een wanneer waarom gemeente brug afval straat fiets open dicht vraag "
                 "antwoord zwembad bibliotheek parkeren vergunning bus trein school buurt dank"),
    "fr": _words("le la les quand pourquoi commune pont déchets rue vélo ouvert fermé question "
                 "réponse piscine bibliothèque parking permis bus train école quartier merci"),
    "en": _words("the a when why council bridge waste street bike open closed question answer "
                 "pool library parking permit bus train school neighbourhood party thanks"),
    "de": _words("der die das wann warum Gemeinde Brücke Müll Straße Fahrrad offen geschlossen "
                 "Frage Antwort Schwimmbad Bibliothek Parken Bus Zug Schule Viertel danke"),
}
TAGS = ["verkeer", "afval", "mobilité", "wegwerken", "bibliotheek", "klimaat", "stadsfeest"]


def sentence(rng: random.Random, lang: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n)).capitalize()


def jetstream_event(rng: random.Random, i: int) -> dict:
    lang = rng.choice(list(WORDS))
    tag = rng.choice(TAGS)
    mention = "@stad.example.org "
    text = f"{mention}{sentence(rng, lang, rng.randint(6, 25))} #{tag}"
    data = text.encode()
    record = {
        "$type": "app.bsky.feed.post", "text": text, "langs": [lang],
        "createdAt": f"2026-03-01T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}.000Z",
        "facets": [
            {"index": {"byteStart": 0, "byteEnd": len(mention) - 1},
             "features": [{"$type": "app.bsky.richtext.facet#mention",
                           "did": "did:plc:stad0000000000000000000"}]},
            {"index": {"byteStart": len(data) - len(tag.encode()) - 1, "byteEnd": len(data)},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]},
        ],
    }
    if rng.random() < 0.3:
        parent = f"at://did:plc:u{rng.randint(0, 999):022d}/app.bsky.feed.post/3k{i - 1:011d}"
        record["reply"] = {"root": {"uri": parent, "cid": "bafyroot"},
                           "parent": {"uri": parent, "cid": "bafyparent"}}
    if rng.random() < 0.1:
        record["embed"] = {"$type": "app.bsky.embed.images", "images": [
            {"alt": sentence(rng, lang, 6), "image": {"$type": "blob",
             "ref": {"$link": f"bafkrei{i:020d}"}, "mimeType": "image/jpeg", "size": 1000}}]}
    return {"did": f"did:plc:u{rng.randint(0, 50_000):022d}", "time_us": 1772000000000000 + i,
            "kind": "commit",
            "commit": {"rev": f"3k{i:011d}", "operation": "create",
                       "collection": "app.bsky.feed.post", "rkey": f"3k{i:011d}",
                       "record": record, "cid": f"bafyrei{i:020d}"}}


def mastodon_status(rng: random.Random, i: int) -> dict:
    lang = rng.choice(list(WORDS))
    tag = rng.choice(TAGS)
    user = f"user{rng.randint(0, 50_000)}"
    body = sentence(rng, lang, rng.randint(6, 25))
    content = (
        '<p><span class="h-card" translate="no"><a href="https://social.example/@stad" '
        'class="u-url mention">@<span>stad</span></a></span> '
        f'{body} <a href="https://social.example/tags/{tag}" class="mention hashtag" '
        f'rel="tag">#<span>{tag}</span></a></p>'
    )
    if rng.random() < 0.2:
        content += ('<p><a href="https://stad.example/info" rel="nofollow noopener" '
                    'target="_blank"><span class="invisible">https://</span>'
                    '<span class="">stad.example/info</span></a></p>')
    account = {"id": str(rng.randint(1, 10**9)), "username": user,
               "acct": f"{user}@mastodon.example",
               "display_name": user.capitalize(), "url": f"https://mastodon.example/@{user}"}
    return {
        "id": str(110_000_000_000_000_000 + i), "created_at": f"2026-03-01T10:{i % 60:02d}:00.000Z",
        "in_reply_to_id": str(110_000_000_000_000_000 + i - 1) if rng.random() < 0.3 else None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": lang,
        "uri": f"https://mastodon.example/users/{user}/statuses/{i}",
        "url": f"https://mastodon.example/@{user}/{i}", "edited_at": None,
        "content": content, "reblog": None, "account": account,
        "media_attachments": ([{"type": "image", "url": f"https://files.example/{i}.jpg",
                                "description": sentence(rng, lang, 5)}]
                              if rng.random() < 0.1 else []),
        "mentions": [{"acct": "stad", "url": "https://social.example/@stad", "username": "stad"}],
        "tags": [{"name": tag}], "card": None, "poll": None,
    }


def make_stream(posts: int, seed: int = 7) -> list[bytes]:
    """``posts`` lines, alternately Jetstream-like and Mastodon-like."""
    import orjson

    rng = random.Random(seed)
    lines = []
    for i in range(posts):
        event = jetstream_event(rng, i) if i % 2 == 0 else mastodon_status(rng, i)
        lines.append(orjson.dumps(event))
    return lines


# ----------------------------------------------------------------------------- Samen's path


def store_stream(lines: list[bytes]) -> tuple[float, float]:
    """Map and store the lines as a listener would; (wall seconds, CPU seconds) of this
    process. Checks that the stream's cursor ends at the last line."""
    import orjson

    from samen.sources.bluesky.mapping import map_jetstream_event
    from samen.sources.ingest import store_batch
    from samen.sources.mastodon.mapping import map_status
    from samen.sources.models import Stream
    from tests.factories import StreamFactory

    stream = StreamFactory(kind=f"bench-{time.monotonic_ns()}")
    start, cpu = time.perf_counter(), time.process_time()
    batch = []
    for number, line in enumerate(lines):
        data = orjson.loads(line)
        if "kind" in data:
            post = map_jetstream_event(data)
        else:
            post = map_status(data, instance="mastodon.example")
        if post is not None and not isinstance(post, str):  # str: a deletion
            batch.append(post)
        if len(batch) == BATCH:
            store_batch(posts=batch, stream=stream, cursor=str(number))
            batch = []
    store_batch(posts=batch, stream=stream, cursor=str(len(lines)))  # the rest, and the end
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    assert Stream.objects.get(pk=stream.pk).cursor == str(len(lines))
    return elapsed


# -------------------------------------------------------------------------------- the floor


# The floor fills the same columns as sources_post (same row width), straight from the JSON:
# no HTML cleaning, no facets, no handles, no dedup check, no cursor.
FLOOR_COLUMNS = ("account_id", "source", "external_id", "url", "direction", "author_handle",
                 "author_name", "author_url", "author_external_id", "text", "source_language",
                 "created_at", "ingested_at", "reply_to_external_id", "thread_root_external_id",
                 "mentions", "hashtags", "links", "media", "visibility", "edited_at",
                 "deleted_at", "language", "sentiment", "sentiment_confidence", "intent",
                 "urgent", "urgency_reasons", "raw")
NOW = "2026-03-01 12:00:00"


def floor_rows(lines: list[bytes]) -> list[tuple]:
    import orjson

    rows = []
    for line in lines:
        data = orjson.loads(line)
        if "kind" in data:
            commit = data["commit"]
            record = commit["record"]
            parent = ((record.get("reply") or {}).get("parent") or {}).get("uri", "")
            rows.append((None, "bluesky", f"at://{data['did']}/app.bsky.feed.post/"
                         f"{commit['rkey']}", "", "in", data["did"], "", "", data["did"],
                         record["text"], (record.get("langs") or [""])[0], record["createdAt"],
                         NOW, parent, parent, "[]", "[]", "[]", "[]", "public", None, None,
                         "", "", None, "", False, "[]", line.decode()))
        else:
            account = data["account"]
            rows.append((None, "mastodon", data["id"], data["url"], "in", account["acct"],
                         account["display_name"], account["url"], account["id"],
                         data["content"], data["language"] or "", data["created_at"], NOW,
                         data["in_reply_to_id"] or "", "",
                         orjson.dumps([m["acct"] for m in data["mentions"]]).decode(),
                         orjson.dumps([t["name"] for t in data["tags"]]).decode(), "[]",
                         orjson.dumps(data["media_attachments"]).decode(),
                         data["visibility"], None, None, "", "", None, "", False, "[]",
                         line.decode()))
    return rows


def floor_path(lines: list[bytes], vendor: str) -> tuple[float, float]:
    from django.db import connection

    columns = ", ".join(FLOOR_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS floor_post")
        # Same columns and types as sources_post, and the same unique constraint.
        cursor.execute("CREATE TABLE floor_post AS SELECT * FROM sources_post WHERE 1 = 0")
        cursor.execute("CREATE UNIQUE INDEX floor_post_unique ON floor_post "
                       "(source, external_id)")
    raw = connection.connection  # the driver's own connection (sqlite3 / psycopg)
    json_columns = {"mentions", "hashtags", "links", "media", "urgency_reasons", "raw"}
    marks = ", ".join(("?" if vendor == "sqlite" else
                       "%s::jsonb" if c in json_columns else "%s") for c in FLOOR_COLUMNS)
    sql = f"INSERT INTO floor_post ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    start, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(lines), BATCH):
        rows = floor_rows(lines[offset:offset + BATCH])
        cur = raw.cursor()
        cur.executemany(sql, rows)
        raw.commit()
    return time.perf_counter() - start, time.process_time() - cpu
