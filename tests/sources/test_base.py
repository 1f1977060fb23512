"""The provider registry and the shared HTML-to-text cleaning."""

from __future__ import annotations

import pytest

from samen.sources.base import (
    AccountConfig,
    Feature,
    NotSupported,
    Provider,
    StreamKind,
    get_provider,
    providers,
    register,
)
from samen.sources.text import find_hashtags, find_links, find_mentions, html_to_text


def test_builtin_providers_are_registered_with_their_features():
    keys = [p.key for p in providers()]
    assert keys == ["bluesky", "feed", "import", "mastodon"]
    mastodon = get_provider("mastodon")
    assert mastodon.supports(Feature.REPLY) and mastodon.supports(Feature.DIRECT)
    assert StreamKind.HASHTAG in mastodon.stream_kinds
    assert not get_provider("feed").supports(Feature.POST)
    assert get_provider("import").supports(Feature.IMPORT)


def test_unknown_provider_and_import_only_connection_are_clear_errors():
    with pytest.raises(NotSupported, match="unknown source provider 'myspace'"):
        get_provider("myspace")
    with pytest.raises(NotSupported, match="no live connection"):
        get_provider("import").connector(AccountConfig(provider="import"))


def test_a_key_cannot_be_registered_twice_for_different_providers():
    with pytest.raises(ValueError, match="already registered"):
        register(Provider(key="mastodon", name="Other", features=frozenset()))


def test_connector_refuses_an_account_of_another_provider():
    with pytest.raises(ValueError, match="not 'mastodon'"):
        get_provider("mastodon").connector(AccountConfig(provider="bluesky"))


def test_credentials_never_show_in_repr():
    config = AccountConfig(provider="mastodon", credentials={"access_token": "s3cret"})
    assert "s3cret" not in repr(config)


def test_html_is_text_and_typed_markup_stays_data():
    text, links = html_to_text(
        '<p>Hallo &amp; welkom</p><p>regel<br>twee <a href="https://x.example/a">link</a> '
        '<a class="mention" href="https://m.example/@a">@a</a></p>'
        "<script>steal()</script><p>&lt;img src=x onerror=alert(1)&gt;</p>")
    assert text == "Hallo & welkom\n\nregel\ntwee link @a\n\n<img src=x onerror=alert(1)>"
    assert links == ["https://x.example/a"]


def test_plain_text_finders():
    text = "Zie https://stad.example/a. En #Afval, #1 en @anna@stad.example of @bob!"
    assert find_links(text) == ["https://stad.example/a"]
    assert find_hashtags(text) == ["afval"]
    assert find_mentions(text) == ["@anna@stad.example", "@bob"]


def test_link_detection_reads_any_attribute_quoting():
    html = ("<a class='mention' href='https://m.example/@a'>@a</a> "
            "<a href=https://x.example/?a=1&amp;b=2>x</a> "
            '<a rel="tag" href="https://m.example/tags/t">#t</a> <a name="top">top</a>')
    text, links = html_to_text(html)
    assert links == ["https://x.example/?a=1&b=2"]
    assert text == "@a x #t top"
