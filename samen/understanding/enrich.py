"""One call per post: everything the understanding cores say about it.

This is what the ingest path calls for each :class:`~samen.sources.types.NormalizedPost`, so it
stays pure (no Django) and fast. Entities the connector already found (hashtags, mentions,
links) are merged with those in the text, so a link that a network put in its metadata only
is not lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from samen.sources.types import NormalizedPost
from samen.understanding import intent as _intent
from samen.understanding import language as _language
from samen.understanding import sentiment as _sentiment
from samen.understanding import text as _text

__all__ = ["Enrichment", "enrich", "enrich_many", "enrich_text"]

DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")


@dataclass(slots=True)
class Enrichment:
    """What Samen understood of one post. ``language`` None means unknown."""

    language: str | None
    sentiment: str
    sentiment_confidence: float
    intent: str
    urgent: bool
    urgency_reasons: list[str] = field(default_factory=list)
    intent_reasons: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    emoji: list[str] = field(default_factory=list)


def _merge(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def enrich_text(
    text: str,
    *,
    lang_tag: str | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> Enrichment:
    """Enrich a bare text (for previews, imports and evaluation)."""
    text = text or ""
    lang = _language.detect(text, languages=languages, tag=lang_tag)
    senti = _sentiment.classify(text, lang)
    intent = _intent.classify(text, sentiment=senti.label, sentiment_confidence=senti.confidence)
    ents = _text.extract(text)
    return Enrichment(
        language=lang,
        sentiment=senti.label,
        sentiment_confidence=round(senti.confidence, 4),
        intent=intent.intent,
        urgent=intent.urgent,
        urgency_reasons=intent.urgency_reasons,
        intent_reasons=intent.reasons,
        hashtags=ents.hashtags,
        mentions=ents.mentions,
        links=ents.links,
        emoji=ents.emoji,
    )


def enrich(post: NormalizedPost, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> Enrichment:
    """Enrich one post; the source's language tag is honoured when it is one of ``languages``.

    Media descriptions (alt text) are not used for language or sentiment: they describe a
    picture, often in another voice than the post.
    """
    result = enrich_text(post.text, lang_tag=post.lang, languages=languages)
    if post.hashtags:
        result.hashtags = _merge(result.hashtags, (h.lower().lstrip("#") for h in post.hashtags))
    if post.mentions:
        result.mentions = _merge(
            result.mentions, ("@" + m.lower().lstrip("@") for m in post.mentions if m)
        )
    if post.links:
        result.links = _merge(result.links, (_text.normalize_url(u) for u in post.links if u))
    return result


def enrich_many(
    posts: Iterable[NormalizedPost], *, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[Enrichment]:
    """:func:`enrich` for each post. No faster than a loop today (the per-word caches already
    make a stream cheap); callers that batch keep working when a vectorised path arrives."""
    return [enrich(p, languages=languages) for p in posts]
