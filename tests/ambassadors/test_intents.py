"""Share intents: the composer URL of each network carries the person's text exactly."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samen.ambassadors.intents import IntentError, intent_url, normalise_instance

HARD = "Fietsstraten & #Samenburg 🚲 — café à l'été? 100% ja+nee"
LINK = "https://samen.example/ambassadors/s/Ab3_x-9Z"


def _param(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query, strict_parsing=True)[name][0]


def test_mastodon_goes_to_the_persons_own_instance_with_the_text_encoded():
    url = intent_url(network="mastodon", text=HARD, link=LINK,
                     mastodon_instance="https://eupolicy.social/")
    assert url.startswith("https://eupolicy.social/share?text=")
    assert " " not in url and "&" not in url.split("?", 1)[1] and "#" not in url
    assert _param(url, "text") == f"{HARD} {LINK}"


def test_bluesky_compose_intent_encodes_spaces_ampersands_hashes_emoji_and_accents():
    url = intent_url(network="bluesky", text=HARD, link=LINK)
    assert url.startswith("https://bsky.app/intent/compose?text=")
    assert "%20%26%20%23Samenburg%20%F0%9F%9A%B2" in url
    assert "caf%C3%A9" in url
    assert _param(url, "text") == f"{HARD} {LINK}"


def test_x_linkedin_and_facebook_get_the_tracked_link():
    x = intent_url(network="x", text=HARD, link=LINK)
    assert urlsplit(x).netloc == "x.com" and urlsplit(x).path == "/intent/post"
    assert _param(x, "text") == HARD and _param(x, "url") == LINK
    li = intent_url(network="linkedin", text=HARD, link=LINK)
    assert li.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert _param(li, "url") == LINK
    fb = intent_url(network="facebook", text=HARD, link=LINK)
    assert fb.startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert _param(fb, "u") == LINK


def test_the_link_is_not_added_twice():
    url = intent_url(network="bluesky", text=f"Kijk: {LINK} !", link=LINK)
    assert _param(url, "text") == f"Kijk: {LINK} !"


@pytest.mark.parametrize("given_value,expected", [
    ("mastodon.social", "https://mastodon.social"),
    ("https://Mastodon.Social/", "https://mastodon.social"),
    ("@lotte@social.stad.example", "https://social.stad.example"),
    ("social.example:8443", "https://social.example:8443"),
])
def test_instances_are_normalised(given_value, expected):
    assert normalise_instance(given_value) == expected


@pytest.mark.parametrize("bad", [
    "", "javascript:alert(1)", "http://mastodon.social", "https://evil.example/path",
    "https://user@evil.example", "https://mastodon.social/?x=1", "mastodon", "a b.example",
    "https://mastodon.social#frag",
])
def test_anything_but_a_plain_https_host_is_refused(bad):
    with pytest.raises(IntentError):
        normalise_instance(bad)


def test_unknown_network_and_missing_instance_are_errors():
    with pytest.raises(IntentError):
        intent_url(network="myspace", text="x", link=LINK)
    with pytest.raises(IntentError):
        intent_url(network="mastodon", text="x", link=LINK)


@given(st.text(max_size=200))
def test_any_text_survives_the_round_trip(text):
    for network in ("mastodon", "bluesky", "x"):
        url = intent_url(network=network, text=text, link=LINK,
                         mastodon_instance="social.example")
        query = parse_qs(urlsplit(url).query, keep_blank_values=True)
        assert urlsplit(url).fragment == ""
        composed = query["text"][0]
        if network == "x":
            assert composed == text.strip() and query["url"] == [LINK]
        else:
            assert composed.endswith(LINK) and text.strip() in composed
