"""Archive imports: every format streams posts, and bad lines come back with number and reason."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from samen.sources.imports.common import ImportProblem
from samen.sources.imports.formats import read_import
from samen.sources.imports.jsonstream import iter_array
from samen.sources.types import NormalizedPost, Visibility

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def split(items):
    posts = {n: p for n, p in items if isinstance(p, NormalizedPost)}
    problems = {n: p.reason for n, p in items if isinstance(p, ImportProblem)}
    return posts, problems


def test_mastodon_outbox():
    posts, problems = split(list(read_import(FIXTURES / "outbox.json", "mastodon")))
    assert sorted(posts) == [1, 2, 5]  # 3 is a boost (someone else's words), skipped
    assert "date" in problems[4] and "Like" in problems[6]
    first = posts[1]
    assert first.external_id == "stad.example:111000000000000001"  # same id as the live connector
    assert first.text.startswith("Vanaf maandag is de Marktbrug afgesloten")
    assert "Meer info: https://stad.example/marktbrug" in first.text
    assert first.links == ["https://stad.example/marktbrug"]
    assert first.hashtags == ["werkzaamheden"]
    assert first.media[0].alt_text == "Kaart met de omleiding rond de Marktbrug"
    assert first.lang == "nl" and first.author.handle == "@gemeente@stad.example"
    assert posts[2].mentions == ["@karim@andere.example"] and posts[2].lang == "fr"
    assert posts[2].reply_to_id == "andere.example:222"
    direct = posts[5]
    assert direct.visibility is Visibility.DIRECT
    assert direct.text.startswith("Persoonlijke gegevens\n\n@ilse")
    assert "<script> is hier gewoon tekst" in direct.text
    assert direct.mentions == ["@ilse@stad.example"]
    assert direct.edited_at == datetime(2025, 5, 4, 12, 5, tzinfo=UTC)


def test_mastodon_archive_as_tar_gz(tmp_path):
    archive = tmp_path / "archive-20250505.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(FIXTURES / "outbox.json", arcname="outbox.json")
        info = tarfile.TarInfo("actor.json")
        data = b'{"type": "Person"}'
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    posts, _ = split(list(read_import(archive, "mastodon")))
    assert len(posts) == 3


def test_bluesky_repository_export():
    posts, problems = split(list(read_import(FIXTURES / "bluesky-repo.car", "bluesky")))
    assert problems == {}
    texts = {p.lang: p for p in posts.values()}
    assert set(texts) == {"nl", "fr", "en"}  # the deleted post is not in the export
    reply = texts["nl"]
    assert reply.mentions == ["@lies.test"]
    assert reply.links == ["https://stad.example/zwembad"]
    assert reply.reply_to_id and reply.reply_to_id == reply.thread_root_id
    assert texts["fr"].hashtags == ["piscine"]
    assert texts["en"].media[0].alt_text == "A blue pool between green trees"
    assert all(p.external_id.startswith("at://did:plc:") for p in posts.values())


def test_corrupt_car_is_one_clear_problem(tmp_path):
    bad = tmp_path / "repo.car"
    bad.write_bytes((FIXTURES / "bluesky-repo.car").read_bytes()[:700])
    items = list(read_import(bad, "bluesky"))
    assert items and all(isinstance(p, ImportProblem) for _, p in items)


def test_twitter_archive():
    posts, problems = split(list(read_import(FIXTURES / "tweets.js", "twitter")))
    assert sorted(posts) == [1, 2, 4]
    assert "numeric id" in problems[3] and "date" in problems[5]
    first = posts[1]
    assert first.source == "import" and first.external_id == "twitter:1790000000000000001"
    assert first.author.handle == "@StadVoorbeeld"  # from account.js beside it
    assert "DM & we helpen je" in first.text
    assert first.links == ["https://stad.example/afval"] and first.hashtags == ["afval"]
    assert first.created_at == datetime(2025, 4, 12, 7, 30, tzinfo=UTC)
    assert posts[2].reply_to_id == "twitter:1789999999999999999"
    assert posts[2].mentions == ["@marie_b"]
    assert posts[4].media[0].alt_text == "Orange barriers on the ring road at dusk"


def test_csv_with_column_mapping():
    items = list(read_import(FIXTURES / "posts.csv", "csv",
                             mapping="text=body,created_at=date,author=user,lang=language"))
    posts, problems = split(items)
    assert sorted(posts) == [2, 3, 6]
    assert "not a date" in problems[4]
    assert "empty" in problems[5]
    assert "more fields" in problems[7]
    assert posts[2].hashtags == ["straatverlichting"] and posts[2].lang == "nl"
    assert posts[3].created_at == datetime(2025, 6, 1, 11, 30, tzinfo=UTC)
    assert posts[6].links == ["https://stad.example/fietspad"] and posts[6].mentions == ["@stad"]
    assert posts[2].source == "import" and posts[2].external_id.startswith("posts.csv:sha256:")
    again = split(list(read_import(FIXTURES / "posts.csv", "csv",
                                   mapping="text=body,created_at=date,author=user")))[0]
    assert {p.external_id for p in again.values()} == {p.external_id for p in posts.values()}


def test_csv_header_missing_a_mapped_column():
    items = list(read_import(FIXTURES / "posts.csv", "csv", mapping="text=message,created_at=date"))
    assert items == [(1, ImportProblem("header lacks column(s) message"))]


def test_jsonl_with_field_mapping():
    items = list(read_import(FIXTURES / "posts.jsonl", "jsonl",
                             mapping="id=id,text=message,created_at=when,author=who,lang=lang"))
    posts, problems = split(items)
    assert sorted(posts) == [1, 2, 7]
    assert "not valid JSON" in problems[3]
    assert "not a JSON object" in problems[4]
    assert "missing" in problems[5]
    assert posts[1].external_id == "posts.jsonl:a1" and posts[1].hashtags == ["zwembad"]
    assert posts[2].created_at == datetime(2025, 7, 1, 12, 0, tzinfo=UTC)  # epoch seconds


def test_bad_mapping_and_format_fail_before_reading():
    with pytest.raises(ValueError, match="unknown field"):
        read_import(FIXTURES / "posts.csv", "csv", mapping="body=text")
    with pytest.raises(ValueError, match="unknown format"):
        read_import(FIXTURES / "posts.csv", "excel")


def test_json_array_streaming_across_chunk_edges():
    import samen.sources.imports.jsonstream as js

    items = [{"n": i, "t": "é" * (i % 7), "x": 12345.5 + i} for i in range(3000)]
    text = 'window.YTD.tweets.part0 = [' + ",\n".join(
        __import__("json").dumps(i) for i in items) + "]"
    old = js._CHUNK
    js._CHUNK = 97  # force items and numbers to straddle chunk edges
    try:
        got = [item for _, item in iter_array(io.StringIO(text))]
    finally:
        js._CHUNK = old
    assert got == items
