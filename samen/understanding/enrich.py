"""One call per post: everything the understanding cores say about it.

This is what the ingest path calls for each :class:`~samen.sources.types.NormalizedPost`, so it
stays pure (no Django) and fast. Entities the connector already found (hashtags, mentions,
links) are merged with those in the text, so a link that a network put in its metadata only
is not lost.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from samen.sources.types import NormalizedPost
from samen.understanding import intent as _intent
from samen.understanding import language as _language
from samen.understanding import sentiment as _sentiment
from samen.understanding import text as _text

__all__ = ["Enrichment", "enrich", "enrich_many", "enrich_text"]

DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "fr", "en", "de")

# Sentiment's word tokens of a folded text are intent's words (``\w+``) unless the text holds
# a digit or "_" (words to intent, not to sentiment), an apostrophe (sentiment keeps "l'eau"
# whole), or what a link or a mention needs ("/", "@", "www": sentiment sets those tokens
# apart, intent removes them first). Otherwise runs of ``\w`` and of ``[^\W\d_]`` are the
# same runs, so intent can take sentiment's words instead of tokenising again. ("www" is
# tested apart: a pattern of one character class scans faster.)
_NOT_SAME_CHARS = re.compile(r"[\d_'/@]")


def _shares_words(folded: str) -> bool:
    """Whether sentiment's word tokens of ``folded`` are intent's words (see above)."""
    return "www" not in folded and _NOT_SAME_CHARS.search(folded) is None


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
    return _enrich_batch([text or ""], [lang_tag], tuple(languages))[0]


def _enrich_batch(
    texts: Sequence[str], tags: Sequence[str | None], languages: tuple[str, ...]
) -> list[Enrichment]:
    """The cores over a batch: language and sentiment each with one numpy gather-and-sum for
    the whole batch, and each post's text folded once for sentiment and intent. The answers
    are those of ``language.guess``, ``sentiment.classify``, ``intent.classify`` and
    ``text.extract`` called one by one (tests/understanding/test_enrich.py checks it)."""
    if len(texts) == 1:  # one post: numpy's per-call cost would outweigh the batch sum
        langs = [_language.guess(texts[0], languages=languages, tag=tags[0]).language]
    else:
        langs = [g.language for g in _language.guess_many(texts, tags, languages=languages)]
    folds = list(map(_text.fold, texts))
    emoji = list(map(_text.emoji, texts))  # found once for sentiment and the entities
    words: list[list[str]] = []
    sentis = _sentiment.label_many(texts, langs, folded=folds, found_emoji=emoji, words_out=words)
    if not words:  # a batch too small for numpy does not hand its words on
        words = [[]] * len(texts)
    out: list[Enrichment] = []
    for text, lang, folded, (label, confidence), found, said in zip(
        texts, langs, folds, sentis, emoji, words, strict=True
    ):
        intent = _intent.classify(
            text,
            sentiment=label,
            sentiment_confidence=confidence,
            folded=folded,
            words=said if said and _shares_words(folded) else None,
        )
        ents = _text.extract(text, found_emoji=found)
        out.append(
            Enrichment(
                language=lang,
                sentiment=label,
                sentiment_confidence=round(confidence, 4),
                intent=intent.intent,
                urgent=intent.urgent,
                urgency_reasons=intent.urgency_reasons,
                intent_reasons=intent.reasons,
                hashtags=ents.hashtags,
                mentions=ents.mentions,
                links=ents.links,
                emoji=ents.emoji,
            )
        )
    return out


def _with_connector_entities(result: Enrichment, post: NormalizedPost) -> Enrichment:
    if post.hashtags:
        result.hashtags = _merge(result.hashtags, (h.lower().lstrip("#") for h in post.hashtags))
    if post.mentions:
        result.mentions = _merge(
            result.mentions, ("@" + m.lower().lstrip("@") for m in post.mentions if m)
        )
    if post.links:
        result.links = _merge(result.links, (_text.normalize_url(u) for u in post.links if u))
    return result


def enrich(post: NormalizedPost, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> Enrichment:
    """Enrich one post; the source's language tag is honoured when it is one of ``languages``.

    Media descriptions (alt text) are not used for language or sentiment: they describe a
    picture, often in another voice than the post.
    """
    result = _enrich_batch([post.text or ""], [post.lang], tuple(languages))[0]
    return _with_connector_entities(result, post)


# Posts per numpy batch: large enough to spread numpy's per-call cost, small enough that a
# batch's word rows stay in the CPU cache.
BATCH = 1024


def enrich_many(
    posts: Iterable[NormalizedPost], *, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[Enrichment]:
    """:func:`enrich` for each post, with the same results, faster: language scores are
    summed for a batch of posts at once and each text is folded once for all the cores."""
    allowed = tuple(languages)
    items = list(posts)
    out: list[Enrichment] = []
    # The cyclic garbage collector is paused meanwhile: enrichment makes no reference
    # cycles, but its many small objects (and the caller's) would start full collections
    # that cost about a fifth of the time on a batch of thousands of posts.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for lo in range(0, len(items), BATCH):
            chunk = items[lo : lo + BATCH]
            texts = [p.text or "" for p in chunk]
            results = _enrich_batch(texts, [p.lang for p in chunk], allowed)
            out += map(_with_connector_entities, results, chunk)
    finally:
        if collecting:
            gc.enable()
    return out
