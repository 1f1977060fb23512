"""Sentiment: the shipped model answers sensibly in all four languages and never crashes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.understanding import sentiment as S


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Wat een geweldige hulp, heel erg bedankt! 😍", "nl", "positive"),
        (
            "Schandalig, al drie weken geen reactie. Belachelijk slecht geregeld 😡",
            "nl",
            "negative",
        ),
        ("Merci beaucoup, super accueil à la mairie ce matin !", "fr", "positive"),
        ("C'est une honte, toujours pas de réponse, service nul.", "fr", "negative"),
        ("Thank you so much, amazing support from the team today!", "en", "positive"),
        ("Worst service ever, still waiting and nobody answers. Terrible.", "en", "negative"),
        ("Vielen Dank, das war wirklich toll und super schnell!", "de", "positive"),
        ("Eine Frechheit, schon wieder kaputt und keiner hilft. Schlecht!", "de", "negative"),
    ],
)
def test_clear_cases_in_every_language(text: str, lang: str, label: str) -> None:
    assert S.classify(text, lang).label == label


def test_negation_turns_praise_around() -> None:
    good = S.classify("De service was goed", "nl")
    not_good = S.classify("De service was niet goed", "nl")
    pos = S.LABELS.index("positive")
    assert (
        S.scores("De service was niet goed", "nl")[0][pos]
        < S.scores("De service was goed", "nl")[0][pos]
    )
    assert good.label != "negative" and not_good.label != "positive"


@pytest.mark.parametrize(
    ("bare", "inflected"),
    [
        ("slecht", "slechte"),
        ("groot", "grote"),
        ("boos", "boze"),
        ("lief", "lieve"),
        ("dik", "dikke"),
        ("mooi", "mooie"),
        ("tevreden", None),  # takes no -e
        ("waard", None),  # "waarde" is mostly "value"
    ],
)
def test_dutch_adjectives_get_their_inflected_form(bare: str, inflected: str | None) -> None:
    assert S._dutch_e_form(bare) == inflected


def test_an_inflected_dutch_adjective_carries_the_bare_words_polarity() -> None:
    lex = S._lexicon("nl")
    assert "slechte" in lex and lex["slechte"] == lex["slecht"] < 0
    assert S.classify("Wat een slechte dienstverlening weer", "nl").label == "negative"


def test_dutch_uses_the_transfer_head_and_trained_languages_the_full_one() -> None:
    assert S.classify("goed", "nl").head == "transfer"
    assert S.classify("good", "en").head == "full"
    assert S.classify("good", None).head == "transfer"


def test_fast_scores_equal_the_training_features_times_the_weights() -> None:
    w = S._get_weights()
    for text in ["This is not good at all :( #fail @x https://x.org", "Top!! 👍👍 merci"]:
        idx, vals = S.featurize(text, "en")
        expected = np.asarray(vals) @ w.full.astype(np.float64)[idx] + np.asarray(w.full_bias)
        assert np.allclose(S.scores(text, "en")[0], expected, atol=1e-4)


@settings(max_examples=150, deadline=None)
@given(st.text(), st.sampled_from(["nl", "fr", "en", "de", None, "xx"]))
def test_any_text_gets_a_label_and_a_probability(text: str, lang: str | None) -> None:
    r = S.classify(text, lang)
    assert r.label in S.LABELS
    assert 1 / 3 - 1e-9 <= r.confidence <= 1.0
