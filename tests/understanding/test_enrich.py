"""enrich(): one call per post for the ingest path."""

from __future__ import annotations

from datetime import UTC, datetime

from samen.sources.types import Author, NormalizedPost
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
