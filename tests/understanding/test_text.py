"""The shared tokeniser: what rules, language and sentiment all see of a post."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from samen.understanding.text import (
    emoji,
    extract,
    fold,
    hashtags,
    letter_words,
    links,
    mentions,
    normalize_url,
    tokens,
)


@given(st.text())
def test_fold_is_idempotent_and_total(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded


@given(st.text())
def test_every_extractor_accepts_any_text(text: str) -> None:
    ents = extract(text)
    assert all(isinstance(x, str) for x in ents.hashtags + ents.mentions + ents.links)
    assert all(t == fold(t) for t in tokens(text))
    letter_words(text)


@given(st.text(alphabet=string.ascii_letters + " éèëêçàäöüßÉÖ", max_size=50))
def test_fold_matches_across_case_and_accents(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(fold(text).upper())


def test_fold_removes_dutch_french_german_diacritics() -> None:
    assert fold("Één café, ÇA, Straße, naïef, ﬁets") == "een cafe, ca, strasse, naief, fiets"


def test_tokens_are_folded_words_including_tag_and_mention_words() -> None:
    assert tokens("Zorg voor Élève! #GeefOmJeDarm @Gemeente_Gent") == [
        "zorg", "voor", "eleve", "geefomjedarm", "gemeente_gent"
    ]  # fmt: skip


def test_hashtags_lower_case_without_hash_and_not_from_links_or_numbers() -> None:
    text = "#Zorg en #zorg, #1, kijk https://example.org/page#Anchor en#nietdit #Été2024"
    assert hashtags(text) == ["zorg", "été2024"]


def test_mentions_of_mastodon_and_bluesky_handles() -> None:
    text = "Dank @Anna@Mastodon.Social en @gemeente.bsky.social. Mail info@example.org"
    assert mentions(text) == ["@anna@mastodon.social", "@gemeente.bsky.social"]


def test_links_are_normalized_and_trimmed() -> None:
    text = (
        "Lees https://WWW.Gemeente.NL:443/Zorg?utm_source=x&id=3&fbclid=abc#top, "
        "(of www.example.org/a_(b)). En http://example.org"
    )
    assert links(text) == [
        "https://www.gemeente.nl/Zorg?id=3",
        "http://www.example.org/a_(b)",
        "http://example.org/",
    ]


def test_normalize_url_never_raises_on_broken_links() -> None:
    assert normalize_url("http://[::1") == "http://[::1"
    assert normalize_url("https://example.org:99999/x") == "https://example.org:99999/x"


def test_emoji_sequences_stay_whole_and_repeats_count() -> None:
    assert emoji("Top 👍🏽👍🏽 🇳🇱 👨\u200d👩\u200d👧 ❤️ © 2024") == [
        "👍🏽", "👍🏽", "🇳🇱", "👨\u200d👩\u200d👧", "❤️"
    ]  # fmt: skip


def test_letter_words_drop_everything_but_words() -> None:
    text = "@anna Kijk! https://x.org/a #tag &amp; 42 😀 goed gedaan"
    assert letter_words(text) == ["Kijk", "goed", "gedaan"]
