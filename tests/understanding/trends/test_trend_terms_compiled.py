"""The trend terms' compiled twin (``_speedups.trend_terms``, ADR 0127) gives what the Python
steps of ``trends.terms_of`` give, to the character, on text full of what those steps treat
specially: links, mentions, entities and hashtags next to each other, the few characters
outside ASCII that case-insensitive patterns also match, digits and letters of other scripts,
every kind of white space. A difference would change which words rise, without a word of
warning."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.understanding import compiled, trends

pytestmark = [
    pytest.mark.speedups,
    pytest.mark.skipif(compiled.MODULE is None, reason="the compiled loops were not built"),
]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "understanding"


def _compiled(text: str) -> list[str]:
    assert compiled.MODULE is not None
    return compiled.MODULE.trend_terms(text, trends.STOPWORDS, trends._MIN_WORD)  # type: ignore[no-any-return]


# Pieces that start, end or break a match of one of terms_of's patterns, and the characters
# outside ASCII where Python's re differs from a plain ASCII test: U+017F and U+212A match "s"
# and "k" without regard to case, U+0130/U+0131 match "i", Arabic-Indic and full-width digits
# are \d, Ⅻ and ² are \w but not \d (so letters to the pattern), U+FF03 starts a hashtag, and
# \x1c, \x85, U+00A0, U+2003 and U+3000 are white space.
_PIECES = st.sampled_from(
    ["http://", "https://", "HTTPS://", "httpſ://", "hTTp://", "www.", "WWW.", "wWw.", "http",
     "://", "@", "@@", "@_", "a@b", "#", "##", "＃", "&", ";", "&amp;", "&AMP;", "&İ;", "&ı;",
     "&ſ;", "&\u212a;", "&stra\u212ae;", "&aİb;", "&ſſs;", "&#39;", "&#٣;", "&#１;", "&#x1F;", "&#X1f;", "&#x;", "&#;", "&#xg;",
     "\\u00e9", "\\U00E9", "\\u12", "\\", "/", ".", "-", "_", "1", "٣", "Ⅻ", "²", "a", "ab",
     "abc", "É", "été", "für", "ſ", "İ", "ı", "\u212a", "ΣΑΣ", "ǅemal", "ﬁets", "Straße", "中文字",
     " ", "\n", "\t", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", "\u200b", "\u0301",
     "😀", "👍🏽", "the", "THE", "les", "und", "een", "it's", "Dijk", "#Zorg", "#123", "#_a",
     "@anna", "@anna@x.example", "＃Zorg", "＃straat", "x.org", "'", "’", "…", "\x00", "\ud800"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=16).map("".join))
def test_the_compiled_terms_are_the_python_terms(text: str) -> None:
    assert _compiled(text) == trends._terms_in_python(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_compiled_terms_are_the_python_terms_on_any_text(text: str) -> None:
    assert _compiled(text) == trends._terms_in_python(text)


def _fixture_texts() -> list[str]:
    texts = []
    for name in ("sentences-ours.tsv", "intent-labelled.tsv"):
        with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
    return texts


def test_written_posts_in_four_languages_give_the_same_terms() -> None:
    """Our own sentences in nl, fr, en and de and the labelled posts of real tweets: the same
    terms, and real words among them (a twin that found nothing would pass the rest too)."""
    texts = _fixture_texts()
    assert len(texts) > 500
    assert [_compiled(t) for t in texts] == [trends._terms_in_python(t) for t in texts]
    assert "begroting" in trends.terms_of(texts[0])


def test_what_users_see_in_the_terms() -> None:
    """Links, mentions and entities are not words; hashtags count as tags and stop words and
    short words do not count."""
    text = ("Dijk bij #Zeeland #zeeland houdt het niet https://www.example.org/dijk?x=1 "
            "@anna@mastodon.example &amp; l'École TRÈS fermée, WWW.voorbeeld.be #2026 #Storm2026")
    assert trends.terms_of(text) == ["#zeeland", "#storm2026", "dijk", "houdt", "école",
                                     "fermée"]


def test_a_huge_hostile_post_is_read_whole() -> None:
    """A megabyte of markup, script and entities: the same terms, nothing cut off."""
    text = ("<script>alert('x')</script> &lt;b&gt; #Storm @a.b " * 25_000) + " eindelijk"
    found = _compiled(text)
    assert found == trends._terms_in_python(text)
    assert found[0] == "#storm" and found[-1] == "eindelijk"


def test_what_is_not_text_is_refused_as_python_would() -> None:
    with pytest.raises(TypeError):
        trends.terms_of(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compiled.MODULE.trend_terms("x", {"set"}, 3)  # type: ignore[union-attr]


def test_tags_a_network_lists_apart_still_count() -> None:
    """Given tags take the Python steps: after the text's own tags, before its words."""
    assert trends.terms_of("Storm op zee! #Noordzee", hashtags=["#Storm", "zee"]) == [
        "#noordzee", "#storm", "#zee", "storm", "zee"]


def _terms_twin_in_fresh_process(env: dict[str, str]) -> str:
    code = "from samen.understanding import trends; print(trends._compiled_terms is not None)"
    clean = {k: v for k, v in os.environ.items() if k != "SAMEN_PURE_PYTHON"}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_compiled_terms_are_used_where_built_unless_turned_off() -> None:
    assert _terms_twin_in_fresh_process({}) == "True"
    assert _terms_twin_in_fresh_process({"SAMEN_PURE_PYTHON": "1"}) == "False"
