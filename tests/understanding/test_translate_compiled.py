"""The compiled translation (``_speedups.translate``, ADR 0128) folds text and cuts it into
words exactly as ``str.translate`` and ``str.split`` do with the same tables: every matching
core (rules, lexicons, cues) sees a post through these, and a difference in one character
would make a rule miss its word."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.understanding import compiled
from samen.understanding import text as T

pytestmark = [
    pytest.mark.speedups,
    pytest.mark.skipif(compiled.MODULE is None, reason="the compiled loops were not built"),
]

TABLES = [
    ("fold", T._FOLD_TABLE, T._FOLD_ASCII, False),
    ("tokens", T._FOLDED_WORDS, T._FOLDED_WORDS_ASCII, True),
    ("word runs", T._WORDS, T._WORDS_ASCII, True),
    ("letter runs", T._LETTERS, T._LETTERS_ASCII, True),
]
IDS = [name for name, *_ in TABLES]

# Characters whose folding or class is special: ligatures, compatibility letters, case
# folding that lengthens (ß, İ), combining marks, digits and numbers of other scripts, white
# space outside ASCII (which a run never holds), astral emoji, lone surrogates, NUL.
_SPECIAL = st.sampled_from(
    [*"éÉèëçÇßẞİıſ\u212aﬁﬀǅǄÆæøØŒœΣσςΑ²³½Ⅻⅻ٣１Ａａ", "\u0301", "\u0308", "\u200b", "\u200d",
     "\xa0", "\u2003", "\u3000", "\x85", "\x1c", "\x0b", "\x00", "\ud800", "\udfff",
     "😀", "👍🏽", "🇳🇱", "’", "…", "_", "-", " ", "\n"]
)


def _reference(text: str, table: dict[int, str], split: bool) -> object:
    out = text.translate(table)
    return out.split() if split else out


@pytest.mark.parametrize(("name", "table", "ascii", "split"), TABLES, ids=IDS)
def test_the_ascii_table_is_the_tables_own_answer(
    name: str, table: dict[int, str], ascii: bytes, split: bool
) -> None:
    """The byte table the C loop reads ASCII through says what the table itself says."""
    assert [chr(ascii[c]) for c in range(128)] == [table[c] for c in range(128)]


@pytest.mark.parametrize(("name", "table", "ascii", "split"), TABLES, ids=IDS)
@settings(max_examples=400, deadline=None)
@given(text=st.lists(_SPECIAL | st.text(max_size=4), max_size=20).map("".join))
def test_the_compiled_translation_is_str_translate(
    name: str, table: dict[int, str], ascii: bytes, split: bool, text: str
) -> None:
    assert compiled.MODULE is not None
    assert compiled.MODULE.translate(text, table, ascii, split) == _reference(text, table, split)


def test_every_code_point_folds_and_cuts_as_python_does() -> None:
    """All of Unicode, a thousand characters at a time between spaces: the same string from
    each table."""
    assert compiled.MODULE is not None
    for name, table, ascii, split in TABLES:
        for start in range(0, sys.maxunicode + 1, 1000):
            text = " ".join(map(chr, range(start, min(start + 1000, sys.maxunicode + 1))))
            got = compiled.MODULE.translate(text, table, ascii, split)
            assert got == _reference(text, table, split), (name, start)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_SPECIAL | st.text(max_size=4), max_size=20).map("".join))
def test_with_a_plain_table_it_is_str_translate_and_str_split(text: str) -> None:
    """With a plain dict (no ``__missing__``), an unknown character stays, and every kind of
    white space cuts, as ``str.translate`` and ``str.split()`` do."""
    assert compiled.MODULE is not None
    table = {0xE9: "e", 0x2003: "\u2003", 0xA0: None, 0x85: 0x85, 0x1F600: " "}
    ascii = bytes(range(128))
    assert compiled.MODULE.translate(text, table, ascii, False) == text.translate(table)
    assert compiled.MODULE.translate(text, table, ascii, True) == text.translate(table).split()


def test_folding_and_words_as_users_meet_them() -> None:
    text = "Één café in de Straße, ﬁets kapot?! L’ÉCOLE İstanbul 😀 #Zorg @Anna"
    assert T.fold(text) == "een cafe in de strasse, fiets kapot?! l’ecole istanbul 😀 #zorg @anna"
    assert T.tokens(text) == ["een", "cafe", "in", "de", "strasse", "fiets", "kapot", "l",
                              "ecole", "istanbul", "zorg", "anna"]


def test_a_mapping_to_none_or_a_code_point_is_honoured_as_str_translate_does() -> None:
    """Samen's tables give strings; the loop still does what str.translate does with the
    other two kinds of answer, and refuses what str.translate refuses."""
    assert compiled.MODULE is not None
    table = {0xE9: None, 0xE8: 0x65, 0xEA: "ee"}
    ascii = bytes(range(128))
    assert compiled.MODULE.translate("éèê x", table, ascii, False) == "éèê x".translate(table)
    with pytest.raises(TypeError):
        compiled.MODULE.translate("é", {0xE9: 1.5}, ascii, False)
    with pytest.raises(ValueError):
        compiled.MODULE.translate("é", {0xE9: -1}, ascii, False)
    with pytest.raises(ValueError):
        compiled.MODULE.translate("é", table, b"short", False)


def test_a_new_character_is_learnt_by_the_table() -> None:
    """A character the table has not met goes through its ``__missing__``, which stores it:
    the next post finds it without working it out again."""
    assert compiled.MODULE is not None
    table = T.RunTable(T._fold_one, T.is_word_char)
    assert 0x1E9E not in table
    assert compiled.MODULE.translate("GROẞ", table, table.ascii_bytes(), True) == ["gross"]
    assert table[0x1E9E] == "ss"


def test_a_huge_post_is_translated_whole() -> None:
    text = "Café élève <b>&amp;</b> " * 50_000
    assert T.tokens(text) == text.translate(T._FOLDED_WORDS).split()
    assert T.fold(text) == text.translate(T._FOLD_TABLE)


@contextmanager
def _loop(name: str) -> Iterator[None]:
    """Run the text steps with the compiled translation or with ``str.translate``."""
    saved = T._translate
    T._translate = saved if name == "compiled" else None
    try:
        yield
    finally:
        T._translate = saved


@pytest.mark.parametrize("loop", ["compiled", "python"])
@settings(max_examples=300, deadline=None)
@given(text=st.lists(_SPECIAL | st.text(max_size=3), max_size=16).map("".join))
def test_folding_and_word_runs_equal_the_patterns_either_way(loop: str, text: str) -> None:
    """Both ways, folding is the table's translation and the word runs are the regular
    expressions' runs: the compiled path, and the path that runs where it was not built."""
    with _loop(loop):
        folded = T.fold(text)
        if not text.isascii():
            assert folded == text.translate(T._FOLD_TABLE)
        assert T.tokens(text) == re.findall(r"\w+", folded)
        assert T.letter_runs(text) == re.findall(r"[^\W\d_]+", text)
        assert T.word_runs(text) == re.findall(r"\w+", text)
