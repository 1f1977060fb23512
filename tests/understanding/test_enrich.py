"""enrich(): one call per post for the ingest path."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from samen.sources.types import Author, NormalizedPost
from samen.understanding import intent, language, sentiment
from samen.understanding.enrich import Enrichment, enrich, enrich_many


def _post(text: str, **kw: object) -> NormalizedPost:
    return NormalizedPost(
        source="mastodon",
        external_id="1",
        text=text,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        author=Author(handle="@anna@example.social"),
        **kw,  # type: ignore[arg-type]
    )


def test_enrich_dutch_complaint_with_entities() -> None:
    post = _post(
        "@Gemeente waarom is het zwembad nog steeds dicht?? Schandalig 😡 #Zwembad "
        "https://Example.org/zwembad?utm_source=x"
    )
    e = enrich(post)
    assert isinstance(e, Enrichment)
    assert e.language == "nl"
    assert e.sentiment == "negative" and 0.0 < e.sentiment_confidence <= 1.0
    assert e.intent == "complaint" and not e.urgent
    assert e.hashtags == ["zwembad"]
    assert e.mentions == ["@gemeente"]
    assert e.links == ["https://example.org/zwembad"]
    assert e.emoji == ["😡"]


def test_source_tag_and_connector_entities_are_kept() -> None:
    post = _post(
        "Merci pour votre aide",
        lang="fr-BE",
        hashtags=["Bruxelles"],
        mentions=["bob@example.org"],
        links=["https://example.org/a#frag"],
    )
    e = enrich(post)
    assert e.language == "fr"
    assert e.hashtags == ["bruxelles"]
    assert e.mentions == ["@bob@example.org"]
    assert e.links == ["https://example.org/a"]


def test_urgent_post_carries_reasons() -> None:
    e = enrich(_post("Er is brand in de sporthal en er zijn gewonden!"))
    assert e.urgent and any(r.startswith("danger:") for r in e.urgency_reasons)


def test_hostile_and_empty_text_are_data() -> None:
    empty = enrich(_post(""))
    assert empty.language is None and empty.intent == "other" and not empty.urgent
    hostile = enrich(_post("<script>alert('x')</script>\x00\u202e" + "💥" * 500))
    assert hostile.language in (None, "en")  # "script alert" are English-looking words
    assert hostile.emoji == ["💥"] * 500 and not hostile.links
    assert enrich(_post("💥🔥😀" * 3)).language is None
    only_url = enrich(_post("https://example.org/een/nederlandse/pagina"))
    assert only_url.language is None and only_url.links


def test_languages_setting_limits_the_answer() -> None:
    e = enrich(_post("The council will collect the bins on Thursday."), languages=("nl", "fr"))
    assert e.language in (None, "nl", "fr")


def test_enrich_many_matches_enrich() -> None:
    posts = [_post("Bedankt!"), _post("Danke schön, das war toll")]
    assert enrich_many(posts) == [enrich(p) for p in posts]


# --- the batch path gives the same answers as the cores called one post at a time ----------

_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "understanding"
_FIXTURE = _FIXTURE / "intent-labelled.tsv"

_WORD_TEXT = (
    "de het een niet geen goed slecht bedankt storing brand gewonden waarom werkt nog steeds "
    "kunt u graag zwembad gemeente trein vertraging le la pas merci panne toujours service "
    "nul bravo pourquoi the not good bad thanks still waiting outage fire please why can you "
    "der die nicht gut schlecht danke Störung schon wieder kaputt bitte warum Frechheit café "
    "élève ÉÉN Straße ﬁets SCHANDALIG TOP never again kill myself"
)
_WORDS = _WORD_TEXT.split()
_EXTRAS = ("!", "?", "!!", ".", "😡", "😀", "👍🏽", ":)", ":(", "#Zorg", "@anna", "@bob@x.org",
           "https://example.org/a?utm_source=x", "www.example.nl/b", "112", "&amp;",
           "\n")  # fmt: skip


def _varied_posts(n: int) -> list[NormalizedPost]:
    """Real posts from the fixture, then generated mixes of nl/fr/en/de words, entities,
    emoji and punctuation, with and without a source language tag."""
    with _FIXTURE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [r["text"] for r in rows]
    rng = random.Random(4)
    while len(texts) < n:
        size = rng.randint(0, 30)
        texts.append(" ".join(rng.choice(_WORDS if rng.random() < 0.8 else _EXTRAS)
                              for _ in range(size)))  # fmt: skip
    tags = [None, None, None, "nl", "fr-BE", "en", "de", "es", "", "xx-invalid"]
    return [_post(t, lang=rng.choice(tags)) for t in texts]


def _one_by_one(post: NormalizedPost, languages: tuple[str, ...]) -> tuple[object, ...]:
    """What the cores say about a post when each is called on its own."""
    lang = language.detect(post.text, languages=languages, tag=post.lang)
    senti = sentiment.classify(post.text, lang)
    found = intent.classify(post.text, sentiment=senti.label, sentiment_confidence=senti.confidence)
    return lang, senti.label, round(senti.confidence, 4), found.intent, found.urgent


def _summary(e: Enrichment) -> tuple[object, ...]:
    return e.language, e.sentiment, e.sentiment_confidence, e.intent, e.urgent


@pytest.mark.parametrize("languages", [("nl", "fr", "en", "de"), ("nl", "fr")])
def test_enrich_many_gives_what_enrich_and_the_cores_give(languages: tuple[str, ...]) -> None:
    posts = _varied_posts(600)
    many = enrich_many(posts, languages=languages)
    assert many == [enrich(p, languages=languages) for p in posts]
    assert [_summary(e) for e in many] == [_one_by_one(p, languages) for p in posts]
    assert {*languages, None} <= {e.language for e in many}  # the posts really vary
    assert len({e.intent for e in many}) >= 4 and any(e.urgent for e in many)


def test_enrich_many_survives_caches_emptied_mid_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The word caches are bounded; emptying them must not mix up one post's words with
    another's inside a batch."""
    posts = _varied_posts(400)
    expected = [_summary(e) for e in enrich_many(posts)]
    monkeypatch.setattr(language, "_CACHE_MAX", 40)
    monkeypatch.setattr(sentiment, "_CACHE_MAX", 40)
    language._CACHE.clear()  # start cold, so that new words fill the small caches
    sentiment._trim_caches()
    try:
        assert [_summary(e) for e in enrich_many(posts)] == expected
        assert [_summary(enrich(p)) for p in posts[:50]] == expected[:50]
    finally:
        language._CACHE.clear()


def test_enrich_many_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    posts = [_post("Bedankt!")] * 3
    assert gc.isenabled()
    enrich_many(posts)
    assert gc.isenabled()
    gc.disable()
    try:
        enrich_many(posts)
        assert not gc.isenabled()
    finally:
        gc.enable()
