"""The batch paths (numpy over all the tokens of a batch) give exactly what the per-post paths
give, on posts chosen to hit every special case of the tokenisers."""

from __future__ import annotations

import random
import re
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.understanding import enrich, language, sentiment, trends
from samen.understanding import intent as I
from samen.understanding import text as T
from samen.understanding.rules import _text as rules_text
from samen.understanding.text import fold

TRICKY = [
    "",
    "   ",
    "!!!???",
    "ok",
    "Niet goed! Wel goed. niet niet niet goed",  # "!" ends a negation's scope
    "not",  # a negator at the end of one post ...
    "good service, really good",  # ... does not negate the next post
    "Ce n'est pas du tout bien, jamais! Mais bon :)",
    "Das ist NICHT gut, kein Service, keine Antwort ohne Grund",
    "#Zorg #zorgPlicht @Gemeente @anna@mastodon.example @bob.bsky.social mail@me.com",
    "https://Example.org/pad?utm_source=x&b=1 www.voorbeeld.nl/a httpd https wwwx http",
    "Café élève ÉÉN Straße ﬁets naïve Ærø İstanbul ǅemal",
    "SCHANDALIG!!! WAAROM werkt het NIET? ÉCOLE FERMÉE",
    "<script>alert('x')</script> &amp; &lt;b&gt; &#39; \\u2019 <b>vet</b>",
    "😡😡 👍🏽 🇳🇱 1️⃣ ❤️ :) :( :-/ xD <3 ^^ D: http://x.org/:(",
    "l'eau c'est l’été, aujourd'hui qu'il",
    "\x00\u202e zero\x00width \u200b joiner",
    "lone \ud800 surrogate and \udfff",
    "a\u0301b\u0308c combining marks",
    "digits 112 911 2024 and_under_scores x1y2",
    "supercalifragilisticexpialidocious " * 3,
    "no no no no no no no good good good good",
    "Thanks!!! Merci ! Danke? Bedankt?!",
    "\n\nnieuwe\nregels\n\n",
    "الصور 中文字 русский текст ελληνικά",
]


def _posts(n: int) -> list[str]:
    """The tricky posts, then random mixes of their words and characters."""
    rng = random.Random(9)
    pieces = " ".join(TRICKY).split(" ") + list("!?.@#:/'&;<>\n")
    out = list(TRICKY)
    while len(out) < n:
        out.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))))
    return out


LANGS = ["nl", "fr", "en", "de", None, "es", "xx"]


@pytest.mark.parametrize("cold", [True, False])
def test_sentiment_batch_equals_one_post_at_a_time_to_the_last_bit(cold: bool) -> None:
    texts = _posts(400)
    rng = random.Random(3)
    langs = [rng.choice(LANGS) for _ in texts]
    if cold:
        sentiment.clear_caches()
    batch = sentiment.scores_many(texts, langs)  # >= 8 posts: the numpy path
    assert len(texts) >= 8
    single = [sentiment.scores(t, lang) for t, lang in zip(texts, langs, strict=True)]
    assert batch == single  # same floats, not just close


def test_sentiment_batch_equals_the_training_features() -> None:
    """featurize (training) and the fast scores see the same words, negations and extras."""
    w = sentiment._get_weights()
    full = w.full.astype(np.float64)
    texts = TRICKY[:12]
    scored = sentiment.scores_many(texts, ["en"] * len(texts))
    for text, (logits, head) in zip(texts, scored, strict=True):
        assert head == "full"
        idx, vals = sentiment.featurize(text, "en")
        expected = np.asarray(vals) @ full[idx] + np.asarray(w.full_bias)
        assert np.allclose(logits, expected, atol=1e-4)


def test_pair_names_are_hashed_as_pair_feature_does() -> None:
    sentiment.clear_caches()
    texts = _posts(60)
    sentiment.scores_many(texts, ["en"] * len(texts))
    vocab = sentiment._vocab
    held = vocab.pairs.keys != -1
    assert vocab.pairs.size == held.sum() > 100
    keys = vocab.pairs.keys[held].tolist()
    assert vocab.pairs.get(vocab.pairs.keys[held]).tolist() == vocab.pairs.values[held].tolist()
    for key, bucket in zip(keys, vocab.pairs.values[held].tolist(), strict=True):
        before, tok = (key >> 32) - 1, key & 0xFFFFFFFF
        prev = vocab.tokens[before] if before >= 0 else "<s>"
        assert bucket == sentiment._pair_feature(prev, vocab.tokens[tok])
    assert sentiment._h_raw("b:<s> x") == zlib.crc32(b"b:<s> x")


@pytest.mark.parametrize("languages", [("nl", "fr", "en", "de"), ("fr",)])
def test_language_batch_equals_guess(languages: tuple[str, ...]) -> None:
    texts = _posts(300)
    rng = random.Random(5)
    tags = [rng.choice([None, None, "nl", "fr-BE", "es", "", "x"]) for _ in texts]
    language._CACHE.clear()
    batch = language.guess_many(texts, tags, languages=languages)
    single = [
        language.guess(t, languages=languages, tag=g) for t, g in zip(texts, tags, strict=True)
    ]
    assert batch == single


def test_new_words_scored_together_equal_one_by_one() -> None:
    """The numpy n-gram table finds the same features as the model's dictionary, and a
    word's row does not depend on the other words scored with it."""
    m = language._get_model()
    words = sorted({w for t in _posts(200) for w in t.split() if w.isalpha()})
    language._CACHE.clear()
    language._add_words(words)
    together = {w: language._ROWS[language._CACHE[w][0]].copy() for w in words}
    for w in words[:80]:
        language._CACHE.clear()
        language._add_words([w])
        row, size = language._CACHE[w]
        data = (" " + (w.lower() if w.isupper() else w) + " ").encode("utf-8", "surrogatepass")
        idx = [
            f
            for n in range(2, m.max_len + 1)
            for s in range(len(data) - n + 1)
            if (f := m.features.get(data[s : s + n])) is not None
        ]
        assert size == len(data) - 1
        if row < 0:
            assert not idx and m.bonus(w) is None
            continue
        expected = m.weights[idx].sum(axis=0) if idx else np.zeros(m.weights.shape[1])
        if (bonus := m.bonus(w)) is not None:
            expected = expected + bonus
        assert np.array_equal(language._ROWS[row], expected)
        assert np.array_equal(language._ROWS[row], together[w])
    language._CACHE.clear()


def test_folded_tokens_are_shared_by_batch_and_single_paths() -> None:
    """The batch path is given folded text by enrich; folding again must change nothing."""
    texts = _posts(50)
    assert [fold(fold(t)) for t in texts] == [fold(t) for t in texts]
    folded = [fold(t) for t in texts]
    assert sentiment.scores_many(texts, ["de"] * 50, folded) == sentiment.scores_many(
        texts, ["de"] * 50
    )


def test_int_table_finds_what_was_put_even_when_slots_collide() -> None:
    table = sentiment._IntTable(bits=5)  # 32 slots: many keys share a home slot
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 1 << 50, 10)
    table.put(np.concatenate([keys, keys[:3]]), np.arange(13))  # repeats: the first wins
    assert table.get(keys).tolist() == list(range(10))
    assert table.get(np.array([7, 1 << 40])).tolist() == [-1, -1]
    assert table.size == 10


_PIECES = st.sampled_from(
    ["http://", "https://", "HTTPS://", "www.", "WWW.", "Www.", "@", "#", "＃", "&amp;", "&#39;",
     "&x;", "\\u2019", "/", ".", "a", "É", "ſ", "K", "_", "1", " ", "\n", "ab", "x.org",
     "😀", "🇳", "🇱", "1️⃣", "#\u20e3", "👍🏽", "\u200d", "©", "\ufe0f", "❤",
     ":)", ";-(", ":'(", "xD", " xd ", "<3", "^^", "(:", "):", "D:", ":/", "://", "=]"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=12).map("".join))
def test_look_ahead_prefixes_change_no_match(text: str) -> None:
    """The entity patterns start with a look-ahead for speed; without it they match the same."""
    patterns = (T._STRIP_RE, T._URL_RE, T._HASHTAG_RE, T._MENTION_RE, T._EMOJI_RE)
    for fast in (*patterns, I._LINK_OR_MENTION, sentiment._EMOTICON_POS, sentiment._EMOTICON_NEG,
                 rules_text._HASHTAG_RE, rules_text._MENTION_RE,
                 trends._URL, trends._MENTION, trends._ENTITY, trends._HASHTAG):
        plain = re.sub(r"^\(\?=(?:\[[^\]]*\]|[^)])\)", "", fast.pattern)
        assert plain != fast.pattern
        slow = re.compile(plain, fast.flags)
        assert fast.findall(text) == slow.findall(text)
        assert fast.sub(" ", text) == slow.sub(" ", text)


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(re.sub(r"^\(\?=(?:\[[^\]]*\]|[^)])\)", "", pattern.pattern), pattern.flags)


def _terms_reference(text: str, hashtags: list[str]) -> list[str]:
    """``trends.terms_of`` as first written: every pattern run on every text."""
    tag_re, url_re = _plain(trends._HASHTAG), _plain(trends._URL)
    mention_re, entity_re = _plain(trends._MENTION), _plain(trends._ENTITY)
    tags = ["#" + t.lower() for t in tag_re.findall(text)]
    tags += ["#" + t.lower().lstrip("#") for t in hashtags if t.strip("#")]
    plain = tag_re.sub(" ", entity_re.sub(" ", mention_re.sub(" ", url_re.sub(" ", text))))
    words = [w for w in (m.lower() for m in re.findall(r"[^\W\d_]{3,}", plain))
             if w not in trends.STOPWORDS]
    return list(dict.fromkeys(tags + words))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=12).map("".join),
       st.lists(st.sampled_from(["", "#", "Zorg", "#ab", "É"]), max_size=2))
def test_trend_terms_with_substring_pre_checks_equal_every_pattern_run(
    text: str, hashtags: list[str]
) -> None:
    assert trends.terms_of(text, hashtags) == _terms_reference(text, hashtags)


_ASCII_WORDS = st.sampled_from(
    ["the", "The", "THE", "een", "les", "und", "ok", "a", "I", "am", "Ab", "dijk", "Storm",
     "zee", "it's", "rt", "RT", "http", "3am", "x2y", "a_b", "dike-break", " ", ", ", ". ", "!",
     "\n", "#zorg", "#ab", "@anna", "www.x.be", "&amp;", "abc"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_ASCII_WORDS | st.text(st.characters(max_codepoint=127), max_size=4),
                max_size=15).map(" ".join))
def test_trend_terms_of_ascii_text_drop_short_and_stop_words_as_every_pattern_does(
    text: str,
) -> None:
    """ASCII text drops its short words and stop words with one set test; every word of three
    letters or more that is not a stop word stays, as in the pattern's version."""
    assert trends.terms_of(text) == _terms_reference(text, [])


_SHOUTY = st.sampled_from(
    ["SCHANDALIG", "ÉCOLE", "NIET", "NIE", "Top", "ﬁETS", "ǅEMAL", "Ⅻ", "AB²C", "ABC1", "A_BC", "ΣΩΣΩ",
     "\u00a0", "\u2003", " ", "\n", "\t", "!", "abc", "中文字字"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_SHOUTY | st.text(max_size=3), max_size=10).map("".join))
def test_shouting_found_by_splitting_equals_the_pattern(text: str) -> None:
    by_pattern = any(w.isupper() and w.isalpha() for w in sentiment._SHOUT_RE.findall(text))
    by_split = any(len(w) >= 4 and w.isupper() and w.isalpha() for w in text.split())
    assert by_pattern == by_split


@pytest.mark.parametrize("word", ["", "a", "ab", "abc", "abcd", "abcdefgh", "é", "naïve", "ﬁ"])
@pytest.mark.parametrize("negated", [False, True])
def test_word_features_batch_form_equals_the_training_form(word: str, negated: bool) -> None:
    fast = [f & (sentiment.N_BUCKETS - 1) for f in sentiment._word_feature_iter(word, negated)]
    assert fast == list(sentiment._word_features(word, negated))
    assert sentiment._n_word_features(word) == len(fast)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12) | st.sampled_from(
    ["", "a", "ab", "abc", "abcd", "é", "naïve", "ﬁ", "don't", "\ud800", "x" * 40]), st.booleans()),
    min_size=1, max_size=20))
def test_feature_hashes_of_many_words_equal_the_training_form(keys: list[tuple[str, bool]]) -> None:
    """The numpy CRC-32 of all the new words' n-grams gives zlib's numbers, word by word."""
    counts = [sentiment._n_word_features(w) for w, _ in keys]
    fast = sentiment._feature_hashes(keys, counts) & (sentiment.N_BUCKETS - 1)
    assert fast.tolist() == [f for k in keys for f in sentiment._word_features(*k)]


_WORDY = st.sampled_from(
    ["l'eau", "it's", "a_b", "x1", "١٢", "²", "½", "www", "Www.", "/", "@", "!", "?", "É", "ǅ",
     "ﬁ", "\u0301", "ß", "İ", "ｗｗｗ", "＠", "／", " ", "\n", "-", "中文", "ab", "\x00"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDY | st.text(max_size=3), max_size=10).map("".join),
                min_size=8, max_size=12))  # fmt: skip
def test_sentiment_words_are_intent_words_where_enrich_shares_them(texts: list[str]) -> None:
    """enrich hands sentiment's words to intent when ``_shares_words`` says so; there they
    must be exactly intent's own words."""
    folded = [fold(t) for t in texts]
    words: list[list[str]] = []
    labels = sentiment.label_many(texts, ["en"] * len(texts), folded=folded, words_out=words)
    one_by_one = [sentiment.classify(t, "en") for t in texts]  # the per-post path
    assert labels == [(r.label, r.confidence) for r in one_by_one]
    assert len(words) == len(texts)
    for f, said in zip(folded, words, strict=True):
        if enrich._shares_words(f):
            assert said == I._WORD_ONLY.findall(f)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SHOUTY | st.sampled_from(["A", "Z", "a", "@", "[", "`"]), max_size=12).map("".join))
def test_four_capitals_found_by_translate_equal_the_pattern(text: str) -> None:
    if text.isascii():
        by_bytes = b"AAAA" in text.encode().translate(sentiment._CAPITALS)
        assert by_bytes == bool(sentiment._CAPS4_RE.search(text))


def _hits_reference(folded: str) -> tuple[list[tuple[str, str, bool, bool]], bool]:
    """``intent._hits`` as first written: every cue of each word's list tried in turn."""
    words = I._WORD_ONLY.findall(folded)
    out = []
    for i, word in enumerate(words):
        for rest, cue, kind in I._INDEX.get(word, ()):
            if rest and tuple(words[i + 1 : i + 1 + len(rest)]) != rest:
                continue
            at_start = not rest and kind == "question" and i in I._sentence_starts(folded)
            out.append((kind, cue, at_start, bool(rest)))
    return out, "?" in folded


_CUE_PIECES = {w for cues in I._INDEX.values() for _, cue, _ in cues for w in cue.split()}
_CUE_WORDS = st.sampled_from([*sorted(_CUE_PIECES), ".", "!", "?", "\n", "x", "-", "'"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_CUE_WORDS, max_size=14).map(" ".join))
def test_intent_cues_found_by_next_word_equal_every_cue_tried(folded: str) -> None:
    assert I._hits(folded) == _hits_reference(folded)
    assert I._hits(folded, I._WORD_ONLY.findall(folded)) == _hits_reference(folded)


_URL_PIECES = st.sampled_from(
    ["http://", "https://", "HTTP://", "www.", "a", "Z", "0", ".", "-", "/", "//", "?", "#", ":",
     ":80", ":443", "@", "é", "%20", "_", "~", "[", "]", "::1", "\t", "\n", " ", "\x00", "\x7f",
     "utm_source=x", "&", "=", "(", ")", "\u00a0", "\u2028"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PIECES | st.text(max_size=2), max_size=10).map("".join))
def test_links_in_their_spelling_already_skip_parsing_with_the_same_result(tail: str) -> None:
    """normalize_url's fast path (no parsing for a plain lower-case link) gives what urlsplit
    and urlunsplit give."""
    for url in (tail, "http://" + tail, "https://a.b" + tail, "http://x.org/" + tail):
        fast = T.normalize_url(url)
        saved = T._PLAIN_URL
        T._PLAIN_URL = re.compile(r"(?!)(x)(y)")  # never matches: always parse
        try:
            slow = T.normalize_url(url)
        finally:
            T._PLAIN_URL = saved
        assert fast == slow


# --- word runs: translate-and-split against the patterns they replace --------------------------

_WORD_CHAR, _LETTER_CHAR = re.compile(r"\w"), re.compile(r"[^\W\d_]")


def test_run_characters_are_the_patterns_characters_and_never_whitespace() -> None:
    """Every code point: ``is_word_char`` is ``\\w`` and ``is_letter_char`` is ``[^\\W\\d_]``,
    and no character kept in a run is whitespace, so ``str.split`` cuts only between runs."""
    wrong = []
    for code in range(0x110000):
        ch = chr(code)
        word, letter = T.is_word_char(ch), T.is_letter_char(ch)
        if (word != bool(_WORD_CHAR.match(ch)) or letter != bool(_LETTER_CHAR.match(ch))
                or ((word or letter) and ch.isspace())):
            wrong.append(hex(code))
    assert wrong == []


_RUN_PIECES = st.sampled_from(
    ["a", "Z", "É", "é", "ß", "İ", "ǅ", "ﬁ", "Σ", "ΣΑΣ", "½", "²", "٣", "Ⅻ", "_", "1", "0", " ",
     "\t", "\n", "\x1c", "\x85", "\u00a0", "\u2003", "\u3000", "'", "-", "#", "@", ".", "\u0301",
     "\u200d", "😀", "中文", "\ud800", "\x00", "\x7f", "\x80"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_RUN_PIECES | st.text(max_size=3), max_size=14).map("".join))
def test_word_runs_by_translation_equal_the_patterns(text: str) -> None:
    assert T.tokens(text) == re.findall(r"\w+", fold(text))
    assert T.letter_runs(text) == re.findall(r"[^\W\d_]+", text)
    assert T.word_runs(text) == re.findall(r"\w+", text)
    for n in (1, 3):
        expected = [w.lower() for w in re.findall(r"[^\W\d_]{" + str(n) + ",}", text)]
        assert T.lower_letter_runs(text, n) == expected


def test_word_runs_of_every_ascii_character() -> None:
    """The 256-byte tables for ASCII text: each ASCII character alone and all of them in a row."""
    for text in [chr(c) for c in range(128)] + ["".join(map(chr, range(128))) * 2]:
        assert T.tokens(text) == re.findall(r"\w+", text.lower())
        assert T.letter_runs(text) == re.findall(r"[^\W\d_]+", text)
        assert T.word_runs(text) == re.findall(r"\w+", text)
        assert T.lower_letter_runs(text, 3) == re.findall(r"[^\W\d_]{3,}", text.lower())


_SENTIMENT_PIECES = st.sampled_from(
    ["'", "''", "l'eau", "rock'n'roll", "'t", "aujourd'hui", "’", "!", "?", "!?", "@", "@a",
     "://", "http://x.org", "www.", "www.x", "http", "w", "h", "a", "é", "ß", "½", "1", "_",
     " ", "\n", "\x00", "\u00a0", "中文", "😀", ".", "-"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_SENTIMENT_PIECES | st.text(max_size=3), max_size=14).map("".join))
def test_sentiment_tokens_by_translation_equal_the_pattern(text: str) -> None:
    for folded in (text, fold(text)):
        assert sentiment._tokens(folded) == sentiment._TOKEN_RE.findall(folded)


def test_sentiment_tokens_of_every_ascii_character() -> None:
    for folded in [chr(c) for c in range(128)] + ["".join(map(chr, range(128))) * 2]:
        assert sentiment._tokens(folded) == sentiment._TOKEN_RE.findall(folded)
