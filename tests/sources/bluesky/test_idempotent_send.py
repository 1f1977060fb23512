"""A Bluesky post is idempotent: its record key comes from the delivery's idempotency key, so
a retry after a crash (or after an answer lost on the way) finds the post instead of posting
again. Here against a stand-in repository; test_pds_flow proves it on the real PDS."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from atproto_client import exceptions as aexc
from atproto_client.models.common import XrpcError
from atproto_client.request import Response

from samen.sources.base import AccountConfig, OutgoingPost
from samen.sources.bluesky import mapping, tid
from samen.sources.bluesky.client import BlueskyConnector
from samen.sources.http import RetryPolicy

DID = "did:plc:gemeente"


def _error(status: int, name: str) -> Response:
    return Response(success=False, status_code=status, content=XrpcError(error=name, message=""),
                    headers={})


class Repo:
    """Just enough of a PDS repository: records by key; a second create at a key fails the
    way the real PDS fails it (HTTP 500); ``lose_answer`` drops the answer to one create."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.creates = 0
        self.lose_answer = False

    def get_record(self, params: dict[str, str]) -> Any:
        key = params["rkey"]
        if key not in self.records:
            raise aexc.BadRequestError(_error(400, "RecordNotFound"))
        uri = mapping.post_uri(params["repo"], key)
        return SimpleNamespace(uri=uri, cid="bafycid", value=self.records[key])

    def create(self, repo: str, record: Any, rkey: str | None = None) -> Any:
        self.creates += 1
        key = rkey or tid.make_tid(1_700_000_000_000_000 + self.creates, 0)
        if key in self.records:
            raise aexc.RequestException(_error(500, "InternalServerError"))
        self.records[key] = record.model_dump(by_alias=True, exclude_none=True) | {
            "$type": mapping.POST}
        if self.lose_answer:
            self.lose_answer = False
            raise aexc.NetworkError()
        return SimpleNamespace(uri=mapping.post_uri(repo, key), cid="bafycid")


def connector(repo: Repo) -> BlueskyConnector:
    config = AccountConfig(provider="bluesky", base_url="http://pds.invalid",
                           handle="gemeente.test", credentials={"app_password": "x"})
    made = BlueskyConnector(config, policy=RetryPolicy(attempts=3, base_delay=0.0),
                            sleep=lambda _s: None)
    made.did = DID  # logged in
    made.client = SimpleNamespace(  # type: ignore[assignment]
        com=SimpleNamespace(atproto=SimpleNamespace(repo=repo)),
        app=SimpleNamespace(bsky=SimpleNamespace(feed=SimpleNamespace(post=repo))),
        get_current_time_iso=lambda: "2026-11-28T09:00:00.000Z")
    return made


def test_tids_are_valid_sorted_and_deterministic():
    early = tid.tid_for("key-1", at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    late = tid.tid_for("key-1", at=datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert tid.is_tid(early) and tid.is_tid(late) and early < late
    assert tid.tid_for("key-1", at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) == early
    assert tid.make_tid(0, 0) == "2222222222222"
    assert tid.record_key(early) == early  # a TID key is used as it is
    derived = tid.record_key("9f86d081884c7d659a2feaa0c55ad015")  # a uuid hex key
    assert tid.is_tid(derived) and derived == tid.record_key("9f86d081884c7d659a2feaa0c55ad015")
    assert derived < tid.tid_for("x", at=datetime(2024, 1, 1, tzinfo=UTC))  # never the future
    assert not tid.is_tid("zzzzzzzzzzzzz") and not tid.is_tid("3lbxyz")
    with pytest.raises(ValueError):
        tid.tid_for("")


def test_sending_twice_with_the_same_key_posts_once():
    repo = Repo()
    org = connector(repo)
    key = tid.tid_for("reply-7", at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    first = org.send(OutgoingPost(text="Dag Anna, we komen vandaag.", idempotency_key=key))
    again = org.send(OutgoingPost(text="Dag Anna, we komen vandaag.", idempotency_key=key))
    assert first.external_id == again.external_id == mapping.post_uri(DID, key)
    assert list(repo.records) == [key] and repo.creates == 1
    other = org.send(OutgoingPost(text="Iets anders", idempotency_key="another-delivery"))
    assert other.external_id != first.external_id and len(repo.records) == 2


def test_an_answer_lost_on_the_way_still_ends_with_one_post():
    repo = Repo()
    repo.lose_answer = True  # the PDS stored the post, but its answer never arrived
    sent = connector(repo).send(OutgoingPost(text="Dag!", idempotency_key="delivery-9"))
    assert list(repo.records) == [tid.record_key("delivery-9")]
    assert sent.external_id == mapping.post_uri(DID, tid.record_key("delivery-9"))
    assert repo.creates == 1  # the retry looked first and found it


def test_without_a_key_the_pds_chooses_the_key():
    repo = Repo()
    org = connector(repo)
    org.send(OutgoingPost(text="Een"))
    org.send(OutgoingPost(text="Een"))
    assert len(repo.records) == 2


def test_an_inbox_reply_has_one_network_key_for_every_attempt():
    from samen.inbox.delivery import network_key
    from samen.inbox.models import Reply

    made = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    reply = Reply(text="Dag!", idempotency_key="4f1c0e2a9b3d4c5e8f7a6b5c4d3e2f1a", created_at=made)
    key = network_key(reply)
    assert tid.is_tid(key) and key == network_key(reply)
    assert key == tid.tid_for(reply.idempotency_key, at=made)
    assert key[:10] == tid.make_tid(int(made.timestamp() * 1_000_000), 0)[:10]  # its time
    other = Reply(text="Dag!", idempotency_key="another", created_at=made)
    assert network_key(other) != key
