"""Against a real Bluesky PDS: a post heard on the firehose (by DID only) is stored under its
author's handle and profile display name; a PDS that errors or hangs costs no post, and a
later batch fills the name in."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest
from atproto import Client

from samen.sources.base import OutgoingPost
from samen.sources.bluesky.identity import IdentityFetcher, LruCache
from samen.sources.bluesky.names import AuthorNamer
from samen.sources.http import HttpClient, RetryPolicy
from tests.sources.bluesky.test_pds_flow import PASSWORD, connector, make_account

pytestmark = [pytest.mark.peer, pytest.mark.django_db]


class FlakyPds:
    """A loopback proxy in front of the real PDS whose ``describeRepo`` can fail on demand:
    ``mode`` is "ok", "error" (HTTP 500) or "hang" (answers long after the client gave up)."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.mode = "ok"
        self.hits: Counter[str] = Counter()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if "describeRepo" in self.path:
                    proxy.hits[proxy.mode] += 1
                    if proxy.mode == "hang":
                        time.sleep(2.0)
                    if proxy.mode in ("error", "hang"):
                        self.send_error(500, "InternalServerError")
                        return
                try:
                    with urllib.request.urlopen(proxy.target + self.path, timeout=10) as up:
                        status, body = up.status, up.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def listen_until(listener, external_id: str, timeout: float = 30.0):
    from samen.sources.models import Post

    deadline = time.monotonic() + timeout
    while not Post.objects.filter(external_id=external_id).exists():
        assert time.monotonic() < deadline, f"{external_id} never reached the database"
        listener.run_once()
        time.sleep(0.2)
    return Post.objects.get(external_id=external_id)


def follow_mentions(pds: str, org: str, org_pw: str):
    from samen.sources import actions

    account = actions.do_create_account(
        provider="bluesky", name=org.title(), handle=f"{org}.test", base_url=pds,
        credentials={"app_password": org_pw}, by=None)
    stream = actions.do_add_stream(account=account, kind="mentions", by=None)
    stream.cursor = "0"  # replay from the start: nothing slips by
    stream.save(update_fields=["cursor"])
    return account


def test_a_mention_is_stored_under_the_authors_handle_and_display_name(bluesky_pds):
    from samen.sources.listening import Listener
    from samen.sources.models import Post

    _org_did, org_pw = make_account(bluesky_pds, "stadhuis")
    piet_did, piet_pw = make_account(bluesky_pds, "piet")
    piet = connector(bluesky_pds, "piet", piet_pw)
    piet.login()
    hostile = 'Piet <b onmouseover="alert(1)">de Bakker</b> \u202eevil'
    piet.client.com.atproto.repo.put_record({
        "repo": piet_did, "collection": "app.bsky.actor.profile", "rkey": "self",
        "record": {"$type": "app.bsky.actor.profile", "displayName": hostile}})
    follow_mentions(bluesky_pds, "stadhuis", org_pw)
    question = piet.send(OutgoingPost(text="@stadhuis.test waar kan ik grofvuil kwijt?",
                                      lang="nl"))

    listener = Listener(owner="test:names", poll_seconds=0)
    try:
        stored = listen_until(listener, question.external_id)
    finally:
        listener.release()
    assert stored.author_handle == "piet.test"
    # Markup stays text (escaped wherever it is shown); the direction override is gone.
    assert stored.author_name == 'Piet <b onmouseover="alert(1)">de Bakker</b> evil'
    assert stored.author_external_id == piet_did
    from samen.sources.models import AuthorIdentity

    assert AuthorIdentity.objects.get(external_id=piet_did).handle == "piet.test"

    # The inbox's intake reads the post's author fields as they are: the contact is named.
    from samen.inbox.actions import do_receive_posts

    [conversation] = do_receive_posts(post_ids=[stored.pk])
    assert conversation.handle == "piet.test"
    assert conversation.contact.display_name == stored.author_name

    # Piet takes a new handle: the firehose's identity event makes Samen ask again.
    owner = Client(base_url=bluesky_pds)
    owner.login("piet.test", PASSWORD, fetch_bsky_profile=False)
    owner.com.atproto.identity.update_handle({"handle": "pieter.test"})
    again = piet.send(OutgoingPost(text="@stadhuis.test en snoeiafval?", lang="nl"))
    listener = Listener(owner="test:names", poll_seconds=0)
    try:
        renamed = listen_until(listener, again.external_id)
    finally:
        listener.release()
    assert renamed.author_handle == "pieter.test"
    assert Post.objects.get(pk=stored.pk).author_handle == "piet.test"  # history stays as it was


def test_a_failing_pds_keeps_the_did_and_a_later_batch_fills_the_name(bluesky_pds):
    from samen.sources.listening import Listener
    from samen.sources.models import Post

    _org_did, org_pw = make_account(bluesky_pds, "raadhuis")
    kees_did, kees_pw = make_account(bluesky_pds, "kees")
    kees = connector(bluesky_pds, "kees", kees_pw)
    kees.login()
    kees.client.com.atproto.repo.put_record({
        "repo": kees_did, "collection": "app.bsky.actor.profile", "rkey": "self",
        "record": {"$type": "app.bsky.actor.profile", "displayName": "Kees Jansen"}})
    follow_mentions(bluesky_pds, "raadhuis", org_pw)

    flaky = FlakyPds(bluesky_pds)
    org = connector(bluesky_pds, "raadhuis", org_pw)
    lookups = HttpClient(policy=RetryPolicy(attempts=1, connect_timeout=1.0, read_timeout=0.5))
    org.namer = AuthorNamer(IdentityFetcher(flaky.url, plc_url="", http=lookups),
                            cache=LruCache(100), retry_base=timedelta(0))
    listener = Listener(owner="test:names-flaky", poll_seconds=0, connector_for=lambda _a: org)
    try:
        flaky.mode = "error"
        first = kees.send(OutgoingPost(text="@raadhuis.test de lantaarnpaal is stuk"))
        stored = listen_until(listener, first.external_id)
        assert (stored.author_handle, stored.author_name) == (kees_did, "")
        assert flaky.hits["error"] >= 1

        flaky.mode = "hang"
        second = kees.send(OutgoingPost(text="@raadhuis.test nog steeds stuk"))
        stored = listen_until(listener, second.external_id)
        assert stored.author_handle == kees_did
        assert flaky.hits["hang"] >= 1

        flaky.mode = "ok"
        third = kees.send(OutgoingPost(text="@raadhuis.test en nu al een week"))
        stored = listen_until(listener, third.external_id)
    finally:
        listener.release()
        flaky.close()
    assert (stored.author_handle, stored.author_name) == ("kees.test", "Kees Jansen")
    earlier = Post.objects.filter(external_id__in=[first.external_id, second.external_id])
    assert {(p.author_handle, p.author_name) for p in earlier} == {("kees.test", "Kees Jansen")}
