"""Intent and urgency: the inbox puts these posts on top, and shows why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samen.understanding.intent import INTENTS, classify


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Wanneer gaat het zwembad weer open?", "question"),
        ("Quand est-ce que la piscine rouvre ?", "question"),
        ("Waarom werkt de website nog steeds niet??", "complaint"),
        ("Still waiting for a refund, this is unacceptable.", "complaint"),
        ("Seit Wochen keine Antwort, eine Frechheit.", "complaint"),
        ("Kunt u mij laten weten wanneer de afvalkalender komt?", "request"),
        ("Pourriez-vous m'envoyer le formulaire svp", "request"),
        ("Top geregeld, bedankt!", "praise"),
        ("Vielen Dank, toll gemacht", "praise"),
        ("Mijn afval is weer niet opgehaald!", "complaint"),
        ("Jullie app crasht steeds bij het inloggen", "complaint"),
        ("Die Müllabfuhr kam schon wieder nicht.", "complaint"),
        ("Het regent vandaag in Gent.", "other"),
        ("Try again later, the form opens at nine.", "other"),
        ("Wat mooi!", "other"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    assert classify(text).intent == intent


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Er is brand in de Kerkstraat, er zijn gewonden", "danger"),
        ("Incendie rue de la Loi, plusieurs blessés", "danger"),
        ("Ik maak je af als je dat nog eens doet", "threat"),
        ("I just want to kill myself", "self_harm"),
        ("Ich will nicht mehr leben", "self_harm"),
        ("Storing: de website ligt eruit sinds vanochtend", "outage"),
        ("Gaslucht in de Dorpsstraat, wat moet ik doen?", "danger"),
        ("Er ligt een boom over de weg bij de school", "danger"),
        ("Ik zie het niet meer zitten", "self_harm"),
        ("Stromausfall in der ganzen Straße", "outage"),
    ],
)
def test_urgent_posts_say_why(text: str, kind: str) -> None:
    result = classify(text)
    assert result.urgent
    assert any(reason.startswith(kind + ":") for reason in result.urgency_reasons)


def test_ordinary_post_is_not_urgent_and_reasons_name_the_cue() -> None:
    result = classify("Bedankt voor de snelle hulp!")
    assert not result.urgent and result.urgency_reasons == []
    assert "praise: bedankt" in result.reasons


def test_confident_negative_sentiment_makes_a_complaint() -> None:
    text = "De nieuwe parkeerregels in onze wijk"
    assert classify(text).intent == "other"
    result = classify(text, sentiment="negative", sentiment_confidence=0.9)
    assert result.intent == "complaint"
    assert any("negative sentiment" in r for r in result.reasons)


def test_links_and_mentions_do_not_trigger_cues() -> None:
    assert classify("@storing https://example.org/brand-in/help?x=1").intent == "other"
    assert not classify("@storing https://example.org/storing").urgent


@given(st.text())
def test_never_raises(text: str) -> None:
    assert classify(text).intent in INTENTS
