"""Naming firehose authors: the cache stays bounded, lookups per batch are limited, a PDS that
fails never costs a post, and a restart does not ask again for everyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samen.sources.base import TemporaryError
from samen.sources.bluesky import mapping
from samen.sources.bluesky.identity import (
    Identity,
    LruCache,
    clean_display_name,
    clean_handle,
)
from samen.sources.bluesky.names import AuthorNamer, Known


def test_lru_cache_never_holds_more_than_its_size():
    cache: LruCache[str, int] = LruCache(3)
    for i in range(10):
        cache.put(f"did:plc:{i}", i)
    assert len(cache) == 3
    assert [cache.get(f"did:plc:{i}") for i in range(7)] == [None] * 7
    assert cache.get("did:plc:9") == 9


def test_lru_cache_forgets_the_least_recently_used():
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    cache.put("a", 10)  # replacing does not grow it
    assert len(cache) == 2 and cache.get("a") == 10


def test_lru_cache_refuses_a_size_below_one():
    with pytest.raises(ValueError):
        LruCache(0)


def test_hostile_display_names_are_plain_text_on_one_line():
    assert clean_display_name('<script>alert("x")</script> Piet') == (
        '<script>alert("x")</script> Piet')  # markup is data; templates escape it
    assert clean_display_name("Anna\u202e\u2066 de\nVries\x00\t") == "Anna de Vries"
    assert clean_display_name("x" * 1000) == "x" * 300
    assert clean_display_name(None) == "" and clean_display_name(42) == ""


def test_only_valid_handles_are_used():
    assert clean_handle("Anna.BSKY.social") == "anna.bsky.social"
    assert clean_handle("@anna.test") == "anna.test"
    for bad in ("handle.invalid", "not a handle", "<b>x</b>.com", "", None, "x" * 300 + ".com"):
        assert clean_handle(bad) == ""


class FakeFetcher:
    """Answers from a table; DIDs in ``failing`` raise like an unreachable PDS."""

    def __init__(self, names: dict[str, tuple[str, str]], failing: set[str] = frozenset()):
        self.names = names
        self.failing = set(failing)
        self.asked: list[str] = []

    def resolve(self, did: str) -> Identity:
        self.asked.append(did)
        if did in self.failing:
            raise TemporaryError("timed out talking to the PDS")
        handle, name = self.names.get(did, ("", ""))
        return Identity(did=did, handle=handle, display_name=name)


def post_by(did: str, rkey: str = "3kabc") -> mapping.NormalizedPost:
    return mapping.map_record({"text": "hoi @gemeente.test", "createdAt": "2026-11-28T04:00:00Z"},
                              repo=did, rkey=rkey)


def namer(fetcher, **kwargs) -> AuthorNamer:
    return AuthorNamer(fetcher, cache=LruCache(100), **kwargs)


@pytest.mark.django_db
def test_authors_get_handle_and_display_name_and_a_restart_asks_nobody_again():
    fetcher = FakeFetcher({"did:plc:anna": ("anna.test", "Anna de Vries")})
    posts = [post_by("did:plc:anna", "1"), post_by("did:plc:anna", "2")]
    assert namer(fetcher).name_posts(posts) == 1  # one DID, asked once for the whole batch
    assert {(p.author.handle, p.author.display_name) for p in posts} == {
        ("anna.test", "Anna de Vries")}
    assert posts[0].author.external_id == "did:plc:anna"

    restarted = namer(fetcher)  # an empty in-process cache, as after a restart
    later = [post_by("did:plc:anna", "3")]
    assert restarted.name_posts(later) == 0
    assert later[0].author.handle == "anna.test"
    assert fetcher.asked == ["did:plc:anna"]


@pytest.mark.django_db
def test_at_most_max_lookups_per_batch_and_the_rest_next_batch():
    names = {f"did:plc:{i}": (f"p{i}.test", "") for i in range(7)}
    fetcher = FakeFetcher(names)
    n = namer(fetcher, max_lookups=3)
    posts = [post_by(did) for did in names]
    assert n.name_posts(posts) == 3
    assert sum(p.author.handle.endswith(".test") for p in posts) == 3
    assert all(p.author.handle == p.author.external_id for p in posts[3:])  # the DID, for now
    again = [post_by(did, "2") for did in names]
    n.name_posts(again)
    n.name_posts(again)
    assert all(p.author.handle.endswith(".test") for p in again)
    assert len(fetcher.asked) == 7  # nobody twice


@pytest.mark.django_db
def test_a_failing_pds_keeps_the_did_and_later_fills_the_stored_posts():
    from samen.sources.ingest import store_batch
    from samen.sources.models import AuthorIdentity, Post

    fetcher = FakeFetcher({"did:plc:kees": ("kees.test", "Kees"),
                           "did:plc:ok": ("ok.test", "")}, failing={"did:plc:kees"})
    n = namer(fetcher, retry_base=timedelta(0))
    first = [post_by("did:plc:kees", "1"), post_by("did:plc:ok", "1")]
    n.name_posts(first)
    # The first failure ends this batch's lookups: a slow PDS is not waited for twice.
    assert fetcher.asked == ["did:plc:kees"]
    assert first[0].author.handle == "did:plc:kees"
    store_batch(posts=first)
    assert Post.objects.get(external_id=first[0].external_id).author_handle == "did:plc:kees"
    row = AuthorIdentity.objects.get(external_id="did:plc:kees")
    assert row.failures == 1 and "timed out" in row.last_error

    fetcher.failing.clear()
    other = [post_by("did:plc:ok", "2")]  # a later batch without Kees in it
    n.name_posts(other)
    stored = Post.objects.get(external_id=first[0].external_id)
    assert (stored.author_handle, stored.author_name) == ("kees.test", "Kees")
    assert other[0].author.handle == "ok.test"
    row.refresh_from_db()
    assert row.failures == 0 and row.handle == "kees.test"


@pytest.mark.django_db
def test_a_failed_did_waits_before_it_is_asked_again():
    fetcher = FakeFetcher({}, failing={"did:plc:kees"})
    n = namer(fetcher, retry_base=timedelta(minutes=5))
    n.name_posts([post_by("did:plc:kees", "1")])
    n.name_posts([post_by("did:plc:kees", "2")])
    assert fetcher.asked == ["did:plc:kees"]
    # After a restart the persistent row still says "not yet".
    namer(fetcher, retry_base=timedelta(minutes=5)).name_posts([post_by("did:plc:kees", "3")])
    assert fetcher.asked == ["did:plc:kees"]


@pytest.mark.django_db
def test_the_time_budget_leaves_the_rest_for_later():
    ticks = iter(range(100))
    fetcher = FakeFetcher({f"did:plc:{i}": (f"p{i}.test", "") for i in range(5)})
    n = namer(fetcher, budget_seconds=2.5, clock=lambda: float(next(ticks)))
    n.name_posts([post_by(f"did:plc:{i}") for i in range(5)])
    assert len(fetcher.asked) == 2


@pytest.mark.django_db
def test_a_did_without_verified_handle_keeps_the_did():
    fetcher = FakeFetcher({"did:plc:nohandle": ("", "Iemand")})
    posts = [post_by("did:plc:nohandle")]
    namer(fetcher).name_posts(posts)
    assert posts[0].author.handle == "did:plc:nohandle"


@pytest.mark.django_db
def test_a_stale_answer_is_refreshed():
    fetcher = FakeFetcher({"did:plc:anna": ("anna.new.test", "Anna")})
    cache: LruCache[str, Known] = LruCache(10)
    cache.put("did:plc:anna", Known("anna.test", "Anna", datetime(2020, 1, 1, tzinfo=UTC)))
    posts = [post_by("did:plc:anna")]
    AuthorNamer(fetcher, cache=cache).name_posts(posts)
    assert posts[0].author.handle == "anna.new.test"


def test_the_listener_stores_posts_even_when_naming_breaks():
    from samen.sources.listening import _named

    class Broken:
        def name_authors(self, posts):
            raise RuntimeError("bug")

    posts = [post_by("did:plc:x")]
    assert _named(Broken(), posts) is posts
    assert posts[0].author.handle == "did:plc:x"


@pytest.mark.django_db
def test_an_identity_event_makes_the_next_post_ask_again():
    fetcher = FakeFetcher({"did:plc:anna": ("anna.test", "Anna")})
    n = namer(fetcher)
    n.name_posts([post_by("did:plc:anna", "1")])
    fetcher.names["did:plc:anna"] = ("anna.example.org", "Anna")
    n.forget(["did:plc:anna"])
    posts = [post_by("did:plc:anna", "2")]
    namer(fetcher).name_posts(posts)  # a restart in between: the row says "ask again" too
    assert posts[0].author.handle == "anna.example.org"


class FakeHttp:
    """Answers GETs by XRPC method (or the PLC path); 400 for anything it does not know."""

    def __init__(self, answers: dict[str, object]):
        self.answers = answers
        self.urls: list[str] = []

    def json(self, method: str, url: str):
        from samen.sources.base import SourceError

        self.urls.append(url)
        for key, answer in self.answers.items():
            if key in url:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise SourceError(f"400 from GET {url}: RepoNotFound")


def test_a_claimed_handle_that_does_not_point_back_is_not_used():
    from samen.sources.bluesky.identity import IdentityFetcher

    http = FakeHttp({
        "describeRepo": {"did": "did:plc:spoof", "handle": "gemeente.test",
                         "handleIsCorrect": False},
        "resolveHandle": {"did": "did:plc:the-real-gemeente"},
        "getRecord": {"value": {"displayName": "Gemeente (echt!)"}},
    })
    identity = IdentityFetcher("https://pds.example", http=http).resolve("did:plc:spoof")
    assert identity.handle == "" and identity.display_name == "Gemeente (echt!)"


def test_a_did_on_another_pds_is_found_through_the_plc_directory():
    from samen.sources.bluesky.identity import IdentityFetcher

    class Routed(FakeHttp):
        def json(self, method, url):
            if url.startswith("https://own.example/xrpc/com.atproto.repo"):
                return super().json(method, "nothing-here")
            return super().json(method, url)

    http = Routed({
        "plc.example/did:plc:far": {"service": [
            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
             "serviceEndpoint": "https://far.example"}]},
        "far.example/xrpc/com.atproto.repo.describeRepo": {
            "did": "did:plc:far", "handle": "ver.example", "handleIsCorrect": True},
        "far.example/xrpc/com.atproto.repo.getRecord": {"value": {"displayName": "Ver Weg"}},
    })
    fetcher = IdentityFetcher("https://own.example", plc_url="https://plc.example", http=http)
    assert fetcher.resolve("did:plc:far") == Identity("did:plc:far", "ver.example", "Ver Weg")


def test_a_plain_http_pds_in_a_did_document_is_not_followed():
    from samen.sources.bluesky.identity import IdentityFetcher

    http = FakeHttp({"plc.example/did:plc:far": {"service": [
        {"id": "#atproto_pds", "serviceEndpoint": "http://10.0.0.1:8080"}]}})
    fetcher = IdentityFetcher("https://own.example", plc_url="https://plc.example", http=http)
    assert fetcher.resolve("did:plc:far") == Identity("did:plc:far")
    assert not any("10.0.0.1" in url for url in http.urls)


def test_a_pds_that_times_out_is_a_temporary_error():
    from samen.sources.bluesky.identity import IdentityFetcher

    http = FakeHttp({"describeRepo": TemporaryError("timed out talking to the PDS")})
    with pytest.raises(TemporaryError):
        IdentityFetcher("https://pds.example", http=http).resolve("did:plc:x")


@pytest.mark.django_db
def test_other_apps_hear_when_an_author_known_by_did_or_old_handle_gets_a_name():
    from samen.sources.bluesky.names import author_named
    from samen.sources.ingest import store_batch

    heard = []

    def receiver(**kwargs):
        heard.append((kwargs["handle"], kwargs["previous_handles"]))
        raise RuntimeError("a broken receiver does not stop naming")

    author_named.connect(receiver)
    try:
        fetcher = FakeFetcher({"did:plc:kees": ("kees.test", "Kees")}, failing={"did:plc:kees"})
        n = namer(fetcher, retry_base=timedelta(0))
        first = [post_by("did:plc:kees", "1")]
        n.name_posts(first)
        store_batch(posts=first)
        fetcher.failing.clear()
        n.name_posts([post_by("did:plc:kees", "2")])
        assert heard == [("kees.test", ["did:plc:kees"])]
        fetcher.names["did:plc:kees"] = ("kees.example.org", "Kees")
        n.forget(["did:plc:kees"])
        later = [post_by("did:plc:kees", "3")]
        n.name_posts(later)
        assert later[0].author.handle == "kees.example.org"
        assert heard[-1] == ("kees.example.org", ["kees.test"])
    finally:
        author_named.disconnect(receiver)
